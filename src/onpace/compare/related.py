"""Related KPIs: the workspace's KPIs whose changes move with a KPI's, first or after it.

For one KPI, every other KPI's monthly (or weekly) changes are correlated with its
own at lags of 0 to N periods both ways (:mod:`onpace.compare.lead_lag`). A KPI is
listed only when its interval, widened for the lags tried, excludes 0. KPIs that
are computed from one another (a driver in its tree, a growth rate of it) move
together by construction; they are listed with that relation so nobody mistakes
arithmetic for insight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from onpace.calendar import Grain, period_start, shift_period
from onpace.compare.lead_lag import SEASONS, Change, LeadLag, changes, lead_lag
from onpace.compare.series import Series, kpi_series
from onpace.spec.kpi import derived_references

if TYPE_CHECKING:
    from onpace.workspace import Workspace

DEFAULT_PERIODS = {"month": 36, "week": 104, "quarter": 16, "day": 180, "year": 8}


@dataclass(frozen=True)
class Related:
    """One KPI related to the KPI asked about, with the strongest lag."""

    kpi: str
    label: str
    result: LeadLag
    relation: str

    @property
    def strength(self) -> float:
        return abs(self.result.best.r or 0.0) if self.result.best else 0.0


def default_change(grain: Grain) -> Change:
    """Changes against last year for months and quarters (their seasons would otherwise
    make every KPI look related), against the previous period for finer grains."""
    return "last_year" if grain in ("month", "quarter") else "previous"


def history_range(
    ws: Workspace, grain: Grain, periods: int | None, as_of: datetime, change: Change = "previous"
) -> tuple[date, date]:
    """The complete periods before the one in progress that give ``periods`` changes."""
    current = period_start(as_of.date(), grain, ws.calendar)
    count = (periods or DEFAULT_PERIODS.get(grain, 36)) + (
        SEASONS[grain] if change == "last_year" else 1 if change == "previous" else 0
    )
    return shift_period(current, grain, -count), current


def definitional_relation(ws: Workspace, a: str, b: str) -> str:
    """How ``a`` and ``b`` are tied by definition ("" when they are not)."""
    for x, y in ((a, b), (b, a)):
        if y in derived_references(ws.kpis[x]):
            return f"{x} is computed from {y}"
        for tree in ws.comparisons.trees_of(x):
            if y in ws.comparisons.formula(tree).kpis:
                return f"{y} is a driver of {x}"
    shared = [
        t.kpi
        for t in ws.comparisons.trees.values()
        if {a, b} <= set(ws.comparisons.formula(t).kpis)
    ]
    if shared:
        return f"both are drivers of {shared[0]}"
    return ""


def workspace_series(
    ws: Workspace,
    grain: Grain = "month",
    change: Change | None = None,
    periods: int | None = None,
    as_of: datetime | None = None,
) -> Series:
    """Every computable KPI of the workspace over the history the related lists use.

    One computation serves the related list of every KPI, so it is worth keeping.
    """
    as_of = as_of or ws.now()
    start, end = history_range(ws, grain, periods, as_of, change or default_change(grain))
    session = ws.session()
    names = sorted(n for n in ws.kpis if not session.missing_data(n))
    return kpi_series(ws, names, grain, start, end, as_of)


def related_kpis(
    ws: Workspace,
    kpi: str,
    grain: Grain = "month",
    max_lag: int = 3,
    change: Change | None = None,
    periods: int | None = None,
    as_of: datetime | None = None,
    series: Series | None = None,
    limit: int = 8,
) -> tuple[list[Related], int]:
    """The KPIs most clearly related to ``kpi``, strongest first, and the periods used.

    ``series`` is :func:`workspace_series` computed before (for the same grain and change).
    """
    change = change or default_change(grain)
    series = series or workspace_series(ws, grain, change, periods, as_of)
    if kpi not in series.values:
        return [], len(series.periods)
    names = [kpi, *(n for n in series.values if n != kpi)]
    season = SEASONS[grain]
    own = changes(series.values[kpi], change, season)
    labels = {n: ws.kpis[n].label for n in names}
    found = []
    for other in names[1:]:
        moved = changes(series.values[other], change, season)
        result = lead_lag(kpi, own, other, moved, max_lag, grain, labels)
        if result.best is None or result.warning or result.verdict.startswith("no clear"):
            continue
        found.append(
            Related(other, ws.kpis[other].label, result, definitional_relation(ws, kpi, other))
        )
    found.sort(key=lambda r: (bool(r.relation), -r.strength))
    return found[:limit], len(series.periods)


def pair_lead_lag(
    ws: Workspace,
    names: list[str],
    grain: Grain = "month",
    max_lag: int = 3,
    change: Change | None = None,
    start: date | None = None,
    end: date | None = None,
    as_of: datetime | None = None,
) -> tuple[list[LeadLag], int]:
    """Lead-lag of every pair of ``names`` (in order), and the number of periods used.

    ``start`` and ``end`` bound the periods (``end`` excluded); by default the
    complete periods of the last few years.
    """
    as_of = as_of or ws.now()
    change = change or default_change(grain)
    first, last = history_range(ws, grain, None, as_of, change)
    first = start or first
    last = end or last
    series = kpi_series(ws, names, grain, first, last, as_of)
    moved = {n: changes(series.values[n], change, SEASONS[grain]) for n in names}
    labels = {n: ws.kpis[n].label for n in names}
    out = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            out.append(lead_lag(a, moved[a], b, moved[b], max_lag, grain, labels))
    return out, len(series.periods)
