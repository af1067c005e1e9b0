"""Build Ibis expressions for planned queries: grouped aggregates, snapshots, conversions.

The expressions are backend-neutral: the same tree runs on DuckDB, PySpark or any
other Ibis backend, which is how one KPI definition runs unchanged everywhere.
Together with :mod:`onpace.query.spells` (the derived ``customer_spells`` table) this
is the only place that speaks Ibis.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import ibis

from onpace.calendar import (
    Calendar,
    ComputeGrain,
    next_period_start,
    period_label,
    period_start_expr,
)
from onpace.errors import MissingDataError
from onpace.model.entities import ENTITIES
from onpace.model.paths import ColumnPath, resolve
from onpace.query.plan import AggregateQuery, MeasureSpec
from onpace.spec.filters import ParsedExpression, to_ibis

TableSource = Callable[[str], Any]
SECONDS_PER_DAY = 86400.0


@dataclass(frozen=True)
class Window:
    """What to compute: grain, calendar, dimensions and the time range ``[start, end)``.

    ``as_of`` is the moment the data is taken at: rows dated at or after it are
    ignored, and customers whose churn window has not passed by then are not lost.

    Grain ``all`` makes the whole range one period, named by its first day: every
    moment before ``end`` falls in it (earlier ones too, so that stocks built from
    flows count what started before the range) and later moments fall after it.
    """

    grain: ComputeGrain
    calendar: Calendar
    dims: tuple[str, ...]
    start: datetime
    end: datetime
    as_of: datetime

    def period_expr(self, ts: Any) -> Any:
        """Ibis expression: the first day of the period timestamp ``ts`` falls in."""
        if self.grain == "all":
            first = ibis.literal(self.start.date(), type="date")
            after = ibis.literal(self.end.date(), type="date")
            return ibis.cases((ts < timestamp_literal(self.end), first), else_=after)
        return period_start_expr(ts, self.grain, self.calendar)

    def period_end(self, start: date) -> date:
        """First day after the period that starts at ``start``."""
        if self.grain == "all":
            return self.end.date()
        return next_period_start(start, self.grain)

    def label(self, start: date) -> str:
        """The period's name: ``2026-Q1``, or ``2024-01-01 to 2024-03-31`` for grain all."""
        if self.grain == "all":
            last = self.end.date() - timedelta(days=1)
            return f"{self.start.date().isoformat()} to {last.isoformat()}"
        return period_label(start, self.grain, self.calendar)


def dim_column(i: int) -> str:
    return f"dim_{i}"


class JoinedTable:
    """An entity table with the related columns it needs joined in, by their spec names."""

    def __init__(
        self,
        tables: TableSource,
        entity: str,
        names: Iterable[str],
        available: Callable[[str], set[str]],
    ) -> None:
        self.entity = entity
        base = tables(entity)
        paths = {name: resolve(entity, name) for name in names}
        own = {name: path.column.name for name, path in paths.items() if not path.hops}
        self._check(entity, available, sorted(set(own.values())))
        self.names: dict[str, str] = dict(own)
        # one join per distinct chain of relations, bringing every column needed through it
        chains: dict[tuple[str, ...], list[tuple[str, ColumnPath]]] = {}
        for name, path in paths.items():
            if path.hops:
                chains.setdefault(tuple(h.name for h in path.hops), []).append((name, path))
        for n, chain in enumerate(sorted(chains)):
            members = chains[chain]
            chain_paths = [path for _, path in members]
            hops = chain_paths[0].hops
            self._check(entity, available, [hops[0].column])
            right = self._chain_table(tables, available, hops, chain_paths, n)
            key = f"__k{n}"
            base = base.left_join(right, base[hops[0].column] == right[key]).drop(key)
            for name, path in members:
                self.names[name] = f"__j{n}_{path.column.name}"
        self.table = base

    @staticmethod
    def _check(entity: str, available: Callable[[str], set[str]], columns: list[str]) -> None:
        have = available(entity)
        for column in columns:
            if column not in have:
                raise MissingDataError(f"the warehouse table '{entity}' has no column '{column}'")

    def _chain_table(
        self,
        tables: TableSource,
        available: Callable[[str], set[str]],
        hops: tuple[Any, ...],
        paths: list[ColumnPath],
        n: int,
    ) -> Any:
        """The last entity of ``hops`` joined back to the first hop's key."""
        first = hops[0]
        target = tables(first.target)
        target_key = ENTITIES[first.target].key
        self._check(first.target, available, [target_key])
        current = target
        for depth, rel in enumerate(hops[1:], start=1):
            self._check(hops[depth - 1].target, available, [rel.column])
            nxt = tables(rel.target)
            nkey = ENTITIES[rel.target].key
            self._check(rel.target, available, [nkey])
            cols = {f"__v{depth}_{p.column.name}": nxt[p.column.name] for p in paths}
            nxt = nxt.select(**{f"__kk{depth}": nxt[nkey]}, **cols)
            current = current.left_join(nxt, current[rel.column] == nxt[f"__kk{depth}"])
        final_entity = hops[-1].target
        self._check(final_entity, available, [p.column.name for p in paths])
        depth = len(hops) - 1
        out = {f"__k{n}": current[target_key]}
        for p in paths:
            src = p.column.name if depth == 0 else f"__v{depth}_{p.column.name}"
            out[f"__j{n}_{p.column.name}"] = current[src]
        return current.select(**out)

    def col(self, name: str) -> Any:
        return self.table[self.names[name]]


def _needed(specs: Iterable[MeasureSpec]) -> list[str]:
    names: list[str] = []
    for s in specs:
        for c in (s.column, s.start, s.end):
            if c:
                names.append(c)
        for p in (s.expr, s.filter):
            if p:
                names.extend(p.columns)
    return names


def timestamp_literal(value: date | datetime) -> Any:
    """``value`` as an Ibis timestamp literal (a date is its midnight)."""
    return ibis.literal(
        value if isinstance(value, datetime) else datetime(value.year, value.month, value.day),
        type="timestamp",
    )


def _as_timestamp(col: Any) -> Any:
    return col.cast("timestamp") if col.type().is_date() else col


def _aggregate(spec: MeasureSpec, jt: JoinedTable, key: str) -> Any:
    where = to_ibis(spec.filter, jt.col) if spec.filter else None
    if spec.kind == "rows":
        return jt.table[key].count(where=where)
    if spec.kind == "duration":
        start, end = _as_timestamp(jt.col(spec.start or "")), _as_timestamp(jt.col(spec.end or ""))
        both = start.notnull() & end.notnull()
        where = both if where is None else (where & both)
        value = (end.epoch_seconds() - start.epoch_seconds()).cast("float64") / SECONDS_PER_DAY
    elif spec.kind == "expr":
        value = to_ibis(spec.expr, jt.col) if spec.expr else None
    else:
        value = jt.col(spec.column or "")
    agg = spec.agg
    if agg == "count":
        return value.count(where=where)
    if agg == "count_distinct":
        return value.nunique(where=where)
    if value.type().is_decimal() or value.type().is_integer():
        value = value.cast("float64")
    method = {"sum": "sum", "avg": "mean", "min": "min", "max": "max", "median": "median"}[agg]
    return getattr(value, method)(where=where).cast("float64")


def _group_keys(jt: JoinedTable, time_col: Any, window: Window) -> dict[str, Any]:
    keys = {"period": window.period_expr(time_col)}
    for i, dim in enumerate(window.dims):
        keys[dim_column(i)] = jt.col(dim).cast("string")
    return keys


def _record_time(entity: str, time: str) -> str | None:
    """The entity's own (first required) time column when ``time`` is a related row's.

    A return placed by ``order.ordered_at`` is still dated by its ``returned_at``: as of
    a moment before it came back, it does not exist yet.
    """
    if not resolve(entity, time).hops:
        return None
    return record_column(entity)


def record_column(entity: str) -> str | None:
    """The column that dates a row of ``entity``: its first required time column."""
    for col in ENTITIES[entity].columns:
        if col.required and col.kind in ("timestamp", "date"):
            return col.name
    return None


def aggregate_expr(
    query: AggregateQuery, window: Window, tables: TableSource, available: Callable[[str], set[str]]
) -> Any:
    """One grouped query computing every measure of ``query`` per period and dimension."""
    record = _record_time(query.entity, query.time)
    names = [
        query.time,
        *([record] if record else []),
        *window.dims,
        *_needed(query.measures.values()),
    ]
    jt = JoinedTable(tables, query.entity, dict.fromkeys(names), available)
    key = ENTITIES[query.entity].key
    time_col = _as_timestamp(jt.col(query.time))
    upper = min(window.end, window.as_of)
    preds = [time_col >= timestamp_literal(window.start), time_col < timestamp_literal(upper)]
    if record:  # placed by a related row's time: the row itself must exist as of as_of too
        preds.append(_as_timestamp(jt.col(record)) < timestamp_literal(window.as_of))
    filtered = jt.table.filter(*preds)
    jt.table = filtered
    time_col = _as_timestamp(jt.col(query.time))
    metrics = {cid: _aggregate(spec, jt, key) for cid, spec in query.measures.items()}
    return filtered.group_by(**_group_keys(jt, time_col, window)).aggregate(**metrics)


def snapshot_expr(
    entity: str,
    agg: str,
    column: str | None,
    start: str,
    end: str | None,
    window_days: int | None,
    filter_: ParsedExpression | None,
    spine: list[tuple[date, datetime]],
    window: Window,
    tables: TableSource,
    available: Callable[[str], set[str]],
) -> Any:
    """Value of a stock at each period's end: rows with start < cutoff <= end."""
    names = [
        start,
        *([end] if end else []),
        *([column] if column else []),
        *window.dims,
        *(filter_.columns if filter_ else []),
    ]
    jt = JoinedTable(tables, entity, dict.fromkeys(names), available)
    t = jt.table
    if filter_:
        t = t.filter(to_ibis(filter_, jt.col))
        jt.table = t
    cols: dict[str, Any] = {"__start": _as_timestamp(jt.col(start))}
    if end:
        cols["__end"] = _as_timestamp(jt.col(end))
    cols["__value"] = jt.col(column) if column else jt.table[ENTITIES[entity].key]
    for i, dim in enumerate(window.dims):
        cols[dim_column(i)] = jt.col(dim).cast("string")
    rows = jt.table.select(**cols)
    rows = rows.filter(rows.__start.notnull())
    spine_table = ibis.memtable(
        {
            "period": [p for p, _ in spine],
            "cutoff": [c for _, c in spine],
        },
        schema={"period": "date", "cutoff": "timestamp"},
    )
    preds = [rows.__start < spine_table.cutoff]
    if end:
        preds.append(rows.__end.isnull() | (rows.__end >= spine_table.cutoff))
    if window_days:
        preds.append(rows.__start >= spine_table.cutoff - ibis.interval(days=window_days))
    joined = rows.join(spine_table, preds)
    keys = ["period", *(dim_column(i) for i in range(len(window.dims)))]
    value = joined.__value
    if agg == "count_distinct":
        metric = value.nunique()
    elif agg == "sum":
        metric = value.cast("float64").sum()
    else:
        metric = value.count()
    return joined.group_by(keys).aggregate(value=metric.cast("float64"))


def snapshot_flows_expr(
    entity: str,
    agg: str,
    column: str | None,
    start: str,
    end: str | None,
    window_days: int | None,
    filter_: ParsedExpression | None,
    window: Window,
    tables: TableSource,
    available: Callable[[str], set[str]],
) -> Any:
    """Inflows and outflows of a stock per period, for ``count`` and ``sum`` snapshots.

    A row is alive from ``start`` until its effective end (``end``, or ``start`` plus
    the window, whichever is first). The stock at a cutoff is everything that started
    before it minus everything that ended before it, so one grouped scan and a running
    sum replace a join of every row against every period end. The running sum is
    taken by the evaluator over the (small) grouped result.
    """
    names = [
        start,
        *([end] if end else []),
        *([column] if column else []),
        *window.dims,
        *(filter_.columns if filter_ else []),
    ]
    jt = JoinedTable(tables, entity, dict.fromkeys(names), available)
    if filter_:
        jt.table = jt.table.filter(to_ibis(filter_, jt.col))
    begin = _as_timestamp(jt.col(start))
    finish = _as_timestamp(jt.col(end)) if end else None
    if window_days:
        limit = begin + ibis.interval(days=window_days)
        finish = (
            limit
            if finish is None
            else ibis.cases((finish.isnull() | (limit < finish), limit), else_=finish)
        )
    if agg == "sum":
        weight = jt.col(column or "").cast("float64")
    elif column:
        weight = ibis.cases((jt.col(column).notnull(), 1.0), else_=0.0)
    else:
        weight = ibis.literal(1.0)
    cols: dict[str, Any] = {
        "__start": begin,
        "__end": finish if finish is not None else ibis.null("timestamp"),
        "__w": weight,
    }
    for i, dim in enumerate(window.dims):
        cols[dim_column(i)] = jt.col(dim).cast("string")
    rows = jt.table.select(**cols)
    cutoff = timestamp_literal(window.as_of)
    rows = rows.filter(
        rows.__start.notnull(),
        rows.__start < cutoff,
        rows.__end.isnull() | (rows.__end >= rows.__start),
    )
    dims = [dim_column(i) for i in range(len(window.dims))]
    starts = rows.select(
        period=window.period_expr(rows.__start),
        flow=rows.__w,
        **{d: rows[d] for d in dims},
    )
    ended = rows.filter(rows.__end.notnull(), rows.__end < cutoff)
    ends = ended.select(
        period=window.period_expr(ended.__end),
        flow=-ended.__w,
        **{d: ended[d] for d in dims},
    )
    flows = starts.union(ends)
    return flows.group_by(["period", *dims]).aggregate(value=flows.flow.sum().cast("float64"))


def conversion_exprs(
    base_entity: str,
    base_time: str,
    base_key: str,
    base_filter: ParsedExpression | None,
    conv_entity: str,
    conv_time: str,
    conv_key: str,
    conv_filter: ParsedExpression | None,
    window_days: int,
    window: Window,
    tables: TableSource,
    available: Callable[[str], set[str]],
) -> tuple[Any, Any]:
    """Two grouped queries: base events per period, and those converted within the window."""
    names = [base_time, base_key, *window.dims, *(base_filter.columns if base_filter else [])]
    bj = JoinedTable(tables, base_entity, dict.fromkeys(names), available)
    id_col = ENTITIES[base_entity].key
    base_time_col = _as_timestamp(bj.col(base_time))
    upper = timestamp_literal(min(window.end, window.as_of))
    cond = (
        (base_time_col >= timestamp_literal(window.start))
        & (base_time_col < upper)
        & bj.col(base_key).notnull()
    )
    if base_filter:
        cond = cond & to_ibis(base_filter, bj.col)
    base = bj.table.filter(cond)
    bj.table = base
    cols = {
        "__id": bj.table[id_col],
        "__key": bj.col(base_key).cast("string"),
        "__t": _as_timestamp(bj.col(base_time)),
    }
    keys = _group_keys(bj, _as_timestamp(bj.col(base_time)), window)
    base_rows = bj.table.select(**cols, **keys)
    cnames = [conv_time, conv_key, *(conv_filter.columns if conv_filter else [])]
    cj = JoinedTable(tables, conv_entity, dict.fromkeys(cnames), available)
    ctime = _as_timestamp(cj.col(conv_time))
    ccond = ctime.notnull() & cj.col(conv_key).notnull() & (ctime < timestamp_literal(window.as_of))
    if conv_filter:
        ccond = ccond & to_ibis(conv_filter, cj.col)
    conv = cj.table.filter(ccond)
    cj.table = conv
    conv_rows = conv.select(
        __ckey=cj.col(conv_key).cast("string"), __ct=_as_timestamp(cj.col(conv_time))
    )
    matched = base_rows.semi_join(
        conv_rows,
        [
            base_rows.__key == conv_rows.__ckey,
            conv_rows.__ct >= base_rows.__t,
            conv_rows.__ct <= base_rows.__t + ibis.interval(days=window_days),
        ],
    )
    group = ["period", *(dim_column(i) for i in range(len(window.dims)))]
    base_counts = base_rows.group_by(group).aggregate(
        value=base_rows.__id.nunique().cast("float64")
    )
    conv_counts = matched.group_by(group).aggregate(value=matched.__id.nunique().cast("float64"))
    return base_counts, conv_counts
