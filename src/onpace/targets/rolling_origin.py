"""Rolling-origin forecasts of a monthly series and the method each origin would choose.

:func:`series_model` is a pure function of a series: from every origin ``t`` in
the last :data:`MAX_ORIGINS` months (and from the end of the series), every
candidate of :mod:`onpace.targets.candidates` forecasts horizons ``1..H`` from
``y[:t]`` only. At each origin a method is chosen on the errors of the forecasts
already settled by then (never on the months it is about to forecast):

- the default is ``mean``, the mean of the candidates;
- a single method replaces it only when its errors are lower *and* the paired
  difference is clear: a t statistic above :data:`CLEAR_WIN` (about a 2.5%
  one-sided test) on at least :data:`MIN_PAIRS` settled forecasts.

Why not plainly the lowest backtest error: on two or three years of months the
lowest error is often luck, and a lucky pick does worse than the combination it
replaced (measured in bench/README.md). The rule is the same for every series;
nothing in it is fitted to one.

The same table serves three purposes: the projection (the choice at the end),
the per-horizon errors its intervals are read from (the choices made at each
past origin, so the errors are those of the procedure, selection included),
and the backtest MASE shown beside the method.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from onpace.targets.candidates import (
    SIMPLE,
    SINGLE_METHODS,
    Array,
    FittedModel,
    Values,
    mean_of,
    season,
)

MAX_ORIGINS = 36  # three years of origins: enough to choose and calibrate, cheap to fit
HORIZONS = 24  # a period up to two years ahead can be projected
REFIT_EVERY = 12  # ETS and Theta are re-estimated once a year of origins
SELECTION_HORIZONS = 3  # the errors a method is chosen on: one to three months ahead
CLEAR_WIN = 2.0
MIN_PAIRS = 6
MIN_VALUES = 2
MIN_COMPARABLE = 9


@dataclass(frozen=True)
class SeriesModel:
    """Forecasts from each origin of a series, per method, and the choice at each origin.

    ``forecasts[method][i, h - 1]`` is the forecast made at origin ``first + i``
    (from ``values[:first + i]``) for ``values[first + i + h - 1]``; NaN where the
    method could not forecast. The last origin is ``len(values)``: the live one.
    """

    values: tuple[float, ...]
    m: int
    first: int
    forecasts: dict[str, Array] = field(repr=False)
    chosen: tuple[str, ...]

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def method(self) -> str:
        """The method chosen at the end of the series (the one that projects)."""
        return self.chosen[-1]

    @property
    def baseline(self) -> str:
        """The method errors are compared with: seasonal naive, or naive below a season."""
        if self.n > self.m and "seasonal_naive" in self.forecasts:
            return "seasonal_naive"
        return "naive" if "naive" in self.forecasts else "seasonal_naive"

    def truncated(self, t: int) -> SeriesModel:
        """The model as it stood at origin ``t``: the same forecasts and choices up to ``t``.

        Every forecast and choice at an origin uses only the values before it, so
        this is exactly what :func:`series_model` of ``values[:t]`` would be with
        the same origins and refits; backtests use it instead of refitting.
        """
        if not self.first <= t <= self.n:
            raise ValueError(f"origin {t} is outside {self.first}..{self.n}")
        rows = t - self.first + 1
        return SeriesModel(
            self.values[:t],
            self.m,
            self.first,
            {k: v[:rows] for k, v in self.forecasts.items()},
            self.chosen[:rows],
        )

    def comparable_from(self, t: int) -> int:
        """The earliest origin whose forecasts say something about those made at ``t``.

        Forecasts improve as the history grows: made on under a season (no
        seasonality) or under two (no growth-adjusted seasonal naive, ETS and
        Theta without a season) they err far more than those made on more.
        Mixing them in makes intervals too wide and weights the run-rate too
        high, so once ``t`` has two seasons (or one) of history and
        :data:`MIN_COMPARABLE` origins after that point, only those origins count.
        """
        for tier in (2 * self.m, self.m + 1):
            if t >= tier + MIN_COMPARABLE:
                return max(tier, self.first)
        return self.first

    def has_origin(self, t: int) -> bool:
        return self.first <= t <= self.n

    def forecast_at(self, t: int, method: str | None = None) -> Array:
        """Forecasts for horizons 1..H from origin ``t`` by ``method`` (default: its choice)."""
        name = method or self.chosen[t - self.first]
        row: Array = self.forecasts[name][t - self.first]
        return row

    def predict(self, h: int) -> float:
        """The live forecast ``h`` months after the end of the series."""
        return float(self.forecast_at(self.n)[h - 1])

    def errors(self, horizon: int, method: str | None = None) -> list[tuple[int, float, float]]:
        """(origin, actual, forecast) of every settled forecast ``horizon`` months ahead."""
        out = []
        for t in range(self.first, self.n - horizon + 1):
            f = float(self.forecast_at(t, method)[horizon - 1])
            if math.isfinite(f):
                out.append((t, self.values[t + horizon - 1], f))
        return out

    def mase(self, method: str | None = None, horizons: int = SELECTION_HORIZONS) -> float | None:
        """Backtest MASE over horizons ``1..horizons`` (``method`` None: the choices made)."""
        if method is not None and method not in self.forecasts:
            return None
        scaled = []
        for h in range(1, horizons + 1):
            for t, actual, forecast in self.errors(h, method):
                scale = insample_scale(self.values[:t], self.m)
                if scale > 0:
                    scaled.append(abs(actual - forecast) / scale)
        return float(np.mean(scaled)) if scaled else None


def insample_scale(y: Values, m: int) -> float:
    """Mean absolute error of the in-sample seasonal naive (naive below a season) on ``y``."""
    lag = m if len(y) > m else 1
    diffs = [abs(float(y[i]) - float(y[i - lag])) for i in range(lag, len(y))]
    return float(np.mean(diffs)) if diffs else 0.0


def _candidate_names(n: int, m: int) -> tuple[str, ...]:
    if n > m:
        return (*SINGLE_METHODS, "mean")
    return ("naive", "theta", "ets", "mean")


def _table(
    values: Array, m: int, first: int, horizons: int, names: Sequence[str]
) -> dict[str, Array]:
    n = len(values)
    origins = range(first, n + 1)
    out = {k: np.full((len(origins), horizons), np.nan) for k in names}
    fitted: dict[str, FittedModel] = {}
    for i, t in enumerate(origins):
        history = values[:t]
        parts: list[Array | None] = []
        for name in names:
            if name == "mean":
                continue
            if name in SIMPLE:
                f = SIMPLE[name](history, horizons, m)
            else:
                model = fitted.get(name)
                if model is None or (t - first) % REFIT_EVERY == 0 or model.season != season(t, m):
                    model = fitted[name] = FittedModel(name, history, m)
                f = model.forecast(history, horizons)
            if f is not None:
                out[name][i] = f
            parts.append(f)
        combined = mean_of(parts)
        if combined is not None:
            out["mean"][i] = combined
    return out


def _choose(
    values: Array, table: dict[str, Array], first: int, t: int, names: Sequence[str]
) -> str:
    """The method chosen at origin ``t`` from the forecasts settled before ``t``."""
    errors: dict[str, list[float]] = {k: [] for k in names}
    for origin in range(first, t):
        for h in range(1, SELECTION_HORIZONS + 1):
            target = origin + h - 1
            if target >= t:
                break
            row = {k: table[k][origin - first, h - 1] for k in names}
            if all(math.isfinite(v) for v in row.values()):
                for k, v in row.items():
                    errors[k].append(abs(values[target] - v))
    default = np.asarray(errors["mean"])
    if len(default) < MIN_PAIRS:
        return "mean"
    best, best_error = "mean", float(default.mean())
    for name in names:
        if name == "mean":
            continue
        diff = default - np.asarray(errors[name])
        spread = float(diff.std(ddof=1))
        mean_diff = float(diff.mean())
        if spread > 0:
            clear = mean_diff / (spread / math.sqrt(len(diff))) > CLEAR_WIN
        else:
            clear = mean_diff > 0
        own = float(np.mean(errors[name]))
        if clear and own < best_error:
            best, best_error = name, own
    return best


def series_model(
    y: Values, m: int = 12, horizons: int = HORIZONS, origins: int = MAX_ORIGINS
) -> SeriesModel | None:
    """The rolling-origin table of ``y`` and the method chosen at each origin (None below 2).

    ``origins`` bounds how many past origins are fitted (the cost); a backtest
    asks for all of them and reads earlier states with :meth:`SeriesModel.truncated`.
    """
    return _cached(tuple(float(v) for v in y), m, horizons, origins)


@lru_cache(maxsize=256)
def _cached(values: tuple[float, ...], m: int, horizons: int, origins: int) -> SeriesModel | None:
    n = len(values)
    if n < MIN_VALUES or not all(math.isfinite(v) for v in values):
        return None
    arr = np.asarray(values, dtype=float)
    first = max(MIN_VALUES, n - origins)
    names = _candidate_names(n, m)
    table = _table(arr, m, first, horizons, names)
    usable = [k for k in names if np.isfinite(table[k][-1]).all()]
    chosen = []
    for t in range(first, n + 1):
        names_t = [k for k in names if np.isfinite(table[k][t - first]).all()] or usable
        singles = [k for k in names_t if k != "mean"]
        if len(singles) == 1 or "mean" not in names_t:
            choice = singles[0] if singles else names_t[0]  # a mean of one is that one
        else:
            choice = _choose(arr, table, first, t, names_t)
        chosen.append(choice)
    return SeriesModel(values, m, first, table, tuple(chosen))
