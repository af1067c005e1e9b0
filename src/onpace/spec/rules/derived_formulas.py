"""Rule: a derived KPI's formula is allowed and refers to KPIs that exist, not to itself.

An earlier value of the same KPI is written ``prior(x)`` or ``last_year(x)``; a
plain reference to itself has no value to start from.
"""

from __future__ import annotations

from collections.abc import Iterator

from onpace.errors import FilterError, SpecIssue, did_you_mean
from onpace.spec.filters import parse_derived_expression
from onpace.spec.kpi import DerivedKpi
from onpace.spec.rules.base import RuleContext


def known_references(ctx: RuleContext) -> Iterator[SpecIssue]:
    """Parse each formula; report refusals, unknown KPI names and self-references."""
    for name, kpi in ctx.kpis.items():
        if not isinstance(kpi, DerivedKpi):
            continue
        try:
            parsed = parse_derived_expression(kpi.expr)
        except FilterError as exc:
            yield ctx.issue(name, ("expr",), exc.message, exc.fix)
            continue
        for ref in parsed.columns:
            if ref not in ctx.kpis:
                yield ctx.issue(
                    name,
                    ("expr",),
                    f"unknown KPI '{ref}' in {kpi.expr!r}." + did_you_mean(ref, ctx.kpis),
                    "define it or correct the name",
                )
            elif ref == name:
                yield ctx.issue(
                    name,
                    ("expr",),
                    f"'{name}' refers to itself",
                    "use prior() or last_year() for an earlier value of a KPI",
                )
