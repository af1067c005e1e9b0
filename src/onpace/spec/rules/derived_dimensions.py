"""Rule: a derived KPI is broken down only by dimensions every one of its inputs allows.

``margin = revenue - costs`` by channel needs revenue and costs by channel; costs
have no channel, so the breakdown would silently compare a part with a whole.
"""

from __future__ import annotations

from collections.abc import Iterator

from onpace.errors import SpecIssue
from onpace.spec.kpi import derived_references
from onpace.spec.rules.base import RuleContext


def shared_dimensions(ctx: RuleContext) -> Iterator[SpecIssue]:
    """Report each dimension of a derived KPI that one of its inputs lacks."""
    for name, kpi in ctx.kpis.items():
        refs = [r for r in derived_references(kpi) if r in ctx.kpis and r != name]
        for i, dim in enumerate(kpi.dimensions):
            lacking = [r for r in refs if dim not in ctx.kpis[r].dimensions]
            if not lacking:
                continue
            yield ctx.issue(
                name,
                ("dimensions", i),
                f"'{dim}' is not a dimension of "
                + ", ".join(f"'{r}'" for r in lacking)
                + f", which '{name}' is computed from",
                f"add '{dim}' to the dimensions of " + ", ".join(lacking) + " or remove it here",
            )
