"""Create a workspace from a business template: onpace.yml plus kpis/<area>.yml.

The KPI definitions are copied out of the catalog, not referenced, so a business
owns its definitions from day one and can edit them freely; ``onpace validate``
keeps them honest.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from onpace.catalog import catalog_files, template
from onpace.errors import WorkspaceError
from onpace.workspace import CONFIG_FILE

CONFIG_TEMPLATE = """\
# onpace workspace settings. Reference: docs/spec.md
name: {name}
template: {template}
# Time zone of the business: timestamps are placed in days and months in this zone.
timezone: {timezone}
currency: {currency}
locale: en
# Month the fiscal year starts in (1 = January). Quarters and years follow it.
fiscal_year_start: {fiscal_year_start}
churn:
  # A customer is lost after this many days without an order.
  method: inactivity
  days: {churn_days}
warehouse:
  backend: duckdb
  path: warehouse.duckdb
kpi_files:
  - kpis/*.yml
"""


def _dump(items: list[dict[str, Any]], heading: str) -> str:
    body = yaml.safe_dump({"kpis": items}, sort_keys=False, width=100, allow_unicode=True)
    return f"# {heading}\n" + body.replace("\n- name:", "\n\n- name:").replace(
        "\n  - name:", "\n\n  - name:"
    )


def create_workspace(
    root: Path,
    template_name: str = "multichannel",
    name: str | None = None,
    timezone: str = "UTC",
    currency: str = "EUR",
    fiscal_year_start: int = 1,
    churn_days: int = 365,
    overwrite: bool = False,
) -> list[Path]:
    """Write a new workspace into ``root``; returns the files written."""
    chosen = template(template_name)
    config_path = root / CONFIG_FILE
    if config_path.exists() and not overwrite:
        raise WorkspaceError(f"{config_path} exists already; use --force to overwrite it")
    (root / "kpis").mkdir(parents=True, exist_ok=True)
    config_path.write_text(
        CONFIG_TEMPLATE.format(
            name=json.dumps(name or root.resolve().name),
            template=chosen.name,
            timezone=timezone,
            currency=currency,
            fiscal_year_start=fiscal_year_start,
            churn_days=churn_days,
        ),
        encoding="utf-8",
    )
    written = [config_path]
    wanted = set(chosen.kpis)
    for file in catalog_files():
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        items = [k for k in data.get("kpis", []) if k["name"] in wanted]
        if not items:
            continue
        target = root / "kpis" / file.name
        heading = f"{file.stem} KPIs, from the onpace catalog ({chosen.label} template)"
        target.write_text(_dump(items, heading), encoding="utf-8")
        written.append(target)
    return written
