"""Check KPI definitions against the sales data model and against each other.

Rules run over every KPI and collect issues instead of stopping at the first, so
`onpace validate` shows everything that needs fixing in one pass. Each issue says
the file, line and field, what is wrong and how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterator

from onpace.errors import FilterError, SpecIssue, UnknownNameError, did_you_mean
from onpace.model.entities import ENTITIES
from onpace.model.paths import resolve
from onpace.spec.filters import parse_derived_expression, parse_row_expression
from onpace.spec.kpi import (
    AnyKpi,
    ConversionKpi,
    DerivedKpi,
    DurationKpi,
    Measure,
    RatioKpi,
    SimpleKpi,
    SnapshotKpi,
)
from onpace.spec.loader import KpiSource

_NUMERIC = ("money", "number", "integer")
_TIME = ("timestamp", "date")


class _Checker:
    def __init__(self, kpi: AnyKpi, source: KpiSource | None) -> None:
        self.kpi = kpi
        self.source = source
        self.issues: list[SpecIssue] = []

    def add(
        self, field: tuple[str | int, ...], message: str, fix: str = "", level: str = "error"
    ) -> None:
        line = self.source.line(*field) if self.source else None
        file = self.source.file if self.source else None
        dotted = ".".join(str(f) for f in field)
        self.issues.append(
            SpecIssue(
                "error" if level == "error" else "warning",
                file,
                line,
                f"{self.kpi.name}.{dotted}" if dotted else self.kpi.name,
                message,
                fix,
            )
        )

    def entity(self, field: tuple[str | int, ...], name: str) -> bool:
        if name in ENTITIES:
            return True
        self.add(
            field,
            f"unknown entity '{name}'." + did_you_mean(name, ENTITIES),
            "use one of " + ", ".join(ENTITIES),
        )
        return False

    def column(
        self,
        field: tuple[str | int, ...],
        entity: str,
        name: str,
        kinds: tuple[str, ...] | None = None,
        what: str = "column",
    ) -> None:
        try:
            path = resolve(entity, name)
        except UnknownNameError as exc:
            self.add(field, str(exc), f"name a {what} of {entity}")
            return
        if kinds and path.column.kind not in kinds:
            self.add(
                field,
                f"'{name}' is a {path.column.kind} column; a {what} must be " + " or ".join(kinds),
                "choose another column",
            )

    def expression(self, field: tuple[str | int, ...], entity: str, text: str, kind: str) -> None:
        try:
            parsed = parse_row_expression(text, kind="filter" if kind == "filter" else "value")
        except FilterError as exc:
            self.add(field, exc.message, exc.fix)
            return
        for name in parsed.columns:
            self.column(field, entity, name)

    def measure(self, prefix: tuple[str | int, ...], m: Measure) -> None:
        if not self.entity((*prefix, "entity"), m.entity):
            return
        if m.column and m.expr:
            self.add(
                (*prefix, "expr"), "give either 'column' or 'expr', not both", "remove one of them"
            )
        if m.agg != "count" and not m.column and not m.expr:
            self.add(
                (*prefix, "column"),
                f"'{m.agg}' needs a column to aggregate",
                "add 'column:' (or 'expr:'), or use agg: count",
            )
        if m.column:
            kinds = _NUMERIC if m.agg in ("sum", "avg", "median") else None
            self.column((*prefix, "column"), m.entity, m.column, kinds)
        if m.expr:
            self.expression((*prefix, "expr"), m.entity, m.expr, "value")
        if m.filter:
            self.expression((*prefix, "filter"), m.entity, m.filter, "filter")
        self.column((*prefix, "time"), m.entity, m.time, _TIME, "time column")

    def dimensions(self, entities: list[str]) -> None:
        for i, dim in enumerate(self.kpi.dimensions):
            for entity in entities:
                if entity not in ENTITIES:
                    continue
                try:
                    resolve(entity, dim)
                except UnknownNameError as exc:
                    self.add(
                        ("dimensions", i),
                        str(exc),
                        f"remove '{dim}' or name a column reachable from {entity}",
                    )


def _check_one(kpi: AnyKpi, source: KpiSource | None, names: set[str]) -> list[SpecIssue]:
    c = _Checker(kpi, source)
    if isinstance(kpi, SimpleKpi):
        c.measure((), kpi.measure)
        c.dimensions([kpi.entity])
    elif isinstance(kpi, RatioKpi):
        c.measure(("numerator",), kpi.numerator)
        c.measure(("denominator",), kpi.denominator)
        c.dimensions([kpi.numerator.entity, kpi.denominator.entity])
        if kpi.multiplier == 0:
            c.add(
                ("multiplier",), "multiplier 0 makes every value 0", "use 1, or 100 for 'per 100'"
            )
    elif isinstance(kpi, SnapshotKpi):
        if c.entity(("entity",), kpi.entity):
            if kpi.agg != "count" and not kpi.column:
                c.add(("column",), f"'{kpi.agg}' needs a column", "add 'column:'")
            if kpi.column:
                c.column(
                    ("column",), kpi.entity, kpi.column, _NUMERIC if kpi.agg == "sum" else None
                )
            c.column(("start",), kpi.entity, kpi.start, _TIME, "time column")
            if kpi.end:
                c.column(("end",), kpi.entity, kpi.end, _TIME, "time column")
            if kpi.filter:
                c.expression(("filter",), kpi.entity, kpi.filter, "filter")
            c.dimensions([kpi.entity])
    elif isinstance(kpi, DurationKpi):
        if c.entity(("entity",), kpi.entity):
            c.column(("start",), kpi.entity, kpi.start, _TIME, "time column")
            c.column(("end",), kpi.entity, kpi.end, _TIME, "time column")
            if kpi.time:
                c.column(("time",), kpi.entity, kpi.time, _TIME, "time column")
            if kpi.filter:
                c.expression(("filter",), kpi.entity, kpi.filter, "filter")
            c.dimensions([kpi.entity])
        if kpi.unit != "days":
            c.add(("unit",), f"a duration is measured in days, not {kpi.unit}", "set unit: days")
    elif isinstance(kpi, ConversionKpi):
        for side_name, side in (("base", kpi.base), ("conversion", kpi.conversion)):
            if c.entity((side_name, "entity"), side.entity):
                c.column((side_name, "time"), side.entity, side.time, _TIME, "time column")
                c.column((side_name, "key"), side.entity, side.key)
                if side.filter:
                    c.expression((side_name, "filter"), side.entity, side.filter, "filter")
        c.dimensions([kpi.base.entity])
    elif isinstance(kpi, DerivedKpi):
        try:
            parsed = parse_derived_expression(kpi.expr)
        except FilterError as exc:
            c.add(("expr",), exc.message, exc.fix)
        else:
            for ref in parsed.columns:
                if ref not in names:
                    c.add(
                        ("expr",),
                        f"unknown KPI '{ref}' in {kpi.expr!r}." + did_you_mean(ref, names),
                        "define it or correct the name",
                    )
                elif ref == kpi.name:
                    c.add(
                        ("expr",),
                        f"'{kpi.name}' refers to itself",
                        "use prior() or last_year() for an earlier value of a KPI",
                    )
    if kpi.unit == "percent" and isinstance(kpi, RatioKpi) and kpi.multiplier not in (1, 1.0):
        c.add(
            ("multiplier",),
            "percent values are stored as fractions (0.25 shows as 25%)",
            "drop the multiplier",
            level="warning",
        )
    return c.issues


def derived_references(kpi: AnyKpi) -> tuple[str, ...]:
    """KPI names a derived KPI reads (empty for other types or unreadable formulas)."""
    if not isinstance(kpi, DerivedKpi):
        return ()
    try:
        return parse_derived_expression(kpi.expr).columns
    except FilterError:
        return ()


def _cycles(kpis: dict[str, AnyKpi]) -> Iterator[list[str]]:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(name: str) -> Iterator[list[str]]:
        state[name] = 1
        stack.append(name)
        for ref in derived_references(kpis[name]):
            if ref not in kpis or ref == name:
                continue
            if state.get(ref) == 1:
                yield [*stack[stack.index(ref) :], ref]
            elif ref not in state:
                yield from visit(ref)
        stack.pop()
        state[name] = 2

    for name in kpis:
        if name not in state:
            yield from visit(name)


def _derived_dimension_issues(
    by_name: dict[str, AnyKpi], sources: dict[str, KpiSource]
) -> list[SpecIssue]:
    """A derived KPI can be broken down only by dimensions every one of its inputs allows."""
    issues: list[SpecIssue] = []
    for kpi in by_name.values():
        refs = [r for r in derived_references(kpi) if r in by_name and r != kpi.name]
        for i, dim in enumerate(kpi.dimensions):
            lacking = [r for r in refs if dim not in by_name[r].dimensions]
            if not lacking:
                continue
            src = sources.get(kpi.name)
            issues.append(
                SpecIssue(
                    "error",
                    src.file if src else None,
                    src.line("dimensions", i) if src else None,
                    f"{kpi.name}.dimensions.{i}",
                    f"'{dim}' is not a dimension of "
                    + ", ".join(f"'{r}'" for r in lacking)
                    + f", which '{kpi.name}' is computed from",
                    f"add '{dim}' to the dimensions of "
                    + ", ".join(lacking)
                    + " or remove it here",
                )
            )
    return issues


def validate_kpis(kpis: list[AnyKpi], sources: dict[str, KpiSource]) -> list[SpecIssue]:
    """Every issue in ``kpis``, checked against the data model and each other."""
    names = {k.name for k in kpis}
    issues: list[SpecIssue] = []
    for kpi in kpis:
        issues.extend(_check_one(kpi, sources.get(kpi.name), names))
    by_name = {k.name: k for k in kpis}
    issues.extend(_derived_dimension_issues(by_name, sources))
    for cycle in _cycles(by_name):
        src = sources.get(cycle[0])
        issues.append(
            SpecIssue(
                "error",
                src.file if src else None,
                src.line("expr") if src else None,
                f"{cycle[0]}.expr",
                "derived KPIs refer to each other in a loop: " + " -> ".join(cycle),
                "break the loop: one of them must not use the other",
            )
        )
    return issues
