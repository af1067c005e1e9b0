"""Intervals and probabilities read from a method's own backtest errors.

A projection's uncertainty is not assumed (no normal errors widened by the
square root of the horizon); it is the spread of the errors the same procedure
made on the same series at the same point: the same horizon for monthly
forecasts, the same share of the period gone for a period in progress. Errors
are relative to the projection (``(actual - projected) / scale``), so a
projection of 1,000 with a past error of -5% has 950 as that error's outcome.

- **Interval** (split conformal): with ``n`` errors sorted, the 80% interval runs
  from the order statistic at position ``(n + 1) * 0.1`` to the one at
  ``(n + 1) * 0.9``, interpolated between neighbours. If the next error is
  exchangeable with the past ones, the ``k``-th of ``n`` lies below it with
  probability ``k / (n + 1)``, so these positions cover it 80% of the time on
  average. (Rounding the positions outwards would guarantee at least 80% but
  give up to 89% with a dozen errors: intervals wider than the data says.)
  Below :data:`MIN_CONFORMAL`
  errors those order statistics do not exist; the interval is then the normal
  prediction interval ``mean +- t(n - 1) * sd * sqrt(1 + 1/n)``, exact for normal
  errors and wide when ``n`` is small, as it should be.
- **P(reach)**: the share of past errors that would have reached the target,
  smoothed with a normal kernel (Silverman's bandwidth) and shrunk towards one
  half by one pseudo-observation, ``(sum + 0.5) / (n + 1)``: a probability
  from 20 errors is never 0% or 100%, because 20 errors cannot say so.
  It is then held within :data:`TAIL` and ``1 - TAIL`` (5% to 95%): pooled over
  the dev series of the pace backtest (bench/README.md), probabilities given
  under 5% were followed by the target reached 13% of the time and those over
  95% by 89%, while between 5% and 95% given and reached agree within a few
  points. Past errors do not contain the month a large order or a lost client
  comes, so the tails claim more than they know; the floor keeps the SMART
  check's 10% threshold meaningful (a probability can still fall below it).

``calibrated`` is False when the errors are too few to say anything (fewer than
:data:`MIN_ERRORS`): the spread then falls back to :data:`DEFAULT_SPREAD` and
the SMART check does not call a target unrealistic on it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from onpace.targets.candidates import Array

LEVEL = 0.8
MIN_CONFORMAL = 9  # (n + 1) * 0.9 <= n from n = 9
MIN_ERRORS = 4
DEFAULT_SPREAD = 0.2  # relative sd used with too few errors: wide on purpose
TAIL = 0.05  # P(reach) stays within [TAIL, 1 - TAIL] (see the module doc)
# 90% quantiles of Student's t by degrees of freedom (for the small-sample interval)
T90 = {1: 3.078, 2: 1.886, 3: 1.638, 4: 1.533, 5: 1.476, 6: 1.440, 7: 1.415, 8: 1.397}
Z90 = 1.2815515655446004


def normal_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


@dataclass(frozen=True)
class ErrorDistribution:
    """Relative errors ``(actual - projected) / scale`` of past projections made alike."""

    errors: tuple[float, ...]

    @classmethod
    def of(cls, errors: Sequence[float]) -> ErrorDistribution:
        return cls(tuple(sorted(float(e) for e in errors if math.isfinite(e))))

    @property
    def n(self) -> int:
        return len(self.errors)

    @property
    def calibrated(self) -> bool:
        return self.n >= MIN_ERRORS

    def _moments(self) -> tuple[float, float]:
        """Mean and predictive sd (sd * sqrt(1 + 1/n)); the default spread without errors."""
        if not self.calibrated:
            return 0.0, DEFAULT_SPREAD
        arr = np.asarray(self.errors)
        return float(arr.mean()), float(arr.std(ddof=1)) * math.sqrt(1 + 1 / self.n)

    def bounds(self, level: float = LEVEL) -> tuple[float, float]:
        """The (low, high) error of the central ``level`` interval."""
        alpha = (1 - level) / 2
        n = self.n
        if n >= MIN_CONFORMAL and level == LEVEL:
            return self._order((n + 1) * alpha), self._order((n + 1) * (1 - alpha))
        mean, sd = self._moments()
        t = T90.get(n - 1, Z90) if self.calibrated and level == LEVEL else _z(1 - alpha)
        return mean - t * sd, mean + t * sd

    def _order(self, position: float) -> float:
        """The order statistic at a 1-based, possibly fractional, position (interpolated)."""
        below = min(max(math.floor(position), 1), self.n)
        above = min(below + 1, self.n)
        weight = min(max(position - below, 0.0), 1.0)
        return self.errors[below - 1] + weight * (self.errors[above - 1] - self.errors[below - 1])

    def p_at_least(self, threshold: float) -> float:
        """P(next error >= ``threshold``), smoothed, shrunk towards 1/2 and held off the tails."""
        return min(max(self._p_at_least(threshold), TAIL), 1 - TAIL)

    def _p_at_least(self, threshold: float) -> float:
        if self.n < MIN_CONFORMAL:
            mean, sd = self._moments()
            if sd <= 0:
                return 1.0 if mean >= threshold else 0.0
            return 1 - normal_cdf((threshold - mean) / sd)
        arr = np.asarray(self.errors)
        width = _bandwidth(arr)
        if width > 0:
            mass = sum(1 - normal_cdf((threshold - e) / width) for e in arr)
        else:
            mass = float(np.sum(arr >= threshold))
        return float(mass + 0.5) / (self.n + 1)


def _bandwidth(arr: Array) -> float:
    """Silverman's rule of thumb: 0.9 * min(sd, IQR / 1.34) * n ** -0.2."""
    sd = float(arr.std(ddof=1))
    q75, q25 = np.percentile(arr, [75, 25])
    spread = min(sd, float(q75 - q25) / 1.34) or sd
    return float(0.9 * spread * len(arr) ** -0.2)


def _z(p: float) -> float:
    """The standard normal quantile (bisection on erf; only used off the 80% path)."""
    lo, hi = -10.0, 10.0
    for _ in range(80):
        mid = (lo + hi) / 2
        if normal_cdf(mid) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


@dataclass(frozen=True)
class Outcome:
    """What a projection with its error distribution says about a total and a target."""

    value: float
    low: float
    high: float

    @classmethod
    def of(cls, value: float, scale: float, errors: ErrorDistribution) -> Outcome:
        lo, hi = errors.bounds()
        return cls(value, value + lo * scale, value + hi * scale)


def p_reach(
    value: float, scale: float, errors: ErrorDistribution, target: float, direction: str
) -> float:
    """P(the final value meets ``target`` the KPI's good way), from the error distribution."""
    if scale <= 0:
        above = 1.0 if value >= target else 0.0
    else:
        above = errors.p_at_least((target - value) / scale)
    return above if direction == "higher" else 1 - above
