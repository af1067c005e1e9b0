"""The forecasting methods, the rolling-origin choice and the projection's summary, by hand."""

from __future__ import annotations

import numpy as np
import pytest

from onpace.targets.candidates import growth_seasonal_naive, mean_of, naive, seasonal_naive
from onpace.targets.forecast import Projection, settled
from onpace.targets.rolling_origin import SeriesModel, _choose, insample_scale, series_model

# two years of monthly values, the second 10% above the first
Y = [10.0 * (i + 1) for i in range(12)] + [11.0 * (i + 1) for i in range(12)]


def test_seasonal_naive_takes_the_same_season_a_year_earlier() -> None:
    assert seasonal_naive(Y, 13, 12).tolist()[:3] == [11.0, 22.0, 33.0]  # type: ignore[union-attr]
    assert seasonal_naive(Y, 13, 12)[12] == 11.0  # type: ignore[index]
    assert seasonal_naive(Y[:11], 1, 12) is None


def test_growth_seasonal_naive_adds_the_trailing_growth() -> None:
    # the last twelve months sum to 858, the twelve before to 780 -> +10%
    assert growth_seasonal_naive(Y, 2, 12) == pytest.approx([11.0 * 1.1, 22.0 * 1.1])
    assert growth_seasonal_naive(Y[:23], 1, 12) is None  # needs two seasons


def test_naive_and_the_mean_of_what_could_forecast() -> None:
    assert naive(Y, 2, 12).tolist() == [132.0, 132.0]  # type: ignore[union-attr]
    assert mean_of([np.array([1.0, 2.0]), None, np.array([3.0, 6.0])]).tolist() == [2.0, 4.0]  # type: ignore[union-attr]
    assert mean_of([None, None]) is None


def _table(
    errors: dict[str, list[float]], values: list[float], first: int
) -> dict[str, np.ndarray]:
    """One-step forecasts off each value by the given error (every horizon the same)."""
    rows = len(values) - first + 1
    out = {}
    for name, errs in errors.items():
        table = np.zeros((rows, 3))
        for i in range(rows):
            t = first + i
            for h in range(3):
                target = t + h
                table[i, h] = values[target] - errs[target] if target < len(values) else 0.0
        out[name] = table
    return out


def test_the_mean_stays_unless_a_method_wins_clearly() -> None:
    values = [100.0] * 20
    # theta is off by 5 every time, the mean by 10: a clear win
    table = _table({"mean": [10.0] * 20, "theta": [5.0] * 20}, values, 3)
    assert _choose(np.array(values), table, 3, 20, ["theta", "mean"]) == "theta"
    # theta off by 0 or 18 in turn: 9 on average against 10, but that is luck, not a clear win
    noisy = _table({"mean": [10.0] * 20, "theta": [0.0, 18.0] * 10}, values, 3)
    assert _choose(np.array(values), noisy, 3, 20, ["theta", "mean"]) == "mean"
    # too few settled forecasts to tell: the mean
    assert _choose(np.array(values), table, 3, 5, ["theta", "mean"]) == "mean"


def test_a_method_that_is_exact_is_chosen() -> None:
    growing = [100.0 * 1.1 ** (i // 12) * (1 + (i % 12) / 10) for i in range(40)]
    model = series_model(growing, 12)
    assert model is not None
    assert model.method == "growth_seasonal_naive"  # seasonal with constant growth: exact
    assert model.predict(1) == pytest.approx(100.0 * 1.1**3 * (1 + 4 / 10))
    assert series_model([1.0], 12) is None


def test_mase_by_hand() -> None:
    y = (10.0, 20.0, 12.0, 20.0, 14.0, 22.0)
    assert insample_scale(y[:4], 2) == pytest.approx(1.0)  # |12-10|, |20-20| -> mean 1
    # seasonal naive from origins 4 and 5 (m = 2): 12 for y[4] = 14, 20 for y[5] = 22
    table = np.array([[12.0, 20.0, np.nan], [20.0, np.nan, np.nan], [14.0, 22.0, np.nan]])
    model = SeriesModel(y, 2, 4, {"seasonal_naive": table}, ("seasonal_naive",) * 3)
    # origin 4: h=1 |14-12| / 1 = 2, h=2 |22-20| / 1 = 2; origin 5: scale mean(2,0,2) = 4/3,
    # |22-20| / (4/3) = 1.5
    assert model.mase("seasonal_naive") == pytest.approx((2 + 2 + 1.5) / 3)
    assert model.truncated(5).values == y[:5]
    assert model.truncated(5).predict(1) == 20.0


def test_projection_summary_says_how_it_was_made() -> None:
    p = Projection(100.0, 90.0, 110.0, 0.5, "theta", mase=0.64, baseline_mase=1.0)
    assert p.summary == "method: Theta, backtest MASE 0.64 vs seasonal naive 1.00"
    blended = Projection(100.0, 90.0, 110.0, 0.5, "mean", 0.7, 1.0, run_rate_weight=0.4)
    assert blended.summary.endswith("; run-rate weight 40%")
    assert settled(120.0, 100.0, "higher").probability == 1.0
    assert settled(120.0, 100.0, "lower").probability == 0.0
    assert settled(None, 100.0, "higher").value is None


def test_a_series_too_short_for_ets_forecasts_its_last_value() -> None:
    """statsforecast's ETS refuses 4 to 6 values ("tiny datasets"): the candidate falls back.

    10, 11, 12, 10, 11, 12 ends on 12, so both steps ahead are 12; with a seventh value
    the model fits and no longer repeats the last value.
    """
    from onpace.targets.candidates import FittedModel

    six = [10.0, 11.0, 12.0, 10.0, 11.0, 12.0]
    fallback = FittedModel("ets", six, 12)
    assert fallback.model is None
    assert list(fallback.forecast(six, 2)) == [12.0, 12.0]  # type: ignore[arg-type]
    seven = [*six, 10.0]
    fitted = FittedModel("ets", seven, 12)
    assert fitted.model is not None
    assert list(fitted.forecast(seven, 1)) != [10.0]  # type: ignore[arg-type]
