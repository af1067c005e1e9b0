"""The forecast and its backtest on series small enough to work out by hand."""

from __future__ import annotations

import math

import pytest

from onpace.targets.backtest import insample_scale, rolling_origin
from onpace.targets.forecast import (
    Model,
    fit,
    growth_seasonal_naive,
    project_additive,
    project_level,
    seasonal_naive,
    settled,
)


def phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


# two years of monthly values, the second 10% above the first
Y = [10.0 * (i + 1) for i in range(12)] + [11.0 * (i + 1) for i in range(12)]


def test_seasonal_naive_takes_the_same_season_a_year_earlier() -> None:
    assert seasonal_naive(Y, 1, 12) == 11.0
    assert seasonal_naive(Y, 12, 12) == 132.0
    assert seasonal_naive(Y, 13, 12) == 11.0


def test_growth_seasonal_naive_adds_the_trailing_growth() -> None:
    # the last twelve months sum to 858, the twelve before to 780 -> +10%
    assert growth_seasonal_naive(Y, 1, 12) == pytest.approx(11.0 * 1.1)
    assert growth_seasonal_naive(Y, 2, 12) == pytest.approx(22.0 * 1.1)
    # daily data measures growth over four weeks, per week: (sum last 28 / sum 28 before) ** (1/4)
    days = [1.0] * 28 + [2.0] * 28
    assert growth_seasonal_naive(days, 1, 7) == pytest.approx(2.0 * 2**0.25)


def test_fit_falls_back_with_little_history() -> None:
    assert fit([1.0, 2.0], 12) is None
    short = fit([300.0, 300.0, 240.0], 12)
    assert short is not None and short.method == "recent_mean" and short.predict(3) == 280.0
    assert short.sigma == 0.2  # no residuals yet: the default spread


def test_fit_keeps_seasonal_naive_unless_the_method_wins_clearly() -> None:
    growing = [100.0 * 1.1 ** (i // 12) * (1 + (i % 12) / 10) for i in range(40)]
    chosen = fit(growing, 12)
    assert chosen is not None and chosen.method == "growth_seasonal_naive"
    assert chosen.error_model == "log"
    flat = [10.0 * (1 + i % 12) for i in range(40)]
    flat[-1] = 121.0  # seasonal naive is exact except once: growth gains nothing
    kept = fit(flat, 12)
    assert kept is not None and kept.method == "seasonal_naive"


def test_project_additive_by_hand() -> None:
    model = Model("recent_mean", (300.0, 300.0, 240.0), 12, "log", 0.1)
    p = project_additive(450.0, [(1, 0.5), (2, 1.0)], model, 900.0, "higher")
    assert p.value == pytest.approx(870.0)
    spread = 0.1 * math.sqrt((140 * 1 + 280 * 2) / 420)
    assert p.high == pytest.approx(450 + 420 * math.exp(1.2815515655446004 * spread))
    assert p.probability == pytest.approx(1 - phi((math.log(450) - math.log(420)) / spread))
    lower = project_additive(450.0, [(1, 0.5), (2, 1.0)], model, 900.0, "lower")
    assert lower.probability == pytest.approx(1 - p.probability)  # type: ignore[operator]
    already = project_additive(950.0, [(1, 1.0)], model, 900.0, "higher")
    assert already.probability == 1.0


def test_project_level_weighs_the_rate_so_far_and_the_forecast_by_time() -> None:
    model = Model("recent_mean", (0.1, 0.1, 0.1), 12, "absolute", 0.01)
    # half the period gone at 20%, the other half forecast at 10% -> 15%
    p = project_level(0.2, 0.5, [(1, 0.5)], model, 0.12, "lower")
    assert p.value == pytest.approx(0.15)
    sd = 0.01 * 1 * 0.5
    assert p.probability == pytest.approx(1 - (1 - phi((0.12 - 0.15) / sd)))


def test_settled_period() -> None:
    assert settled(120.0, 100.0, "higher").probability == 1.0
    assert settled(120.0, 100.0, "lower").probability == 0.0
    assert settled(None, 100.0, "higher").value is None


def test_mase_by_hand() -> None:
    y = [10.0, 20.0, 10.0, 20.0, 12.0, 22.0]
    # in-sample seasonal naive (m=2) errors on the first 4 values: |10-10|, |20-20| -> 0
    assert insample_scale(y[:4], 2) == 0.0
    y = [10.0, 20.0, 12.0, 20.0, 14.0, 22.0]
    assert insample_scale(y[:4], 2) == pytest.approx(1.0)  # |12-10|, |20-20| -> mean 1
    r = rolling_origin(y, 2, horizons=(1,), first=4)
    # origin 4: scale 1, seasonal naive 12 vs 14 -> 2; origin 5: scale mean(2,0,2)=4/3,
    # forecast 20 vs 22 -> 2 / (4/3) = 1.5; MASE = (2 + 1.5) / 2
    assert r.mase["seasonal_naive"] == pytest.approx(1.75)
    assert r.forecasts == 2 and r.origins == 2
    with pytest.raises(ValueError, match="too few"):
        rolling_origin([1.0, 2.0], 2)
