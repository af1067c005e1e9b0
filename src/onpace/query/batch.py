"""Run the queries of many slices at once: one scan per entity and time column.

A *slice* is one grain and one breakdown (``month`` by ``rep``), computed by one
:class:`~onpace.query.assemble.Evaluator`. ``onpace compute`` runs one slice; filling
the value store runs every KPI for five grains and every dimension, some eighty
slices. Run one by one, that would be eighty times the same scans and eighty times
the Ibis compile of the same queries. So the queries of a set of slices are merged
here, per entity and time column, into one expression:

1. rows are aggregated per **day** and per member of every breakdown at once (each row
   repeated once per breakdown gets its member in each), into partial
   aggregates that add up exactly: sums of exact types stay exact (money is a decimal
   until the end), an average is a sum and a count, a distinct count keeps each day's
   distinct values;
2. days are **rolled up** into the periods of every grain asked for, and the partials
   are finished: cast to float, an average divided, a duration's seconds made days.

The result is split back into each slice's frames, shaped as its evaluator expects.
One slice alone runs through the same code, so a number computed on its own and the
same number computed among eighty slices are equal.

Rows are read only inside the time ranges of the slices (for a refresh, the scattered
periods that changed), and never at or after ``as_of``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import ibis
import pandas as pd

from onpace.calendar import Calendar, period_start_expr
from onpace.model.entities import ENTITIES
from onpace.model.paths import resolve
from onpace.query.build import (
    SECONDS_PER_DAY,
    JoinedTable,
    TableSource,
    Window,
    as_timestamp,
    dim_column,
    needed_columns,
    record_time,
    timestamp_literal,
)
from onpace.query.plan import AggregateQuery, MeasureSpec
from onpace.spec.filters import parse_row_expression, to_ibis
from onpace.spec.kpi import ConversionKpi, SnapshotKpi

if TYPE_CHECKING:
    from onpace.query.assemble import Evaluator

Available = Callable[[str], set[str]]
Executor = Callable[[Any], pd.DataFrame]
GRAIN, SET, DAY = "__grain", "__set", "__day"
_ADDITIVE = ("count", "sum", "avg", "min", "max")


def row_column(entity: str) -> str:
    """The column a count of rows counts: the key, or for spells one that every spell has."""
    from onpace.query.spells import ROW_COLUMN

    return ROW_COLUMN if entity == "customer_spells" else ENTITIES[entity].key


def merged_ranges(ranges: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """``ranges`` in order, overlapping and touching ones joined."""
    out: list[tuple[datetime, datetime]] = []
    for start, end in sorted(ranges):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


SLOT_RANGES = 8  # at most this many ranges go into a statement's slot (see coarsened)


def coarsened(
    ranges: Sequence[tuple[datetime, datetime]], most: int = SLOT_RANGES
) -> list[tuple[datetime, datetime]]:
    """``ranges`` (sorted, apart) made at most ``most`` by closing the shortest gaps.

    A slot's test compares a row with every bound, so hundreds of scattered periods
    (late corrections over years) would cost hundreds of comparisons a row. Reading a
    gap's rows as well changes no value: every period a slice asks for lies whole in
    its ranges, and the rows of periods nobody asked for are dropped when the results
    are split (:class:`_Split`).
    """
    out = list(ranges)
    while len(out) > most:
        gap = min(range(len(out) - 1), key=lambda i: out[i + 1][0] - out[i][1])
        out[gap : gap + 2] = [(out[gap][0], out[gap + 1][1])]
    return out


def in_ranges(col: Any, ranges: Sequence[tuple[datetime, datetime]]) -> Any:
    """Whether ``col`` lies in one of ``ranges`` (sorted, apart: see :func:`merged_ranges`).

    While a statement is made with a slot for its ranges (DuckDB, see
    :func:`onpace.query.statements.ranges_slot`), the test is written so that its SQL
    is the same for any number of ranges: between the first bound and the last, and
    past an odd number of the bounds (in the i-th range exactly 2i - 1 bounds lie at
    or before a moment; between two ranges an even number).
    """
    from onpace.query.statements import ranges_slot

    slot = ranges_slot()
    if slot is None:
        conds = [(col >= timestamp_literal(a)) & (col < timestamp_literal(b)) for a, b in ranges]
        out = conds[0]
        for cond in conds[1:]:
            out = out | cond
        return out
    hull = (col >= timestamp_literal(ranges[0][0])) & (col < timestamp_literal(ranges[-1][1]))
    bounds = ibis.array([ibis.literal(m, type="timestamp") for m in slot])
    passed = bounds.filter(lambda bound: bound <= col).length()
    return hull & ((passed % 2) == 1)


def _copies(values: Sequence[Any], kind: str) -> Any:
    """A column that repeats each row once per value (an unnested array literal).

    Not a cross join with a table made in memory: such a table gets a fresh name every
    time, so the statement's SQL would differ from one computation to the next and could
    never be kept and reused (see :mod:`onpace.query.statements`).
    """
    return ibis.literal(list(values), type=f"array<{kind}>").unnest()


class Breakdown:
    """How rows get their members: directly (one breakdown) or once per breakdown (several).

    With several breakdowns, each of at most one dimension, every row is repeated once
    per breakdown with its number, and ``dim_0`` takes the value of that breakdown's
    dimension.
    """

    def __init__(self, sets: list[tuple[str, ...]]) -> None:
        self.sets = sets
        self.single = len(sets) == 1
        if not self.single and any(len(s) > 1 for s in sets):
            raise ValueError("several breakdowns at once must each have at most one dimension")
        self.width = len(sets[0]) if self.single else int(any(sets))

    @property
    def dimensions(self) -> list[str]:
        """Every dimension a breakdown reads."""
        return list(dict.fromkeys(d for s in self.sets for d in s))

    @property
    def columns(self) -> list[str]:
        return [dim_column(i) for i in range(self.width)]

    def spread(self, table: Any) -> Any:
        """``table`` with a copy of every row per breakdown (unchanged for one)."""
        if self.single:
            return table
        return table.mutate(**{SET: _copies(list(range(len(self.sets))), "int64")})

    def keys(self, table: Any, col: Callable[[str], Any]) -> dict[str, Any]:
        """The breakdown's number and its members, on a table made by :meth:`spread`."""
        if self.single:
            out: dict[str, Any] = {SET: ibis.literal(0, "int64")}
            for i, dim in enumerate(self.sets[0]):
                out[dim_column(i)] = col(dim).cast("string")
            return out
        out = {SET: table[SET]}
        if self.width:
            picks = [
                (table[SET] == i, col(s[0]).cast("string")) for i, s in enumerate(self.sets) if s
            ]
            out[dim_column(0)] = ibis.cases(*picks, else_=ibis.null("string"))
        return out


class Rollup:
    """Days into the periods of every grain asked for (the days of a month make the month)."""

    def __init__(self, grains: list[str], calendar: Calendar, window: Window) -> None:
        self.grains = grains
        self.calendar = calendar
        self.window = window  # for grain "all": its one period is the window

    def _period(self, day: Any, grain: str) -> Any:
        ts = day.cast("timestamp")
        if grain == "all":
            return self.window.period_expr(ts)
        return period_start_expr(ts, grain, self.calendar)  # type: ignore[arg-type]

    def apply(self, daily: Any, keys: list[str], finish: Callable[[Any], dict[str, Any]]) -> Any:
        """Group the day rows of ``daily`` into periods; ``finish`` aggregates their partials."""
        if len(self.grains) == 1:
            periods = {
                GRAIN: ibis.literal(self.grains[0]),
                "period": self._period(daily[DAY], self.grains[0]),
            }
            table = daily
        else:
            table = daily.mutate(**{GRAIN: _copies(self.grains, "string")})
            picks = [(table[GRAIN] == g, self._period(table[DAY], g)) for g in self.grains]
            periods = {GRAIN: table[GRAIN], "period": ibis.cases(*picks)}
        return table.group_by(**periods, **{k: table[k] for k in keys}).aggregate(**finish(table))


# -- measures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Value:
    """What a measure aggregates, under which condition, and the factor that finishes it."""

    expr: Any
    where: Any
    scale: float = 1.0


def _value(spec: MeasureSpec, jt: JoinedTable, key: str) -> _Value:
    where = to_ibis(spec.filter, jt.col) if spec.filter else None
    if spec.kind == "rows":
        return _Value(jt.table[key], where)
    if spec.kind == "duration":
        start = as_timestamp(jt.col(spec.start or ""))
        end = as_timestamp(jt.col(spec.end or ""))
        both = start.notnull() & end.notnull()
        where = both if where is None else (where & both)
        days = 1.0 if spec.agg in ("count", "count_distinct") else 1 / SECONDS_PER_DAY
        return _Value(end.epoch_seconds() - start.epoch_seconds(), where, days)
    if spec.kind == "expr":
        return _Value(to_ibis(spec.expr, jt.col) if spec.expr else None, where)
    return _Value(jt.col(spec.column or ""), where)


def _agg(spec: MeasureSpec) -> str:
    return "count" if spec.kind == "rows" else spec.agg


def _exact(value: Any) -> Any:
    """Booleans add up as 0 and 1; decimals and integers stay exact until the end."""
    if not value.type().is_boolean():
        return value
    # CASE, not a cast: PostgreSQL refuses to cast a boolean to bigint; null stays null
    one, zero = ibis.literal(1, "int64"), ibis.literal(0, "int64")
    return ibis.cases((value, one), (~value, zero), else_=ibis.null("int64"))


def _partials(gid: str, spec: MeasureSpec, v: _Value) -> dict[str, Any]:
    """The partial aggregates of one day, named after the measure's id."""
    agg = _agg(spec)
    if agg == "count":
        return {gid: v.expr.count(where=v.where)}
    if agg == "sum":
        return {gid: _exact(v.expr).sum(where=v.where)}
    if agg == "avg":
        return {
            f"{gid}__s": _exact(v.expr).sum(where=v.where),
            f"{gid}__c": v.expr.count(where=v.where),
        }
    value = v.expr.cast("float64") if v.expr.type().is_boolean() else v.expr
    return {gid: getattr(value, agg)(where=v.where)}


def _scaled(value: Any, scale: float) -> Any:
    return value * scale if scale != 1.0 else value


def _finish(gid: str, spec: MeasureSpec, scale: float, t: Any) -> Any:
    """The partials of a period's days rolled into its value, as float64."""
    agg = _agg(spec)
    if agg == "avg":
        total = t[f"{gid}__s"].sum().cast("float64")
        count = t[f"{gid}__c"].sum()
        value = ibis.cases((count > 0, total / count.cast("float64")), else_=ibis.null("float64"))
    elif agg in ("min", "max"):
        value = getattr(t[gid], agg)().cast("float64")
    else:
        value = t[gid].sum().cast("float64")
    return _scaled(value, scale)


# -- the queries of one batch -----------------------------------------------------------


class _Scan:
    """The rows of an entity through one time column, inside the ranges the slices read."""

    def __init__(
        self,
        entity: str,
        time: str,
        names: Iterable[str],
        breakdown: Breakdown,
        ranges: Sequence[tuple[datetime, datetime]] | None,
        tables: TableSource,
        available: Available,
        as_of: datetime,
    ) -> None:
        self.breakdown = breakdown
        record = record_time(entity, time)
        wanted = [time, *([record] if record else []), *breakdown.dimensions, *names]
        self.jt = JoinedTable(tables, entity, dict.fromkeys(wanted), available)
        self.key = row_column(entity)
        time_col = as_timestamp(self.jt.col(time))
        preds = [time_col < timestamp_literal(as_of)]
        if ranges is not None:
            preds.append(in_ranges(time_col, ranges))
        if record:  # placed by a related row's time: the row itself must exist as of as_of
            preds.append(as_timestamp(self.jt.col(record)) < timestamp_literal(as_of))
        self.jt.table = self.jt.table.filter(*preds)
        self.time_name = time

    def day(self) -> Any:
        return as_timestamp(self.jt.col(self.time_name)).truncate("D").cast("date")

    def grouped(self, table: Any, **values: Any) -> dict[str, Any]:
        """Day and breakdown keys on ``table`` (a :meth:`Breakdown.spread` of the rows)."""
        return {DAY: self.day(), **self.breakdown.keys(table, self.jt.col), **values}

    @property
    def key_names(self) -> list[str]:
        return [SET, *self.breakdown.columns]


def aggregate_expr(
    query: AggregateQuery,
    breakdown: Breakdown,
    rollup: Rollup,
    ranges: Sequence[tuple[datetime, datetime]],
    tables: TableSource,
    available: Available,
    as_of: datetime,
) -> Any:
    """One statement per entity and time column: the grouped query of ``query``'s measures.

    The additive measures come from the day partials; each other measure (a distinct
    count, a median) from its own grouping of the same filtered rows, joined on in the
    statement by grain, period and members, so the warehouse gets one query, as the
    plan says. The result has the columns ``__grain``, ``period``, ``__set``, the
    members, ``__rows`` and the measures (named by their ids in ``query``).
    """
    names = needed_columns(query.measures.values())
    scan = _Scan(query.entity, query.time, names, breakdown, ranges, tables, available, as_of)
    values = {gid: _value(spec, scan.jt, scan.key) for gid, spec in query.measures.items()}
    additive = [g for g, s in query.measures.items() if _agg(s) in _ADDITIVE]
    spread = breakdown.spread(scan.jt.table)
    partials: dict[str, Any] = {"__rows": scan.jt.table[scan.key].count()}
    for gid in additive:
        partials.update(_partials(gid, query.measures[gid], values[gid]))
    daily = spread.group_by(**scan.grouped(spread)).aggregate(**partials)

    def finish(t: Any) -> dict[str, Any]:
        out = {"__rows": t["__rows"].sum()}
        for gid in additive:
            out[gid] = _finish(gid, query.measures[gid], values[gid].scale, t)
        return out

    out = rollup.apply(daily, scan.key_names, finish)
    for gid, spec in query.measures.items():
        if gid not in additive:
            other = _other_measure(gid, spec, values[gid], scan, rollup)
            keys = [GRAIN, "period", SET]
            out = _joined_on_keys(out, other, keys, breakdown.columns, gid)
    return out


def _joined_on_keys(left: Any, right: Any, keys: list[str], members: list[str], column: str) -> Any:
    """``left`` with ``right``'s ``column`` where the keys match (a missing member matches one).

    Every group of ``right`` is a group of ``left`` (it groups a subset of the same
    rows), so a left join loses nothing. A member (text) may be missing, and a missing
    member is a member: it is compared as its text with an empty one and its
    missingness, plain equalities every backend can join by hash.
    """
    names = [*keys, *members]
    renamed = right.select(
        **{f"__k{i}": right[k] for i, k in enumerate(names)}, **{column: right[column]}
    )
    preds = [left[k] == renamed[f"__k{i}"] for i, k in enumerate(keys)]
    for i, k in enumerate(members, start=len(keys)):
        a, b = left[k], renamed[f"__k{i}"]
        preds += [a.coalesce("") == b.coalesce(""), a.isnull() == b.isnull()]
    joined = left.left_join(renamed, preds)
    return joined.select(*[joined[c] for c in left.columns], joined[column])


def _other_measure(gid: str, spec: MeasureSpec, v: _Value, scan: _Scan, rollup: Rollup) -> Any:
    """A distinct count (from each day's distinct values) or a median (from every value)."""
    kept = scan.jt.table if v.where is None else scan.jt.table.filter(v.where)
    spread = scan.breakdown.spread(kept)
    rows = spread.select(**scan.grouped(spread, __v=v.expr))
    rows = rows.filter(rows.__v.notnull())
    if spec.agg == "count_distinct":
        return rollup.apply(
            rows.distinct(), scan.key_names, lambda t: {gid: t.__v.nunique().cast("float64")}
        )
    return rollup.apply(
        rows, scan.key_names, lambda t: {gid: _scaled(t.__v.cast("float64").median(), v.scale)}
    )


def flows_expr(
    kpi: SnapshotKpi,
    breakdown: Breakdown,
    rollup: Rollup,
    tables: TableSource,
    available: Available,
    as_of: datetime,
) -> Any:
    """In- and outflows of a ``count`` or ``sum`` stock per period (all of its history).

    A row is alive from ``start`` until its effective end (``end``, or ``start`` plus
    the window, whichever is first). The stock at a cutoff is what started before it
    minus what ended before it: one grouped scan, and the evaluator takes the running
    sum over the (small) result instead of joining every row to every period end.
    """
    flt = parse_row_expression(kpi.filter, kind="filter") if kpi.filter else None
    names = [
        kpi.start,
        *([kpi.end] if kpi.end else []),
        *([kpi.column] if kpi.column else []),
        *breakdown.dimensions,
        *(flt.columns if flt else []),
    ]
    jt = JoinedTable(tables, kpi.entity, dict.fromkeys(names), available)
    if flt:
        jt.table = jt.table.filter(to_ibis(flt, jt.col))
    begin = as_timestamp(jt.col(kpi.start))
    finish = as_timestamp(jt.col(kpi.end)) if kpi.end else None
    if kpi.window_days:
        limit = begin + ibis.interval(days=kpi.window_days)
        finish = (
            limit
            if finish is None
            else ibis.cases((finish.isnull() | (limit < finish), limit), else_=finish)
        )
    if kpi.agg == "sum":
        weight = _exact(jt.col(kpi.column or ""))
    elif kpi.column:
        weight = ibis.cases((jt.col(kpi.column).notnull(), 1), else_=0)
    else:
        weight = ibis.literal(1, "int64")
    dims = {f"__d{i}": jt.col(d).cast("string") for i, d in enumerate(breakdown.dimensions)}
    rows = jt.table.select(
        __start=begin,
        __end=finish if finish is not None else ibis.null("timestamp"),
        __w=weight,
        **dims,
    )
    cutoff = timestamp_literal(as_of)
    rows = rows.filter(
        rows.__start.notnull(),
        rows.__start < cutoff,
        rows.__end.isnull() | (rows.__end >= rows.__start),
    )
    position = {d: f"__d{i}" for i, d in enumerate(breakdown.dimensions)}

    def moved(table: Any, at: str, sign: int) -> Any:
        spread = breakdown.spread(table)
        keys = breakdown.keys(spread, lambda d: spread[position[d]])
        flow = spread.__w if sign > 0 else -spread.__w
        return spread.select(**{DAY: spread[at].truncate("D").cast("date")}, **keys, flow=flow)

    ended = rows.filter(rows.__end.notnull(), rows.__end < cutoff)
    flows = moved(rows, "__start", 1).union(moved(ended, "__end", -1))
    keys = [SET, *breakdown.columns]
    daily = flows.group_by([DAY, *keys]).aggregate(flow=flows.flow.sum())
    return rollup.apply(daily, keys, lambda t: {"value": t.flow.sum().cast("float64")})


def conversion_exprs(
    kpi: ConversionKpi,
    breakdown: Breakdown,
    rollup: Rollup,
    ranges: Sequence[tuple[datetime, datetime]],
    tables: TableSource,
    available: Available,
    as_of: datetime,
) -> tuple[Any, Any]:
    """Base events per period, and those converted within the window, as distinct counts."""
    b, c = kpi.base, kpi.conversion
    bf = parse_row_expression(b.filter, kind="filter") if b.filter else None
    cf = parse_row_expression(c.filter, kind="filter") if c.filter else None
    names = [b.time, b.key, *breakdown.dimensions, *(bf.columns if bf else [])]
    bj = JoinedTable(tables, b.entity, dict.fromkeys(names), available)
    base_time = as_timestamp(bj.col(b.time))
    cond = in_ranges(base_time, ranges) & (base_time < timestamp_literal(as_of))
    cond = cond & bj.col(b.key).notnull()
    if bf:
        cond = cond & to_ibis(bf, bj.col)
    bj.table = bj.table.filter(cond)
    dims = {f"__d{i}": bj.col(d).cast("string") for i, d in enumerate(breakdown.dimensions)}
    base_rows = bj.table.select(
        __id=bj.table[row_column(b.entity)],
        __key=bj.col(b.key).cast("string"),
        __t=as_timestamp(bj.col(b.time)),
        **dims,
    )
    cj = JoinedTable(
        tables, c.entity, dict.fromkeys([c.time, c.key, *(cf.columns if cf else [])]), available
    )
    conv_time = as_timestamp(cj.col(c.time))
    ccond = conv_time.notnull() & cj.col(c.key).notnull() & (conv_time < timestamp_literal(as_of))
    if cf:
        ccond = ccond & to_ibis(cf, cj.col)
    cj.table = cj.table.filter(ccond)
    conv_rows = cj.table.select(
        __ckey=cj.col(c.key).cast("string"), __ct=as_timestamp(cj.col(c.time))
    )
    matched = base_rows.semi_join(
        conv_rows,
        [
            base_rows.__key == conv_rows.__ckey,
            conv_rows.__ct >= base_rows.__t,
            conv_rows.__ct <= base_rows.__t + ibis.interval(days=kpi.window_days),
        ],
    )
    position = {d: f"__d{i}" for i, d in enumerate(breakdown.dimensions)}
    keys = [SET, *breakdown.columns]

    def counted(rows: Any) -> Any:
        spread = breakdown.spread(rows)
        picked = spread.select(
            **{DAY: spread.__t.truncate("D").cast("date")},
            **breakdown.keys(spread, lambda d: spread[position[d]]),
            __id=spread.__id,
        ).distinct()
        return rollup.apply(picked, keys, lambda t: {"value": t.__id.nunique().cast("float64")})

    return counted(base_rows), counted(matched)


# -- running a batch ----------------------------------------------------------------------


class Batch:
    """The queries of a set of slices, merged; :meth:`run` fills each slice's results.

    The slices must share ``as_of`` and the calendar; a slice of grain ``all`` (one
    period: its window) is run in a batch of its own.
    """

    def __init__(
        self,
        evaluators: Sequence[Evaluator],
        tables: TableSource,
        available: Available,
        execute: Executor,
    ) -> None:
        if not evaluators:
            raise ValueError("a batch needs at least one slice")
        self.evaluators = list(evaluators)
        self.tables = tables
        self.available = available
        self.execute = execute
        self.run_lazily: Callable[..., pd.DataFrame] | None = None
        first = self.evaluators[0].window
        self.as_of = first.as_of
        self.calendar = first.calendar
        for e in self.evaluators:
            if e.window.as_of != self.as_of or e.window.calendar != self.calendar:
                raise ValueError("the slices of a batch must share as_of and calendar")
            if e.window.grain == "all" and len(self.evaluators) > 1:
                raise ValueError("a slice of grain 'all' runs in a batch of its own")

    def columns_read(self, entity: str) -> set[str]:
        """The columns of ``entity`` the batch reads (own ones, and those relations start at)."""
        names: list[str] = []
        for e in self.evaluators:
            for query in e.plan.aggregates.values():
                if query.entity == entity:
                    names += [query.time, *e.window.dims, *needed_columns(query.measures.values())]
            for name in (*e.plan.snapshots, *e.plan.conversions):
                names += _names_on(e.plan.kpis[name], entity, e.window.dims)
        out = {row_column(entity)}
        for name in names:
            path = resolve(entity, name)
            out.add(path.hops[0].column if path.hops else path.column.name)
        return out

    def _rollup(self, users: Sequence[Evaluator]) -> Rollup:
        grains: list[str] = list(dict.fromkeys(str(e.window.grain) for e in users))
        return Rollup(grains, self.calendar, users[0].window)

    @staticmethod
    def _breakdown(users: Sequence[Evaluator]) -> Breakdown:
        return Breakdown(list(dict.fromkeys(e.window.dims for e in users)))

    @staticmethod
    def _ranges(users: Sequence[Evaluator]) -> list[tuple[datetime, datetime]]:
        """The ranges the rows are read in: every slice's, merged."""
        return merged_ranges(r for e in users for r in e.window.scan_ranges())

    def _own_moments(self, users: Sequence[Evaluator] | None = None) -> list[datetime]:
        """The moments a merged statement holds: ``as_of``, and the first and last bound
        of its ranges (the others go into its slot, see :func:`in_ranges`)."""
        if not users:
            return [self.as_of]
        ranges = self._ranges(users)
        return [self.as_of, ranges[0][0], ranges[-1][1]]

    # -- the merged queries ----------------------------------------------------------------

    def _aggregates(self) -> dict[tuple[str, str], tuple[AggregateQuery, list[Evaluator]]]:
        """Per entity and time column: every measure any slice needs (once), and the slices."""
        merged: dict[tuple[str, str], tuple[AggregateQuery, list[Evaluator]]] = {}
        for e in self.evaluators:
            for key, query in e.plan.aggregates.items():
                if key not in merged:
                    merged[key] = (AggregateQuery(query.entity, query.time), [])
                target, users = merged[key]
                users.append(e)
                known = {spec.signature for spec in target.measures.values()}
                for spec in query.measures.values():
                    if spec.signature not in known:
                        target.measures[f"g{len(target.measures)}"] = spec
                        known.add(spec.signature)
        return merged

    def _kpi_users(self, kind: str) -> dict[str, list[Evaluator]]:
        out: dict[str, list[Evaluator]] = {}
        for e in self.evaluators:
            for name in getattr(e.plan, kind):
                out.setdefault(name, []).append(e)
        return out

    def expressions(self) -> dict[str, Any]:
        """Every expression the batch runs, named for display (``onpace explain``)."""
        out: dict[str, Any] = {}
        for (entity, time), (query, users) in self._aggregates().items():
            out[f"{entity} by {time}"] = self._aggregate_expr(query, users)
        for name, users in self._kpi_users("snapshots").items():
            for e in users:
                out[f"snapshot {name}"] = (
                    self._flows(name, users) if e.uses_flows(name) else e.snapshot_expr(name)
                )
                if e.uses_flows(name):
                    break
        for name, users in self._kpi_users("conversions").items():
            base, conv = self._conversions(name, users)
            out[f"conversion {name}: base"] = base
            out[f"conversion {name}: converted"] = conv
        return out

    def _aggregate_expr(self, query: AggregateQuery, users: list[Evaluator]) -> Any:
        return aggregate_expr(
            query,
            self._breakdown(users),
            self._rollup(users),
            self._ranges(users),
            self.tables,
            self.available,
            self.as_of,
        )

    def _flows(self, name: str, users: list[Evaluator]) -> Any:
        kpi = users[0].plan.kpis[name]
        assert isinstance(kpi, SnapshotKpi)
        breakdown, rollup = self._breakdown(users), self._rollup(users)
        return flows_expr(kpi, breakdown, rollup, self.tables, self.available, self.as_of)

    def _conversions(self, name: str, users: list[Evaluator]) -> tuple[Any, Any]:
        kpi = users[0].plan.kpis[name]
        assert isinstance(kpi, ConversionKpi)
        return conversion_exprs(
            kpi,
            self._breakdown(users),
            self._rollup(users),
            self._ranges(users),
            self.tables,
            self.available,
            self.as_of,
        )

    # -- running and splitting --------------------------------------------------------------

    def _result(
        self,
        make: Callable[[], Any],
        own: Sequence[datetime] | None = None,
        ranges: Sequence[tuple[datetime, datetime]] | None = None,
    ) -> pd.DataFrame:
        """The result of the expression ``make`` builds (not built when its SQL is known).

        ``own`` are the moments of a merged statement and ``ranges`` the ranges it reads
        (see :meth:`onpace.query.statements.Computation.run_lazily`).
        """
        if self.run_lazily is not None:
            return self.run_lazily(make, own, None if ranges is None else coarsened(ranges))
        return self.execute(make())

    def run(self) -> None:
        """Run every merged query and give each slice its part of the results.

        The queries run in a fixed order for a given set of slices, each built only
        when ``run_lazily`` asks for it: a computation of a shape seen before runs its
        recorded SQL without building the expressions again.
        """
        for key, (query, users) in self._aggregates().items():
            make = functools.partial(self._aggregate_expr, query, users)
            result = self._result(make, self._own_moments(users), self._ranges(users))
            split = _Split(result, self._breakdown(users))
            for e in users:
                own = e.plan.aggregates[key]
                ids = {s.signature: cid for cid, s in own.measures.items()}
                rename = {
                    gid: ids[s.signature] for gid, s in query.measures.items() if s.signature in ids
                }
                part = split.part(e, [*e.keys, *rename], periods=True)
                e.results[key] = part.rename(columns=rename)
        for name, users in self._kpi_users("snapshots").items():
            flowing = [e for e in users if e.uses_flows(name)]
            if flowing:
                make = functools.partial(self._flows, name, flowing)
                result = self._result(make, self._own_moments())
                split = _Split(result, self._breakdown(flowing))
                for e in flowing:
                    part = split.part(e, [*e.keys, "value"], periods=False)
                    e.results[("snapshot", name)] = e.stock_from_flows(part)
            for e in users:
                if not e.uses_flows(name):
                    result = self._result(functools.partial(e.snapshot_expr, name))
                    e.results[("snapshot", name)] = e.normalize(result)
        for name, users in self._kpi_users("conversions").items():
            pair = functools.cache(functools.partial(self._conversions, name, users))
            breakdown = self._breakdown(users)
            for kind, side in (("conversion_base", 0), ("conversion_conv", 1)):
                make = functools.partial(_pick, pair, side)
                moments, ranges = self._own_moments(users), self._ranges(users)
                split = _Split(self._result(make, moments, ranges), breakdown)
                for e in users:
                    e.results[(kind, name)] = split.part(e, [*e.keys, "value"], periods=True)


def _pick(pair: Callable[[], tuple[Any, Any]], side: int) -> Any:
    return pair()[side]


def _names_on(kpi: Any, entity: str, dims: tuple[str, ...]) -> list[str]:
    """The names a stock or conversion KPI reads on ``entity`` (none if it reads another)."""
    if isinstance(kpi, SnapshotKpi):
        if kpi.entity != entity:
            return []
        flt = parse_row_expression(kpi.filter, kind="filter") if kpi.filter else None
        own = [kpi.start, kpi.end, kpi.column, *(flt.columns if flt else ())]
        return [n for n in own if n] + list(dims)
    out: list[str] = []
    if isinstance(kpi, ConversionKpi):
        for side, extra in ((kpi.base, dims), (kpi.conversion, ())):
            if side.entity == entity:
                flt = parse_row_expression(side.filter, kind="filter") if side.filter else None
                out += [side.time, side.key, *(flt.columns if flt else ()), *extra]
    return out


class _Split:
    """A merged result cut into the parts of its slices (grain and breakdown)."""

    def __init__(self, frame: pd.DataFrame, breakdown: Breakdown) -> None:
        frame = frame.copy()
        frame["period"] = pd.to_datetime(frame["period"]).dt.date
        for col in breakdown.columns:
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
        self.breakdown = breakdown
        self.empty = frame.iloc[0:0]
        self.groups: dict[tuple[Any, ...], pd.DataFrame] = {}
        for key, part in frame.groupby([GRAIN, SET], sort=False):
            grain, number = tuple(key)  # type: ignore[arg-type]
            self.groups[(str(grain), int(str(number)))] = part

    def part(self, e: Evaluator, columns: list[str], periods: bool) -> pd.DataFrame:
        """The rows of slice ``e`` (its grain, its breakdown and, with ``periods``, its periods)."""
        number = self.breakdown.sets.index(e.window.dims)
        rows = self.groups.get((str(e.window.grain), number), self.empty)
        if periods and len(rows):
            rows = rows[rows["period"].isin(set(e.periods))]
        return rows[columns].reset_index(drop=True)
