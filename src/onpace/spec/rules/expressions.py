"""Rule: filters and value expressions are allowed, and name only their entity's columns.

An expression is parsed the way it will be run (sqlglot, whitelisted nodes and
functions); what is refused says why, and each column it names is checked like any
other column (see :mod:`onpace.spec.rules.columns`).
"""

from __future__ import annotations

from collections.abc import Iterator

from onpace.errors import FilterError, SpecIssue
from onpace.spec.filters import parse_row_expression
from onpace.spec.rules.base import RuleContext
from onpace.spec.rules.columns import check_column
from onpace.spec.rules.reads import expression_uses


def allowed_expressions(ctx: RuleContext) -> Iterator[SpecIssue]:
    """Parse every filter and ``expr``; report refusals and unknown columns."""
    for name, kpi in ctx.kpis.items():
        for use in expression_uses(kpi):
            try:
                parsed = parse_row_expression(use.text, kind=use.kind)
            except FilterError as exc:
                yield ctx.issue(name, use.field, exc.message, exc.fix)
                continue
            for column in parsed.columns:
                issue = check_column(ctx, name, use.field, use.entity, column)
                if issue is not None:
                    yield issue
