"""One target's projection to the end of its period, from its KPI's own history.

Two kinds of KPI, two paths, one shape of answer (:class:`Projection`):

- **sums and counts** (:func:`project_total`): the daily series goes to
  :mod:`onpace.targets.nowcast`: actual so far plus the expected rest, with
  the interval and the probability from the same projection made on past
  windows at the same share of the period;
- **rates and averages** (:func:`project_rate`): a rate over a period is not
  the sum of its days, so the monthly series is forecast
  (:mod:`onpace.targets.rolling_origin`) and the period's value is the rate so far
  and the forecasts of the months to come, weighted by their days. Past
  windows (the period shifted back by whole months) give its errors, with the
  months already gone taken at their actual value.

Both are pure functions of a series, a period and a moment; :func:`project_target`
fetches the series for a target and calls them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

import numpy as np

from onpace.calendar import add_months
from onpace.targets.actuals import KpiData
from onpace.targets.definition import Target
from onpace.targets.forecast import Projection, settled
from onpace.targets.forecast_store import ForecastStore
from onpace.targets.intervals import ErrorDistribution, interval, p_reach
from onpace.targets.nowcast import (
    MAX_WINDOWS,
    MIN_WINDOWS,
    DailySeries,
    Nowcast,
    Pace,
    month_start,
    months_between,
    scale_for,
    shifted_moment,
    typical_size_of,
)
from onpace.targets.pipeline import Quotes, expected_rest, load_quotes, quote_kpi
from onpace.targets.rolling_origin import SeriesModel, series_model

NO_HISTORY = "none (under 3 months of history)"
PIPELINE_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


def _finish(
    value: float,
    scale: float,
    errors: ErrorDistribution,
    target: float,
    direction: str,
    floor: float | None = None,
) -> tuple[float, float, float]:
    """(low, high, probability) of a projection from its error distribution."""
    low, high = interval(value, scale, errors, floor)
    return low, high, p_reach(value, scale, errors, target, direction)


def _model_fields(model: SeriesModel | None) -> dict[str, object]:
    if model is None:
        return {}
    return {
        "mase": model.mase(),
        "baseline_mase": model.mase(model.baseline),
        "baseline": model.baseline,
    }


def project_total(
    daily: DailySeries,
    start: date,
    end: date,
    moment: datetime,
    actual: float,
    target: float,
    direction: str,
    model: SeriesModel | None = None,
    quotes: Quotes | None = None,
) -> Projection:
    """The end-of-period total of a sum or count over ``[start, end)``, seen at ``moment``.

    ``daily`` holds the whole days before ``moment``'s day; ``actual`` is the
    period's actual to date (with the part of today gone). With ``quotes`` (a
    KPI of won quotes) the pipeline's projection is blended in as backtested.
    """
    moment = _naive(moment)
    if moment.date() >= end:
        return settled(actual, target, direction)
    pace = Pace(daily, model)
    nowcast = pace.project(start, end, moment, actual)
    if nowcast is None:
        return Projection(None, None, None, None, NO_HISTORY)
    running = moment.date() >= start
    if quotes is not None and running:
        series = nowcast.value
        nowcast, line, weight = with_pipeline(nowcast, quotes, end, moment, actual)
        found = total_projection(nowcast, pace, actual, target, direction, running)
        return replace(found, pipeline=line, pipeline_weight=weight, series_value=series)
    return total_projection(nowcast, pace, actual, target, direction, running)


def with_pipeline(
    nowcast: Nowcast, quotes: Quotes, end: date, moment: datetime, actual: float
) -> tuple[Nowcast, float, float]:
    """The nowcast blended with the pipeline's projection: (blend, pipeline line, its weight).

    The pipeline's weight is chosen from :data:`PIPELINE_WEIGHTS` by the error
    on past windows (each window's weight from the windows before it, for its
    error; all of them for the live weight); with fewer than
    :data:`MIN_WINDOWS` windows the time series stands alone.
    """
    stop = datetime.combine(end, datetime.min.time())
    pairs = [(w.moment, datetime.combine(w.end, datetime.min.time())) for w in nowcast.past]
    line = actual + expected_rest(quotes, moment, stop, pairs).rest
    past = []
    for i, w in enumerate(nowcast.past):
        rest = expected_rest(quotes, w.moment, pairs[i][1], pairs[i + 1 :]).rest
        past.append((w, w.actual + rest))
    weight = _pipeline_weight([(w.projected, pipe, w.total) for w, pipe in past])
    typical = typical_size_of([w.total for w in nowcast.past])
    errors = []
    for i, (w, pipe) in enumerate(past):
        older = [(x.projected, p, x.total) for x, p in past[i + 1 :] if x.end <= w.moment.date()]
        mix = _pipeline_weight(older)
        value = (1 - mix) * w.projected + mix * pipe
        errors.append((w.total - value) / scale_for(value, typical))
    value = (1 - weight) * nowcast.value + weight * line
    distribution = (
        ErrorDistribution.of(errors, nowcast.errors.overlap, nowcast.errors.blur)
        if errors
        else nowcast.errors
    )
    scale = scale_for(value, typical) if distribution.calibrated else nowcast.scale
    blended = replace(nowcast, value=value, errors=distribution, scale=scale)
    return blended, line, weight


def _pipeline_weight(windows: Sequence[tuple[float, float, float]]) -> float:
    """The weight with the lowest mean absolute error over (series, pipeline, outcome)."""
    if len(windows) < MIN_WINDOWS:
        return 0.0
    errors = [
        float(np.mean([abs(t - ((1 - w) * s + w * p)) for s, p, t in windows]))
        for w in PIPELINE_WEIGHTS
    ]
    return PIPELINE_WEIGHTS[int(np.argmin(errors))]


def cannot_fall(pace: Pace, actual: float) -> bool:
    """True when no day of the series is negative: the period's total can only grow."""
    return bool(np.all(pace.daily.values >= 0)) and actual >= 0


def settled_probability(
    probability: float, actual: float, target: float, direction: str, never_negative: bool
) -> float:
    """P(reach) once what is in already is counted: a total that cannot fall is certain
    to reach a target it has passed (or, lower being better, certain to miss it)."""
    if never_negative and direction == "higher" and actual >= target:
        return 1.0
    if never_negative and direction != "higher" and actual > target:
        return 0.0
    return probability


def total_projection(
    nowcast: Nowcast, pace: Pace, actual: float, target: float, direction: str, running: bool
) -> Projection:
    """The :class:`Projection` of a nowcast: interval, probability and how it was made."""
    never_negative = cannot_fall(pace, actual)
    low, high, probability = _finish(
        nowcast.value,
        nowcast.scale,
        nowcast.errors,
        target,
        direction,
        floor=actual if never_negative else None,
    )
    probability = settled_probability(probability, actual, target, direction, never_negative)
    return Projection(
        value=nowcast.value,
        low=low,
        high=high,
        probability=probability,
        method=nowcast.method,
        run_rate=nowcast.run_rate if running else None,
        model_value=nowcast.model_total if math.isfinite(nowcast.model_total) else None,
        run_rate_weight=nowcast.run_rate_weight if running else None,
        backtest_errors=nowcast.errors.n,
        calibrated=nowcast.errors.calibrated,
        rest=nowcast.rest if running else None,
        **_model_fields(pace.model),  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class _Slice:
    """A month of a period: its index in the monthly series and its weights gone and to come."""

    month: int
    gone: float
    left: float


def _slices(first_month: date, start: date, end: date, moment: datetime) -> list[_Slice]:
    """Each month of ``[start, end)`` with the share of the period's days gone and to come."""
    days = (end - start).days
    out = []
    month = month_start(start)
    now = moment.date()
    while month < end:
        nxt = add_months(month, 1)
        lo, hi = max(month, start), min(nxt, end)
        span = (hi - lo).days
        gone = min(max((now - lo).days, 0), span) if now >= lo else 0
        out.append(_Slice(months_between(first_month, month), gone / days, (span - gone) / days))
        month = nxt
    return out


def _level(
    model: SeriesModel, origin: int, slices: Sequence[_Slice], known: Sequence[float] | None
) -> float | None:
    """Rate of the period: months gone at ``known`` (or their actual values), the rest forecast."""
    forecasts = model.forecast_at(origin)
    value = 0.0
    for s in slices:
        if s.gone:
            value += s.gone * (known[s.month] if known is not None else math.nan)
        if s.left:
            h = s.month - origin + 1
            if h < 1 or h > len(forecasts) or not math.isfinite(float(forecasts[h - 1])):
                return None
            value += s.left * float(forecasts[h - 1])
    return value


def project_rate(
    monthly: Sequence[float],
    first_month: date,
    start: date,
    end: date,
    moment: datetime,
    to_date: float | None,
    target: float,
    direction: str,
    model: SeriesModel | None = None,
) -> Projection:
    """The end-of-period value of a rate or average over ``[start, end)``, seen at ``moment``.

    ``monthly`` are the KPI's values of the whole months from ``first_month``
    up to the month of ``moment``; ``to_date`` its value over the period so far.
    """
    moment = _naive(moment)
    if moment.date() >= end:
        return settled(to_date, target, direction)
    model = model or series_model(monthly)
    if model is None:
        return Projection(None, None, None, None, NO_HISTORY)
    origin = months_between(first_month, month_start(moment.date()))
    slices = _slices(first_month, start, end, moment)
    gone = sum(s.gone for s in slices)
    rest = _level(model, origin, [replace(s, gone=0.0) for s in slices], None)
    if rest is None:
        return Projection(None, None, None, None, f"none (more than {model.n} months ahead)")
    if to_date is None or gone == 0:
        value = rest / (1 - gone) if gone < 1 else rest
    else:
        value = to_date * gone + rest
    outcomes, projected = _rate_windows(model, first_month, start, end, moment)
    typical = float(np.mean(np.abs(outcomes))) if outcomes else 0.0
    errors = ErrorDistribution.of(
        [(o - p) / scale_for(p, typical) for o, p in zip(outcomes, projected, strict=True)],
        overlap=months_between(start, end) or 1,  # windows shifted by a month overlap
    )
    scale = scale_for(value, typical)
    low, high, probability = _finish(value, scale, errors, target, direction)
    return Projection(
        value=value,
        low=low,
        high=high,
        probability=probability,
        method=model.method,
        model_value=value,
        backtest_errors=errors.n,
        calibrated=errors.calibrated,
        **_model_fields(model),  # type: ignore[arg-type]
    )


def _rate_windows(
    model: SeriesModel, first_month: date, start: date, end: date, moment: datetime
) -> tuple[list[float], list[float]]:
    """Outcomes and projections of the period shifted back by whole months."""
    outcomes, projected = [], []
    values = model.values
    oldest = model.comparable_from(months_between(first_month, month_start(moment.date())))
    for back in range(1, MAX_WINDOWS + 1):
        s, e = add_months(start, -back), add_months(end, -back)
        when = shifted_moment(start, end, moment, s, e)
        origin = months_between(first_month, month_start(when.date()))
        slices = _slices(first_month, s, e, when)
        if slices[0].month < 0 or slices[-1].month >= model.n or not model.has_origin(origin):
            continue
        if origin < oldest:
            continue
        value = _level(model, origin, slices, values)
        if value is None:
            continue
        outcomes.append(sum((x.gone + x.left) * values[x.month] for x in slices))
        projected.append(value)
    return outcomes, projected


def monthly_values(history: dict[date, float], before: date, additive: bool) -> list[float]:
    """Consecutive monthly values up to the month before ``before``.

    The series starts at the first non-zero month (before it, the business or its
    data did not exist yet). After that, months without a value count as 0 for
    sums and counts (nothing was sold) and restart the series for rates.
    """
    months = sorted(d for d in history if d < before and history[d] != 0)
    if not months:
        return []
    out: list[float] = []
    current = months[0]
    while current < before:
        if current in history:
            out.append(history[current])
        elif additive:
            out.append(0.0)
        else:
            out = []
        current = add_months(current, 1)
    return out


def daily_series(values: dict[date, float], first: date, end: date) -> DailySeries:
    """Days ``[first, end)`` with the given values, 0 on days without any."""
    days = (end - first).days
    arr = np.zeros(max(days, 0))
    for day, value in values.items():
        i = (day - first).days
        if 0 <= i < days:
            arr[i] = value
    return DailySeries(first, arr)


def project_target(
    data: KpiData,
    target: Target,
    additive: bool,
    actual: float | None,
    history: dict[date, float],
    direction: str,
) -> Projection:
    """The projection of ``target`` as of ``data.as_of`` (history: the KPI's monthly values)."""
    moment = _naive(data.as_of)
    period = target.period
    if moment.date() >= period.end:
        return settled(actual, target.value, direction)
    store = ForecastStore.for_root(data.ws.root)
    if additive:
        days = data.daily(target.kpi, target.dimension, target.dimension_value)
        if not days:
            return Projection(None, None, None, None, NO_HISTORY)
        daily = daily_series(days, min(days), moment.date())
        model = store.model(daily.monthly(daily.end))
        reading = quote_kpi(data.ws.kpis[target.kpi])
        quotes = None
        if reading is not None:
            quotes = load_quotes(data.ws, reading, target.dimension, target.dimension_value, moment)
        return project_total(
            daily,
            period.start,
            period.end,
            moment,
            actual or 0.0,
            target.value,
            direction,
            model,
            quotes,
        )
    this_month = month_start(moment.date())
    monthly = monthly_values(history, this_month, additive=False)
    if not monthly:
        return Projection(None, None, None, None, NO_HISTORY)
    first = add_months(this_month, -len(monthly))
    return project_rate(
        monthly,
        first,
        period.start,
        period.end,
        moment,
        actual,
        target.value,
        direction,
        store.model(monthly),
    )
