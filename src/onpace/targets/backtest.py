"""Rolling-origin backtests: how well each method forecasts a series, and onpace's pace.

**Forecasts** (:func:`backtest_series`). At every origin ``t`` each method sees
``y[:t]`` only and forecasts ``y[t + h - 1]`` for ``h = 1..H``; ``onpace`` is
the method chosen at ``t`` by :mod:`onpace.targets.rolling_origin` (its own backtest
up to ``t``). Per method:

- **MASE** (Hyndman and Koehler, 2006): absolute errors scaled by the in-sample
  one-step seasonal-naive error on ``y[:t]`` (naive below a season);
- **sMAPE**: ``2 |y - f| / (|y| + |f|)``;
- **coverage and width** of the 80% interval read from the same method's errors
  at the same horizon settled before ``t`` (:mod:`onpace.targets.intervals`), so
  both are out of sample; width is relative to the actual;
- **Brier score** of P(reach) for targets at -10%, -5%, +5% and +10% of the
  actual: the mean of ``(p - reached)^2``; 0 is perfect. These targets are
  set from the outcome, so half are reached whatever was forecast: the score
  rewards a distribution that is sharp around the actual (accuracy), and it
  cannot test calibration. A perfectly calibrated forecast whose errors spread
  by 100% scores about 0.29 there, worse than a constant one half (0.25), and
  its reliability at those targets reads "given 5%, reached 35%";
- **Brier score ex ante** and the **reliability table**: the same four offsets
  laid on the forecast instead (``forecast + offset * scale``, what a target
  set before the period could be), so whether the target is reached is not
  known when the probability is given, and a calibrated P(reach) is reached
  as often as it says.

**Pace** (:func:`backtest_pace`): for past periods (months or weeks), the total
projected at 25%, 50% and 75% of the period against the actual total, for
onpace (:func:`onpace.targets.projection.project_total` on the data up to
that moment, exactly as a scorecard would have shown it) and the simple
rules: run-rate (to date / share of days gone), weekday run-rate (the same with
the weekday profile) and the model alone (to date plus the model's rest).

The reliability table pools every P(reach) onpace gave at the targets set
before the outcome and says, per band of probability, how often the target
was in fact reached.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np

from onpace.calendar import add_months
from onpace.targets.candidates import Array, Values
from onpace.targets.intervals import ErrorDistribution, interval
from onpace.targets.nowcast import (
    DailySeries,
    DayWeights,
    Nowcast,
    Pace,
    months_between,
    scale_for,
)
from onpace.targets.profile import DayProfile
from onpace.targets.projection import cannot_fall
from onpace.targets.rolling_origin import SeriesModel, insample_scale, series_model

TARGET_OFFSETS = (-0.10, -0.05, 0.05, 0.10)
CHECKPOINTS = (0.25, 0.5, 0.75)
BANDS = (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0)
PACE_PERIODS = 24
METHODS = ("seasonal_naive", "growth_seasonal_naive", "theta", "ets", "mean", "onpace")
PACE_METHODS = ("onpace", "run_rate", "weekday_run_rate", "model")


@dataclass
class Scores:
    """Accumulates one method's forecasts and outcomes."""

    scaled: list[float] = field(default_factory=list)
    smape: list[float] = field(default_factory=list)
    covered: list[bool] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)
    brier: list[float] = field(default_factory=list)
    by_horizon: dict[int, list[bool]] = field(default_factory=dict)
    pairs: list[tuple[float, bool]] = field(default_factory=list)
    ex_ante: list[tuple[float, bool]] = field(default_factory=list)

    def add_point(self, actual: float, forecast: float, scale: float | None) -> None:
        if scale:
            self.scaled.append(abs(actual - forecast) / scale)
        denominator = abs(actual) + abs(forecast)
        if denominator > 0:
            self.smape.append(2 * abs(actual - forecast) / denominator)

    def add_distribution(
        self,
        actual: float,
        forecast: float,
        errors: ErrorDistribution,
        scale: float,
        horizon: int | None = None,
        floor: float | None = None,
    ) -> None:
        """Coverage, width and Brier of a forecast with its error distribution.

        ``floor`` is a total the outcome cannot fall below (the actual so far of a
        period in progress whose days are never negative): the interval is held
        at it and a target at or below it is reached for certain, as the product
        shows it.
        """
        if not errors.calibrated:
            return
        low, high = interval(forecast, scale, errors, floor)
        inside = low <= actual <= high
        self.covered.append(inside)
        if horizon is not None:
            self.by_horizon.setdefault(horizon, []).append(inside)
        if actual:
            self.widths.append((high - low) / abs(actual))
        for offset in TARGET_OFFSETS:
            target = actual * (1 + offset)
            if target == actual:
                continue
            p = errors.p_at_least((target - forecast) / scale)
            if floor is not None and target <= floor:
                p = 1.0
            reached = actual >= target
            self.brier.append((p - reached) ** 2)
            self.pairs.append((p, reached))
        for offset in TARGET_OFFSETS:
            # set before the outcome: the forecast moved by the offset in error units
            target = forecast + offset * scale
            p = 1.0 if floor is not None and target <= floor else errors.p_at_least(offset)
            self.ex_ante.append((p, actual >= target))

    def summary(self) -> dict[str, float | int | None]:
        return {
            "mase": _mean(self.scaled),
            "smape": _mean(self.smape),
            "coverage": _mean(self.covered),
            "width": _mean(self.widths),
            "brier": _mean(self.brier),
            "brier_ex_ante": _mean([(p - r) ** 2 for p, r in self.ex_ante]),
            "forecasts": max(len(self.scaled), len(self.smape)),
        }


def _mean(values: Sequence[float] | Sequence[bool]) -> float | None:
    return float(np.mean(values)) if len(values) else None


@dataclass(frozen=True)
class MethodResult:
    """One method's backtest on one series."""

    method: str
    mase: float | None
    smape: float | None
    coverage: float | None
    width: float | None
    brier: float | None
    forecasts: int
    coverage_by_horizon: dict[int, float]
    brier_ex_ante: float | None = None

    @classmethod
    def of(cls, method: str, scores: Scores) -> MethodResult:
        s = scores.summary()
        return cls(
            method=method,
            mase=s["mase"],  # type: ignore[arg-type]
            smape=s["smape"],  # type: ignore[arg-type]
            coverage=s["coverage"],  # type: ignore[arg-type]
            width=s["width"],  # type: ignore[arg-type]
            brier=s["brier"],  # type: ignore[arg-type]
            forecasts=int(s["forecasts"] or 0),
            coverage_by_horizon={
                h: float(np.mean(v)) for h, v in sorted(scores.by_horizon.items())
            },
            brier_ex_ante=s["brier_ex_ante"],  # type: ignore[arg-type]
        )


def _by_horizon(scores: Scores) -> dict[int, float]:
    return {h: float(np.mean(v)) for h, v in sorted(scores.by_horizon.items())}


@dataclass(frozen=True)
class ReliabilityRow:
    """Of the probabilities given in ``[low, high)``, how often the target was reached."""

    low: float
    high: float
    count: int
    mean_probability: float | None
    reached: float | None


def reliability(pairs: Sequence[tuple[float, bool]]) -> list[ReliabilityRow]:
    """The reliability table of (probability, reached) pairs over :data:`BANDS`."""
    rows = []
    for lo, hi in itertools.pairwise(BANDS):
        inside = [(p, r) for p, r in pairs if lo <= p < hi or (hi == 1.0 and p == 1.0)]
        rows.append(
            ReliabilityRow(
                lo,
                hi,
                len(inside),
                _mean([p for p, _ in inside]),
                _mean([r for _, r in inside]),
            )
        )
    return rows


def pool_reliability(tables: Sequence[Sequence[ReliabilityRow]]) -> list[ReliabilityRow]:
    """Reliability tables of many series as one: counts added, means weighted by them."""
    out = []
    for rows in zip(*tables, strict=True):
        count = sum(r.count for r in rows)
        given = sum((r.mean_probability or 0) * r.count for r in rows) / count if count else None
        hit = sum((r.reached or 0) * r.count for r in rows) / count if count else None
        out.append(ReliabilityRow(rows[0].low, rows[0].high, count, given, hit))
    return out


@dataclass(frozen=True)
class SeriesBacktest:
    """The forecast backtest of one series: per method, and onpace's reliability table."""

    name: str
    m: int
    horizons: int
    origins: int
    methods: list[MethodResult]
    reliability: list[ReliabilityRow]
    chosen: dict[str, int]

    def method(self, name: str) -> MethodResult:
        return next(r for r in self.methods if r.method == name)


def evaluation_origins(model: SeriesModel, horizons: int) -> range:
    """Origins scored: after a few settled forecasts to read intervals from, to the last."""
    earliest = model.first + 9 + horizons
    start = max(earliest, min(2 * model.m, model.n - 6))
    return range(start, model.n)


def backtest_series(
    y: Values,
    m: int,
    horizons: int = 3,
    name: str = "series",
    model: SeriesModel | None = None,
) -> SeriesBacktest:
    """Backtest every method of :data:`METHODS` on ``y`` (see the module doc)."""
    model = model or series_model(y, m, origins=10_000)
    if model is None or model.n - model.first < 12:
        raise ValueError(f"{name}: {len(y)} values are too few for a backtest")
    values = np.asarray(model.values, dtype=float)
    typical = float(np.mean(np.abs(values))) if len(values) else 0.0
    scores = {k: Scores() for k in METHODS}
    origins = evaluation_origins(model, horizons)
    # a series that is never negative cannot forecast below 0: censored there, as a
    # projection of a period not started (nothing in yet) is
    floor = 0.0 if bool(np.all(values >= 0)) else None
    chosen: dict[str, int] = {}
    for t in origins:
        scale = insample_scale(values[:t], m)
        comparable = model.comparable_from(t)
        chosen[model.chosen[t - model.first]] = chosen.get(model.chosen[t - model.first], 0) + 1
        for h in range(1, horizons + 1):
            if t + h - 1 >= model.n:
                break
            actual = float(values[t + h - 1])
            for method in METHODS:
                key = None if method == "onpace" else method
                forecast = float(model.forecast_at(t, key)[h - 1])
                if not math.isfinite(forecast):
                    continue
                scores[method].add_point(actual, forecast, scale)
                past = [
                    (a - f) / scale_for(f, typical)
                    for origin, a, f in model.errors(h, key)
                    if comparable <= origin and origin + h - 1 < t
                ]
                scores[method].add_distribution(
                    actual,
                    forecast,
                    ErrorDistribution.of(past),
                    scale_for(forecast, typical),
                    h,
                    floor,
                )
    return SeriesBacktest(
        name=name,
        m=m,
        horizons=horizons,
        origins=len(origins),
        methods=[MethodResult.of(k, v) for k, v in scores.items()],
        reliability=reliability(scores["onpace"].ex_ante),
        chosen=chosen,
    )


@dataclass(frozen=True)
class PaceResult:
    """The error of the period total at each checkpoint, per method.

    ``error`` is the mean absolute error of the period's total as a share of it;
    coverage and Brier score are onpace's from its own distribution, a
    baseline's from its own past errors at the checkpoint (see :class:`_PaceTally`;
    None for the model alone).
    """

    method: str
    error: dict[float, float | None]
    coverage: dict[float, float | None]
    brier: dict[float, float | None]
    periods: int
    brier_ex_ante: dict[float, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class PaceBacktest:
    name: str
    grain: str
    methods: list[PaceResult]
    reliability: list[ReliabilityRow]

    def method(self, name: str) -> PaceResult:
        return next(r for r in self.methods if r.method == name)


# A baseline for the rest of a period: (the whole days before the checkpoint, days left)
# -> the total expected over the days left, or None when it cannot say.
RestForecast = Callable[[Array, int], float | None]


def seasonal_naive_days(history: Array, days: int) -> float | None:
    """Each day left as the same weekday a week earlier."""
    if len(history) < 7:
        return None
    return float(np.resize(history[-7:], days).sum())


def periods_of(daily: DailySeries, grain: str, count: int) -> list[tuple[date, date]]:
    """The last ``count`` complete months (or weeks from Monday, or quarters) of ``daily``."""
    out: list[tuple[date, date]] = []
    if grain == "quarter":
        end = daily.end.replace(day=1)
        end = add_months(end, -((end.month - 1) % 3))
        while len(out) < count and add_months(end, -3) >= daily.series_start:
            out.append((add_months(end, -3), end))
            end = add_months(end, -3)
        return out[::-1]
    if grain == "week":
        end = daily.end - timedelta(days=daily.end.weekday())
        while len(out) < count and end - timedelta(days=7) >= daily.series_start:
            out.append((end - timedelta(days=7), end))
            end -= timedelta(days=7)
    else:
        end = daily.end.replace(day=1)
        while len(out) < count and add_months(end, -1) >= daily.series_start:
            out.append((add_months(end, -1), end))
            end = add_months(end, -1)
    return out[::-1]


@dataclass
class _PaceTally:
    """Errors per method and checkpoint; onpace's distribution scores, and the baselines'.

    A baseline gives a number, not a distribution, so it is given the same
    calibration onpace has: the split-conformal interval and P(reach) of its own
    relative errors at the same checkpoint, from the periods scored before
    (periods arrive oldest first). Its first :data:`~onpace.targets.intervals.MIN_ERRORS`
    periods have none and are left out of its coverage and Brier score.
    """

    methods: tuple[str, ...]
    checkpoints: tuple[float, ...]
    errors: dict[str, dict[float, list[float]]] = field(init=False)
    signed: dict[str, dict[float, list[float]]] = field(init=False)
    scores: dict[str, dict[float, Scores]] = field(init=False)

    def __post_init__(self) -> None:
        self.errors = {k: {c: [] for c in self.checkpoints} for k in self.methods}
        self.signed = {k: {c: [] for c in self.checkpoints} for k in self.methods}
        self.scores = {k: {c: Scores() for c in self.checkpoints} for k in self.methods}

    @property
    def onpace(self) -> dict[float, Scores]:
        return self.scores["onpace"]

    def add(
        self,
        method: str,
        share: float,
        value: float | None,
        total: float,
        floor: float | None = None,
    ) -> None:
        if value is None or not math.isfinite(value):
            return
        self.errors[method][share].append(abs(value - total) / abs(total))
        if method in ("onpace", "model"):
            return
        scale = abs(value) or 1.0
        own = self.signed[method][share]
        self.scores[method][share].add_distribution(
            total, value, ErrorDistribution.of(own), scale, floor=floor
        )
        own.append((total - value) / scale)


def backtest_pace(
    daily: DailySeries,
    grain: str = "month",
    name: str = "series",
    periods: int = PACE_PERIODS,
    checkpoints: Sequence[float] = CHECKPOINTS,
    baselines: dict[str, RestForecast] | None = None,
) -> PaceBacktest:
    """onpace's projection of past periods at ``checkpoints`` against the simple rules.

    Checkpoints fall on whole days (25% of a 31-day month: after 8 days), so a
    baseline in ``baselines`` (beside run-rate, weekday run-rate, the model
    alone and seasonal naive on the days) sees whole days only.
    """
    full = series_model(daily.monthly(daily.end), 12, origins=10_000)
    if full is None:
        raise ValueError(f"{name}: too little history for a pace backtest")
    extra = {"seasonal_naive_days": seasonal_naive_days, **(baselines or {})}
    tally = _PaceTally((*PACE_METHODS, *extra), tuple(checkpoints))
    profiles: dict[date, DayWeights] = {}  # a month's profile is the same at every cut
    used = 0
    for start, end in periods_of(daily, grain, periods):
        total = daily.total(start, end)
        if total == 0 or not full.has_origin(
            months_between(daily.series_start, start.replace(day=1))
        ):
            continue
        used += 1
        for share in tally.checkpoints:
            day = start + timedelta(days=round(share * (end - start).days))
            origin = months_between(daily.series_start, day.replace(day=1))
            if full.has_origin(origin):
                pace = Pace(daily.until(day), full.truncated(origin), profiles=profiles)
                _score_checkpoint(pace, daily, start, end, day, share, tally, extra)
    if not used:
        raise ValueError(f"{name}: no past period to backtest the pace on")
    methods = []
    for k in tally.methods:
        summaries = {c: tally.scores[k][c].summary() for c in tally.checkpoints}
        methods.append(
            PaceResult(
                k,
                {c: _mean(v) for c, v in tally.errors[k].items()},
                {c: summaries[c]["coverage"] for c in tally.checkpoints},  # type: ignore[misc]
                {c: summaries[c]["brier"] for c in tally.checkpoints},  # type: ignore[misc]
                used,
                {c: summaries[c]["brier_ex_ante"] for c in tally.checkpoints},  # type: ignore[misc]
            )
        )
    pairs = [p for s in tally.onpace.values() for p in s.ex_ante]
    return PaceBacktest(name, grain, methods, reliability(pairs))


def _score_checkpoint(
    pace: Pace,
    daily: DailySeries,
    start: date,
    end: date,
    day: date,
    share: float,
    tally: _PaceTally,
    extra: dict[str, RestForecast],
) -> None:
    """Every method's projection of ``[start, end)`` after the whole days before ``day``."""
    total = daily.total(start, end)
    past = pace.daily
    actual = daily.total(start, day)
    gone, left = (day - start).days, (end - day).days
    nowcast = pace.project(start, end, datetime.combine(day, datetime.min.time()), actual)
    if nowcast is not None:
        tally.add("onpace", share, nowcast.value, total)
        tally.add("model", share, nowcast.model_total, total)
        _score_distribution(tally.onpace[share], nowcast, pace, actual, total)
    floor = actual if cannot_fall(pace, actual) else None  # the baselines know it too
    run_rate = actual * (end - start).days / gone if gone else None
    tally.add("run_rate", share, run_rate, total, floor)
    weekday = DayProfile(pace.profile(day.replace(day=1)).weekday).weights(start, end)
    done = float(weekday[:gone].sum())
    weekday_rate = actual * float(weekday.sum()) / done if done else None
    tally.add("weekday_run_rate", share, weekday_rate, total, floor)
    for method, rest in extra.items():
        expected = rest(past.values, left)
        tally.add(method, share, None if expected is None else actual + expected, total, floor)


def _score_distribution(
    scores: Scores, nowcast: Nowcast, pace: Pace, actual: float, total: float
) -> None:
    """onpace's interval and P(reach) as the scorecard shows them (see :func:`total_projection`):
    held at the actual so far when the total cannot fall, a passed target certain."""
    floor = actual if cannot_fall(pace, actual) else None
    scores.add_distribution(total, nowcast.value, nowcast.errors, nowcast.scale, floor=floor)
