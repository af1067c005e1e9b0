"""The forecasting methods a KPI's monthly series chooses among, each a pure function.

Every method maps a history ``y[0..n)`` to forecasts for horizons ``1..H``, or
``None`` when the history is too short for it:

- ``seasonal_naive``: the same month one season earlier (needs ``m`` values).
  It is the baseline every error is scaled by (MASE).
- ``growth_seasonal_naive``: seasonal naive times the trailing growth: the last
  ``m`` values over the ``m`` before them (needs ``2m``). The forecast a sales
  manager checks by hand.
- ``theta``: the Theta method (statsforecast's ``AutoTheta``: classical seasonal
  decomposition when the series is seasonal, exponential smoothing with drift).
- ``ets``: exponential smoothing, error/trend/season chosen by AICc
  (statsforecast's ``AutoETS``).
- ``mean``: the mean of the others that could forecast. Combinations are the most
  robust choice on short, noisy series (the M3 and M4 competitions), so it is
  also the default a single method must beat clearly.
- ``naive`` (the last value) stands in for seasonal naive below one season of
  history.

statsforecast takes about two seconds to import, so it is imported on first use
only; its fits are what makes a series' backtest cost anything, which is why
:mod:`onpace.targets.rolling_origin` fits ETS and Theta once every
:data:`REFIT_EVERY` origins and applies the fitted models to the longer
histories in between (statsforecast's ``forward``).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
Values = Sequence[float] | Array
Method = Literal["seasonal_naive", "growth_seasonal_naive", "theta", "ets", "mean", "naive"]
SINGLE_METHODS: tuple[Method, ...] = ("seasonal_naive", "growth_seasonal_naive", "theta", "ets")
METHOD_LABELS: dict[str, str] = {
    "seasonal_naive": "seasonal naive",
    "growth_seasonal_naive": "growth-adjusted seasonal naive",
    "theta": "Theta",
    "ets": "ETS",
    "mean": "mean of seasonal naive, growth-adjusted, Theta and ETS",
    "naive": "naive (last value)",
    "run_rate": "run-rate (under two months of history)",
}
MIN_FITTED = 4  # statsforecast's exponential smoothing needs a few values to fit at all


def seasonal_naive(y: Values, horizons: int, m: int) -> Array | None:
    """``y[n + h - m*ceil(h/m) - 1]``: the same season one (or more) seasons back."""
    n = len(y)
    if n < m:
        return None
    return np.array([float(y[n + h - m * math.ceil(h / m) - 1]) for h in range(1, horizons + 1)])


def naive(y: Values, horizons: int, m: int) -> Array | None:
    """The last value, for every horizon."""
    if not len(y):
        return None
    return np.full(horizons, float(y[-1]))


def growth_seasonal_naive(y: Values, horizons: int, m: int) -> Array | None:
    """Seasonal naive times the growth of the last season over the one before."""
    base = seasonal_naive(y, horizons, m)
    if base is None or len(y) < 2 * m:
        return None
    last = float(np.sum(y[-m:]))
    before = float(np.sum(y[-2 * m : -m]))
    if last <= 0 or before <= 0:
        return base
    return base * (last / before)


# What a fit or a forecast raises on a series it cannot model: a singular matrix, a
# zero variance, a domain error, or statsforecast's ETS refusing a series too short
# for its parameters (it raises NotImplementedError("tiny datasets")). The candidate
# then forecasts the last value and loses the backtest to the others; anything else
# is a bug and is left to surface.
NUMERIC_FAILURES = (ValueError, ZeroDivisionError, NotImplementedError, np.linalg.LinAlgError)


def season(n: int, m: int) -> int:
    """The season length handed to statsforecast: ``m`` with two seasons of data, else 1."""
    return m if n >= 2 * m else 1


def _statsforecast_model(kind: str, season: int) -> Any:
    from statsforecast.models import AutoETS, AutoTheta

    return AutoETS(season_length=season) if kind == "ets" else AutoTheta(season_length=season)


class FittedModel:
    """A statsforecast model fitted once, applied to longer histories without refitting."""

    def __init__(self, kind: str, y: Values, m: int) -> None:
        self.kind = kind
        self.season = season(len(y), m)
        self.model: Any = None
        if len(y) < MIN_FITTED or float(np.ptp(np.asarray(y, dtype=float))) == 0.0:
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                self.model = _statsforecast_model(kind, self.season).fit(np.asarray(y, dtype=float))
            except NUMERIC_FAILURES:
                self.model = None

    def forecast(self, y: Values, horizons: int) -> Array | None:
        """Forecasts after ``y`` (which extends the fitted history) with the fitted parameters."""
        values = np.asarray(y, dtype=float)
        if self.model is None:
            return _flat(values, horizons)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                out = self.model.forward(y=values, h=horizons)["mean"]
            except NUMERIC_FAILURES:
                return _flat(values, horizons)
        result = np.asarray(out, dtype=float)
        return result if np.all(np.isfinite(result)) else _flat(values, horizons)


def _flat(values: Array, horizons: int) -> Array | None:
    """A constant series (or one too short to fit) is forecast by its last value."""
    if len(values) < MIN_FITTED:
        return None
    return np.full(horizons, float(values[-1]))


def theta(y: Values, horizons: int, m: int) -> Array | None:
    """statsforecast's AutoTheta fitted on ``y``."""
    return FittedModel("theta", y, m).forecast(y, horizons)


def ets(y: Values, horizons: int, m: int) -> Array | None:
    """statsforecast's AutoETS fitted on ``y``."""
    return FittedModel("ets", y, m).forecast(y, horizons)


def mean_of(forecasts: Sequence[Array | None]) -> Array | None:
    """The mean of the forecasts that exist (None when none does)."""
    present = [f for f in forecasts if f is not None]
    if not present:
        return None
    return np.asarray(np.mean(present, axis=0), dtype=float)


SIMPLE: dict[str, Callable[[Values, int, int], Array | None]] = {
    "seasonal_naive": seasonal_naive,
    "growth_seasonal_naive": growth_seasonal_naive,
    "naive": naive,
}
