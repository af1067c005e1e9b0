"""Plan: turn the KPIs asked for into as few queries as possible.

Every simple, ratio and duration KPI is made of *measures* (an aggregation with a
filter over one entity, placed in periods by one time column). Measures that read
the same entity through the same time column are computed by one grouped query,
each with its own ``FILTER (WHERE ...)``, so the catalog's twenty order-based
numbers cost one scan of ``orders``. Identical measures used by several KPIs (the
revenue inside average order value and margin %) are computed once.

Snapshots and conversions need joins against a period spine or another entity and
get queries of their own. Derived KPIs need no query: they are evaluated from
their inputs after the queries ran.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from onpace.errors import UnknownNameError, did_you_mean
from onpace.spec.kpi import (
    AnyKpi,
    ConversionKpi,
    DerivedKpi,
    DurationKpi,
    Measure,
    RatioKpi,
    SimpleKpi,
    SnapshotKpi,
    derived_references,
    lagged_references,
)

# filters are parsed with sqlglot when a plan is built, not when the module is imported:
# the KPIs' dependencies (expand) are wanted where no query is planned
if TYPE_CHECKING:
    from onpace.spec.filters import ParsedExpression

ValueKind = Literal["rows", "column", "expr", "duration"]


@dataclass(frozen=True)
class MeasureSpec:
    """One aggregate column of a grouped query."""

    agg: str
    kind: ValueKind
    column: str | None = None
    expr: ParsedExpression | None = None
    start: str | None = None
    end: str | None = None
    filter: ParsedExpression | None = None

    @property
    def signature(self) -> tuple[object, ...]:
        return (
            self.agg,
            self.kind,
            self.column,
            self.expr.text if self.expr else None,
            self.start,
            self.end,
            self.filter.text if self.filter else None,
        )


@dataclass
class AggregateQuery:
    """One grouped query: every measure over ``entity`` placed by ``time``."""

    entity: str
    time: str
    measures: dict[str, MeasureSpec] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return (self.entity, self.time)


@dataclass(frozen=True)
class MeasureRef:
    """Where a measure's values will be: query key plus column id."""

    query: tuple[str, str]
    column: str
    spec: MeasureSpec
    entity: str


@dataclass
class Plan:
    """Queries to run and, for every KPI, where its inputs come from."""

    order: list[str]
    kpis: dict[str, AnyKpi]
    aggregates: dict[tuple[str, str], AggregateQuery] = field(default_factory=dict)
    refs: dict[str, dict[str, MeasureRef]] = field(default_factory=dict)
    snapshots: list[str] = field(default_factory=list)
    conversions: list[str] = field(default_factory=list)
    derived: list[str] = field(default_factory=list)
    # KPIs formulas read earlier, by how: {"prior": {"revenue"}, "last_year": {...}}
    lags: dict[str, set[str]] = field(default_factory=dict)

    @property
    def uses_lag(self) -> bool:
        """Whether a formula reads a KPI of an earlier period (prior() or last_year())."""
        return bool(self.lags)

    def add_measure(self, entity: str, time: str, spec: MeasureSpec) -> MeasureRef:
        query = self.aggregates.setdefault((entity, time), AggregateQuery(entity, time))
        for column_id, existing in query.measures.items():
            if existing.signature == spec.signature:
                return MeasureRef(query.key, column_id, existing, entity)
        column_id = f"m{len(query.measures)}"
        query.measures[column_id] = spec
        return MeasureRef(query.key, column_id, spec, entity)


def parsed_filter(text: str | None) -> ParsedExpression | None:
    """A KPI's filter, parsed and checked (None when it has none)."""
    from onpace.spec.filters import parse_row_expression

    return parse_row_expression(text, kind="filter") if text else None


def measure_spec(m: Measure) -> MeasureSpec:
    """The aggregate column a spec measure becomes."""
    from onpace.spec.filters import parse_row_expression

    if m.expr:
        return MeasureSpec(
            m.agg,
            "expr",
            expr=parse_row_expression(m.expr, kind="value"),
            filter=parsed_filter(m.filter),
        )
    if m.column:
        return MeasureSpec(m.agg, "column", column=m.column, filter=parsed_filter(m.filter))
    return MeasureSpec("count", "rows", filter=parsed_filter(m.filter))


def expand(names: list[str], kpis: dict[str, AnyKpi]) -> list[str]:
    """``names`` plus every KPI a derived one among them needs, inputs first."""
    ordered: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        if name not in kpis:
            raise UnknownNameError(f"unknown KPI '{name}'." + did_you_mean(name, kpis))
        seen.add(name)
        for ref in derived_references(kpis[name]):
            visit(ref)
        ordered.append(name)

    for name in names:
        visit(name)
    return ordered


def reads_earlier_periods(names: list[str], kpis: dict[str, AnyKpi]) -> bool:
    """Whether computing ``names`` reads KPIs of earlier periods (``Plan.uses_lag``),
    told without building the plan (which parses every filter)."""
    return any(
        hows for name in expand(names, kpis) for hows in lagged_references(kpis[name]).values()
    )


def build_plan(names: list[str], kpis: dict[str, AnyKpi]) -> Plan:
    """Plan the computation of ``names`` (and what they depend on)."""
    order = expand(names, kpis)
    plan = Plan(order=order, kpis=kpis)
    for name in order:
        kpi = kpis[name]
        refs: dict[str, MeasureRef] = {}
        if isinstance(kpi, SimpleKpi):
            refs["value"] = plan.add_measure(kpi.entity, kpi.time, measure_spec(kpi.measure))
        elif isinstance(kpi, RatioKpi):
            num, den = kpi.numerator, kpi.denominator
            refs["numerator"] = plan.add_measure(num.entity, num.time, measure_spec(num))
            refs["denominator"] = plan.add_measure(den.entity, den.time, measure_spec(den))
        elif isinstance(kpi, DurationKpi):
            spec = MeasureSpec(
                kpi.agg, "duration", start=kpi.start, end=kpi.end, filter=parsed_filter(kpi.filter)
            )
            refs["value"] = plan.add_measure(kpi.entity, kpi.time_column, spec)
        elif isinstance(kpi, SnapshotKpi):
            plan.snapshots.append(name)
        elif isinstance(kpi, ConversionKpi):
            plan.conversions.append(name)
        elif isinstance(kpi, DerivedKpi):
            plan.derived.append(name)
            for ref, hows in lagged_references(kpi).items():
                for how in hows:
                    plan.lags.setdefault(how, set()).add(ref)
        plan.refs[name] = refs
    return plan
