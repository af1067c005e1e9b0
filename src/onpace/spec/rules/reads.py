"""What a KPI reads, each with the field it is written at: entities, columns, expressions.

The rules about names (entities exist, columns exist and have the right kind,
expressions name only columns of their entity) all walk the same parts of the six
KPI types; this module is that walk, once, so each rule is only its check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from onpace.model.entities import ENTITIES
from onpace.spec.kpi import (
    AnyKpi,
    ConversionKpi,
    ConversionSide,
    DurationKpi,
    Measure,
    RatioKpi,
    SimpleKpi,
    SnapshotKpi,
)
from onpace.spec.rules.base import Loc

NUMERIC = ("money", "number", "integer")
TIME = ("timestamp", "date")


@dataclass(frozen=True)
class EntityUse:
    """An entity named at ``field``."""

    field: Loc
    entity: str


@dataclass(frozen=True)
class ColumnUse:
    """A column (or related column, ``order.channel``) of ``entity`` named at ``field``."""

    field: Loc
    entity: str
    name: str
    kinds: tuple[str, ...] | None = None  # the column kinds allowed here (None: any)
    what: str = "column"


@dataclass(frozen=True)
class ExpressionUse:
    """A filter or value expression over ``entity`` written at ``field``."""

    field: Loc
    entity: str
    text: str
    kind: Literal["filter", "value"]


@dataclass(frozen=True)
class AggregationUse:
    """An aggregation of ``entity`` at ``prefix``: what is aggregated, and how."""

    prefix: Loc
    entity: str
    agg: str
    column: str | None
    expr: str | None
    snapshot: bool = False


def _measures(kpi: AnyKpi) -> list[tuple[Loc, Measure]]:
    if isinstance(kpi, SimpleKpi):
        return [((), kpi.measure)]
    if isinstance(kpi, RatioKpi):
        return [(("numerator",), kpi.numerator), (("denominator",), kpi.denominator)]
    return []


def _known_measures(kpi: AnyKpi) -> list[tuple[Loc, Measure]]:
    return [(prefix, m) for prefix, m in _measures(kpi) if m.entity in ENTITIES]


def _known_sides(kpi: AnyKpi) -> list[tuple[str, ConversionSide]]:
    if not isinstance(kpi, ConversionKpi):
        return []
    sides = (("base", kpi.base), ("conversion", kpi.conversion))
    return [(name, side) for name, side in sides if side.entity in ENTITIES]


def entity_uses(kpi: AnyKpi) -> list[EntityUse]:
    """Every entity ``kpi`` names, at its field (derived KPIs name none)."""
    uses = [EntityUse((*prefix, "entity"), m.entity) for prefix, m in _measures(kpi)]
    if isinstance(kpi, SnapshotKpi | DurationKpi):
        uses.append(EntityUse(("entity",), kpi.entity))
    if isinstance(kpi, ConversionKpi):
        uses.append(EntityUse(("base", "entity"), kpi.base.entity))
        uses.append(EntityUse(("conversion", "entity"), kpi.conversion.entity))
    return uses


def aggregation_uses(kpi: AnyKpi) -> list[AggregationUse]:
    """Every aggregation of ``kpi`` over an entity that exists."""
    uses = [AggregationUse(p, m.entity, m.agg, m.column, m.expr) for p, m in _known_measures(kpi)]
    if isinstance(kpi, SnapshotKpi) and kpi.entity in ENTITIES:
        uses.append(AggregationUse((), kpi.entity, kpi.agg, kpi.column, None, snapshot=True))
    return uses


def column_uses(kpi: AnyKpi) -> list[ColumnUse]:
    """Every column ``kpi`` names on an entity that exists, with the kinds allowed there."""
    uses: list[ColumnUse] = []
    for prefix, m in _known_measures(kpi):
        if m.column:
            kinds = NUMERIC if m.agg in ("sum", "avg", "median") else None
            uses.append(ColumnUse((*prefix, "column"), m.entity, m.column, kinds))
        uses.append(ColumnUse((*prefix, "time"), m.entity, m.time, TIME, "time column"))
    if isinstance(kpi, SnapshotKpi) and kpi.entity in ENTITIES:
        if kpi.column:
            kinds = NUMERIC if kpi.agg == "sum" else None
            uses.append(ColumnUse(("column",), kpi.entity, kpi.column, kinds))
        uses.append(ColumnUse(("start",), kpi.entity, kpi.start, TIME, "time column"))
        if kpi.end:
            uses.append(ColumnUse(("end",), kpi.entity, kpi.end, TIME, "time column"))
    if isinstance(kpi, DurationKpi) and kpi.entity in ENTITIES:
        for name in ("start", "end", "time"):
            value = getattr(kpi, name)
            if value:
                uses.append(ColumnUse((name,), kpi.entity, value, TIME, "time column"))
    for side_name, side in _known_sides(kpi):
        uses.append(ColumnUse((side_name, "time"), side.entity, side.time, TIME, "time column"))
        uses.append(ColumnUse((side_name, "key"), side.entity, side.key))
    return uses


def expression_uses(kpi: AnyKpi) -> list[ExpressionUse]:
    """Every filter and value expression of ``kpi`` over an entity that exists."""
    uses: list[ExpressionUse] = []
    for prefix, m in _known_measures(kpi):
        if m.expr:
            uses.append(ExpressionUse((*prefix, "expr"), m.entity, m.expr, "value"))
        if m.filter:
            uses.append(ExpressionUse((*prefix, "filter"), m.entity, m.filter, "filter"))
    if isinstance(kpi, SnapshotKpi | DurationKpi) and kpi.entity in ENTITIES and kpi.filter:
        uses.append(ExpressionUse(("filter",), kpi.entity, kpi.filter, "filter"))
    for side_name, side in _known_sides(kpi):
        if side.filter:
            uses.append(ExpressionUse((side_name, "filter"), side.entity, side.filter, "filter"))
    return uses


def dimension_entities(kpi: AnyKpi) -> tuple[str, ...]:
    """The entities every dimension of ``kpi`` must be reachable from."""
    if isinstance(kpi, ConversionKpi):
        return (kpi.base.entity,)  # conversions are broken down by the base event
    return tuple(dict.fromkeys(e.entity for e in entity_uses(kpi)))
