"""A workspace whose every free-text value is an attack: for the script-injection tests.

Every dimension value in the sales data (channel, rep ids and names, teams,
regions, customer segments and countries, lead sources, campaigns, return
reasons, complaint categories), the workspace name, a KPI's label, description
and owner, objective labels and descriptions, target reasons and members, review
notes and a failed login's user name carry one of :data:`PAYLOADS`. The data goes
in the way a user's data does: CSV files, a sources.yml and ``onpace ingest``.

Each payload, if it ever became markup or code, would either put an element with
a ``data-injected`` attribute into the page or set ``window.__pwned`` (or open a
dialog), so a test can tell for sure that it stayed text.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from tests.support.sales_data import SALES_DATA

PAYLOADS = (
    # ends the JSON <script> element of a chart and runs through an image error
    "</script><img src=x data-injected onerror=\"window.__pwned='img';alert(1)\">",
    # breaks out of an attribute value
    "\"'><svg data-injected onload=\"window.__pwned='svg'\"></svg>",
    # the reported attack: htmx fetching the API as the logged-in user
    "</script><div data-injected hx-get=/api/v1/me hx-trigger=load "
    "hx-on::after-request=\"window.__pwned='htmx'\">x</div>",
    # line separators end a JavaScript string; an HTML comment opens a script
    "\u2028\u2029<!--<script>window.__pwned='comment'</script>",
    # template syntax and an entity that must not be decoded twice
    "{{7*7}}${7*7}&lt;b data-injected&gt;<b data-injected>b</b>",
    # a link that runs code if it ever lands in an href
    "javascript:window.__pwned='href'",
)

# The columns of SALES_DATA whose values show up as dimension members or labels.
# Ids other than rep_id, statuses and kinds stay as they are: KPI filters use them.
HOSTILE_COLUMNS = {
    "customers": ("name", "segment", "region", "country"),
    "salespeople": ("rep_id", "name", "team", "region", "manager"),
    "orders": ("rep_id", "channel", "campaign"),
    "quotes": ("rep_id",),
    "leads": ("rep_id", "source", "campaign"),
    "web_sessions": ("source", "medium", "campaign"),
    "returns": ("reason",),
    "complaints": ("category",),
    "costs": ("category",),
}


# Which payload each column carries: every payload reaches a chart and a table.
COLUMN_PAYLOAD = {
    "channel": 0,
    "manager": 0,
    "source": 0,
    "name": 1,
    "region": 1,
    "medium": 1,
    "rep_id": 2,
    "campaign": 2,
    "team": 3,
    "category": 3,
    "segment": 4,
    "reason": 4,
    "country": 5,
}


def payload(column: str) -> str:
    """The payload of a column: fixed per column name, so foreign keys still match."""
    return PAYLOADS[COLUMN_PAYLOAD[column]]


def hostile(value: object, column: str) -> object:
    """``value`` followed by its column's payload (missing values stay missing)."""
    if value is None or (isinstance(value, float) and value != value):
        return value
    return f"{value}{payload(column)}"


def hostile_rep(rep_id: str) -> str:
    """The rep id a rep user must carry to see their own rows."""
    return str(hostile(rep_id, "rep_id"))


WORKSPACE_NAME = "Shop " + PAYLOADS[0]

HOSTILE_KPI = {
    "kpis": [
        {
            "name": "hostile_revenue",
            "label": "Revenue " + PAYLOADS[2],
            "description": "Described " + PAYLOADS[1] + PAYLOADS[3],
            "type": "simple",
            "entity": "orders",
            "agg": "sum",
            "column": "amount",
            "time": "ordered_at",
            "unit": "currency",
            "dimensions": ["channel", "rep", "rep.team", "customer.segment"],
            "owner": "Owner " + PAYLOADS[4],
        }
    ]
}

OBJECTIVES = {
    "objectives": [
        {
            "name": "growth",
            "label": "Grow " + PAYLOADS[0],
            "description": PAYLOADS[2],
            "kpis": {"revenue": 1, "hostile_revenue": 1},
            "objectives": [
                {"name": "orders_up", "label": "More " + PAYLOADS[1], "kpis": {"orders": 1}}
            ],
        }
    ]
}


def _csv_frames() -> dict[str, pd.DataFrame]:
    frames = {}
    for entity, frame in SALES_DATA.items():
        out = frame.copy()
        for column in HOSTILE_COLUMNS.get(entity, ()):
            if column in out.columns:
                out[column] = [hostile(v, column) for v in out[column]]
        frames[entity] = out
    return frames


def _export_name(column: str) -> str:
    return "Export " + column.replace("_", " ").title()


def write_hostile_workspace(root: Path) -> Path:
    """A multichannel workspace at ``root`` with hostile data, ingested from CSV files."""
    from onpace.catalog.scaffold import create_workspace
    from onpace.workspace import Workspace

    create_workspace(root, "multichannel", name=WORKSPACE_NAME, timezone="UTC", churn_days=30)
    data = root / "data"
    data.mkdir()
    sources: dict[str, object] = {}
    for entity, frame in _csv_frames().items():
        # the export's own column names: "Reason" and the like, as a user's file has them
        frame.rename(columns=_export_name).to_csv(data / f"{entity}.csv", index=False)
        columns = {c: {"from": _export_name(c)} for c in frame.columns}
        sources[entity] = {"file": f"data/{entity}.csv", "entities": {entity: {"columns": columns}}}
    (root / "sources.yml").write_text(
        yaml.safe_dump({"sources": sources}, allow_unicode=True), encoding="utf-8"
    )
    (root / "kpis" / "hostile.yml").write_text(
        yaml.safe_dump(HOSTILE_KPI, allow_unicode=True), encoding="utf-8"
    )
    (root / "objectives.yml").write_text(
        yaml.safe_dump(OBJECTIVES, allow_unicode=True), encoding="utf-8"
    )
    result = Workspace.open(root).ingest()
    quarantined = getattr(result, "quarantined", 0)
    assert not quarantined, f"the hostile data must load whole, not be quarantined: {result}"
    return root
