"""Which stored cells can have changed: the days whose values a change set can move.

A KPI's value in a period depends only on the rows placed in that period (for a stock,
on the rows alive at the period's end). So the cells a change can move are found by
*placing the changed rows* twice: as the data was (old rows, old as-of moment) and as
it is (new rows, new as-of moment), with the same joins and filters the queries use.
A row whose placement, breakdown member and read columns are the same both times
moves nothing; otherwise the days it is placed on (either time) are dirty:

- a measure (sum, count, average, distinct count, median, duration) is dirty on the
  day of its time column, old and new. Rows are followed through relations too: a
  rep moving to another team changes that rep's orders by team, on their days;
- a stock (active customers) is dirty where a row's being alive differs: between the
  old and new start, and between the old and new end, or over its whole old and new
  life when it moved to another member or changed its weight;
- a conversion is dirty on the day of a base event that changed, and on the days of
  the base events a changed conversion event can match (within the window);
- customer spells are recomputed for the customers whose orders (or customer row)
  changed, and then placed like any other rows.

"Now" moving on is a change too: rows dated between the two moments become visible
(placed like new rows here), customers whose churn window ends in between are lost,
and the periods in progress are recomputed (see :mod:`onpace.values.refresh`).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import ibis
import pandas as pd

from onpace.model.entities import ENTITIES
from onpace.model.paths import resolve
from onpace.query.build import JoinedTable, as_timestamp, needed_columns, record_time
from onpace.query.plan import build_plan
from onpace.query.session import Session
from onpace.query.warehouse import Warehouse
from onpace.spec.filters import parse_row_expression, to_ibis
from onpace.spec.kpi import AnyKpi, ConversionKpi, DerivedKpi, SnapshotKpi, derived_references
from onpace.values.changes import ChangeSet, changed_keys

SPELLS = "customer_spells"
EVERY_DAY = "every day"  # a change that can move any period: recompute them all


@dataclass
class StateWarehouse:
    """A warehouse read through some replaced tables: the data as it was, or a subset."""

    base: Warehouse
    tables: dict[str, Any] = field(default_factory=dict)

    @property
    def backend(self) -> Any:
        return self.base.backend

    @property
    def kind(self) -> str:
        return self.base.kind

    @property
    def dialect(self) -> str:
        return self.base.dialect

    def has_table(self, name: str) -> bool:
        return name in self.tables or self.base.has_table(name)

    def table(self, name: str) -> Any:
        return self.tables[name] if name in self.tables else self.base.table(name)

    def columns(self, name: str) -> set[str]:
        return set(self.table(name).columns) if name in self.tables else self.base.columns(name)


def old_state(warehouse: Warehouse, changes: ChangeSet) -> StateWarehouse:
    """The warehouse as it was before ``changes``: changed rows put back as they were."""
    tables: dict[str, Any] = {}
    for entity, changed in changes.rows.items():
        key = ENTITIES[entity].key
        current = warehouse.table(entity)
        parts = []
        if changed.new is not None:
            gone = changed.new.select(__k=changed.new[key].cast("string"))
            parts.append(current.filter(~current[key].cast("string").isin(gone.__k)))
        else:
            parts.append(current)
        if changed.old is not None:
            parts.append(changed.old.select(*current.columns).cast(current.schema()))
        tables[entity] = parts[0] if len(parts) == 1 else parts[0].union(parts[1])
    return StateWarehouse(warehouse, tables)


@dataclass
class _Ask:
    """Rows a KPI part asks for: of an entity, on some names, those ``visible`` keeps."""

    entity: str
    names: list[str]
    visible: Callable[[JoinedTable, datetime], Any]


def _bound(visible: Callable[[JoinedTable, datetime], Any], as_of: datetime) -> Any:
    def condition(jt: JoinedTable) -> Any:
        found = visible(jt, as_of)
        return ibis.literal(True) if found is None else found

    return condition


@dataclass
class Move:
    """The data and moment of the stored values (old) and of the refresh (new)."""

    old: Session
    new: Session
    old_as_of: datetime
    new_as_of: datetime


class DirtyDays:
    """Per KPI and breakdown (None: overall), the days a change can move; or every day."""

    def __init__(
        self,
        kpis: dict[str, AnyKpi],
        names: Sequence[str],
        move: Move,
        changes: ChangeSet,
        dims: dict[str, tuple[str, ...]],
    ) -> None:
        self.kpis = kpis
        self.dims = dims
        self.names = list(names)
        self.move = move
        self.changes = changes
        self.plan = build_plan(self.names, kpis)
        self.keys: dict[str, set[str]] = {}
        self.customers: set[str] = set()
        self.out: dict[tuple[str, str | None], set[date] | str] = {}
        # the rows each KPI part asks for, fetched in one query per state and entity
        self._asks: list[_Ask] = []
        self._planning = False
        self._calls = 0
        self._fetched: dict[tuple[int, str], pd.DataFrame] = {}

    # -- what is affected --------------------------------------------------------------

    def _candidates(self) -> None:
        """Changed keys per entity, rows becoming visible, and customers whose spells move."""
        for entity, changed in self.changes.rows.items():
            self.keys.setdefault(entity, set()).update(changed_keys(changed))
        if self.move.new_as_of > self.move.old_as_of:
            for entity in ENTITIES:
                if ENTITIES[entity].derived or not self.move.new.warehouse.has_table(entity):
                    continue
                visible = self._dated_between(entity, self.move.old_as_of, self.move.new_as_of)
                if visible:
                    self.keys.setdefault(entity, set()).update(visible)
        self.customers = self._moved_customers()

    def _dated_between(self, entity: str, low: datetime, high: datetime) -> set[str]:
        """Keys of rows with any date or time stamp in ``[low, high)``."""
        wh = self.move.new.warehouse
        have = wh.columns(entity)
        table = wh.table(entity)
        conds = []
        for col in ENTITIES[entity].columns:
            if col.kind in ("timestamp", "date") and col.name in have:
                value = as_timestamp(table[col.name])
                conds.append((value >= _ts(low)) & (value < _ts(high)))
        if not conds:
            return set()
        cond = conds[0]
        for c in conds[1:]:
            cond = cond | c
        key = ENTITIES[entity].key
        found = table.filter(cond).select(k=table[key].cast("string")).execute()["k"]
        return {str(k) for k in found if k is not None}

    def _moved_customers(self) -> set[str]:
        """Customers whose spells can differ: their orders or their row changed, or they lapse."""
        out = set(self.keys.get("customers", set()))
        for state in (self.move.old, self.move.new):
            keys = self.keys.get("orders")
            if keys:
                orders = state.warehouse.table("orders")
                picked = orders.filter(orders.order_id.cast("string").isin(list(keys)))
                found = picked.select(c=picked.customer_id.cast("string")).execute()["c"]
                out.update(str(c) for c in found if c is not None)
        churn, m = self.move.new.churn, self.move
        lapsing = churn.method == "inactivity" and m.new_as_of > m.old_as_of
        if lapsing and m.new.warehouse.has_table("orders"):
            lapse = timedelta(days=churn.days)
            orders = m.new.warehouse.table("orders")
            t = orders.ordered_at.cast("timestamp")
            low, high = m.old_as_of - lapse, m.new_as_of - lapse
            near = orders.filter((t >= _ts(low)) & (t < _ts(high)))
            found = near.select(c=near.customer_id.cast("string")).execute()["c"]
            out.update(str(c) for c in found if c is not None)
        return out

    def _touched(self, entity: str) -> bool:
        return entity in self.changes.full or bool(self.keys.get(entity))

    # -- placing rows ------------------------------------------------------------------

    def _session(self, state: Session, entity: str) -> Session:
        """``state``, with spells only for the customers whose spells can have moved."""
        if entity != SPELLS:
            return state
        few = list(self.customers)
        tables: dict[str, Any] = {}
        for name in ("orders", "customers"):
            if state.warehouse.has_table(name):
                t = state.warehouse.table(name)
                tables[name] = t.filter(t.customer_id.cast("string").isin(few))
        subset = StateWarehouse(state.warehouse, tables)  # type: ignore[arg-type]
        return Session(state.kpis, subset, state.calendar, state.churn)  # type: ignore[arg-type]

    def _rows(
        self,
        state: Session,
        as_of: datetime,
        entity: str,
        names: list[str],
        visible: Any,
        flags: dict[str, Any] | None = None,
    ) -> pd.DataFrame:
        """The candidate rows of ``entity`` in ``state``, with the columns ``names``.

        With ``flags`` (column name: a condition on the joined table), each flag is a
        column too, and only rows with some flag set are kept.
        """
        session = self._session(state, entity)
        hop_keys = _hop_keys(entity, names)
        tables = session._tables(as_of)
        jt = JoinedTable(tables, entity, dict.fromkeys([*names, *hop_keys]), session._available)
        if entity != SPELLS:
            key = ENTITIES[entity].key
            conds = []
            if self.keys.get(entity):
                conds.append(jt.table[key].cast("string").isin(list(self.keys[entity])))
            for name, target in hop_keys.items():
                if self.keys.get(target):
                    conds.append(jt.col(name).cast("string").isin(list(self.keys[target])))
            if not conds:
                return pd.DataFrame(columns=["__key", *names, *(flags or {})])
            cond = conds[0]
            for c in conds[1:]:
                cond = cond | c
            jt.table = jt.table.filter(cond)
        kept = visible(jt)
        if kept is not None:
            jt.table = jt.table.filter(kept)
        picked = {"__key": _pairing_key(entity, jt)}
        for i, name in enumerate(names):
            picked[f"c{i}"] = jt.col(name)
        marks = {f: make(jt).fill_null(False) for f, make in (flags or {}).items()}
        if marks:
            jt.table = jt.table.filter(functools.reduce(operator.or_, marks.values()))
        frame: pd.DataFrame = jt.table.select(**picked, **marks).execute()
        frame.columns = ["__key", *names, *marks]
        for f in marks:
            frame[f] = frame[f].astype(bool)
        return frame

    def _both(
        self, entity: str, names: list[str], visible: Any
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The candidate rows of ``entity`` as they were and as they are, on ``names``.

        While planning, the ask is only noted (and nothing is found); then every ask of
        an entity is answered from one query per state (:meth:`_fetch`), whose rows
        carry one flag per ask for the rows that ask sees.
        """
        index = self._calls
        self._calls += 1
        if self._planning:
            self._asks.append(_Ask(entity, list(names), visible))
            empty = pd.DataFrame(columns=["__key", *names])
            return empty, empty
        ask = self._asks[index] if index < len(self._asks) else None
        if ask is None or ask.entity != entity or ask.names != list(names):
            return self._both_alone(entity, names, visible)  # not planned: asked on its own
        return self._answer(0, index, ask), self._answer(1, index, ask)

    def _both_alone(
        self, entity: str, names: list[str], visible: Any
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        m = self.move
        old = self._rows(m.old, m.old_as_of, entity, names, lambda jt: visible(jt, m.old_as_of))
        new = self._rows(m.new, m.new_as_of, entity, names, lambda jt: visible(jt, m.new_as_of))
        return old, new

    def _answer(self, side: int, index: int, ask: _Ask) -> pd.DataFrame:
        fetched = self._fetched[(side, ask.entity)]
        if not len(fetched):
            return pd.DataFrame(columns=["__key", *ask.names])
        rows = fetched[fetched[f"__v{index}"]]
        return rows[["__key", *ask.names]].reset_index(drop=True)

    def _fetch(self) -> None:
        """Run every planned ask: one query per state and entity, every name any ask reads."""
        m = self.move
        by_entity: dict[str, list[int]] = {}
        for i, ask in enumerate(self._asks):
            by_entity.setdefault(ask.entity, []).append(i)
        for entity, indexes in by_entity.items():
            names = list(dict.fromkeys(n for i in indexes for n in self._asks[i].names))
            for side, (state, as_of) in enumerate(((m.old, m.old_as_of), (m.new, m.new_as_of))):
                flags = {f"__v{i}": _bound(self._asks[i].visible, as_of) for i in indexes}
                self._fetched[(side, entity)] = self._rows(
                    state, as_of, entity, names, lambda jt: None, flags
                )

    # -- the KPI parts ------------------------------------------------------------------

    def compute(self) -> dict[tuple[str, str | None], set[date] | str]:
        """Dirty days per (KPI, breakdown); ``EVERY_DAY`` where anything can have moved.

        Walked twice: once noting the rows every part asks for, which are then fetched
        together (a few queries instead of two per part), and once finding the days.
        """
        self._candidates()
        self._planning, self._calls = True, 0
        self._walk()
        self._planning, self._calls, self.out = False, 0, {}
        self._fetch()
        self._walk()
        return self.out

    def _walk(self) -> None:
        for (entity, time), query in self.plan.aggregates.items():
            users = [n for n in self.plan.order if _reads(self.plan.refs[n], (entity, time))]
            dims = sorted({d for n in users for d in self.dims[n]})
            base = [time, *([r] if (r := record_time(entity, time)) else [])]
            base += needed_columns(query.measures.values())
            days = self._measure_days(entity, time, list(dict.fromkeys(base)), dims)
            self._assign(users, days)
        for name in self.plan.snapshots:
            kpi = self.kpis[name]
            assert isinstance(kpi, SnapshotKpi)
            self._assign([name], self._stock_days(kpi))
        for name in self.plan.conversions:
            kpi = self.kpis[name]
            assert isinstance(kpi, ConversionKpi)
            self._assign([name], self._conversion_days(kpi))
        for name in self.plan.order:  # a formula is dirty where its inputs are
            kpi = self.kpis[name]
            if isinstance(kpi, DerivedKpi):
                for dim in (None, *self.dims[name]):
                    for ref in derived_references(kpi):
                        self._merge(name, dim, self.out.get((ref, dim), set()))

    def _assign(self, users: Iterable[str], days: dict[str | None, set[date] | str]) -> None:
        for name in users:
            for dim in (None, *self.dims[name]):
                if dim in days:
                    self._merge(name, dim, days[dim])

    def _merge(self, name: str, dim: str | None, days: set[date] | str) -> None:
        known = self.out.get((name, dim), set())
        if known == EVERY_DAY or days == EVERY_DAY:
            self.out[(name, dim)] = EVERY_DAY
        elif days:
            assert isinstance(known, set) and isinstance(days, set)
            self.out[(name, dim)] = known | days

    def _full(self, entity: str, names: Iterable[str]) -> bool:
        """Whether the entity, or one its names reach through relations, changed wholesale."""
        reached = {entity if entity != SPELLS else "orders"}
        if entity == SPELLS:
            reached.add("customers")
        for name in names:
            reached.update(h.target for h in resolve(entity, name).hops)
        return bool(reached & self.changes.full)

    def _affected(self, entity: str, names: Iterable[str]) -> bool:
        if entity == SPELLS:
            return bool(self.customers)
        reached = {entity, *(h.target for n in names for h in resolve(entity, n).hops)}
        return any(self._touched(e) for e in reached)

    def _measure_days(
        self, entity: str, time: str, base: list[str], dims: list[str]
    ) -> dict[str | None, set[date] | str]:
        out: dict[str | None, set[date] | str] = {}
        wanted = [*base, *(d for d in dims if d not in base)]
        for dim in (None, *dims):
            names = base if dim is None else [*base, dim]
            if self._full(entity, names):
                out[dim] = EVERY_DAY
        if len(out) == len(dims) + 1 or not self._affected(entity, wanted):
            return out
        record = record_time(entity, time)

        def visible(jt: JoinedTable, as_of: datetime) -> Any:
            cond = as_timestamp(jt.col(time)) < _ts(as_of)
            if record:
                cond = cond & (as_timestamp(jt.col(record)) < _ts(as_of))
            return cond

        old, new = self._both(entity, wanted, visible)
        for dim in (None, *dims):
            if dim in out:
                continue
            cols = ["__key", *base, *([dim] if dim else [])]
            out[dim] = _days(_differing(old, new, cols)[time])
        return out

    def _stock_days(self, kpi: SnapshotKpi) -> dict[str | None, set[date] | str]:
        """Days where a row's being alive (or what it counts) differs between the two states."""
        flt = parse_row_expression(kpi.filter, kind="filter") if kpi.filter else None
        base = [kpi.start, *([kpi.end] if kpi.end else []), *([kpi.column] if kpi.column else [])]
        base += flt.columns if flt else []
        dims = list(self.dims[kpi.name])
        out: dict[str | None, set[date] | str] = {}
        for dim in (None, *dims):
            if self._full(kpi.entity, [*base, *([dim] if dim else [])]):
                out[dim] = EVERY_DAY
        wanted = list(dict.fromkeys([*base, *dims]))
        if len(out) == len(dims) + 1 or not self._affected(kpi.entity, wanted):
            return out

        def visible(jt: JoinedTable, as_of: datetime) -> Any:
            start = as_timestamp(jt.col(kpi.start))
            cond = start.notnull() & (start < _ts(as_of))
            if flt:
                cond = cond & to_ibis(flt, jt.col)
            return cond

        old, new = self._both(kpi.entity, wanted, visible)
        today = self.move.new_as_of.date()
        for dim in (None, *dims):
            if dim in out:
                continue
            out[dim] = _stock_changes(kpi, old, new, dim, self.move, today)
        return out

    def _conversion_days(self, kpi: ConversionKpi) -> dict[str | None, set[date] | str]:
        b, c = kpi.base, kpi.conversion
        bf = parse_row_expression(b.filter, kind="filter") if b.filter else None
        cf = parse_row_expression(c.filter, kind="filter") if c.filter else None
        dims = list(self.dims[kpi.name])
        base_names = list(dict.fromkeys([b.time, b.key, *(bf.columns if bf else [])]))
        conv_names = list(dict.fromkeys([c.time, c.key, *(cf.columns if cf else [])]))
        if self._full(b.entity, [*base_names, *dims]) or self._full(c.entity, conv_names):
            return {d: EVERY_DAY for d in (None, *dims)}

        def base_visible(jt: JoinedTable, as_of: datetime) -> Any:
            t = as_timestamp(jt.col(b.time))
            cond = (t < _ts(as_of)) & jt.col(b.key).notnull()
            return cond & to_ibis(bf, jt.col) if bf else cond

        def conv_visible(jt: JoinedTable, as_of: datetime) -> Any:
            t = as_timestamp(jt.col(c.time))
            cond = t.notnull() & (t < _ts(as_of)) & jt.col(c.key).notnull()
            return cond & to_ibis(cf, jt.col) if cf else cond

        out: dict[str | None, set[date] | str] = {}
        wanted = list(dict.fromkeys([*base_names, *dims]))
        if self._affected(b.entity, wanted):
            old, new = self._both(b.entity, wanted, base_visible)
            for dim in (None, *dims):
                cols = ["__key", *base_names, *([dim] if dim else [])]
                out[dim] = _days(_differing(old, new, cols)[b.time])
        if self._affected(c.entity, conv_names):
            old, new = self._both(c.entity, conv_names, conv_visible)
            events = _differing(old, new, ["__key", *conv_names])
            days = self._matching_base_days(kpi, events, base_visible)
            for dim in (None, *dims):
                known = out.get(dim, set())
                assert isinstance(known, set)
                out[dim] = known | days
        return out

    def _matching_base_days(
        self, kpi: ConversionKpi, events: pd.DataFrame, visible: Any
    ) -> set[date]:
        """Days of the base events (either state) that a changed conversion event can match."""
        b, c = kpi.base, kpi.conversion
        if not len(events):
            return set()
        moved = pd.DataFrame(
            {"k": events[c.key].astype(str), "at": pd.to_datetime(events[c.time])}
        ).dropna()
        keys = sorted(set(moved["k"]))
        days: set[date] = set()
        m = self.move
        for state, as_of in ((m.old, m.old_as_of), (m.new, m.new_as_of)):
            session = self._session(state, b.entity)
            names = dict.fromkeys([b.time, b.key])
            jt = JoinedTable(session._tables(as_of), b.entity, names, session._available)
            jt.table = jt.table.filter(visible(jt, as_of) & jt.col(b.key).cast("string").isin(keys))
            base = jt.table.select(
                k=jt.col(b.key).cast("string"), t=as_timestamp(jt.col(b.time))
            ).execute()
            pairs = base.merge(moved, on="k")
            window = pd.Timedelta(days=kpi.window_days)
            hits = pairs[(pairs["at"] >= pairs["t"]) & (pairs["at"] <= pairs["t"] + window)]
            days.update(pd.Timestamp(t).date() for t in hits["t"])
        return days


# -- helpers ------------------------------------------------------------------------------


def _ts(moment: datetime) -> Any:
    return ibis.literal(moment, type="timestamp")


def _day(value: Any) -> date | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


def _days(values: Iterable[Any]) -> set[date]:
    return {d for d in (_day(v) for v in values) if d is not None}


def _reads(refs: dict[str, Any], key: tuple[str, str]) -> bool:
    return any(getattr(ref, "query", None) == key for ref in refs.values())


def _hop_keys(entity: str, names: Iterable[str]) -> dict[str, str]:
    """Names of the columns that lead from ``entity`` to each related row, and its entity.

    ``order.customer.segment`` on returns goes through ``order_id`` (to orders) and
    ``order.customer_id`` (to customers): a change of either row moves the return.
    """
    out: dict[str, str] = {}
    for name in names:
        hops = resolve(entity, name).hops
        for i, hop in enumerate(hops):
            prefix = ".".join(h.name for h in hops[:i])
            out[f"{prefix}.{hop.column}" if prefix else hop.column] = hop.target
    return out


def _pairing_key(entity: str, jt: JoinedTable) -> Any:
    """What makes a row the same row in both states (a spell: its customer and start)."""
    if entity == SPELLS:
        t = jt.table
        return t["customer_id"].cast("string") + "#" + t["started_at"].cast("string")
    return jt.table[ENTITIES[entity].key].cast("string")


def _text(frame: pd.DataFrame, cols: list[str]) -> list[tuple[str, ...]]:
    """Each row of ``frame`` on ``cols`` as text, so that both states compare exactly."""
    if not len(frame):
        return []
    picked = frame[cols].astype(object).where(frame[cols].notna(), None)
    return [tuple(repr(v) for v in row) for row in picked.itertuples(index=False, name=None)]


def _differing(old: pd.DataFrame, new: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """The rows (of either state) that are not identical in the other, on ``cols``."""
    rows = {id(old): _text(old, cols), id(new): _text(new, cols)}
    only = set(rows[id(old)]) ^ set(rows[id(new)])
    parts = []
    for frame in (old, new):
        if len(frame):
            parts.append(frame[[k in only for k in rows[id(frame)]]])
    if not parts:
        return pd.DataFrame(columns=old.columns)
    return pd.concat(parts, ignore_index=True)


def _stock_changes(
    kpi: SnapshotKpi,
    old: pd.DataFrame,
    new: pd.DataFrame,
    dim: str | None,
    move: Move,
    today: date,
) -> set[date]:
    """Days on which the stock can differ, from rows alive differently in the two states."""
    extra = [c for c in (kpi.column, dim) if c]
    others = [c for c in old.columns if c not in ("__key", kpi.start, kpi.end, *extra)]

    def lives(frame: pd.DataFrame, as_of: datetime) -> dict[str, tuple[Any, Any, tuple[str, ...]]]:
        out = {}
        for _, row in frame.iterrows():
            start = pd.Timestamp(row[kpi.start]).to_pydatetime()
            end = row[kpi.end] if kpi.end else None
            end = None if end is None or pd.isna(end) else pd.Timestamp(end).to_pydatetime()
            if kpi.window_days:
                limit = start + timedelta(days=kpi.window_days)
                end = limit if end is None or limit < end else end
            if end is not None and end >= as_of:
                end = None  # not ended yet as of then
            what = tuple(repr(row[c]) for c in [*extra, *others])
            out[str(row["__key"])] = (start, end, what)
        return out

    before, after = lives(old, move.old_as_of), lives(new, move.new_as_of)
    days: set[date] = set()

    def span(a: datetime, b: datetime | None) -> None:
        last = today if b is None else b.date()
        first = a.date()
        days.update(first + timedelta(days=i) for i in range((last - first).days + 1))

    for key in set(before) | set(after):
        o, n = before.get(key), after.get(key)
        if o == n:
            continue
        if o is not None and n is not None and o[2] == n[2]:
            span(min(o[0], n[0]), max(o[0], n[0]))
            ends = [e for e in (o[1], n[1]) if e is not None]
            if o[1] != n[1]:
                span(min(ends), None if None in (o[1], n[1]) else max(ends))
            continue
        for life in (o, n):
            if life is not None:
                span(life[0], life[1])
    return days
