"""Intervals and probabilities from past errors: the order statistics, worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from onpace.targets.intervals import DEFAULT_SPREAD, ErrorDistribution, normal_cdf, p_reach

TWENTY = [-0.10 + 0.01 * k for k in range(20)]  # -0.10, -0.09, ..., 0.09


def test_conformal_bounds_are_order_statistics() -> None:
    errors = ErrorDistribution.of(reversed(TWENTY))
    assert errors.n == 20 and errors.calibrated
    # positions (n + 1) * 0.1 = 2.1 and (n + 1) * 0.9 = 18.9: a tenth of the way from the
    # 2nd smallest (-0.09) to the 3rd (-0.08), nine tenths from the 18th (0.07) to the 19th
    low, high = errors.bounds()
    assert low == pytest.approx(-0.089)
    assert high == pytest.approx(0.079)
    # nine errors: positions 1 and 9, the smallest and the largest
    nine = ErrorDistribution.of([0.05 * k for k in range(-4, 5)])
    assert nine.bounds() == pytest.approx((-0.2, 0.2))


def test_few_errors_give_the_normal_prediction_interval() -> None:
    errors = ErrorDistribution.of([-0.2, -0.1, 0.0, 0.1, 0.2])
    sd = math.sqrt(0.1 / 4) * math.sqrt(1 + 1 / 5)  # sample sd, widened for a new value
    low, high = errors.bounds()
    assert high == pytest.approx(1.533 * sd)  # Student's t, 4 degrees of freedom
    assert low == pytest.approx(-1.533 * sd)
    assert errors.p_at_least(0.1) == pytest.approx(1 - normal_cdf(0.1 / sd))


def test_without_enough_errors_the_spread_is_a_wide_default() -> None:
    errors = ErrorDistribution.of([0.01, -0.01])
    assert not errors.calibrated
    low, high = errors.bounds()
    assert high == pytest.approx(1.2815515655446004 * DEFAULT_SPREAD) == pytest.approx(-low)
    assert errors.p_at_least(0.0) == pytest.approx(0.5)


def test_probability_is_never_certain_from_a_finite_sample() -> None:
    errors = ErrorDistribution.of(TWENTY)
    # a threshold far below every error: all 20 reach it, one pseudo-observation does not:
    # 20.5 / 21 = 97.6%, held at the 95% ceiling; far above, 0.5 / 21 = 2.4%, held at 5%
    assert 20.5 / 21 > 0.95 and 0.5 / 21 < 0.05
    assert errors.p_at_least(-10.0) == pytest.approx(0.95)
    assert errors.p_at_least(10.0) == pytest.approx(0.05)
    # inside the tails the smoothed share stands: with the kernel's width w, the share
    # of errors at least 0.08 above is (sum of 1 - Phi((0.08 - e) / w) + 0.5) / 21
    arr = np.asarray(TWENTY)
    sd = float(arr.std(ddof=1))
    q75, q25 = np.percentile(arr, [75, 25])
    w = 0.9 * min(sd, (q75 - q25) / 1.34) * 20**-0.2
    by_hand = (sum(1 - normal_cdf((0.08 - e) / w) for e in arr) + 0.5) / 21
    assert 0.05 < by_hand < 0.95
    assert errors.p_at_least(0.08) == pytest.approx(by_hand)
    # the centre of a symmetric sample: one half
    assert errors.p_at_least(-0.005) == pytest.approx(0.5)


def test_p_reach_reads_the_target_as_an_error_and_flips_for_lower_is_better() -> None:
    errors = ErrorDistribution.of(TWENTY)
    # projected 1000, errors relative to 1000: a target of 1000 needs an error >= 0
    above = p_reach(1000.0, 1000.0, errors, 1000.0, "higher")
    assert above == pytest.approx(errors.p_at_least(0.0))
    assert p_reach(1000.0, 1000.0, errors, 1000.0, "lower") == pytest.approx(1 - above)
    assert p_reach(1000.0, 1000.0, errors, 10.0, "higher") == pytest.approx(0.95)
