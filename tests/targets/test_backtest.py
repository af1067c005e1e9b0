"""Backtest scores by hand: coverage, width, Brier score and the reliability table."""

from __future__ import annotations

import pytest

from onpace.targets.backtest import Scores, reliability
from onpace.targets.intervals import ErrorDistribution

TWENTY = ErrorDistribution.of([-0.10 + 0.01 * k for k in range(20)])


def test_coverage_width_and_brier_of_one_forecast() -> None:
    scores = Scores()
    # forecast 100, errors relative to 100: the interval is 100 + 100 * (low, high), the
    # quantiles tested by hand in test_intervals; here about -0.10 and +0.09
    low, high = TWENTY.bounds()
    assert -0.2 < low < -0.08 and 0.07 < high < 0.2
    scores.add_distribution(105.0, 100.0, TWENTY, 100.0, horizon=1)
    scores.add_distribution(130.0, 100.0, TWENTY, 100.0, horizon=2)
    assert scores.covered == [True, False]
    assert scores.by_horizon == {1: [True], 2: [False]}
    width = 100 * (high - low)
    assert scores.widths == pytest.approx([width / 105, width / 130])
    # targets at 94.5, 99.75, 110.25, 115.5 for the first; reached the first two
    expected = []
    for actual in (105.0, 130.0):
        for offset in (-0.10, -0.05, 0.05, 0.10):
            target = actual * (1 + offset)
            p = TWENTY.p_at_least((target - 100.0) / 100.0)
            expected.append((p - (offset < 0)) ** 2)
    assert scores.brier == pytest.approx(expected)
    summary = scores.summary()
    assert summary["coverage"] == 0.5


def test_a_floor_holds_the_interval_and_settles_passed_targets() -> None:
    scores = Scores()
    # 96 is in already: past errors below -4% are outcomes at 96 (a censored distribution,
    # tested in test_intervals), here over a tenth of them, so the interval is 96 to the
    # 80% quantile
    assert TWENTY.cdf(-0.04) > 0.1
    high = TWENTY.quantile(0.8)
    # and 96 is in already and cannot be lost: the interval starts there, and the targets at
    # 94.5 and 99.75 (of an actual of 105), only 94.5 is at or below the floor
    scores.add_distribution(105.0, 100.0, TWENTY, 100.0, floor=96.0)
    assert scores.widths == pytest.approx([(100 * (1 + high) - 96.0) / 105])
    assert scores.pairs[0] == (1.0, True)  # 94.5 <= 96: reached for certain
    assert scores.pairs[1] == (pytest.approx(TWENTY.p_at_least(-0.0025)), True)


def test_uncalibrated_distributions_are_not_scored() -> None:
    scores = Scores()
    scores.add_distribution(105.0, 100.0, ErrorDistribution.of([0.0]), 100.0)
    assert scores.covered == [] and scores.brier == []


def test_mase_and_smape_points() -> None:
    scores = Scores()
    scores.add_point(110.0, 100.0, 5.0)
    scores.add_point(0.0, 0.0, 5.0)  # nothing sold, nothing forecast: no sMAPE term
    assert scores.scaled == [2.0, 0.0]
    assert scores.smape == pytest.approx([2 * 10 / 210])


def test_reliability_table_bins_probabilities_and_counts_hits() -> None:
    pairs = [(0.05, False), (0.08, True), (0.2, False), (0.95, True), (1.0, True)]
    rows = reliability(pairs)
    assert [(r.low, r.high, r.count) for r in rows] == [
        (0.0, 0.1, 2),
        (0.1, 0.3, 1),
        (0.3, 0.5, 0),
        (0.5, 0.7, 0),
        (0.7, 0.9, 0),
        (0.9, 1.0, 2),
    ]
    assert rows[0].mean_probability == pytest.approx(0.065)
    assert rows[0].reached == 0.5
    assert rows[2].reached is None
    assert rows[5].reached == 1.0


def test_quarters_backtested_are_the_last_whole_calendar_quarters() -> None:
    from datetime import date

    from onpace.targets.backtest import periods_of
    from onpace.targets.nowcast import DailySeries

    # 1 Jan 2024 to 14 Nov 2025 (exclusive): the quarter of November is not over
    daily = DailySeries.of(date(2024, 1, 1), [1.0] * (date(2025, 11, 14) - date(2024, 1, 1)).days)
    assert periods_of(daily, "quarter", 2) == [
        (date(2025, 4, 1), date(2025, 7, 1)),
        (date(2025, 7, 1), date(2025, 10, 1)),
    ]
    assert len(periods_of(daily, "quarter", 99)) == 7  # 2024-Q1 to 2025-Q3


def test_a_baseline_is_calibrated_on_its_own_earlier_errors() -> None:
    from onpace.targets.backtest import _PaceTally

    tally = _PaceTally(("onpace", "run_rate"), (0.5,))
    # run-rate off by -10%, -5%, 0%, +5% of its projection on four earlier periods
    for value, total in ((100.0, 90.0), (100.0, 95.0), (100.0, 100.0), (100.0, 105.0)):
        tally.add("run_rate", 0.5, value, total)
    assert tally.scores["run_rate"][0.5].covered == []  # no earlier errors to read from
    # the fifth: four errors, mean -2.5%, sd 6.455%; the normal interval with t(3) = 1.638
    tally.add("run_rate", 0.5, 200.0, 230.0)
    sd = 0.06454972243679028 * (1 + 1 / 4) ** 0.5
    high = 200 * (1 + (-0.025 + 1.638 * sd))
    assert high < 230 and tally.scores["run_rate"][0.5].covered == [False]
    # the errors of the total scored are relative to the total
    expected = [10 / 90, 5 / 95, 0.0, 5 / 105, 30 / 230]
    assert tally.errors["run_rate"][0.5] == pytest.approx(expected)


def test_targets_set_before_the_outcome_lie_on_the_forecast() -> None:
    scores = Scores()
    # forecast 100, scale 100: targets at 90, 95, 105, 110 whatever the outcome; an actual
    # of 105 reaches the first three; 96 in already settles the two below it
    scores.add_distribution(105.0, 100.0, TWENTY, 100.0, floor=96.0)
    assert [r for _, r in scores.ex_ante] == [True, True, True, False]
    assert [p for p, _ in scores.ex_ante] == pytest.approx(
        [1.0, 1.0, TWENTY.p_at_least(0.05), TWENTY.p_at_least(0.10)]
    )
    by_hand = ((1 - TWENTY.p_at_least(0.05)) ** 2 + TWENTY.p_at_least(0.10) ** 2) / 4
    assert scores.summary()["brier_ex_ante"] == pytest.approx(by_hand)
