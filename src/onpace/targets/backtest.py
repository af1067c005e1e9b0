"""Rolling-origin backtest: how well the forecast does against seasonal naive.

At every origin ``t`` from ``first`` on, each method sees ``y[:t]`` only and
forecasts ``y[t + h - 1]`` for every horizon ``h``. Errors are scaled as in MASE
(Hyndman and Koehler, 2006): by the in-sample mean absolute error of the one-step
seasonal naive forecast on ``y[:t]``, so a MASE below the seasonal-naive one means
the method beats the baseline on this series. ``onpace`` is :func:`forecast.fit`
as the product uses it: with its own selection and fallback, so its number is the
one that must not be worse than seasonal naive.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from onpace.targets.forecast import fit, growth_seasonal_naive, seasonal_naive

Forecast = Callable[[Sequence[float], int, int], float]


def _onpace(y: Sequence[float], h: int, m: int) -> float:
    model = fit(y, m)
    if model is None:
        return float(y[-1])
    return model.predict(h)


METHODS: dict[str, Forecast] = {
    "seasonal_naive": seasonal_naive,
    "growth_seasonal_naive": growth_seasonal_naive,
    "onpace": _onpace,
}


@dataclass(frozen=True)
class BacktestResult:
    """MASE per method over all origins and horizons, and how many forecasts it rests on."""

    series: str
    m: int
    horizons: tuple[int, ...]
    origins: int
    forecasts: int
    mase: dict[str, float]

    @property
    def beats_baseline(self) -> bool:
        return self.mase["onpace"] <= self.mase["seasonal_naive"] + 1e-12


def insample_scale(y: Sequence[float], m: int) -> float:
    """Mean absolute one-step seasonal-naive error on ``y`` (the MASE denominator)."""
    diffs = [abs(float(y[i]) - float(y[i - m])) for i in range(m, len(y))]
    return float(np.mean(diffs)) if diffs else math.nan


def rolling_origin(
    y: Sequence[float],
    m: int,
    horizons: Sequence[int] = (1, 2, 3),
    first: int | None = None,
    name: str = "series",
    methods: dict[str, Forecast] | None = None,
) -> BacktestResult:
    """Backtest ``methods`` on ``y`` from origin ``first`` (default ``2m``, the method's need)."""
    methods = methods or METHODS
    values = [float(v) for v in y]
    start = 2 * m if first is None else first
    scaled: dict[str, list[float]] = {k: [] for k in methods}
    origins = 0
    for t in range(start, len(values)):
        train = values[:t]
        scale = insample_scale(train, m)
        if not scale or math.isnan(scale):
            continue
        used = False
        for h in horizons:
            if t + h - 1 >= len(values):
                break
            actual = values[t + h - 1]
            for key, method in methods.items():
                scaled[key].append(abs(actual - method(train, h, m)) / scale)
            used = True
        origins += used
    if not scaled["seasonal_naive"]:
        raise ValueError(
            f"{name}: {len(values)} values are too few for a backtest from origin {start}"
        )
    return BacktestResult(
        series=name,
        m=m,
        horizons=tuple(horizons),
        origins=origins,
        forecasts=len(scaled["seasonal_naive"]),
        mase={k: float(np.mean(v)) for k, v in scaled.items()},
    )
