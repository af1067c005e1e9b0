"""How far a series' past errors are trusted: the blur chosen on the series' own past.

A predictive distribution read from past errors (:mod:`onpace.targets.intervals`)
says how the next error falls if the series stays as it was. On many series it
does; on others (a good spell that ends, a sparse series whose few past windows
were calm) the distribution is overconfident, and a probability of 60% comes
true 40% of the time. Which kind a series is, its own past says: each past
error is scored as a new one would be, by the distribution of the errors that
were known before it, with every blur of :data:`BLURS`. The score is the Brier
score of P(error >= t) at each threshold of :data:`THRESHOLDS` (targets a user
could set around a projection), summed over the errors scored.

No blur stands unless at least :data:`MIN_SCORED` errors could be scored and a
blur did strictly better: the choice rests on enough of the series' own past,
never on other series. Measured on bench/forecast_backtest.py's held-out series
(bench/README.md), the Brier score of the pace fell at every checkpoint.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from onpace.targets.intervals import ErrorDistribution

BLURS = (0.0, 0.25, 0.5)
THRESHOLDS = (-0.2, -0.1, -0.05, 0.05, 0.1, 0.2)
MIN_SCORED = 6


def blur_scores(
    errors: Sequence[float], earlier: Sequence[Sequence[int]], overlap: int = 1
) -> tuple[list[float], int]:
    """The summed Brier score of each blur of :data:`BLURS`, and how many errors were scored.

    ``earlier[i]`` lists the indices (into ``errors``) of the errors known
    before ``errors[i]``; an error with fewer than
    :data:`~onpace.targets.intervals.MIN_ERRORS` of them is not scored.
    """
    thresholds = np.asarray(THRESHOLDS, dtype=float)
    blurs = np.asarray(BLURS, dtype=float)[:, None]
    xs = np.broadcast_to(thresholds, (len(BLURS), len(thresholds)))
    totals = np.zeros(len(BLURS))
    scored = 0
    for i, error in enumerate(errors):
        before = ErrorDistribution.of([errors[j] for j in earlier[i]], overlap)
        if not before.calibrated or not math.isfinite(error):
            continue
        scored += 1
        p = 1 - before.cdf_many(xs, blurs)
        totals += ((p - (error >= thresholds)) ** 2).sum(axis=1)
    return totals.tolist(), scored


def choose_blur(
    errors: Sequence[float], earlier: Sequence[Sequence[int]], overlap: int = 1
) -> float:
    """The blur of :data:`BLURS` that scored best on the series' past (see the module doc)."""
    totals, scored = blur_scores(errors, earlier, overlap)
    if scored < MIN_SCORED:
        return 0.0
    best = int(np.argmin(totals))
    return BLURS[best] if totals[best] < totals[0] - 1e-12 else 0.0
