"""How a period's total spreads over its days: a day-of-week and day-of-month profile.

A day's expected share is ``weekday factor x day-of-month factor``, learned from
the series' own daily history:

- **weekday**: the mean of each weekday over the last :data:`WEEKS` whole weeks,
  over the mean of the seven. A shop closed on Sundays gets a Sunday factor of
  0; a B2B desk that books most on Tuesdays a Tuesday factor above 1. Whole
  weeks keep every weekday equally represented, so growth does not leak into
  the factors. A factor stays 1 unless it differs from 1 by more than two
  standard errors (:func:`_clear`, with the spread pooled over the weekdays).
- **day of month**: five parts of the month (the first three days, days 4-10,
  11-20, 21 to the last four, the last three days), each as its mean share of
  the month once the weekday pattern is taken out, averaged over the last
  :data:`MONTHS` whole months. This is where month-end pushes, pay days and
  first-of-the-month invoicing show. Parts rather than single days because a
  few years of months cannot pin down 31 separate factors, and a part keeps
  factor 1 unless its share differs from 1 by more than two standard errors.
  With fewer than :data:`MIN_MONTHS` months the factors stay 1.

The profile turns an actual-to-date into a run-rate that knows a Monday-start
month is not a Saturday-start one (:mod:`onpace.targets.nowcast`), and splits a
month's forecast over its remaining days.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from onpace.targets.candidates import Array, Values

WEEKS = 52
MONTHS = 24
MIN_MONTHS = 6
MIN_DAYS = 14
CLEAR = 2.0
PARTS = ("days 1-3", "days 4-10", "days 11-20", "day 21 to the last 4", "last 3 days")


def month_part(day: date) -> int:
    """Which of the five parts of its month ``day`` falls in (0..4)."""
    last = calendar.monthrange(day.year, day.month)[1]
    if day.day <= 3:
        return 0
    if day.day > last - 3:
        return 4
    if day.day <= 10:
        return 1
    if day.day <= 20:
        return 2
    return 3


@dataclass(frozen=True)
class DayProfile:
    """Relative weight of each day: ``weekday[d.weekday()] * month_part[month_part(d)]``."""

    weekday: tuple[float, ...] = (1.0,) * 7
    month_part: tuple[float, ...] = (1.0,) * 5

    def weight(self, day: date) -> float:
        return self.weekday[day.weekday()] * self.month_part[month_part(day)]

    def weights(self, start: date, end: date) -> Array:
        """The weight of every day in ``[start, end)``."""
        days = max((end - start).days, 0)
        weekday = np.asarray(self.weekday)[(start.weekday() + np.arange(days)) % 7]
        out: Array = weekday * np.asarray(self.month_part)[month_parts(start, days)]
        return out


def month_parts(start: date, days: int) -> npt.NDArray[np.int64]:
    """:func:`month_part` of ``days`` consecutive days from ``start``, vectorised."""
    dates = np.datetime64(start, "D") + np.arange(days)
    months = dates.astype("datetime64[M]")
    dom = (dates - months.astype("datetime64[D]")).astype(np.int64) + 1
    last = ((months + 1).astype("datetime64[D]") - months.astype("datetime64[D]")).astype(np.int64)
    parts = np.full(days, 3, dtype=np.int64)
    parts[dom <= 20] = 2
    parts[dom <= 10] = 1
    parts[dom > last - 3] = 4
    parts[dom <= 3] = 0
    return parts


FLAT = DayProfile()


def learn_profile(first_day: date, values: Values, min_months: int = MIN_MONTHS) -> DayProfile:
    """The profile of a daily series that starts on ``first_day`` (one value per day)."""
    y = np.asarray(values, dtype=float)
    weekday = weekday_factors(first_day, y)
    return DayProfile(weekday, month_part_factors(first_day, y, weekday, min_months))


def weekday_factors(first_day: date, y: Array) -> tuple[float, ...]:
    weeks = min(len(y) // 7, WEEKS)
    if weeks * 7 < MIN_DAYS:
        return FLAT.weekday
    tail = y[len(y) - 7 * weeks :]
    start = first_day + timedelta(days=len(y) - 7 * weeks)
    by_weekday: list[Array] = [np.zeros(0)] * 7
    for offset in range(7):
        by_weekday[(start + timedelta(days=offset)).weekday()] = tail[offset::7]
    means = np.clip([float(v.mean()) for v in by_weekday], 0.0, None)
    overall = float(means.mean())
    if overall <= 0:
        return FLAT.weekday
    # the spread pooled over the seven days: a weekday without a single sale in a
    # sparse series is chance, not a closed day
    pooled = math.sqrt(float(np.mean([v.var(ddof=1) for v in by_weekday]))) / overall
    return tuple(_clear(v / overall, pooled / math.sqrt(weeks)) for v in by_weekday)


def month_part_factors(
    first_day: date, y: Array, weekday: Sequence[float], min_months: int
) -> tuple[float, ...]:
    months = _whole_months(first_day, len(y))[-MONTHS:]
    if len(months) < min_months:
        return FLAT.month_part
    lo, hi = months[0][0], months[-1][1]
    factors = np.asarray(weekday)[(first_day.weekday() + np.arange(lo, hi)) % 7]
    month = np.concatenate([np.full(e - s, i) for i, (s, e) in enumerate(months)])
    part = month_parts(first_day + timedelta(days=lo), hi - lo)
    open_days = factors > 0
    adjusted = np.where(open_days, y[lo:hi] / np.where(open_days, factors, 1.0), 0.0)
    count = np.bincount(month, weights=open_days, minlength=len(months))
    level = np.bincount(month, weights=adjusted, minlength=len(months)) / np.maximum(count, 1)
    cell = month * len(PARTS) + part
    size = len(months) * len(PARTS)
    cell_count = np.bincount(cell, weights=open_days, minlength=size).reshape(-1, len(PARTS))
    cell_sum = np.bincount(cell, weights=adjusted, minlength=size).reshape(-1, len(PARTS))
    usable = (level > 0)[:, None] & (cell_count > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = cell_sum / cell_count / level[:, None]
    columns = [share[usable[:, p], p] for p in range(len(PARTS))]
    if min(len(c) for c in columns) < min_months:
        return FLAT.month_part
    return tuple(_clear(c) for c in columns)


def _clear(shares: Sequence[float] | Array, se: float | None = None) -> float:
    """The mean share, where it differs from 1 by more than :data:`CLEAR` standard errors.

    Noise would otherwise move every factor a little and make the run-rate
    worse, not better: a handful of orders on a few Wednesdays is not a
    Wednesday pattern, while a shop closed on Sundays or a real month-end push
    passes easily.
    """
    arr = np.asarray(shares, dtype=float)
    mean = max(float(arr.mean()), 0.0)
    if se is None:
        se = float(arr.std(ddof=1)) / math.sqrt(len(arr)) if len(arr) > 1 else math.inf
    return mean if abs(mean - 1) > CLEAR * se else 1.0


def _whole_months(first_day: date, n: int) -> list[tuple[int, int]]:
    """Index ranges ``[start, end)`` of the calendar months wholly inside ``n`` days."""
    out: list[tuple[int, int]] = []
    day = first_day if first_day.day == 1 else _next_month(first_day)
    while True:
        start = (day - first_day).days
        end = (_next_month(day) - first_day).days
        if end > n:
            return out
        out.append((start, end))
        day = _next_month(day)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)
