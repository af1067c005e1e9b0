"""Split the change of a KPI over its drivers, exactly: the parts add up to the change.

For a sum (``net growth = won - lost``) each driver's part is its own change, with
its sign: nothing to choose. For a product (``revenue = customers x orders per
customer x order value``) the change of one driver is worth more when the others
grew too, and that interaction has to be shared out. Two methods do it exactly:

- **Shapley** (the default): a driver's part is its average effect over every
  order in which the drivers could have moved from their old to their new value.
  It needs no assumption about the values, so it works when a driver is 0 or
  negative (a new channel, a loss-making month), and it treats drivers
  symmetrically: two drivers that grew by the same factor get the same part.
- **LMDI** (``log``): a driver's part is the change of the KPI times the share of
  its log-change in the KPI's log-change, weighted with the logarithmic mean.
  Parts of nested trees add up (the split of revenue inside gross profit is the
  same as on its own), but every value must be positive.

Both split exactly ``f(after) - f(before)`` of the formula; any difference between
that and the KPI's own change (rounding, an identity that does not hold) is
reported apart by :mod:`onpace.compare.explain`, never hidden in a driver.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import Literal

from onpace.compare.formula import TreeFormula
from onpace.errors import AttributionError

Method = Literal["shapley", "lmdi"]
METHODS: tuple[Method, ...] = ("shapley", "lmdi")


def _check(formula: TreeFormula, before: Mapping[str, float], after: Mapping[str, float]) -> None:
    for side, values in (("before", before), ("after", after)):
        for t in formula.terms:
            value = values.get(t.kpi)
            if value is None or not math.isfinite(value):
                raise AttributionError(f"driver '{t.kpi}' has no value {side}")
            if formula.kind == "product" and t.power < 0 and value == 0:
                raise AttributionError(
                    f"driver '{t.kpi}' is 0 {side} and divides the formula, so it has no value"
                )


def additive_parts(
    formula: TreeFormula, before: Mapping[str, float], after: Mapping[str, float]
) -> dict[str, float]:
    """For a sum: each driver's change, signed as in the formula."""
    _check(formula, before, after)
    return {t.kpi: t.power * (after[t.kpi] - before[t.kpi]) for t in formula.terms}


def shapley_parts(
    formula: TreeFormula, before: Mapping[str, float], after: Mapping[str, float]
) -> dict[str, float]:
    """Shapley value of every driver of a product (or a sum, where it is the plain change).

    With ``n`` drivers, driver ``i`` gets the weighted average over every set ``S``
    of the other drivers of ``f(S + i at new) - f(S at new)``, weight
    ``|S|! (n - |S| - 1)! / n!``; the parts sum to ``f(after) - f(before)``.
    """
    _check(formula, before, after)
    if formula.kind == "sum":
        return additive_parts(formula, before, after)
    names = formula.kpis
    n = len(names)

    def value(moved: frozenset[str]) -> float:
        return formula.evaluate({k: (after[k] if k in moved else before[k]) for k in names})

    memo: dict[frozenset[str], float] = {}

    def f(moved: frozenset[str]) -> float:
        if moved not in memo:
            memo[moved] = value(moved)
        return memo[moved]

    weights = [math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) for s in range(n)]
    parts: dict[str, float] = {}
    for name in names:
        others = [k for k in names if k != name]
        terms = []
        for size in range(n):
            for subset in itertools.combinations(others, size):
                moved = frozenset(subset)
                terms.append(weights[size] * (f(moved | {name}) - f(moved)))
        parts[name] = math.fsum(terms)
    return parts


def log_mean(a: float, b: float) -> float:
    """The logarithmic mean ``(a - b) / (ln a - ln b)``, and ``a`` when ``a == b``."""
    if a == b:
        return a
    return (a - b) / (math.log(a) - math.log(b))


def lmdi_parts(
    formula: TreeFormula, before: Mapping[str, float], after: Mapping[str, float]
) -> dict[str, float]:
    """LMDI-I split of a product: ``L(V1, V0) * power * ln(x1 / x0)`` per driver."""
    _check(formula, before, after)
    if formula.kind == "sum":
        return additive_parts(formula, before, after)
    for side, values in (("before", before), ("after", after)):
        bad = [t.kpi for t in formula.terms if values[t.kpi] <= 0]
        if bad:
            raise AttributionError(
                f"the log split needs positive values, but {', '.join(bad)} is "
                f"{values[bad[0]]:g} {side}; use the Shapley split"
            )
    v0, v1 = formula.evaluate(before), formula.evaluate(after)
    weight = log_mean(v1, v0)
    return {t.kpi: weight * t.power * math.log(after[t.kpi] / before[t.kpi]) for t in formula.terms}


def attribute(
    formula: TreeFormula,
    before: Mapping[str, float],
    after: Mapping[str, float],
    method: Method = "shapley",
) -> dict[str, float]:
    """Each driver's part of ``formula(after) - formula(before)``, by ``method``."""
    if method == "shapley":
        return shapley_parts(formula, before, after)
    if method == "lmdi":
        return lmdi_parts(formula, before, after)
    raise AttributionError(f"unknown method {method!r}; use shapley or lmdi")
