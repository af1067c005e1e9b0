"""Rule: a ratio's multiplier makes sense: never 0, and none on a percent.

Percent values are stored as fractions (0.25 is shown as 25%), so a percent ratio
with ``multiplier: 100`` would show 2500%: that is a warning, not an error, because
the numbers are still computable.
"""

from __future__ import annotations

from collections.abc import Iterator

from onpace.errors import SpecIssue
from onpace.spec.kpi import RatioKpi
from onpace.spec.rules.base import RuleContext


def sensible_multipliers(ctx: RuleContext) -> Iterator[SpecIssue]:
    """Report a zero multiplier (error) and a multiplier on a percent (warning)."""
    for name, kpi in ctx.kpis.items():
        if not isinstance(kpi, RatioKpi):
            continue
        if kpi.multiplier == 0:
            yield ctx.issue(
                name,
                ("multiplier",),
                "multiplier 0 makes every value 0",
                "use 1, or 100 for 'per 100'",
            )
        if kpi.unit == "percent" and kpi.multiplier not in (1, 1.0):
            yield ctx.issue(
                name,
                ("multiplier",),
                "percent values are stored as fractions (0.25 shows as 25%)",
                "drop the multiplier",
                level="warning",
            )
