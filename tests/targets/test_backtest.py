"""Backtest scores by hand: coverage, width, Brier score and the reliability table."""

from __future__ import annotations

import pytest

from onpace.targets.backtest import Scores, reliability
from onpace.targets.intervals import ErrorDistribution

TWENTY = ErrorDistribution.of([-0.10 + 0.01 * k for k in range(20)])  # bounds -0.089, +0.079


def test_coverage_width_and_brier_of_one_forecast() -> None:
    scores = Scores()
    # forecast 100, errors relative to 100: the interval is 91.1 to 107.9
    scores.add_distribution(105.0, 100.0, TWENTY, 100.0, horizon=1)
    scores.add_distribution(120.0, 100.0, TWENTY, 100.0, horizon=2)
    assert scores.covered == [True, False]
    assert scores.by_horizon == {1: [True], 2: [False]}
    assert scores.widths == pytest.approx([16.8 / 105, 16.8 / 120])
    # targets at 94.5, 99.75, 110.25, 115.5 for the first; reached the first two
    expected = []
    for actual in (105.0, 120.0):
        for offset in (-0.10, -0.05, 0.05, 0.10):
            target = actual * (1 + offset)
            p = TWENTY.p_at_least((target - 100.0) / 100.0)
            expected.append((p - (offset < 0)) ** 2)
    assert scores.brier == pytest.approx(expected)
    summary = scores.summary()
    assert summary["coverage"] == 0.5


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
