"""Rule: every dimension of a KPI is reachable from each entity the KPI reads.

A ratio over orders and returns can be broken down by ``channel`` only if both
reach a channel (``returns`` through ``order.channel``); a conversion is broken
down by its base event.
"""

from __future__ import annotations

from collections.abc import Iterator

from onpace.errors import SpecIssue, UnknownNameError
from onpace.model.entities import ENTITIES
from onpace.model.paths import resolve
from onpace.spec.rules.base import RuleContext
from onpace.spec.rules.reads import dimension_entities


def reachable_dimensions(ctx: RuleContext) -> Iterator[SpecIssue]:
    """Resolve each dimension from each entity; unknown entities are reported elsewhere."""
    for name, kpi in ctx.kpis.items():
        entities = [e for e in dimension_entities(kpi) if e in ENTITIES]
        for i, dim in enumerate(kpi.dimensions):
            for entity in entities:
                try:
                    resolve(entity, dim)
                except UnknownNameError as exc:
                    yield ctx.issue(
                        name,
                        ("dimensions", i),
                        str(exc),
                        f"remove '{dim}' or name a column reachable from {entity}",
                    )
