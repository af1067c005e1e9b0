"""Intervals and probabilities from past errors: the predictive mixture, worked out by hand."""

from __future__ import annotations

import math

import pytest

from onpace.targets.intervals import (
    DEFAULT_SPREAD,
    ErrorDistribution,
    interval,
    normal_cdf,
    p_reach,
)

FOUR = [0.2, -0.1, 0.1, 0.0]


def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def _four_by_hand() -> tuple[float, float]:
    """Kernel width and prior sd of FOUR, by hand.

    sorted -0.1, 0, 0.1, 0.2: mean 0.05, squared deviations 0.0225, 0.0025, 0.0025,
    0.0225, so sd = sqrt(0.05 / 3); quartiles (linear) -0.025 and 0.125, IQR 0.15,
    0.15 / 1.34 < sd, so the width is 0.9 * 0.15 / 1.34 * 4 ** -0.2; the prior sd is
    max(0.2, sd) = 0.2.
    """
    sd = math.sqrt(0.05 / 3)
    assert 0.15 / 1.34 < sd < 0.2
    return 0.9 * (0.15 / 1.34) * 4**-0.2, 0.2


def _cdf_by_hand(x: float) -> float:
    width, prior = _four_by_hand()
    own = sum(_phi((x - e) / width) for e in FOUR)
    return (own + _phi(x / prior)) / 5  # four errors and one pseudo-error from the prior


def test_probability_is_the_upper_tail_of_errors_and_prior() -> None:
    errors = ErrorDistribution.of(FOUR)
    assert errors.n == 4 and errors.calibrated
    for x in (-0.3, -0.05, 0.0, 0.05, 0.15, 0.4):
        assert errors.cdf(x) == pytest.approx(_cdf_by_hand(x), abs=1e-12)
        assert errors.p_at_least(x) == pytest.approx(1 - _cdf_by_hand(x), abs=1e-12)


def test_interval_ends_are_the_predictive_quantiles() -> None:
    errors = ErrorDistribution.of(FOUR)
    low, high = errors.bounds()
    assert _cdf_by_hand(low) == pytest.approx(0.1, abs=1e-9)
    assert _cdf_by_hand(high) == pytest.approx(0.9, abs=1e-9)
    # wider than the errors themselves: the prior holds a fifth of the mass
    assert low < -0.1 and high > 0.2


def test_identical_errors_leave_the_prior_to_set_the_tails() -> None:
    # four errors of 0 (no kernel width): F(x) = (4 * [x >= 0] + Phi(x / 0.2)) / 5. The 5%
    # quantile has Phi(x / 0.2) / 5 = 0.05, Phi = 0.25, x = 0.2 * -0.6745; the 95% one
    # (4 + Phi) / 5 = 0.95, Phi = 0.75, x = 0.2 * 0.6745
    errors = ErrorDistribution.of([0.0, 0.0, 0.0, 0.0])
    low, high = errors.bounds(0.9)
    assert low == pytest.approx(-0.2 * 0.6744897501960817, abs=1e-9)
    assert high == pytest.approx(0.2 * 0.6744897501960817, abs=1e-9)
    # above every error the prior's tail alone: (0 + 1 - Phi(0.1 / 0.2)) / 5
    assert errors.p_at_least(0.1) == pytest.approx((1 - _phi(0.5)) / 5)
    assert errors.p_at_least(-0.1) == pytest.approx((4 + 1 - _phi(-0.5)) / 5)


def test_without_enough_errors_the_spread_is_a_wide_default() -> None:
    errors = ErrorDistribution.of([0.01, -0.01])
    assert not errors.calibrated
    low, high = errors.bounds()
    assert high == pytest.approx(1.2815515655446004 * DEFAULT_SPREAD) == pytest.approx(-low)
    assert errors.p_at_least(0.0) == pytest.approx(0.5)


def test_probability_is_not_clipped_but_never_certain() -> None:
    twenty = ErrorDistribution.of([-0.10 + 0.01 * k for k in range(20)])
    # far below every error: only the prior's 1 / 21 can miss, and it misses by its
    # normal tail, so the probability passes 95% (no ceiling) and stays below 1
    far_below = twenty.p_at_least(-1.0)
    assert far_below == pytest.approx((20 + 1 - _phi(-1.0 / 0.2)) / 21, abs=1e-9)
    assert 0.95 < far_below < 1
    far_above = twenty.p_at_least(1.0)
    assert far_above == pytest.approx((1 - _phi(1.0 / 0.2)) / 21, abs=1e-9)
    assert 0 < far_above < 0.05
    # the centre of a symmetric sample with a prior centred on 0: one half
    assert twenty.p_at_least(-0.005) == pytest.approx(0.5, abs=0.02)


def test_p_reach_reads_the_target_as_an_error_and_flips_for_lower_is_better() -> None:
    errors = ErrorDistribution.of(FOUR)
    # projected 1000, errors relative to 1000: a target of 1050 needs an error >= 0.05
    above = p_reach(1000.0, 1000.0, errors, 1050.0, "higher")
    assert above == pytest.approx(1 - _cdf_by_hand(0.05))
    assert p_reach(1000.0, 1000.0, errors, 1050.0, "lower") == pytest.approx(1 - above)
    assert normal_cdf(0.0) == 0.5


def test_overlapping_windows_count_as_fewer_errors() -> None:
    # the same four errors from windows sharing their days in threes (a quarter's windows
    # a month apart): the prior weighs 3 and the kernel width uses 4 / 3 errors
    errors = ErrorDistribution.of(FOUR, overlap=3)
    sd = math.sqrt(0.05 / 3)
    width = 0.9 * min(sd, 0.15 / 1.34) * (4 / 3) ** -0.2
    for x in (-0.2, 0.05, 0.3):
        own = sum(_phi((x - e) / width) for e in FOUR)
        assert errors.cdf(x) == pytest.approx((own + 3 * _phi(x / 0.2)) / 7, abs=1e-12)
    # wider than the same errors from months that share nothing
    lone, shared = ErrorDistribution.of(FOUR).bounds(), errors.bounds()
    assert shared[0] < lone[0] and shared[1] > lone[1]


def test_an_outcome_with_a_floor_is_censored_at_it() -> None:
    errors = ErrorDistribution.of(FOUR)
    # far below every error the floor changes nothing but the holding
    assert _cdf_by_hand(-0.6) < 0.1
    assert errors.bounds_at_least(-0.6) == pytest.approx(errors.bounds())
    # at 0, over a tenth of the mass lies below (F(0) by hand): those outcomes sit at the
    # floor, nothing falls below it, and the 80% interval runs from it to the 80% quantile
    assert _cdf_by_hand(0.0) > 0.1
    low, high = errors.bounds_at_least(0.0)
    assert low == 0.0
    assert _cdf_by_hand(high) == pytest.approx(0.8, abs=1e-9)
    # in money: projected 1000 (scale 1000) with 1000 in already
    assert interval(1000.0, 1000.0, errors, floor=1000.0) == pytest.approx(
        (1000.0, 1000.0 + 1000.0 * high)
    )
    # a floor above the whole distribution: the interval is the floor
    assert interval(1000.0, 1000.0, errors, floor=5000.0) == (5000.0, 5000.0)
