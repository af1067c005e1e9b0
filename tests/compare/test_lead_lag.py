"""Lagged correlations and Fisher intervals on constructed series with known answers."""

from __future__ import annotations

import math

import pytest

from onpace.compare.lead_lag import (
    MIN_PAIRS,
    changes,
    correlate,
    fisher_interval,
    lead_lag,
    pearson,
)


def test_pearson_by_hand() -> None:
    # x = 1 2 3 4, y = 2 1 4 3: means 2.5 and 2.5; deviations -1.5 -.5 .5 1.5 / -.5 -1.5 1.5 .5
    # sxy = .75 + .75 + .75 + .75 = 3, sxx = syy = 5: r = 0.6
    assert pearson([1, 2, 3, 4], [2, 1, 4, 3]) == pytest.approx(0.6)
    assert pearson([1, 1, 1], [1, 2, 3]) is None  # constant: no correlation
    assert pearson([1.0], [2.0]) is None


def test_fisher_interval_by_hand() -> None:
    # r = 0.5, n = 28: z = atanh(0.5) = 0.549306, se = 1/sqrt(25) = 0.2, 1.959964 * 0.2 = 0.391993
    # z range 0.157313 .. 0.941299 -> r range tanh: 0.156028 .. 0.735819
    low, high = fisher_interval(0.5, 28) or (0, 0)
    assert low == pytest.approx(0.156028, abs=1e-6)
    assert high == pytest.approx(0.735819, abs=1e-6)
    assert fisher_interval(0.5, 3) is None
    low, high = fisher_interval(1.0, 20) or (0, 0)  # a perfect correlation stays finite
    assert high == pytest.approx(1.0) and low > 0.99


def test_changes() -> None:
    assert changes([100.0, 110.0, None, 121.0, 0.0, 5.0], "previous") == [
        None,
        pytest.approx(0.1),
        None,
        None,
        -1.0,
        None,  # from 0 a relative change means nothing
    ]
    assert changes([1.0, 2.0, 3.0, 4.0], "last_year", season=2) == [None, None, 2.0, 1.0]
    assert changes([1.0, None], "level") == [1.0, None]


# A leader's changes, and a follower that repeats them two periods later.
LEADER = [0.1, -0.2, 0.05, 0.3, -0.1, 0.0, 0.2, -0.3, 0.15, 0.05, -0.05, 0.25, -0.15, 0.1, 0.0]
LEADER += [-0.1, 0.2, 0.1, -0.25, 0.05]
FOLLOWER = [None, None, *LEADER[:-2]]


def test_a_known_lag_is_found() -> None:
    at_two = correlate("forms", LEADER, "quotes", FOLLOWER, 2)
    assert at_two.r == pytest.approx(1.0)
    assert at_two.n == len(LEADER) - 2
    result = lead_lag("forms", LEADER, "quotes", FOLLOWER, 3, "month")
    assert result.best is not None
    assert (result.best.leader, result.best.lag) == ("forms", 2)
    assert result.warning is None
    assert "forms leads quotes by about 2 months" in result.verdict
    # every lag both ways: 0..3 one way, 1..3 the other
    assert [(r.leader, r.lag) for r in result.lags] == [
        ("forms", 0),
        ("forms", 1),
        ("forms", 2),
        ("forms", 3),
        ("quotes", 1),
        ("quotes", 2),
        ("quotes", 3),
    ]


def test_lag_one_by_hand() -> None:
    # leader 1 0 2 1 3, follower the leader one period later minus noise:
    # pairs at lag 1: (1,1) (0,-1) (2,2) (1,0): x 1 0 2 1, y 1 -1 2 0
    # means 1 and 0.5; dx 0 -1 1 0; dy .5 -1.5 1.5 -.5: sxy = 0 + 1.5 + 1.5 + 0 = 3
    # sxx = 2, syy = .25 + 2.25 + 2.25 + .25 = 5: r = 3 / sqrt(10) = 0.948683
    result = correlate("a", [1, 0, 2, 1, 3], "b", [9, 1, -1, 2, 0], 1)
    assert result.n == 4
    assert result.r == pytest.approx(3 / math.sqrt(10))


def test_too_short_to_say() -> None:
    short = lead_lag("a", LEADER[:8], "b", FOLLOWER[:8], 2)
    assert short.warning is not None and "too short" in short.warning
    assert short.verdict == short.warning
    assert MIN_PAIRS > 6


def test_unrelated_series_give_no_clear_relation() -> None:
    a = [math.sin(i * 1.3) for i in range(40)]
    b = [math.cos(i * 2.9 + 0.4) for i in range(40)]
    result = lead_lag("a", a, "b", b, 2)
    assert result.warning is None
    assert result.verdict.startswith("no clear relation")
