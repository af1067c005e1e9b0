"""The blur of a predictive distribution, and its choice on a series' own past, by hand."""

from __future__ import annotations

import math

import pytest

from onpace.targets.intervals import ErrorDistribution
from onpace.targets.tempering import BLURS, THRESHOLDS, blur_scores, choose_blur
from tests.targets.test_intervals import FOUR, _cdf_by_hand


def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def _blurred_by_hand(x: float, blur: float) -> float:
    # FOUR's prior sd is 0.2 (see test_intervals._four_by_hand); the blur's normal is twice that
    return (1 - blur) * _cdf_by_hand(x) + blur * _phi(x / 0.4)


def _score_by_hand(error: float, blur: float) -> float:
    """Brier score of one new error against FOUR, summed over the six thresholds."""
    total = 0.0
    for t in (-0.2, -0.1, -0.05, 0.05, 0.1, 0.2):
        p = 1 - _blurred_by_hand(t, blur)
        total += (p - (1.0 if error >= t else 0.0)) ** 2
    return total


def test_a_blurred_distribution_mixes_in_a_normal_twice_as_wide_as_the_prior() -> None:
    errors = ErrorDistribution.of(FOUR, blur=0.25)
    for x in (-0.5, -0.1, 0.0, 0.12, 0.3):
        assert errors.cdf(x) == pytest.approx(_blurred_by_hand(x, 0.25), abs=1e-12)
        assert errors.p_at_least(x) == pytest.approx(1 - _blurred_by_hand(x, 0.25), abs=1e-12)
    low, high = errors.bounds()
    assert _blurred_by_hand(low, 0.25) == pytest.approx(0.1, abs=1e-9)
    assert _blurred_by_hand(high, 0.25) == pytest.approx(0.9, abs=1e-9)
    sharp_low, sharp_high = ErrorDistribution.of(FOUR).bounds()
    assert low < sharp_low and high > sharp_high  # the tails open
    assert ErrorDistribution.of(FOUR).blurred(0.25) == errors


def test_each_error_is_scored_by_the_errors_before_it() -> None:
    assert THRESHOLDS == (-0.2, -0.1, -0.05, 0.05, 0.1, 0.2) and BLURS == (0.0, 0.25, 0.5)
    # errors 0-3 have nothing before them and are not scored; the fifth is scored by FOUR
    totals, scored = blur_scores([*FOUR, 0.6], [[], [], [], [], [0, 1, 2, 3]])
    assert scored == 1
    assert totals == pytest.approx([_score_by_hand(0.6, b) for b in BLURS], abs=1e-12)


def test_a_past_that_strays_from_its_errors_gets_a_blur_and_one_that_holds_gets_none() -> None:
    earlier = [[], [], [], [], *([[0, 1, 2, 3]] * 6)]
    # 0.6 lies beyond every one of FOUR: the blurs score 1.5132, 1.5027, 1.5133 by hand
    far = [_score_by_hand(0.6, b) for b in BLURS]
    assert far[1] < far[0] and far[1] < far[2]
    assert choose_blur([*FOUR, *([0.6] * 6)], earlier) == 0.25
    # 0.07 lies among them: no blur scores best (0.5417 against 0.6290 and 0.7374)
    near = [_score_by_hand(0.07, b) for b in BLURS]
    assert near[0] < near[1] < near[2]
    assert choose_blur([*FOUR, *([0.07] * 6)], earlier) == 0.0


def test_too_few_scored_errors_keep_the_distribution_unblurred() -> None:
    earlier = [[], [], [], [], *([[0, 1, 2, 3]] * 5)]
    assert choose_blur([*FOUR, *([0.6] * 5)], earlier) == 0.0  # five scored, six needed
