"""Rule: every entity a KPI names is one of the sales data model's entities."""

from __future__ import annotations

from collections.abc import Iterator

from onpace.errors import SpecIssue, did_you_mean
from onpace.model.entities import ENTITIES
from onpace.spec.rules.base import RuleContext
from onpace.spec.rules.reads import entity_uses


def known_entities(ctx: RuleContext) -> Iterator[SpecIssue]:
    """``entity: ordres`` is reported with the closest entity; its other fields are skipped."""
    for name, kpi in ctx.kpis.items():
        for use in entity_uses(kpi):
            if use.entity not in ENTITIES:
                yield ctx.issue(
                    name,
                    use.field,
                    f"unknown entity '{use.entity}'." + did_you_mean(use.entity, ENTITIES),
                    "use one of " + ", ".join(ENTITIES),
                )
