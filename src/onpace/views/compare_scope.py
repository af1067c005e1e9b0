"""The privacy rule of :mod:`onpace.views.scope` on the comparison screens.

A rep must not read a colleague's number off a total (see
:meth:`onpace.views.scope.Scope.total_visible`). On the comparison screens that
means: an explanation whose KPI or driver totals draw on too few reps is refused
with the reason; member rows, funnel periods, chart points and trace values that
do are blanked with the reason. Correlations (related KPIs, lead-lag) are not
numbers anybody can subtract and stay as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from onpace.calendar import Grain, next_period_start, parse_period
from onpace.errors import AuthError
from onpace.views.scope import REP_DIMENSIONS, Scope, rep_contributors

if TYPE_CHECKING:
    from onpace.workspace import Workspace

Visible = Callable[[str, date, str | None], bool]


def visibility(
    ws: Workspace,
    scope: Scope,
    kpis: Sequence[str],
    grain: Grain,
    start: date,
    end_before: date,
    by: str | None,
    as_of: datetime,
) -> Visible:
    """Whether the total of a KPI in a period (and member of ``by``) may be shown."""
    if not scope.checks_totals:
        return lambda kpi, period, member: True
    found = rep_contributors(ws, list(kpis), grain, start, end_before, by, as_of)
    return lambda kpi, period, member: scope.total_visible(found.get((kpi, period, member)))


def fold_visible(scope: Scope, hidden: list[dict[str, Any]]) -> bool:
    """Whether the sum of other reps' rows may be shown: when enough of them contribute."""
    reps = {r["member"] for r in hidden if (r.get("before") or 0) or (r.get("after") or 0)}
    return not scope.checks_totals or not reps or len(reps) >= scope.min_group


def series_values(
    ws: Workspace,
    scope: Scope,
    values: dict[str, list[float | None]],
    columns: dict[str, tuple[str, str | None, int]],
    periods: Sequence[date],
    grain: Grain,
    by: str | None,
    as_of: datetime,
) -> dict[str, list[float | None]]:
    """Series with the points of hidden totals blanked (before any indexing).

    ``columns`` maps a series to (KPI, member of ``by``, periods its values are shifted
    back by: 12 for "a year earlier" in months).
    """
    if not scope.checks_totals or not periods:
        return values
    from onpace.calendar import shift_period

    back = max(s for _, _, s in columns.values())
    first = shift_period(periods[0], grain, -back)
    last = next_period_start(periods[-1], grain)
    kpis = sorted({k for k, _, _ in columns.values()})
    visible = visibility(ws, scope, kpis, grain, first, last, by, as_of)
    out = {}
    for key, series in values.items():
        kpi, member, shift = columns[key]
        out[key] = [
            v if visible(kpi, shift_period(p, grain, -shift), member) else None
            for p, v in zip(periods, series, strict=False)
        ]
    return out


def _start(ws: Workspace, label: str) -> date:
    return parse_period(label, ws.calendar)[1]


def explanation(ws: Workspace, scope: Scope, d: dict[str, Any], as_of: datetime) -> dict[str, Any]:
    """``d`` (an explanation) for ``scope``: refused, or with hidden member rows blanked."""
    if not scope.checks_totals:
        return d
    grain: Grain = d["grain"]
    periods = [_start(ws, d["period"])]
    if d["against"] == "period":
        periods.append(_start(ws, d["vs"]))
    first, last = min(periods), next_period_start(max(periods), grain)
    names = [d["kpi"], *(x["kpi"] for x in d["drivers"])]
    visible = visibility(ws, scope, names, grain, first, last, None, as_of)
    for name in names:
        for p in periods:
            if not visible(name, p, None):
                raise AuthError(f"{name} in {d['period']}: {scope.hidden_note()}")
    members = d["members"]
    if members and members["dimension"] not in REP_DIMENSIONS:
        by = members["dimension"]
        shown = visibility(ws, scope, [d["kpi"]], grain, first, last, by, as_of)
        blank = ("before", "after", "change", "mix", "rate", "volume_before", "volume_after")
        rows = []
        for row in members["rows"]:
            member = None if row["member"] is None else str(row["member"])
            if all(shown(d["kpi"], p, member) for p in periods):
                rows.append(row)
            else:
                rows.append({**row, **dict.fromkeys(blank), "note": scope.hidden_note()})
        members["rows"] = rows
    return d


def funnel_rows(
    ws: Workspace,
    scope: Scope,
    built: dict[str, Any],
    funnel: Any,
    as_of: datetime,
) -> dict[str, Any]:
    """The funnel ``built`` for ``scope``: periods drawing on too few reps blanked."""
    rep = next((d for d in funnel.dimensions if d in REP_DIMENSIONS), None)
    if not scope.checks_totals or rep is None or built["by"] in REP_DIMENSIONS:
        return built
    if built["by"] is not None:
        raise AuthError(
            f"a rep sees the {funnel.label} funnel in total or by {rep} (their own row), "
            f"not by {built['by']}: its members could give a colleague's numbers away"
        )
    from onpace.compare.funnels import compute_funnel

    grain: Grain = built["grain"]
    start, end = date.fromisoformat(built["start"]), date.fromisoformat(built["end"])
    per_rep = compute_funnel(ws, funnel.name, grain, start, end, rep, as_of)
    reps: dict[str | None, set[str]] = {}
    for view in (per_rep.cohorts, per_rep.events):
        for row in view:
            if row.member is not None and any(s.count for s in row.steps):
                reps.setdefault(row.period, set()).add(row.member)
    every = set().union(*reps.values()) if reps else set()
    reps[None] = every  # the range's total draws on every rep of any period

    def hide(row: dict[str, Any]) -> dict[str, Any]:
        if scope.total_visible(reps.get(row["period"], set())):
            return row
        steps = [
            {
                **s,
                "count": None,
                "step_conversion": None,
                "overall_conversion": None,
                "median_days": None,
            }
            for s in row["steps"]
        ]
        return {**row, "steps": steps, "note": scope.hidden_note()}

    for key in ("total", "cohorts", "events"):
        built[key] = [hide(r) for r in built[key]]
    return built


def trace(
    ws: Workspace, scope: Scope, root: dict[str, Any], grain: Grain, start: date, as_of: datetime
) -> dict[str, Any]:
    """A traced tree with the actuals of hidden totals blanked, and then every "needed"
    value too (each is computed from the other drivers' actuals)."""
    if not scope.checks_totals:
        return root
    names: list[str] = []

    def collect(node: dict[str, Any]) -> None:
        names.append(node["kpi"])
        for child in node["children"]:
            collect(child)

    collect(root)
    visible = visibility(
        ws, scope, names, grain, start, next_period_start(start, grain), None, as_of
    )
    hidden = {n for n in names if not visible(n, start, None)}

    def blank(node: dict[str, Any]) -> dict[str, Any]:
        out = {**node, "children": [blank(c) for c in node["children"]]}
        if node["kpi"] in hidden:
            out.update(actual=None, note=scope.hidden_note())
        if hidden:
            out.update(needed=None, needed_change=None)
        return out

    return blank(root)
