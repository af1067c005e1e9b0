"""Create a workspace from a business template: onpace.yml plus kpis/<area>.yml.

The KPI definitions are copied out of the catalog, not referenced, so a business
owns its definitions from day one and can edit them freely; ``onpace validate``
keeps them honest.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from onpace.catalog import catalog_files, load_catalog, template
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


def _ingest_block(allowed_dirs: Sequence[str]) -> str:
    if not allowed_dirs:
        return ""
    listed = "\n".join(f"    - {json.dumps(d)}" for d in allowed_dirs)
    return (
        "# Folders outside the workspace that sources.yml may read from.\n"
        f"ingest:\n  allowed_dirs:\n{listed}\n"
    )


def _dump(items: list[dict[str, Any]], heading: str, key: str = "kpis") -> str:
    body = yaml.safe_dump({key: items}, sort_keys=False, width=100, allow_unicode=True)
    spaced = body.replace("\n- name:", "\n\n- name:").replace("\n  - name:", "\n\n  - name:")
    return f"# {heading}\n" + spaced.replace("\n- kpi:", "\n\n- kpi:")


def _companions(data: dict[str, Any], wanted: set[str]) -> dict[str, list[dict[str, Any]]]:
    """The catalog trees and funnels that fit the chosen KPIs.

    A tree is copied when its KPI and every driver are in the template; a funnel
    when every table it reads is read by one of the template's KPIs.
    """
    from onpace.compare.formula import parse_tree_formula
    from onpace.spec.kpi import kpi_entities

    catalog = load_catalog()
    entities = {e for name in wanted if name in catalog for e in kpi_entities(catalog[name])}
    trees = [
        t
        for t in data.get("trees", [])
        if t["kpi"] in wanted and set(parse_tree_formula(t["formula"]).kpis) <= wanted
    ]
    funnels = [f for f in data.get("funnels", []) if {s["entity"] for s in f["steps"]} <= entities]
    return {k: v for k, v in (("trees", trees), ("funnels", funnels)) if v}


def _planned_files(
    root: Path,
    template_name: str,
    name: str | None,
    timezone: str,
    currency: str,
    fiscal_year_start: int,
    churn_days: int,
    allowed_dirs: Sequence[str] = (),
) -> dict[Path, str]:
    """Every file of the new workspace and its text, before anything is written."""
    chosen = template(template_name)
    files = {
        root / CONFIG_FILE: CONFIG_TEMPLATE.format(
            name=json.dumps(name or root.resolve().name),
            template=chosen.name,
            timezone=timezone,
            currency=currency,
            fiscal_year_start=fiscal_year_start,
            churn_days=churn_days,
        )
        + _ingest_block(allowed_dirs)
    }
    wanted = set(chosen.kpis)
    for file in catalog_files():
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        items = [k for k in data.get("kpis", []) if k["name"] in wanted]
        heading = f"{file.stem} KPIs, from the onpace catalog ({chosen.label} template)"
        parts = [_dump(items, heading)] if items else []
        for key, chosen_items in _companions(data, wanted).items():
            parts.append(_dump(chosen_items, f"{key}, from the onpace catalog", key))
        if parts:
            files[root / "kpis" / file.name] = "\n".join(parts)
    return files


def _write_all(root: Path, files: dict[Path, str]) -> None:
    """Write ``files`` so that a failure leaves nothing behind.

    A new folder is built beside its final place and renamed into it; in an
    existing folder the files written so far are removed again on a failure.
    """
    if not root.exists():
        root.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{root.name}-", dir=root.parent))
        try:
            _write_all(staging, {staging / p.relative_to(root): t for p, t in files.items()})
            staging.rename(root)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return
    written: list[Path] = []
    made: list[Path] = []
    try:
        for path, text in files.items():
            if not path.parent.exists():
                path.parent.mkdir(parents=True)
                made.append(path.parent)
            existed = path.exists()
            path.write_text(text, encoding="utf-8")
            if not existed:
                written.append(path)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        for folder in reversed(made):
            shutil.rmtree(folder, ignore_errors=True)
        raise


def create_workspace(
    root: Path,
    template_name: str = "multichannel",
    name: str | None = None,
    timezone: str = "UTC",
    currency: str = "EUR",
    fiscal_year_start: int = 1,
    churn_days: int = 365,
    overwrite: bool = False,
    extra_files: dict[str, str] | None = None,
    allowed_dirs: Sequence[str] = (),
) -> list[Path]:
    """Write a new workspace into ``root``; returns the files written.

    ``extra_files`` (``{"sources.yml": text}``) are written with it. ``allowed_dirs``
    are folders outside the workspace its sources may read (the folders of the
    exports ``onpace init --from`` was given). Everything is
    checked before the first file is written, and a failure while writing leaves
    nothing behind: no half-made workspace blocks the next ``onpace init``.
    """
    files = _planned_files(
        root, template_name, name, timezone, currency, fiscal_year_start, churn_days, allowed_dirs
    )
    for relative, text in (extra_files or {}).items():
        files[root / relative] = text
    if not overwrite:
        for path in (root / CONFIG_FILE, *(root / r for r in extra_files or {})):
            if path.exists():
                raise WorkspaceError(f"{path} exists already; use --force to overwrite it")
    _write_all(root, files)
    return list(files)
