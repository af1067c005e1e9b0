"""What a sales manager reads first on the scorecard: a summary line, tiles and sections.

:func:`glance` takes the dict of :func:`onpace.views.scorecard.scorecard_view` (the one
scorecard data function) and adds, without recomputing a number:

- ``summary``: how many KPIs with a target are on track, at risk, off track, ...,
  from good to bad;
- ``tiles``: one per KPI with a target (value, attainment, status, the sparkline
  with the target line), pinned KPIs first;
- for each tile its ``trend`` (``good``, ``bad`` or ``flat``, see :func:`trend`): whether
  the change against the compared period is good news for a KPI of that direction (a
  fall in days-to-close is good), so the arrow is coloured by meaning, not by sign;
- ``targeted_groups`` and ``untargeted``: the objective groups with only their KPIs
  that have a target, and the KPIs without one in a section of their own;
- ``empty``: no KPI has data yet (a new workspace), so the page says what to do next;
- ``pinned`` and ``hidden``: the viewer's choices (see
  :class:`onpace.store.preferences.Preferences`); hidden KPIs leave the tiles and the
  groups and are listed so that they can be shown again.

The CSV and the API keep the full ``table``: pins and hides change what the page
leads with, never which numbers exist.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from onpace.views import charts

# the order of the summary line: "2 on track, 1 at risk, 1 off track"
STATUS_ORDER = [
    "achieved",
    "on track",
    "at risk",
    "off track",
    "missed",
    "too early",
    "not started",
    "no data",
]


def trend(change: float | None, direction: str) -> str:
    """``good``, ``bad`` or ``flat``: the change read against the KPI's direction.

    >>> trend(0.12, "higher"), trend(0.12, "lower"), trend(-0.3, "lower"), trend(0.0, "higher")
    ('good', 'bad', 'good', 'flat')
    >>> trend(None, "higher")
    'flat'
    """
    if change is None or change == 0:
        return "flat"
    better = change > 0 if direction != "lower" else change < 0
    return "good" if better else "bad"


def summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``[{"status": "on track", "count": 2}, ...]`` over the rows that have a target."""
    counts: dict[str, int] = {}
    for r in rows:
        if r.get("target") is not None:
            counts[r["status"]] = counts.get(r["status"], 0) + 1
    known = [s for s in STATUS_ORDER if s in counts]
    others = sorted(s for s in counts if s not in STATUS_ORDER)
    return [{"status": s, "count": counts[s]} for s in [*known, *others]]


def _tile(row: dict[str, Any], in_progress: bool, pinned: bool) -> dict[str, Any]:
    points = row.get("sparkline") or []
    chart = None
    if any(p is not None for p in points):
        chart = charts.tile_sparkline(points, row.get("target"), in_progress)
    return {
        "kpi": row["kpi"],
        "label": row["label"],
        "unit": row["unit"],
        "value": row["value"],
        "target": row["target"],
        "attainment": row["attainment"],
        "pace_marker": row.get("pace_marker"),
        "projection": row.get("projection"),
        "status": row["status"],
        "explanation": row.get("explanation", ""),
        "change": row.get("change"),
        "trend": trend(row.get("change"), row["direction"]),
        "pinned": pinned,
        "chart": chart,
    }


GLANCE_KEYS = (
    "summary",
    "tiles",
    "targeted_groups",
    "untargeted",
    "empty",
    "pinned",
    "hidden",
)


def glance(
    card: dict[str, Any],
    pinned: Collection[str] = (),
    hidden: Collection[str] = (),
) -> dict[str, Any]:
    """``card`` with its summary, tiles and sections (see the module docstring)."""
    in_progress = card.get("state") == "current"
    groups = card["groups"]
    shown = [r for g in groups for r in g["rows"] if r["kpi"] not in hidden]
    totals = [r for r in shown if r.get("member") is None]
    order = {name: i for i, name in enumerate(pinned)}
    tiles = [
        _tile(r, in_progress, r["kpi"] in order)
        for r in sorted(
            (r for r in totals if r.get("target") is not None),
            key=lambda r: (r["kpi"] not in order, order.get(r["kpi"], 0)),
        )
    ]
    targeted_kpis = {r["kpi"] for g in groups for r in g["rows"] if r.get("target") is not None}
    targeted_groups = []
    for g in groups:
        rows = [r for r in g["rows"] if r["kpi"] in targeted_kpis and r["kpi"] not in hidden]
        rows.sort(key=lambda r: r["kpi"] not in order)
        if rows:
            targeted_groups.append({**g, "rows": rows})
    seen: set[tuple[str, str | None]] = set()
    untargeted = []
    for r in shown:
        key = (r["kpi"], r.get("member"))
        if r["kpi"] not in targeted_kpis and key not in seen:
            seen.add(key)
            untargeted.append(r)
    labels = {r["kpi"]: r["label"] for g in groups for r in g["rows"]}
    return {
        **card,
        "summary": summary(totals if card.get("by") is None else shown),
        "tiles": tiles if card.get("by") is None else [],
        "targeted_groups": targeted_groups,
        "untargeted": untargeted,
        # no data at all (a breakdown has no total rows: its members' rows decide)
        "empty": all(r["status"] == "no data" for r in shown),
        "pinned": [k for k in pinned if k in labels],
        "hidden": [{"kpi": k, "label": labels[k]} for k in hidden if k in labels],
    }
