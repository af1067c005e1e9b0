"""Rule: the unit fits the KPI type: a duration is measured in days."""

from __future__ import annotations

from collections.abc import Iterator

from onpace.errors import SpecIssue
from onpace.spec.kpi import DurationKpi
from onpace.spec.rules.base import RuleContext


def fitting_units(ctx: RuleContext) -> Iterator[SpecIssue]:
    """A duration in another unit than days is an error (its values are days)."""
    for name, kpi in ctx.kpis.items():
        if isinstance(kpi, DurationKpi) and kpi.unit != "days":
            yield ctx.issue(
                name, ("unit",), f"a duration is measured in days, not {kpi.unit}", "set unit: days"
            )
