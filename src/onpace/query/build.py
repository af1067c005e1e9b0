"""The pieces of Ibis expressions: windows, joined tables, time literals, stocks at cutoffs.

The expressions are backend-neutral: the same tree runs on DuckDB, PySpark or any
other Ibis backend, which is how one KPI definition runs unchanged everywhere. The
grouped queries themselves are assembled in :mod:`onpace.query.batch` (many slices
at once) and the derived ``customer_spells`` table in :mod:`onpace.query.spells`.
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
from onpace.query.plan import MeasureSpec
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
    ranges: tuple[tuple[datetime, datetime], ...] = ()

    def scan_ranges(self) -> tuple[tuple[datetime, datetime], ...]:
        """The time ranges whose rows are read: ``ranges`` when given, else ``[start, end)``.

        A refresh recomputes scattered periods; their ranges keep it from reading the rest.
        """
        return self.ranges or ((self.start, self.end),)

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


def needed_columns(specs: Iterable[MeasureSpec]) -> list[str]:
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
    """``value`` as an Ibis timestamp literal (a date is its midnight).

    While statements are cached (:mod:`onpace.query.statements`), the literal holds a
    stand-in for the moment, written back into the compiled SQL when it runs.
    """
    from onpace.query.statements import stand_in

    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    return ibis.literal(stand_in(moment), type="timestamp")


def as_timestamp(col: Any) -> Any:
    return col.cast("timestamp") if col.type().is_date() else col


def record_time(entity: str, time: str) -> str | None:
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
    cols: dict[str, Any] = {"__start": as_timestamp(jt.col(start))}
    if end:
        cols["__end"] = as_timestamp(jt.col(end))
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
