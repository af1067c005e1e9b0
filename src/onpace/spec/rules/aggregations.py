"""Rule: an aggregation has what it aggregates: a column or an expression, not both.

``count`` counts rows and needs neither; every other aggregation (``sum``, ``avg``,
``count_distinct``, ...) needs a column, or for measures an ``expr``.
"""

from __future__ import annotations

from collections.abc import Iterator

from onpace.errors import SpecIssue
from onpace.spec.rules.base import RuleContext
from onpace.spec.rules.reads import aggregation_uses


def aggregated_values(ctx: RuleContext) -> Iterator[SpecIssue]:
    """Report ``column`` and ``expr`` together, and a non-count aggregation of nothing."""
    for name, kpi in ctx.kpis.items():
        for use in aggregation_uses(kpi):
            if use.column and use.expr:
                yield ctx.issue(
                    name,
                    (*use.prefix, "expr"),
                    "give either 'column' or 'expr', not both",
                    "remove one of them",
                )
            if use.agg == "count" or use.column or use.expr:
                continue
            if use.snapshot:
                yield ctx.issue(
                    name, (*use.prefix, "column"), f"'{use.agg}' needs a column", "add 'column:'"
                )
            else:
                yield ctx.issue(
                    name,
                    (*use.prefix, "column"),
                    f"'{use.agg}' needs a column to aggregate",
                    "add 'column:' (or 'expr:'), or use agg: count",
                )
