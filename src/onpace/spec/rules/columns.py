"""Rule: every column a KPI names exists (on its entity or through a relation) with a fitting kind.

A sum or average needs a numeric column, a time column must be a timestamp or a
date; an unknown name gets the closest names reachable from the entity.
"""

from __future__ import annotations

from collections.abc import Iterator

from onpace.errors import SpecIssue, UnknownNameError
from onpace.model.paths import resolve
from onpace.spec.rules.base import Loc, RuleContext
from onpace.spec.rules.reads import column_uses


def check_column(
    ctx: RuleContext,
    kpi: str,
    field: Loc,
    entity: str,
    name: str,
    kinds: tuple[str, ...] | None = None,
    what: str = "column",
) -> SpecIssue | None:
    """The issue with column ``name`` of ``entity`` written at ``field``, if any."""
    try:
        path = resolve(entity, name)
    except UnknownNameError as exc:
        return ctx.issue(kpi, field, str(exc), f"name a {what} of {entity}")
    if kinds and path.column.kind not in kinds:
        return ctx.issue(
            kpi,
            field,
            f"'{name}' is a {path.column.kind} column; a {what} must be " + " or ".join(kinds),
            "choose another column",
        )
    return None


def known_columns(ctx: RuleContext) -> Iterator[SpecIssue]:
    """Check every column, time column and key that the KPIs name."""
    for name, kpi in ctx.kpis.items():
        for use in column_uses(kpi):
            issue = check_column(ctx, name, use.field, use.entity, use.name, use.kinds, use.what)
            if issue is not None:
                yield issue
