"""The total of a period in progress: the actual so far plus the expected rest.

For sums and counts (revenue, orders, quotes won) the projection is::

    projection = actual to date + a * run-rate rest + (1 - a) * model rest

- **run-rate rest** = actual to date x (profile weight of the days left / weight
  of the days gone): how the period is going, scaled by the day-of-week and
  day-of-month profile of :mod:`onpace.targets.profile` (a month that started on
  a weekend is not behind);
- **model rest** = the monthly forecast of :mod:`onpace.targets.rolling_origin` for
  each month still to come, times the profile share of its days that are left:
  what history says the rest should bring;
- **a = f / (f + k (1 - f))**, with ``f`` the profile share of the period gone.
  It is the precision weight of two estimates whose errors are independent, the
  run-rate's shrinking as ``(1 - f) / f``: at the start the model decides, at the
  end the run-rate. ``k`` is chosen per series from :data:`KAPPAS` by backtest on
  the series' own past windows (0 is pure run-rate, infinity pure model).

Four other rests compete with the blend (:data:`RESTS`): the days left as the
same weekdays a week earlier (a schedule the month total and its pace both
miss), the mean of that and the blend, the monthly forecast of the months
still running less what they have brought so far (a month whose total is
settled by budgets or contracts and only its timing varies: the run-rate
double-counts an early order, the model rest ignores it), and, for a period of
several months, the blend whose run-rate weighs each month as the model
forecast it from the period's start (a quarter that builds to its last month;
the same as the blend within one month). The rest is chosen
per series on the past windows at the same share of the period
(:func:`choose_rest`), each window's own from the windows before it.

**Past windows**: the target's period and as-of moment shifted back by whole
months (up to :data:`MAX_WINDOWS`): for a month, every earlier month at the same
point; for a quarter or a year, every three- or twelve-month span starting at a
month boundary. Each window is projected exactly as the live period is (profile
and model as they were at its own checkpoint, ``k`` chosen on the windows before
it), so its error is an out-of-sample error of this procedure at this share of
the period. Those errors give the interval and the probability
(:mod:`onpace.targets.intervals`, blurred as far as each error, scored by the
ones before it, says: :mod:`onpace.targets.tempering`); the live ``k`` is the one that did best on
all of them.

Everything here is a pure function of a daily series, a period and a moment,
so it can run at refresh time and be stored, or on request.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

import numpy as np

from onpace.calendar import add_months
from onpace.targets.candidates import Array
from onpace.targets.intervals import ErrorDistribution
from onpace.targets.profile import DayProfile, learn_profile
from onpace.targets.rolling_origin import SeriesModel, series_model
from onpace.targets.tempering import choose_blur

KAPPAS = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 10.0, math.inf)
DEFAULT_KAPPA = 1.0  # a = f: the run-rate's weight is the share of the period gone
MAX_WINDOWS = 36
RUN_RATE_ONLY = "run_rate"
MIN_WINDOWS = 6  # fewer past windows than this cannot choose k: the default stands
CHECKPOINTS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
BLEND = "blend"  # run-rate and model rest, blended by k
SAME_WEEKDAYS = "same weekdays"  # each day left as the same weekday a week earlier
BOTH = "blend and same weekdays"  # the mean of the two
FORECAST_LEFT = "forecast less the actual"  # the month's forecast still to come
SHAPED_BLEND = "blend shaped by the model's months"  # the run-rate weighs each month as forecast
RESTS = (BLEND, SAME_WEEKDAYS, BOTH, FORECAST_LEFT, SHAPED_BLEND)


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_between(first: date, later: date) -> int:
    return (later.year - first.year) * 12 + later.month - first.month


@dataclass(frozen=True, eq=False)
class DailySeries:
    """One value per day from ``first`` (days without rows are 0 for sums and counts)."""

    first: date
    values: Array

    @classmethod
    def of(cls, first: date, values: Sequence[float]) -> DailySeries:
        return cls(first, np.asarray(values, dtype=float))

    @property
    def end(self) -> date:
        """The day after the last value."""
        return self.first + timedelta(days=len(self.values))

    @cached_property
    def _cumulative(self) -> Array:
        return np.concatenate([[0.0], np.cumsum(self.values)])

    def index(self, day: date) -> int:
        return min(max((day - self.first).days, 0), len(self.values))

    def total(self, start: date, end: date) -> float:
        """Sum over ``[start, end)`` (the part inside the series)."""
        c = self._cumulative
        return float(c[self.index(end)] - c[self.index(start)])

    def until(self, end: date) -> DailySeries:
        """The series up to (not including) ``end``."""
        return DailySeries(self.first, self.values[: self.index(end)])

    @cached_property
    def series_start(self) -> date:
        """The first month the monthly series counts: the one after the first value.

        Before the first non-zero day the business or its data did not exist; the
        month of that day is left out too unless it starts on the 1st, because a
        month that starts mid-way is not a month of sales.
        """
        nonzero = np.flatnonzero(self.values != 0)
        if not len(nonzero):
            return month_start(self.end)
        day = self.first + timedelta(days=int(nonzero[0]))
        return day if day.day == 1 else add_months(month_start(day), 1)

    def monthly(self, until: date) -> list[float]:
        """Totals of the whole months from :attr:`series_start` up to ``until``'s month."""
        out = []
        month = self.series_start
        stop = month_start(until)
        while month < stop and add_months(month, 1) <= self.end:
            out.append(self.total(month, add_months(month, 1)))
            month = add_months(month, 1)
        return out


@dataclass(frozen=True)
class PaceParts:
    """The pieces of one projection: actual so far, profile weights, the model's rest."""

    actual: float
    done: float
    left: float
    model_rest: float
    total: float | None = None  # the outcome, for a past window
    days_rest: float = math.nan  # the days left as the same weekdays a week earlier
    model_left: float = math.nan  # the model's forecast of this month on, less its actual
    shape: float = math.nan  # the model's share of the period's total still to come

    @property
    def share(self) -> float:
        """Profile share of the period gone."""
        whole = self.done + self.left
        return self.done / whole if whole > 0 else 1.0

    @property
    def run_rate_rest(self) -> float | None:
        """The actual so far scaled by the profile weight of the days left to the days gone."""
        if self.done <= 0:
            return None
        return self.actual * self.left / self.done

    @property
    def shaped_rate_rest(self) -> float | None:
        """The run-rate of a period of several months, each month weighed as the model forecast it.

        A quarter whose third month is its busiest is not on pace after two quiet
        ones at the quarter's mean rate. ``shape`` is the model's share of the
        period still to come (:meth:`Pace._shape`); without one, the plain run-rate.
        """
        if not math.isfinite(self.shape):
            return self.run_rate_rest
        if self.done <= 0 or self.shape >= 1:
            return None
        return self.actual * self.shape / (1 - self.shape)

    def projection(self, kappa: float, shaped: bool = False) -> float:
        rate = self.shaped_rate_rest if shaped else self.run_rate_rest
        if rate is None or kappa == math.inf:
            return self.actual + self.model_rest
        f = self.share
        a = 1.0 if f >= 1 else f / (f + kappa * (1 - f))
        return self.actual + a * rate + (1 - a) * self.model_rest

    def rest_projection(self, rest: str, kappa: float) -> float:
        """The projection by one of :data:`RESTS`, the blend at ``kappa``."""
        blend = self.projection(kappa)
        if rest == SHAPED_BLEND:
            return self.projection(kappa, shaped=True)
        if rest == FORECAST_LEFT:
            return self.actual + self.model_left if math.isfinite(self.model_left) else blend
        if rest == BLEND or not math.isfinite(self.days_rest):
            return blend
        days = self.actual + self.days_rest
        return days if rest == SAME_WEEKDAYS else (blend + days) / 2

    def weight(self, kappa: float) -> float:
        """The run-rate's weight ``a`` at this share for ``kappa``."""
        if self.run_rate_rest is None or kappa == math.inf:
            return 0.0
        f = self.share
        return 1.0 if f >= 1 else f / (f + kappa * (1 - f))


@dataclass(frozen=True)
class PastWindow:
    """A past window as it was projected: when, the span, the actual then, projected, outcome."""

    moment: datetime
    start: date
    end: date
    actual: float
    projected: float
    total: float


@dataclass(frozen=True)
class Nowcast:
    """A period's projected total with the backtest behind it (``past``: newest first)."""

    value: float
    scale: float
    errors: ErrorDistribution
    kappa: float
    run_rate_weight: float
    run_rate: float | None  # actual + run-rate rest: the projection at k = 0
    model_total: float  # actual + model rest: the projection at k = infinity
    method: str  # the monthly method behind the model rest
    windows: int
    past: tuple[PastWindow, ...] = ()
    rest: str = BLEND  # which of :data:`RESTS` projects the days left


class DayWeights:
    """A profile's weights over a span of days, summed over any range in constant time."""

    HORIZON = timedelta(days=2 * 366 + 31)  # far enough for any period a model projects

    def __init__(self, profile: DayProfile, first: date, end: date) -> None:
        self.profile = profile
        self.first = first
        self.days = (end + self.HORIZON - first).days
        self.cumulative = np.concatenate(
            [[0.0], np.cumsum(profile.weights(first, first + timedelta(days=self.days)))]
        )

    def total(self, start: date, end: date) -> float:
        lo = min(max((start - self.first).days, 0), self.days)
        hi = min(max((end - self.first).days, 0), self.days)
        if (end - self.first).days > self.days:
            raise ValueError(f"{end} is beyond the weights kept ({self.days} days)")
        return float(self.cumulative[hi] - self.cumulative[lo]) if hi > lo else 0.0


class Pace:
    """Projects periods of one daily series; caches the profile of each month origin.

    ``daily`` holds whole days only, up to the day of the moment projected from;
    the part of that day already gone is in the ``actual`` handed to
    :meth:`project`.
    """

    def __init__(
        self,
        daily: DailySeries,
        model: SeriesModel | None = None,
        m: int = 12,
        profiles: dict[date, DayWeights] | None = None,
    ) -> None:
        """``profiles`` may be shared between the Paces of one series cut at different
        days (a backtest): a month's profile depends only on the days before it."""
        self.daily = daily
        self.first_month = daily.series_start
        self.model = model if model is not None else series_model(daily.monthly(daily.end), m)
        self._profiles: dict[date, DayWeights] = {} if profiles is None else profiles

    def profile(self, origin: date) -> DayProfile:
        """The profile learned from the days before ``origin`` (a month start)."""
        return self._weights(origin).profile

    def _weights(self, origin: date) -> DayWeights:
        if origin not in self._profiles:
            part = self.daily.until(origin)
            profile = learn_profile(part.first, part.values)
            self._profiles[origin] = DayWeights(profile, self.daily.first, origin)
        return self._profiles[origin]

    def parts(
        self, start: date, end: date, moment: datetime, actual: float | None = None
    ) -> PaceParts:
        """The pieces of the projection of ``[start, end)`` made at ``moment``.

        ``actual`` is the live actual to date; without it (a past window) the
        actual is read from the series, the day of ``moment`` counted by the share
        of it gone, and the outcome is filled in.
        """
        day = moment.date()
        gone = (moment - datetime.combine(day, datetime.min.time())).total_seconds() / 86400
        origin = month_start(day)
        weights = self._weights(origin)
        cut = min(max(day, start), end)
        running = start <= day < end
        today = weights.total(day, day + timedelta(days=1)) * gone if running else 0.0
        done = weights.total(start, cut) + today
        left = max(weights.total(cut, end) - today, 0.0)
        model_rest = self._model_rest(origin, weights, cut, end, today)
        days_rest = self._days_rest(cut, end, gone if running else 0.0)
        this_month = max(start, month_start(cut))
        model_whole = self._model_rest(origin, weights, this_month, end, 0.0)
        earlier = self.daily.total(start, this_month)  # the period's months already over
        if actual is None:
            so_far = self.daily.total(start, cut)
            if running:
                so_far += self.daily.total(day, day + timedelta(days=1)) * gone
            total: float | None = self.daily.total(start, end)
        else:
            so_far, total = actual, None
        model_left = max(model_whole - (so_far - earlier), 0.0)
        shape = self._shape(weights, start, end, cut, today)
        return PaceParts(so_far, done, left, model_rest, total, days_rest, model_left, shape)

    def _shape(self, weights: DayWeights, start: date, end: date, cut: date, today: float) -> float:
        """The model's share of ``[start, end)`` still to come, for a period of several months.

        Each month counts as the model's forecast of it from the period's first
        month, spread over its days by the profile. NaN for a period within one
        month (the profile alone shapes it) or without forecasts from its start.
        """
        origin = months_between(self.first_month, month_start(start))
        if add_months(month_start(start), 1) >= end or self.model is None:
            return math.nan
        if not self.model.has_origin(origin) or origin < self.model.first:
            return math.nan
        forecasts = self.model.forecast_at(origin)
        gone = rest = 0.0
        month = month_start(start)
        for h in range(1, len(forecasts) + 1):
            if month >= end:
                break
            nxt = add_months(month, 1)
            lo, hi = max(month, start), min(nxt, end)
            whole = weights.total(month, nxt)
            f = float(forecasts[h - 1])
            if whole <= 0 or not math.isfinite(f) or f < 0:
                return math.nan
            mid = min(max(cut, lo), hi)
            part_rest = weights.total(mid, hi) - (today if lo <= cut < hi else 0.0)
            rest += f * max(part_rest, 0.0) / whole
            gone += f * (weights.total(lo, hi) / whole) - f * max(part_rest, 0.0) / whole
            month = nxt
        if month < end or gone + rest <= 0:
            return math.nan
        return rest / (gone + rest)

    def _days_rest(self, cut: date, end: date, gone: float) -> float:
        """The days ``[cut, end)`` as the same weekdays in the week before ``cut``.

        ``gone`` is the share of the day ``cut`` already past (in the actual).
        NaN with under a week of history before ``cut``.
        """
        i = self.daily.index(cut)
        days = (end - cut).days
        if i < 7 or (cut - self.daily.first).days != i or days <= 0:
            return math.nan
        week = self.daily.values[i - 7 : i]
        return float(np.resize(week, days).sum()) - gone * float(week[0])

    def _model_rest(
        self, origin: date, weights: DayWeights, cut: date, end: date, today: float
    ) -> float:
        """The monthly forecasts from ``origin``, each times the profile share still to come."""
        model = self.model
        t = months_between(self.first_month, origin)
        if model is None or not model.has_origin(t):
            return math.nan
        forecasts = model.forecast_at(t)
        rest = 0.0
        month = month_start(cut)
        first = True
        while month < end:
            nxt = add_months(month, 1)
            h = months_between(origin, month) + 1
            if h < 1 or h > len(forecasts) or not math.isfinite(float(forecasts[h - 1])):
                return math.nan
            whole = weights.total(month, nxt)
            part = weights.total(max(month, cut), min(nxt, end))
            if first:
                part -= today
                first = False
            if whole > 0:
                rest += float(forecasts[h - 1]) * max(part, 0.0) / whole
            month = nxt
        return rest

    def windows(
        self, start: date, end: date, moment: datetime
    ) -> list[tuple[int, PaceParts, list[PaceParts], tuple[datetime, date, date]]]:
        """Past windows, newest first: (months back, parts at the moment's share, at the grid).

        Only windows that are complete and have a model origin count. The grid
        (:data:`CHECKPOINTS`) is what ``k`` is chosen on: one ``k`` has to serve
        the whole period, and ten points per window pin it down better than one.
        """
        out = []
        running = start <= moment.date() < end
        live = months_between(self.first_month, month_start(moment.date()))
        oldest = self.model.comparable_from(live) if self.model is not None else 0
        for back in range(1, MAX_WINDOWS + 1):
            s, e = add_months(start, -back), add_months(end, -back)
            if e > self.daily.end or s < self.first_month:
                continue
            when = shifted_moment(start, end, moment, s, e)
            if months_between(self.first_month, month_start(when.date())) < oldest:
                continue
            parts = self.parts(s, e, when)
            if not math.isfinite(parts.model_rest):
                continue
            grid = [parts]
            if running:
                whole = (e - s).days * 86400
                base = datetime.combine(s, datetime.min.time())
                for share in CHECKPOINTS:
                    g = self.parts(s, e, base + timedelta(seconds=share * whole))
                    if math.isfinite(g.model_rest):
                        grid.append(g)
            out.append((back, parts, grid, (when, s, e)))
        return out

    def project(
        self, start: date, end: date, moment: datetime, actual: float = 0.0
    ) -> Nowcast | None:
        """The projection of ``[start, end)`` at ``moment``.

        Without a model (under two whole months of history) a period in progress
        is projected by its run-rate alone; one not started yet cannot be (None).
        """
        live = self.parts(start, end, moment, actual=actual if moment.date() >= start else 0.0)
        rate = live.run_rate_rest
        if not math.isfinite(live.model_rest):
            if rate is None:
                return None
            value = live.actual + rate
            return Nowcast(
                value,
                _rest_scale(value, live),
                ErrorDistribution.of([]),
                0.0,
                1.0,
                value,
                math.nan,
                RUN_RATE_ONLY,
                0,
            )
        past = self.windows(start, end, moment)
        typical = typical_size([p for _, p, _, _ in past])
        sums, counts = _kappa_errors([grid for _, _, grid, _ in past])
        errors = []
        outcomes = []
        span = months_between(start, end) or 1
        backs = [b for b, _, _, _ in past]
        # each window's projection by every rest, k as chosen on the windows already
        # complete at its checkpoint; then the rest the same way (at this share only)
        by_rest = np.full((len(past), len(RESTS)), np.nan)
        for i, (back, parts, _, _) in enumerate(past):
            older = np.array([b >= back + span for b in backs])
            k = _best_kappa(sums[older], counts[older], int(older.sum()))
            by_rest[i] = [parts.rest_projection(r, k) for r in RESTS]
        totals = np.array([parts.total or 0.0 for _, parts, _, _ in past])
        for i, (back, parts, _, (when, s, e)) in enumerate(past):
            older = np.array([b >= back + span for b in backs])
            rest = choose_rest(by_rest[older], totals[older])
            projected = float(by_rest[i, RESTS.index(rest)])
            total = float(totals[i])
            errors.append((total - projected) / scale_for(projected, typical))
            outcomes.append(PastWindow(when, s, e, parts.actual, projected, total))
        earlier = [[j for j, b in enumerate(backs) if b >= back + span] for back in backs]
        distribution = ErrorDistribution.of(errors, span, choose_blur(errors, earlier, span))
        kappa = _best_kappa(sums, counts, len(past))
        rest = choose_rest(by_rest, totals)
        value = live.rest_projection(rest, kappa)
        scale = scale_for(value, typical) if distribution.calibrated else _rest_scale(value, live)
        return Nowcast(
            value=value,
            scale=scale,
            errors=distribution,
            kappa=kappa,
            run_rate_weight=live.weight(kappa),
            run_rate=None if rate is None else live.actual + rate,
            model_total=live.actual + live.model_rest,
            method=self.model.method if self.model is not None else RUN_RATE_ONLY,
            windows=len(past),
            past=tuple(outcomes),
            rest=rest if math.isfinite(live.days_rest) else BLEND,
        )


def _rest_scale(value: float, live: PaceParts) -> float:
    """Without past errors the default spread applies to what is still to come only."""
    return abs(value - live.actual) or 1e-9


def shifted_moment(
    start: date, end: date, moment: datetime, window_start: date, window_end: date
) -> datetime:
    """The moment in a past window at the same share of it as ``moment`` is of the period.

    Before the period starts the gap is kept in whole months instead.
    """
    if moment.date() < start:
        back = months_between(window_start, start)
        return datetime.combine(add_months(moment.date(), -back), moment.time())
    gone = (moment - datetime.combine(start, datetime.min.time())).total_seconds()
    share = gone / ((end - start).days * 86400)
    length = (window_end - window_start).days * 86400
    return datetime.combine(window_start, datetime.min.time()) + timedelta(seconds=share * length)


def _kappa_errors(windows: Sequence[Sequence[PaceParts]]) -> tuple[Array, Array]:
    """Per window, the summed absolute error of each ``k`` over its points, and the count."""
    points = [p for grid in windows for p in grid]
    owner = np.repeat(np.arange(len(windows)), [len(grid) for grid in windows])
    if not points:
        return np.zeros((len(windows), len(KAPPAS))), np.zeros(len(windows))
    actual = np.array([p.actual for p in points])
    model = np.array([p.model_rest for p in points])
    total = np.array([p.total or 0.0 for p in points])
    rate = np.array([np.nan if p.run_rate_rest is None else p.run_rate_rest for p in points])
    share = np.array([p.share for p in points])[:, None]
    kappa = np.array([k if math.isfinite(k) else 0.0 for k in KAPPAS])[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(share >= 1, 1.0, share / (share + kappa * (1 - share)))
    a = np.nan_to_num(a, nan=1.0)
    a[:, [not math.isfinite(k) for k in KAPPAS]] = 0.0
    a[~np.isfinite(rate)] = 0.0
    projected = actual[:, None] + a * np.nan_to_num(rate)[:, None] + (1 - a) * model[:, None]
    error = np.abs(total[:, None] - projected)
    sums = np.zeros((len(windows), len(KAPPAS)))
    np.add.at(sums, owner, error)
    return sums, np.bincount(owner, minlength=len(windows)).astype(float)


def _best_kappa(sums: Array, counts: Array, windows: int) -> float:
    if windows < MIN_WINDOWS or counts.sum() == 0:
        return DEFAULT_KAPPA
    errors = sums.sum(axis=0) / counts.sum()
    best = int(np.argmin(errors))  # the first of equals: the grid runs from run-rate to model
    return KAPPAS[best]


def choose_rest(projected: Array, totals: Array) -> str:
    """The rest of :data:`RESTS` with the lowest mean absolute error over past windows.

    ``projected[i, j]`` is window ``i``'s projection by ``RESTS[j]`` at the live
    share. The blend stands unless another rest has at least :data:`MIN_WINDOWS`
    windows and a lower error on them: late in a period the days just gone can
    say more about the days left than the month's forecast or its pace.
    """
    if len(totals) < MIN_WINDOWS:
        return BLEND
    with np.errstate(invalid="ignore"):
        errors = np.abs(projected - totals[:, None])
    usable = np.isfinite(errors).all(axis=1)
    if int(usable.sum()) < MIN_WINDOWS:
        return BLEND
    mean = errors[usable].mean(axis=0)
    return RESTS[int(np.argmin(mean))]  # the first of equals: the blend


def choose_kappa(windows: Sequence[Sequence[PaceParts]]) -> float:
    """The ``k`` of :data:`KAPPAS` with the lowest mean absolute error over past windows.

    Each window contributes its projections at several checkpoints; with fewer
    than :data:`MIN_WINDOWS` windows the choice would be noise, so
    :data:`DEFAULT_KAPPA` stands.
    """
    sums, counts = _kappa_errors(windows)
    return _best_kappa(sums, counts, len(windows))


def typical_size(windows: Sequence[PaceParts]) -> float:
    return typical_size_of([w.total for w in windows if w.total is not None])


def typical_size_of(totals: Sequence[float]) -> float:
    """The mean absolute total of past windows (what small projections are scaled by)."""
    return float(np.mean(np.abs(totals))) if len(totals) else 0.0


def scale_for(value: float, typical: float) -> float:
    """What errors are relative to: the projection, or a quarter of a typical total if larger."""
    return max(abs(value), typical / 4) or 1.0
