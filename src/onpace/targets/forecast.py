"""A target's projection: the value expected at the end of its period, how sure, and why.

The pieces live in their own modules; this one holds what they produce:

- :mod:`onpace.targets.candidates`: the forecasting methods (seasonal naive,
  growth-adjusted seasonal naive, Theta, ETS, their mean);
- :mod:`onpace.targets.rolling_origin`: rolling-origin forecasts of the monthly series
  and the method each origin chooses;
- :mod:`onpace.targets.profile`: the day-of-week and day-of-month profile;
- :mod:`onpace.targets.nowcast`: the period in progress, actual so far plus the
  expected rest (run-rate and model, blended by the share of the period gone);
- :mod:`onpace.targets.intervals`: intervals and probabilities from the
  backtest's own errors;
- :mod:`onpace.targets.pipeline`: open quotes times the win rate of quotes like them;
- :mod:`onpace.targets.projection`: puts them together for one target.
"""

from __future__ import annotations

from dataclasses import dataclass

from onpace.targets.candidates import METHOD_LABELS


@dataclass(frozen=True)
class Projection:
    """The value expected at the end of the period, an 80% interval, and P(target reached).

    ``method`` is the monthly method behind the projection (``actual`` once the
    period is over). The rest says how it was made and how well that did:
    ``mase`` is the backtest MASE of the method choice on this series (horizons
    1-3 months) and ``baseline_mase`` seasonal naive's on the same origins;
    ``run_rate`` and ``model_value`` are the two estimates blended (with the
    run-rate's weight ``run_rate_weight``); ``pipeline`` is the projection from
    open quotes where the KPI counts won quotes (``pipeline_weight`` its share in
    ``value``); ``rest`` says how the days left of a period in progress were
    projected (the blend, the same weekdays a week earlier, their mean, the
    model's forecast less the actual, or the blend with months weighed as the
    model forecast them), as chosen on past windows at the same share
    of the period; ``backtest_errors`` is how many past windows the interval and
    the probability are read from, and ``calibrated`` whether that is enough to
    rely on them.
    """

    value: float | None
    low: float | None
    high: float | None
    probability: float | None
    method: str
    mase: float | None = None
    baseline_mase: float | None = None
    baseline: str = "seasonal_naive"
    run_rate: float | None = None
    model_value: float | None = None
    run_rate_weight: float | None = None
    pipeline: float | None = None
    pipeline_weight: float | None = None
    series_value: float | None = None
    backtest_errors: int = 0
    calibrated: bool = False
    rest: str | None = None

    @property
    def summary(self) -> str:
        """One line for a page: "method: Theta, backtest MASE 0.64 vs seasonal naive 1.00"."""
        if self.method == "actual":
            return "the period is over: the actual"
        label = METHOD_LABELS.get(self.method, self.method)
        text = f"method: {label}"
        if self.mase is not None and self.baseline_mase is not None:
            base = METHOD_LABELS.get(self.baseline, self.baseline)
            text += f", backtest MASE {self.mase:.2f} vs {base} {self.baseline_mase:.2f}"
        if self.rest is not None and self.rest != "blend":
            text += f"; rest: {self.rest}"
        elif self.run_rate_weight:
            text += f"; run-rate weight {self.run_rate_weight:.0%}"
        if self.pipeline_weight:
            text += f"; pipeline weight {self.pipeline_weight:.0%}"
        return text


def settled(value: float | None, target: float, direction: str) -> Projection:
    """A period that is over: the projection is the actual, reached or not."""
    if value is None:
        return Projection(None, None, None, None, "actual")
    ok = value >= target if direction == "higher" else value <= target
    return Projection(value, value, value, 1.0 if ok else 0.0, "actual", calibrated=True)
