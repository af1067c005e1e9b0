"""Backtests of a workspace's KPIs: what ``onpace backtest`` prints.

For each KPI the series is its value per period (month, week or day) over the
last :data:`~onpace.targets.actuals.HISTORY_YEARS` years, up to the last
complete period; sums and counts count a period without rows as 0, rates and
averages start again after a period without a value. The forecast backtest is
:func:`onpace.targets.backtest.backtest_series` with the season of the grain
(12 months, 52 weeks, 7 days); ``pace`` adds
:func:`onpace.targets.backtest.backtest_pace` on the daily series of sums and
counts. A KPI that cannot be backtested (data missing, too short, a rate asked
for its pace) gets a note saying why instead of results.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from onpace.calendar import Grain, add_months, period_start, periods_between
from onpace.errors import OnpaceError
from onpace.query.plain import as_number
from onpace.targets.actuals import HISTORY_YEARS, is_additive
from onpace.targets.backtest import PaceBacktest, SeriesBacktest, backtest_pace, backtest_series
from onpace.targets.projection import daily_series
from onpace.targets.rolling_origin import series_model

if TYPE_CHECKING:
    from onpace.workspace import Workspace

BACKTEST_GRAINS: tuple[str, ...] = ("month", "week", "day")
# season, horizons and how many past origins are scored, per grain
SETTINGS: dict[str, tuple[int, int, int]] = {
    "month": (12, 3, 10_000),
    "week": (52, 4, 160),
    "day": (7, 7, 120),
}


@dataclass(frozen=True)
class KpiBacktest:
    """One KPI's backtest results, or the note that says why there are none."""

    kpi: str
    label: str
    grain: str
    forecast: SeriesBacktest | None
    pace: PaceBacktest | None
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def regular_series(
    values: dict[date, float | None], periods: Sequence[date], additive: bool
) -> list[float]:
    """Consecutive values over ``periods`` from the first non-zero one.

    Periods without a value are 0 for sums and counts and restart the series
    for rates (a gap in a rate is not a rate of 0).
    """
    out: list[float] = []
    started = False
    for p in periods:
        v = values.get(p)
        started = started or (v is not None and v != 0)
        if not started:
            continue
        if v is None or not math.isfinite(v):
            if additive:
                out.append(0.0)
            else:
                out = []
        else:
            out.append(float(v))
    return out


def _values(
    ws: Workspace, kpi: str, grain: Grain, start: date, end: date, as_of: datetime
) -> dict[date, float | None]:
    frame = ws.compute([kpi], grain=grain, start=start, end=end, as_of=as_of)
    out: dict[date, float | None] = {}
    for row in frame.itertuples(index=False):
        period = row.period if isinstance(row.period, date) else row.period.date()
        if isinstance(period, datetime):
            period = period.date()
        out[period] = as_number(row.value)
    return out


def backtest_kpi(
    ws: Workspace, kpi: str, grain: str = "month", pace: bool = False, as_of: datetime | None = None
) -> KpiBacktest:
    """The backtest of one KPI of ``ws`` as of ``as_of`` (default: now)."""
    spec = ws.kpis[kpi]
    moment = as_of or ws.now()
    blank = KpiBacktest(kpi, spec.label, grain, None, None)
    missing = ws.session().missing_data(kpi)
    if missing:
        return _note(blank, "the data lacks " + ", ".join(missing))
    additive = is_additive(kpi, ws.kpis)
    g: Grain = grain  # type: ignore[assignment]
    end = period_start(moment.date(), g, ws.calendar)
    start = add_months(period_start(moment.date(), "month"), -12 * HISTORY_YEARS)
    m, horizons, origins = SETTINGS[grain]
    periods = periods_between(start, end, g, ws.calendar)
    series = regular_series(_values(ws, kpi, g, start, end, moment), periods, additive)
    forecast: SeriesBacktest | None = None
    notes = []
    try:
        model = series_model(series, m, origins=origins)
        forecast = backtest_series(series, m, horizons, kpi, model=model)
    except ValueError as exc:
        notes.append(str(exc))
    pace_result: PaceBacktest | None = None
    if pace:
        pace_result, problem = _pace(ws, kpi, grain, additive, start, moment)
        if problem:
            notes.append(problem)
    return KpiBacktest(kpi, spec.label, grain, forecast, pace_result, "; ".join(notes) or None)


def _pace(
    ws: Workspace, kpi: str, grain: str, additive: bool, start: date, moment: datetime
) -> tuple[PaceBacktest | None, str | None]:
    if not additive:
        return None, "pace: a rate or an average is not the sum of its days"
    if grain == "day":
        return None, "pace: a day has no days to be on pace in; use --grain month or week"
    today = moment.date()
    days = _values(ws, kpi, "day", start, today, moment)
    present = {d: v for d, v in days.items() if v is not None}
    if not present:
        return None, "pace: no daily values"
    daily = daily_series(present, min(present), today)  # type: ignore[arg-type]
    try:
        return backtest_pace(daily, grain, kpi), None
    except ValueError as exc:
        return None, f"pace: {exc}"


def _note(blank: KpiBacktest, note: str) -> KpiBacktest:
    return KpiBacktest(blank.kpi, blank.label, blank.grain, None, None, note)


def backtest_kpis(
    ws: Workspace,
    names: Sequence[str] | None = None,
    grain: str = "month",
    pace: bool = False,
    as_of: datetime | None = None,
) -> list[KpiBacktest]:
    """Backtests of ``names`` (default: every KPI of ``ws``), in that order."""
    if grain not in BACKTEST_GRAINS:
        raise OnpaceError(f"unknown grain '{grain}' for a backtest; use month, week or day")
    chosen = list(names or ws.kpis)
    unknown = [n for n in chosen if n not in ws.kpis]
    if unknown:
        from onpace.errors import TargetError, did_you_mean

        raise TargetError(f"unknown KPI '{unknown[0]}'." + did_you_mean(unknown[0], ws.kpis))
    return [backtest_kpi(ws, n, grain, pace, as_of) for n in chosen]
