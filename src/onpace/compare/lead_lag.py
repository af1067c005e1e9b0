"""Which KPI moves first: correlations of two KPIs' changes at lags of 0 to N periods.

Levels of sales KPIs nearly always move together (they all grow and all peak in
December), so levels say nothing about who leads. Changes do: if web lead forms
jump this month and quotes submitted jump two months later, the month-on-month
changes of the first correlate with those of the second two months on.

For each lag ``k`` the correlation is Pearson's ``r`` between the change of the
leader at ``t`` and the change of the follower at ``t + k``, over the ``n``
periods where both are known. Its confidence interval comes from Fisher's
``z = atanh(r)``, which is close to normal with standard error ``1 / sqrt(n - 3)``.
Picking the best of several lags flatters it, so the headline "A leads B by k"
uses an interval widened for the number of lags tried (Bonferroni) and is made
only when that interval excludes 0. Short series give wide intervals; below
``MIN_PAIRS`` changes the result says it is too short to say.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

Change = Literal["previous", "last_year", "level"]
CHANGES: tuple[Change, ...] = ("previous", "last_year", "level")
MIN_PAIRS = 12
CONFIDENCE = 0.95
# periods in a year per grain, for changes against the same period a year earlier
SEASONS = {"day": 364, "week": 52, "month": 12, "quarter": 4, "year": 1}
_CLIP = 1 - 1e-12


def changes(values: Sequence[float | None], change: Change, season: int = 12) -> list[float | None]:
    """Relative change of each value against the one before (or a season before).

    ``level`` keeps the values. A change from or to a missing value, or from 0, is
    missing: a relative change from 0 has no meaning.
    """
    if change == "level":
        return list(values)
    step = 1 if change == "previous" else season
    out: list[float | None] = [None] * min(step, len(values))
    for i in range(step, len(values)):
        now, then = values[i], values[i - step]
        if now is None or then is None or then == 0 or not math.isfinite(now + then):
            out.append(None)
        else:
            out.append(now / then - 1)
    return out


def pearson(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Pearson's r, or None when either side is constant (or there are fewer than 2 pairs)."""
    n = len(x)
    if n < 2 or n != len(y):
        return None
    mx, my = math.fsum(x) / n, math.fsum(y) / n
    sxy = math.fsum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = math.fsum((a - mx) ** 2 for a in x)
    syy = math.fsum((b - my) ** 2 for b in y)
    if sxx <= 0 or syy <= 0:
        return None
    r = sxy / math.sqrt(sxx * syy)
    return max(-1.0, min(1.0, r))


def fisher_interval(r: float, n: int, confidence: float = CONFIDENCE) -> tuple[float, float] | None:
    """The ``confidence`` interval of a correlation ``r`` from ``n`` pairs (None when n <= 3)."""
    if n <= 3:
        return None
    z = math.atanh(max(-_CLIP, min(_CLIP, r)))
    half = NormalDist().inv_cdf(0.5 + confidence / 2) / math.sqrt(n - 3)
    return math.tanh(z - half), math.tanh(z + half)


@dataclass(frozen=True)
class LagCorrelation:
    """The correlation of ``leader``'s change at t with ``follower``'s at t + ``lag``."""

    leader: str
    follower: str
    lag: int
    n: int
    r: float | None
    low: float | None
    high: float | None

    @property
    def clear(self) -> bool:
        """Whether the interval excludes 0 (the sign of the relation is known)."""
        return self.low is not None and self.high is not None and (self.low > 0 or self.high < 0)


def lagged(
    leader: Sequence[float | None], follower: Sequence[float | None], lag: int
) -> tuple[list[float], list[float]]:
    """The pairs (leader at t, follower at t + lag) where both are known."""
    xs, ys = [], []
    for t in range(len(leader)):
        if t + lag >= len(follower) or t + lag < 0:
            continue
        a, b = leader[t], follower[t + lag]
        if a is not None and b is not None:
            xs.append(a)
            ys.append(b)
    return xs, ys


def correlate(
    leader_name: str,
    leader: Sequence[float | None],
    follower_name: str,
    follower: Sequence[float | None],
    lag: int,
    confidence: float = CONFIDENCE,
) -> LagCorrelation:
    xs, ys = lagged(leader, follower, lag)
    r = pearson(xs, ys)
    interval = fisher_interval(r, len(xs), confidence) if r is not None else None
    low, high = interval if interval else (None, None)
    return LagCorrelation(leader_name, follower_name, lag, len(xs), r, low, high)


@dataclass(frozen=True)
class LeadLag:
    """Every lag of a pair both ways, and the headline: who leads whom, by how much."""

    a: str
    b: str
    lags: list[LagCorrelation]
    best: LagCorrelation | None
    verdict: str
    warning: str | None


def lead_lag(
    a: str,
    a_changes: Sequence[float | None],
    b: str,
    b_changes: Sequence[float | None],
    max_lag: int,
    period_word: str = "period",
    labels: Mapping[str, str] | None = None,
) -> LeadLag:
    """Correlations of ``a`` leading ``b`` and ``b`` leading ``a`` at lags 0..``max_lag``.

    ``labels`` name the KPIs in the verdict (their names are used otherwise).
    """
    rows = [correlate(a, a_changes, b, b_changes, k) for k in range(max_lag + 1)]
    rows += [correlate(b, b_changes, a, a_changes, k) for k in range(1, max_lag + 1)]
    known = [r for r in rows if r.r is not None]
    if not known:
        warning = _short(rows[0].n)
        return LeadLag(a, b, rows, None, warning or "no correlation can be computed", warning)
    best = max(known, key=lambda r: abs(r.r or 0.0))
    warning = _short(best.n)
    adjusted = 1 - (1 - CONFIDENCE) / len(rows)
    strict = correlate(
        best.leader,
        a_changes if best.leader == a else b_changes,
        best.follower,
        b_changes if best.leader == a else a_changes,
        best.lag,
        adjusted,
    )
    verdict = _verdict(best, strict, period_word, labels or {}) if warning is None else warning
    return LeadLag(a, b, rows, best, verdict, warning)


def _short(n: int) -> str | None:
    if n >= MIN_PAIRS:
        return None
    return (
        f"too short to say: only {n} overlapping changes "
        f"(at least {MIN_PAIRS} are needed for a usable interval)"
    )


def _verdict(
    best: LagCorrelation, strict: LagCorrelation, word: str, labels: Mapping[str, str]
) -> str:
    if not strict.clear:
        return "no clear relation: every interval, allowing for the lags tried, includes 0"
    leader = labels.get(best.leader, best.leader)
    follower = labels.get(best.follower, best.follower)
    direction = "rise" if (best.r or 0) > 0 else "fall"
    if best.lag == 0:
        return (
            f"{leader} and {follower} move together in the same {word} "
            f"(r = {best.r:.2f}); when one rises the other tends to {direction}"
        )
    plural = word if best.lag == 1 else word + "s"
    return (
        f"{leader} leads {follower} by about {best.lag} {plural} (r = {best.r:.2f}): "
        f"a rise of {leader} tends to be followed by a {direction} of {follower}"
    )
