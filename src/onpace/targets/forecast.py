"""Projection of a KPI to the end of a period, with an interval and a probability.

The method: growth-adjusted seasonal naive. Next year's month is this year's same
month times the trailing growth (the last ``m`` values over the ``m`` before
them; for monthly data: the last twelve months over the twelve before)::

    y_hat[T + h] = y[T + h - m*k] * (sum(y[T-m+1 .. T]) / sum(y[T-2m+1 .. T-m])),  k = ceil(h/m)

Why this one for monthly sales KPIs: sales series are short (two to four years
is typical), strongly seasonal (Q4 peaks, summer dips) and trend with the
business. The seasonal naive forecast captures the seasonality exactly but
ignores growth; the trailing-year ratio adds the growth without estimating a
model that three years of data cannot pin down (ETS or ARIMA with a yearly
season need several seasons to estimate it stably). It is also the forecast a
sales manager can check by hand.

Fallback: every fit runs a rolling-origin one-step backtest on the series' own
history (the last twelve origins) of the method and of plain seasonal naive and
keeps the one with the lower mean absolute error; with too little history for
the growth ratio (fewer than 2m + 3 values) it uses seasonal naive, and with less
than a season plus three values the mean of the last three values. The backtest
residuals give the spread: log errors (relative) for positive series, absolute
errors otherwise; their root mean square is the one-step error, widened by the
square root of the horizon. The months left in a period are treated as fully
correlated (a growth miss hits all of them), which is the cautious choice.

The interval is the 10th to 90th percentile (80%); the probability of reaching
the target comes from the same distribution.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

Method = Literal["growth_seasonal_naive", "seasonal_naive", "recent_mean"]
ErrorModel = Literal["log", "absolute"]
Z80 = 1.2815515655446004  # the 90th percentile of the standard normal
DEFAULT_LOG_SIGMA = 0.2  # spread used when there are too few residuals to measure one
INNER_ORIGINS = 12
SELECTION_HORIZONS = 1  # one-step errors choose the method (longer ones did no better)
GROWTH_MIN_SPAN = 28  # growth is measured over at least this many values
MARGIN = 0.9  # the method must cut the baseline's error by 10% to replace it


def seasonal_naive(y: Sequence[float], h: int, m: int) -> float:
    """The value one season before the forecast target: ``y[T + h - m*k]``."""
    k = math.ceil(h / m)
    return float(y[len(y) + h - m * k - 1])


def growth_seasons(m: int) -> int:
    """Seasons the growth is measured over: one year for months, four weeks for days."""
    return 1 if m >= 12 else math.ceil(GROWTH_MIN_SPAN / m)


def growth_seasonal_naive(y: Sequence[float], h: int, m: int) -> float:
    """Seasonal naive times the trailing growth per season.

    Growth is the sum of the last ``w`` seasons over the ``w`` before, taken to the
    power ``1/w`` (growth per season); ``w`` is one for monthly data and four for
    daily data (one week is too short to tell growth from noise).
    """
    w = growth_seasons(m)
    span = w * m
    base = seasonal_naive(y, h, m)
    if len(y) < 2 * span:
        return base
    last = float(np.sum(y[-span:]))
    before = float(np.sum(y[-2 * span : -span]))
    if before <= 0 or last <= 0:
        return base
    return float(base * (last / before) ** (1 / w))


def recent_mean(y: Sequence[float], h: int, m: int) -> float:
    """The mean of the last three values (too little history for anything seasonal)."""
    return float(np.mean(y[-3:]))


FORECASTERS = {
    "growth_seasonal_naive": growth_seasonal_naive,
    "seasonal_naive": seasonal_naive,
    "recent_mean": recent_mean,
}


def _one_step_errors(
    y: Sequence[float], method: Method, m: int, first: int
) -> list[tuple[float, float]]:
    """(actual, forecast) pairs of one-step forecasts from origins ``first`` to the end."""
    f = FORECASTERS[method]
    return [(float(y[t]), f(y[:t], 1, m)) for t in range(first, len(y))]


def _selection_error(y: Sequence[float], method: Method, m: int, first: int) -> float:
    """Mean absolute error over horizons 1 to :data:`SELECTION_HORIZONS` from each origin."""
    f = FORECASTERS[method]
    errors = [
        abs(float(y[t + h - 1]) - f(y[:t], h, m))
        for t in range(first, len(y))
        for h in range(1, SELECTION_HORIZONS + 1)
        if t + h - 1 < len(y)
    ]
    return float(np.mean(errors)) if errors else math.inf


@dataclass(frozen=True)
class Model:
    """A fitted forecaster: the method chosen, the history and the one-step spread."""

    method: Method
    history: tuple[float, ...]
    m: int
    error_model: ErrorModel
    sigma: float

    def predict(self, h: int) -> float:
        """The forecast ``h`` steps after the end of the history (h >= 1)."""
        return FORECASTERS[self.method](self.history, h, self.m)


def _min_for(method: Method, m: int) -> int:
    spans = {"growth_seasonal_naive": 2 * growth_seasons(m) * m, "seasonal_naive": m}
    return spans.get(method, 3)


def fit(y: Sequence[float], m: int = 12) -> Model | None:
    """Choose a method for ``y`` by its own rolling-origin backtest; None below 3 values."""
    values = [float(v) for v in y]
    n = len(values)
    if n < 3:
        return None
    if n >= 2 * growth_seasons(m) * m + 3:
        candidates: tuple[Method, ...] = ("growth_seasonal_naive", "seasonal_naive")
    elif n >= m + 3:
        candidates = ("seasonal_naive",)
    else:
        candidates = ("recent_mean",)
    first = max(_min_for(candidates[0], m), n - INNER_ORIGINS)
    scored = []
    for method in candidates:
        pairs = _one_step_errors(values, method, m, first)
        mae = _selection_error(values, method, m, first)
        scored.append((mae, method, pairs))
    # the baseline is kept unless the method beats it clearly on this series
    _, method, pairs = scored[-1]
    if len(scored) == 2 and scored[0][0] < MARGIN * scored[1][0]:
        _, method, pairs = scored[0]
    positive = all(v > 0 for v in values) and all(f > 0 for _, f in pairs)
    if positive:
        errors = [math.log(a / f) for a, f in pairs]
        sigma = _rms(errors) if len(errors) >= 3 else DEFAULT_LOG_SIGMA
        return Model(method, tuple(values), m, "log", sigma)
    errors = [a - f for a, f in pairs]
    scale = float(np.mean(np.abs(values[-m:]))) if values else 0.0
    sigma = _rms(errors) if len(errors) >= 3 else DEFAULT_LOG_SIGMA * scale
    return Model(method, tuple(values), m, "absolute", sigma)


def _rms(errors: Sequence[float]) -> float:
    return float(math.sqrt(np.mean(np.square(errors))))


def normal_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


@dataclass(frozen=True)
class Projection:
    """The value expected at the end of the period, an 80% interval, and P(target reached)."""

    value: float | None
    low: float | None
    high: float | None
    probability: float | None
    method: str


def project_additive(
    actual_to_date: float,
    parts: Sequence[tuple[int, float]],
    model: Model,
    target: float,
    direction: str,
) -> Projection:
    """End-of-period value of a sum: actual so far plus forecast of what remains.

    ``parts`` lists, for each month still to come (wholly or partly), its forecast
    horizon and the fraction of that month's value still to come in the period.
    """
    if not parts:
        return settled(actual_to_date, target, direction)
    forecasts = [(model.predict(h) * frac, h) for h, frac in parts]
    rest = sum(f for f, _ in forecasts)
    weight = sum(abs(f) for f, _ in forecasts) or 1.0
    mean_h = sum(abs(f) * h for f, h in forecasts) / weight
    spread = model.sigma * math.sqrt(mean_h)
    value = actual_to_date + rest
    if model.error_model == "log" and rest > 0:
        low = actual_to_date + rest * math.exp(-Z80 * spread)
        high = actual_to_date + rest * math.exp(Z80 * spread)
        needed = target - actual_to_date
        if needed <= 0:
            p_above = 1.0
        else:
            p_above = 1 - normal_cdf((math.log(needed) - math.log(rest)) / spread)
    else:
        sd = spread * max(1.0, sum(frac for _, frac in parts))
        low, high = value - Z80 * sd, value + Z80 * sd
        p_above = 1 - normal_cdf((target - value) / sd) if sd > 0 else float(value >= target)
    probability = p_above if direction == "higher" else 1 - p_above
    return Projection(value, low, high, probability, model.method)


def project_level(
    to_date: float | None,
    elapsed: float,
    parts: Sequence[tuple[int, float]],
    model: Model,
    target: float,
    direction: str,
) -> Projection:
    """End-of-period value of a rate or average: the value so far and forecasts, by time.

    ``elapsed`` is the fraction of the period gone; ``parts`` gives each remaining
    month's horizon and its weight (fraction of the period). Errors are absolute
    (a rate's miss is in points), widened by the remaining weight.
    """
    if not parts:
        return settled(to_date, target, direction)
    rest_weight = sum(w for _, w in parts)
    forecast = sum(model.predict(h) * w for h, w in parts)
    if to_date is None:
        value = forecast / rest_weight
        done_weight = 0.0
    else:
        value = to_date * elapsed + forecast
        done_weight = elapsed
        value /= done_weight + rest_weight
    mean_h = sum(h * w for h, w in parts) / rest_weight
    if model.error_model == "log":
        sd = abs(value) * model.sigma * math.sqrt(mean_h)
    else:
        sd = model.sigma * math.sqrt(mean_h)
    sd *= rest_weight / (done_weight + rest_weight)
    p_above = 1 - normal_cdf((target - value) / sd) if sd > 0 else float(value >= target)
    probability = p_above if direction == "higher" else 1 - p_above
    return Projection(value, value - Z80 * sd, value + Z80 * sd, probability, model.method)


def settled(value: float | None, target: float, direction: str) -> Projection:
    """A period that is over: the projection is the actual, reached or not."""
    if value is None:
        return Projection(None, None, None, None, "actual")
    ok = value >= target if direction == "higher" else value <= target
    return Projection(value, value, value, 1.0 if ok else 0.0, "actual")
