"""Intervals and probabilities read from a method's own backtest errors.

A projection's uncertainty is not assumed (no normal errors widened by the
square root of the horizon); it is the spread of the errors the same procedure
made on the same series at the same point: the same horizon for monthly
forecasts, the same share of the period gone for a period in progress. Errors
are relative to the projection (``(actual - projected) / scale``), so a
projection of 1,000 with a past error of -5% has 950 as that error's outcome.

Both the interval and P(reach) are read from **one predictive distribution**
of the next error, so they can never disagree:

    F(x) = (sum_i Phi((x - e_i) / w) + m * Phi(x / s)) / (n + m)

- the ``n`` past errors ``e_i``, each smoothed by a normal kernel of width
  ``w`` (Silverman's rule, ``0.9 * min(sd, IQR / 1.34) * n ** -0.2``): between
  two past errors the next one is not impossible;
- ``m`` = :data:`PRIOR_WEIGHT` pseudo-errors from a wider prior, a normal
  centred on 0 with sd ``s = max(DEFAULT_SPREAD, sd of the errors)``. This is the
  finite-sample correction: split conformal places the next error among ``n + 1``
  exchangeable ones, so ``n`` errors can say at most ``n / (n + 1)`` of where it
  falls; the remaining ``1 / (n + 1)`` goes to the prior instead of to nowhere.
  With 4 errors the prior holds a fifth of the mass and the interval is wide;
  with 36 it holds under 3% and the errors decide. It also keeps the tails
  open: with 20 errors a target beyond every one of them still has a probability
  from the prior's tail, not 0.

**Overlapping windows.** The past windows of a quarter are the three-month
spans starting one, two, three ... months back, so neighbours share two of
their three months and their errors move together: 24 of them say about as
much as 8 independent ones. ``overlap`` (the period's length in months, 1 for
a month) says so: the prior weighs ``m * overlap`` and the kernel width uses
``n / overlap`` errors. Measured on the quarter backtest of all dev series,
the 80% coverage at week 8 went from 68% to 81% with it, and the Brier scores
improved at both checkpoints on dev and held-out series.

The 80% **interval** runs from ``F``'s 10% quantile to its 90% quantile (found
by bisection). **P(reach)** is ``1 - F(threshold)``, unclipped: the probability
says what the errors say, and the backtest's reliability table shows whether
it holds. (An earlier rule clipped it to 5%..95%, which hid the tails from the
calibration it was meant to fix.)

Measured on the pace and monthly backtests of bench/forecast_backtest.py
(bench/README.md): against the order statistics at ``(n + 1) * 0.1`` and
``(n + 1) * 0.9`` with a Student-t interval below 9 errors, the mean distance of
the 80% coverage from 80% fell from 6.1 to 5.1 points on the dev series and from
9.7 to 8.1 on the held-out ones.

**Blur.** Past errors are exchangeable only while the series stays alike; a
good spell that ends, or a sparse series whose past windows happened to be
calm, makes a distribution read straight from them overconfident out of
sample. ``blur`` mixes in that share of a normal twice as wide as the prior
(``F_b(x) = (1 - b) F(x) + b Phi(x / (2 s))``): probabilities move toward one
half and the tails open. How much a series gets is chosen on its own past by
:func:`onpace.targets.tempering.choose_blur`, 0 unless that past says more.

``calibrated`` is False when the errors are too few to say anything (fewer than
:data:`MIN_ERRORS`): the prior alone (sd :data:`DEFAULT_SPREAD`) then gives the
spread and the SMART check does not call a target unrealistic on it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from onpace.targets.candidates import Array

LEVEL = 0.8
MIN_ERRORS = 4
DEFAULT_SPREAD = 0.2  # relative sd of the prior: wide on purpose
PRIOR_WEIGHT = 1.0  # pseudo-errors from the prior (the "+ 1" of split conformal)
Z90 = 1.2815515655446004
_BISECTIONS = 64
BLUR_WIDTH = 2.0  # the blur's normal, in prior sds


def normal_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


_ERF = np.frompyfunc(math.erf, 1, 1)


def normal_cdf_array(x: Array) -> Array:
    """:func:`normal_cdf` of every element (``math.erf`` itself, so both agree exactly)."""
    erf = np.asarray(_ERF(np.asarray(x, dtype=float) / math.sqrt(2)), dtype=float)
    out: Array = 0.5 * (1 + erf)
    return out


@dataclass(frozen=True)
class ErrorDistribution:
    """Relative errors ``(actual - projected) / scale`` of past projections made alike."""

    errors: tuple[float, ...]
    overlap: int = 1  # past windows that share their days with each (see the module doc)
    blur: float = 0.0  # the share of a wide normal mixed in (see the module doc)

    @classmethod
    def of(cls, errors: Sequence[float], overlap: int = 1, blur: float = 0.0) -> ErrorDistribution:
        return cls(
            tuple(sorted(float(e) for e in errors if math.isfinite(e))), max(overlap, 1), blur
        )

    def blurred(self, blur: float) -> ErrorDistribution:
        """The same errors with ``blur`` of the wide normal mixed in."""
        return ErrorDistribution(self.errors, self.overlap, blur)

    @property
    def n(self) -> int:
        return len(self.errors)

    @property
    def calibrated(self) -> bool:
        return self.n >= MIN_ERRORS

    @cached_property
    def _parts(self) -> tuple[Array, float, float, float]:
        """(errors used, kernel width, prior sd, prior weight); no errors when uncalibrated."""
        if not self.calibrated:
            return np.zeros(0), 0.0, DEFAULT_SPREAD, 1.0
        arr = np.asarray(self.errors, dtype=float)
        sd = float(arr.std(ddof=1))
        width = _bandwidth(arr, max(self.n / self.overlap, 1.0))
        return arr, width, max(DEFAULT_SPREAD, sd), PRIOR_WEIGHT * self.overlap

    def cdf(self, x: float) -> float:
        """P(next error <= ``x``) under the predictive distribution (see the module doc)."""
        arr, width, prior_sd, weight = self._parts
        if width > 0:
            own = sum(normal_cdf((x - e) / width) for e in arr.tolist())
        else:
            own = float(np.count_nonzero(arr <= x))
        sharp = (own + weight * normal_cdf(x / prior_sd)) / (len(arr) + weight)
        if not self.blur:
            return sharp
        return (1 - self.blur) * sharp + self.blur * normal_cdf(x / (BLUR_WIDTH * prior_sd))

    def cdf_many(self, xs: Array, blurs: Array) -> Array:
        """:meth:`cdf` at every ``xs[..., j]`` for each blur ``blurs[j]``, at once.

        The same sums as :meth:`cdf` in arrays, for choosing the blur over many
        past errors without a loop per value.
        """
        arr, width, prior_sd, weight = self._parts
        x = np.asarray(xs, dtype=float)
        if width > 0:
            own = normal_cdf_array((x[..., None] - arr) / width).sum(axis=-1)
        else:
            own = (arr <= x[..., None]).sum(axis=-1)
        sharp = (own + weight * normal_cdf_array(x / prior_sd)) / (len(arr) + weight)
        wide = normal_cdf_array(x / (BLUR_WIDTH * prior_sd))
        out: Array = (1 - blurs) * sharp + blurs * wide
        return out

    def quantile(self, p: float) -> float:
        """The error below which the next one falls with probability ``p`` (0 < p < 1)."""
        arr, width, prior_sd, _ = self._parts
        reach = 12 * (prior_sd * (BLUR_WIDTH if self.blur else 1.0) + width)
        lo = (float(arr[0]) if len(arr) else 0.0) - reach
        hi = (float(arr[-1]) if len(arr) else 0.0) + reach
        for _ in range(_BISECTIONS):
            mid = (lo + hi) / 2
            if self.cdf(mid) < p:
                lo = mid
            else:
                hi = mid
        return (lo + hi) / 2

    def bounds(self, level: float = LEVEL) -> tuple[float, float]:
        """The (low, high) error of the central ``level`` interval."""
        alpha = (1 - level) / 2
        return self.quantile(alpha), self.quantile(1 - alpha)

    def bounds_at_least(self, least: float, level: float = LEVEL) -> tuple[float, float]:
        """The central ``level`` interval of an outcome that cannot fall below ``least``.

        A period's total cannot fall below what is in already, so a past error
        below ``least`` stands for an outcome at it (nothing more comes in): the
        distribution is censored there, not cut off. While that share is under the
        lower tail the interval is the usual one, held at ``least``; above it no
        outcome can fall below the interval, so it runs from ``least`` to the
        ``level`` quantile (an equal-tailed one would cover ``1 - alpha``: on
        sparse series, where most past windows hold such errors early in a month,
        the 80% interval covered over 90%).
        """
        alpha = (1 - level) / 2
        if self.cdf(least) < alpha:
            low, high = self.bounds(level)
            return max(low, least), max(high, least)
        return least, max(self.quantile(level), least)

    def p_at_least(self, threshold: float) -> float:
        """P(next error >= ``threshold``): the predictive distribution's upper tail."""
        return 1 - self.cdf(threshold)


def _bandwidth(arr: Array, independent: float) -> float:
    """Silverman's rule of thumb: 0.9 * min(sd, IQR / 1.34) * n ** -0.2 (n independent errors)."""
    sd = float(arr.std(ddof=1))
    q75, q25 = np.percentile(arr, [75, 25])
    spread = min(sd, float(q75 - q25) / 1.34) or sd
    return float(0.9 * spread * independent**-0.2)


def interval(
    value: float, scale: float, errors: ErrorDistribution, floor: float | None = None
) -> tuple[float, float]:
    """The 80% interval of a projection, held at ``floor`` (a total that cannot fall below it)."""
    if floor is not None and scale > 0:
        lo, hi = errors.bounds_at_least((floor - value) / scale)
        return max(value + lo * scale, floor), max(value + hi * scale, floor)
    lo, hi = errors.bounds()
    return value + lo * scale, value + hi * scale


def p_reach(
    value: float, scale: float, errors: ErrorDistribution, target: float, direction: str
) -> float:
    """P(the final value meets ``target`` the KPI's good way), from the error distribution."""
    if scale <= 0:
        above = 1.0 if value >= target else 0.0
    else:
        above = errors.p_at_least((target - value) / scale)
    return above if direction == "higher" else 1 - above
