"""Fill the value store: every KPI, grain and dimension; and keep it current incrementally.

A **full build** computes every stored slice (five grains, overall and by each
dimension a KPI allows) for every period from the start of the data to the period in
progress, in one batch of queries (:mod:`onpace.query.batch`), and writes the cells.

A **refresh** recomputes only what can have changed since the store was computed:

- the periods on the days that the recorded changes touch (:mod:`onpace.values.dirty`),
  in every grain, and for a formula also the periods that read those through
  ``prior()`` or ``last_year()``;
- when "now" has moved on: the periods in progress then and now (and every period in
  between), and conversion periods whose window closed in between;
- KPIs whose definition changed, in full.

A KPI whose members change (a rep's first order, a channel's last one going away) is
recomputed in full for that breakdown: every period of a breakdown lists the same
members, as a full build would.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from onpace.calendar import (
    GRAINS,
    Grain,
    next_period_start,
    period_start,
    periods_between,
    same_period_last_year,
    shift_period,
)
from onpace.query.assemble import Evaluator, Member
from onpace.query.plan import build_plan
from onpace.query.session import ComputeRequest, Session
from onpace.spec.kpi import (
    ConversionKpi,
    DerivedKpi,
    SnapshotKpi,
    derived_references,
    kpi_entities,
    lagged_references,
)
from onpace.values.cells import CellTable, Drop, cells_table
from onpace.values.changes import ChangeSet, read_data_version, resolve_tables
from onpace.values.dirty import EVERY_DAY, DirtyDays, Move, old_state
from onpace.values.keys import read_entities
from onpace.values.layout import OVERALL, Meta

HISTORY_YEARS = 10  # a store starts no earlier than this before its as-of moment


@dataclass(frozen=True)
class Slice:
    """One grain and one breakdown (``dim`` None: overall)."""

    grain: Grain
    dim: str | None

    @property
    def by(self) -> tuple[str, ...]:
        return (self.dim,) if self.dim else ()

    @property
    def dim_key(self) -> str:
        return self.dim or OVERALL


Dims = dict[str, tuple[str, ...]]  # per KPI, the dimensions it is stored by
# per entity: where its data lies before the as-of moment, and its first time stamp after
Facts = tuple[dict[str, tuple[datetime, datetime] | None], dict[str, datetime]]


def slices(dims: Dims, names: Sequence[str]) -> list[Slice]:
    """Every slice the store holds for KPIs ``names``: each grain, overall and per dimension."""
    every = sorted({d for n in names for d in dims[n]})
    return [Slice(g, d) for g in GRAINS for d in (None, *every)]


def names_in(slice_: Slice, dims: Dims, names: Iterable[str]) -> list[str]:
    """The KPIs of ``names`` stored in a slice (those stored by its dimension)."""
    return [n for n in names if slice_.dim is None or slice_.dim in dims[n]]


@dataclass
class RefreshReport:
    """What a build or refresh did: for the command line and the benchmarks."""

    kind: str  # "full", "incremental" or "unchanged"
    cells: int = 0
    seconds: float = 0.0
    kpis: list[str] = field(default_factory=list)
    rebuilt: list[str] = field(default_factory=list)
    periods: dict[str, int] = field(default_factory=dict)


@dataclass
class _Work:
    """The part of one slice a refresh recomputes: some periods of some KPIs."""

    slice: Slice
    names: list[str]
    periods: list[date]
    evaluator: Evaluator
    stored: dict[str, set[Member]]
    outside: dict[str, set[Member]]


class Refresher:
    """Builds and refreshes the stored values of one warehouse connection (a writable one)."""

    def __init__(self, session: Session, settings: str, hashes: dict[str, str]) -> None:
        self.session = session
        self.kpis = session.kpis
        self.calendar = session.calendar
        self.backend = session.warehouse.backend
        self.cells = CellTable(self.backend)
        self.settings = settings
        self.hashes = hashes
        self.dims: Dims = {}
        self._periods: dict[tuple[date, Grain], date] = {}

    # -- what the store covers ------------------------------------------------------------

    def computable(self) -> list[str]:
        """KPIs whose tables and columns the warehouse has, in the catalog's order.

        Also finds, per KPI, the dimensions the warehouse can break it down by (a
        breakdown by ``customer.segment`` needs the customers table).
        """
        names = [n for n in self.kpis if not self.session.missing_data(n)]
        self.dims = {n: self._dimensions(n) for n in names}
        return names

    def _dimensions(self, name: str) -> tuple[str, ...]:
        kpi = self.kpis[name]
        if isinstance(kpi, DerivedKpi):
            refs = [self._dimensions(r) for r in derived_references(kpi) if r in self.kpis]
            return tuple(d for d in kpi.dimensions if all(d in r for r in refs))
        wh = self.session.warehouse
        # a conversion is broken down by its base events' columns alone
        entities = (kpi.base.entity,) if isinstance(kpi, ConversionKpi) else kpi_entities(kpi)
        return tuple(d for d in kpi.dimensions if all(_reachable(wh, e, d) for e in entities))

    def facts(self, names: Sequence[str], as_of: datetime) -> Facts:
        """Where the data of the KPIs lies (per entity, before ``as_of``), and per entity
        its first time stamp after ``as_of`` (when a row dated later starts to count)."""
        timed = read_entities(self.kpis, names, timing=True)
        found = self.session.time_facts(timed, as_of)
        spans: dict[str, tuple[datetime, datetime] | None] = {}
        for entity in read_entities(self.kpis, names):
            lo, hi, _ = found.get(entity, (None, None, None))
            spans[entity] = (lo, hi) if lo is not None and hi is not None else None
        due = {e: found[e][2] for e in timed if e in found and found[e][2] is not None}
        return spans, due  # type: ignore[return-value]

    def starts(self, data_start: date | None, as_of: datetime) -> dict[str, date]:
        """First stored period per grain: the data's start, at most HISTORY_YEARS back."""
        earliest = as_of.date().replace(year=as_of.year - HISTORY_YEARS)
        first = max(data_start, earliest) if data_start else as_of.date()
        return {g: period_start(first, g, self.calendar) for g in GRAINS}

    @staticmethod
    def day_end(as_of: datetime) -> datetime:
        """Until when values as of ``as_of`` hold if no row comes due: the next midnight."""
        if as_of.time() == datetime.min.time():  # at midnight the day has not begun yet
            return as_of + timedelta(microseconds=1)
        return datetime.combine(as_of.date() + timedelta(days=1), datetime.min.time())

    @classmethod
    def valid_until(cls, as_of: datetime, soonest: datetime | None) -> datetime:
        """Until when values as of ``as_of`` hold: the next midnight, or a row dated sooner."""
        until = cls.day_end(as_of)
        return min(until, soonest) if soonest is not None else until

    def _meta(
        self, names: list[str], as_of: datetime, starts: dict[str, date], facts: Facts
    ) -> Meta:
        spans, due = facts
        firsts = [s[0].date() for s in spans.values() if s is not None]
        return Meta(
            as_of=as_of,
            valid_until=self.valid_until(as_of, min(due.values()) if due else None),
            data_version=read_data_version(self.backend),
            settings=self.settings,
            kpis={n: self.hashes[n] for n in names},
            starts=starts,
            data_start=min(firsts) if firsts else None,
            built_at=datetime.now(),
            dims={n: list(self.dims[n]) for n in names},
            spans=spans,
            due=due,
            day_end=self.day_end(as_of),
        )

    # -- full build -------------------------------------------------------------------------

    def full(self, as_of: datetime) -> RefreshReport:
        """Compute every stored slice from the data and replace the store."""
        started = time.perf_counter()
        names = self.computable()
        facts = self.facts(names, as_of)
        firsts = [s[0].date() for s in facts[0].values() if s is not None]
        starts = self.starts(min(firsts) if firsts else None, as_of)
        pairs = [(s, names_in(s, self.dims, names)) for s in slices(self.dims, names)]
        whole = self._whole(pairs, starts, as_of)
        self.session.run([w[2] for w in whole])
        tables = [self._whole_cells(w) for w in whole]
        meta = self._meta(names, as_of, starts, facts)
        meta.seconds = time.perf_counter() - started
        self.cells.apply([], tables, meta, clear=True)
        cells = sum(t.num_rows for t in tables)
        return RefreshReport("full", cells, time.perf_counter() - started, names, names)

    def _whole(
        self, pairs: Iterable[tuple[Slice, list[str]]], starts: dict[str, date], as_of: datetime
    ) -> list[tuple[Slice, list[str], Evaluator, date]]:
        """Evaluators of whole slices: from the first stored period to the one in progress."""
        out = []
        for s, names in pairs:
            if not names:
                continue
            current = period_start(as_of.date(), s.grain, self.calendar)
            end = next_period_start(current, s.grain)
            req = ComputeRequest(tuple(names), s.grain, starts[s.grain], end, s.by, as_of)
            evaluator, first = self.session._evaluator(req)
            out.append((s, names, evaluator, first))
        return out

    @staticmethod
    def _whole_cells(work: tuple[Slice, list[str], Evaluator, date]) -> pa.Table:
        s, names, evaluator, first = work
        return cells_table(evaluator.long_arrays(names, lambda p: p >= first), s.grain, s.dim)

    # -- incremental refresh ----------------------------------------------------------------

    def refresh(self, as_of: datetime, changes: ChangeSet | None) -> RefreshReport:
        """Bring the store to the data and to ``as_of``, recomputing only what can differ.

        ``changes`` are the recorded changes since the store's data version; None when
        they are not known (a changed data version then means a full build).
        """
        started = time.perf_counter()
        meta = self.cells.meta()
        if meta is None or meta.settings != self.settings or as_of < meta.as_of:
            return self.full(as_of)
        changes = changes or ChangeSet()
        resolve_tables(changes, self.backend)
        if read_data_version(self.backend) != meta.data_version and changes.empty:
            return self.full(as_of)
        names = self.computable()
        rebuilt = [n for n in names if meta.kpis.get(n) != self.hashes[n]]
        gone = [n for n in meta.kpis if n not in names]
        if changes.empty and not rebuilt and not gone and as_of < meta.valid_until:
            return RefreshReport("unchanged", seconds=time.perf_counter() - started)
        facts = self.facts(names, as_of)
        firsts = [s[0].date() for s in facts[0].values() if s is not None]
        if self.starts(min(firsts) if firsts else None, as_of) != meta.starts:
            return self.full(as_of)  # the data starts elsewhere: so does the store
        kept = [n for n in names if n not in rebuilt]
        old = Session(
            self.kpis,
            old_state(self.session.warehouse, changes),  # type: ignore[arg-type]
            self.calendar,
            self.session.churn,
        )
        move = Move(old, self.session, meta.as_of, as_of)
        dirty = DirtyDays(self.kpis, kept, move, changes, self.dims)
        days = dirty.compute() if kept else {}
        works = self._partial(kept, days, meta, as_of)
        whole = self._whole(
            [(s, names_in(s, self.dims, rebuilt)) for s in slices(self.dims, rebuilt)],
            meta.starts,
            as_of,
        )
        self.session.run([w.evaluator for w in works] + [w[2] for w in whole])
        redo = self._members_changed(works)
        again = self._whole(redo.items(), meta.starts, as_of)
        self.session.run([w[2] for w in again])
        drops = [Drop(tuple(gone + rebuilt))] if gone or rebuilt else []
        tables = [self._whole_cells(w) for w in whole]
        for w in works:
            redone = set(redo.get(w.slice, []))
            drops.append(Drop(tuple(w.names), w.slice.grain, w.slice.dim_key, tuple(w.periods)))
            tables.append(self._partial_cells(w, redone))
        for s, ks in redo.items():
            drops.append(Drop(tuple(ks), s.grain, s.dim_key))
        tables += [self._whole_cells(w) for w in again]
        new_meta = self._meta(names, as_of, meta.starts, facts)
        new_meta.seconds = time.perf_counter() - started
        self.cells.apply(drops, tables, new_meta)
        counts = {
            str(g): len({p for w in works if w.slice.grain == g for p in w.periods}) for g in GRAINS
        }
        return RefreshReport(
            "incremental",
            sum(t.num_rows for t in tables),
            time.perf_counter() - started,
            names,
            sorted(set(rebuilt) | {k for ks in redo.values() for k in ks}),
            counts,
        )

    def _partial(
        self,
        names: list[str],
        days: dict[tuple[str, str | None], set[date] | str],
        meta: Meta,
        as_of: datetime,
    ) -> list[_Work]:
        """Per slice, the periods each KPI needs recomputed, as evaluators to run."""
        plan = build_plan(names, self.kpis)
        todo: list[tuple[Slice, list[str], list[date]]] = []
        for s in slices(self.dims, names):
            ks = names_in(s, self.dims, names)
            end = _end(as_of, s.grain, self.calendar)
            stored = periods_between(meta.starts[s.grain], end, s.grain, self.calendar)
            wanted = self._dirty_periods(plan.order, ks, s, days, stored, meta.as_of, as_of)
            dirty = [k for k in ks if wanted.get(k)]
            if dirty:
                todo.append((s, dirty, sorted({p for k in dirty for p in wanted[k]})))
        members = self._members(todo)
        works = []
        for s, dirty, periods in todo:
            support = self._support(dirty, periods, s.grain, meta.starts[s.grain])
            stored_members = {k: members.get((s, k), (set(), set()))[0] for k in dirty}
            outside = {k: members.get((s, k), (set(), set()))[1] for k in dirty}
            if s.dim is None:
                stored_members = {k: {()} for k in dirty}
                outside = {k: {()} for k in dirty}
            evaluator = self.session.slice_evaluator(
                dirty, s.grain, s.by, sorted(set(periods) | support), as_of, stored_members
            )
            works.append(_Work(s, dirty, periods, evaluator, stored_members, outside))
        return works

    def _dirty_periods(
        self,
        order: list[str],
        ks: list[str],
        s: Slice,
        days: dict[tuple[str, str | None], set[date] | str],
        stored: list[date],
        old_as_of: datetime,
        as_of: datetime,
    ) -> dict[str, set[date]]:
        """Per KPI of a slice, the stored periods whose value can differ now."""
        grain = s.grain
        known = set(stored)
        moving = {p for p in stored if _period_end(p, grain) > old_as_of and p <= as_of.date()}
        if as_of == old_as_of:
            moving = set()
        out: dict[str, set[date]] = {}
        for name in order:
            if name not in ks:
                continue
            kpi = self.kpis[name]
            got = days.get((name, s.dim), set())
            if got == EVERY_DAY:
                periods = set(stored)
            else:
                assert isinstance(got, set)
                periods = {self._period_of(d, grain) for d in got} & known
            periods |= moving
            if isinstance(kpi, ConversionKpi) and as_of > old_as_of:
                window = timedelta(days=kpi.window_days)
                closing = {p for p in stored if old_as_of < _period_end(p, grain) + window <= as_of}
                periods |= closing
            if isinstance(kpi, DerivedKpi):
                periods |= self._lag_targets(kpi, out, grain, known)
            out[name] = periods
        return out

    def _period_of(self, day: date, grain: Grain) -> date:
        """The period of ``day`` (kept: a refresh asks it of the same days for every slice)."""
        key = (day, grain)
        found = self._periods.get(key)
        if found is None:
            found = self._periods[key] = period_start(day, grain, self.calendar)
        return found

    def _lag_targets(
        self, kpi: DerivedKpi, out: dict[str, set[date]], grain: Grain, known: set[date]
    ) -> set[date]:
        """Periods of a formula that read its inputs' dirty periods, directly or a lag away."""
        found: set[date] = set()
        lagged = lagged_references(kpi)
        for ref in derived_references(kpi):
            source = out.get(ref, set())
            found |= source
            if "prior" in lagged.get(ref, set()):
                found |= {shift_period(p, grain, 1) for p in source}
            if "last_year" in lagged.get(ref, set()):
                found |= {_next_year(p, grain) for p in source}
        return found & known

    def _support(
        self, names: list[str], periods: list[date], grain: Grain, first: date
    ) -> set[date]:
        """Earlier periods formulas read through prior() and last_year() (from the spine start)."""
        plan = build_plan(names, self.kpis)
        if not plan.uses_lag:
            return set()
        year_back = period_start(shift_period(first, "year", -1), grain, self.calendar)
        spine_start = shift_period(year_back, grain, -1)
        support: set[date] = set()
        frontier = set(periods)
        for _ in range(len(plan.derived) + 1):
            step = {shift_period(p, grain, -1) for p in frontier}
            step |= {same_period_last_year(p, grain) for p in frontier}
            step = {p for p in step if p >= spine_start} - support - set(periods)
            if not step:
                break
            support |= step
            frontier = step
        return support

    def _members(
        self, todo: list[tuple[Slice, list[str], list[date]]]
    ) -> dict[tuple[Slice, str], tuple[set[Member], set[Member]]]:
        """Per breakdown slice and KPI: the members stored, and those present elsewhere."""
        wanted = [(s.grain, s.dim_key, ks, ps) for s, ks, ps in todo if s.dim is not None]
        frame = self.cells.member_presence(wanted)
        by_key = {(s.grain, s.dim_key): s for s, _, _ in todo}
        out: dict[tuple[Slice, str], tuple[set[Member], set[Member]]] = {}
        for grain, dim, kpi, member, outside in frame.itertuples(index=False, name=None):
            s = by_key[(grain, dim)]
            stored, away = out.setdefault((s, kpi), (set(), set()))
            value: Member = (None if member is None or pd.isna(member) else member,)
            stored.add(value)
            if outside:
                away.add(value)
        return out

    def _partial_cells(self, work: _Work, skip: set[str]) -> pa.Table:
        names = [n for n in work.names if n not in skip]
        written = set(work.periods)
        columns = work.evaluator.long_arrays(names, written.__contains__)
        return cells_table(columns, work.slice.grain, work.slice.dim)

    def _members_changed(self, works: list[_Work]) -> dict[Slice, list[str]]:
        """KPIs whose members differ after the refresh: they are recomputed whole."""
        redo: dict[Slice, list[str]] = {}
        for w in works:
            if w.slice.dim is None:
                continue
            after: dict[str, set[Member]] = {}
            recomputed = set(w.periods)
            for name in w.evaluator.plan.order:
                if name not in w.names:
                    continue
                frame = w.evaluator.frames[name]
                grid = frame.present.reshape(len(frame.spine.periods), frame.spine.width)
                written = [p in recomputed for p in frame.spine.periods]
                seen = np.flatnonzero(np.asarray(grid[written] > 0).any(axis=0))
                cells = {frame.spine.members[int(i)] for i in seen}
                kpi = self.kpis[name]
                if isinstance(kpi, SnapshotKpi) and w.evaluator.uses_flows(name):
                    after[name] = cells
                elif isinstance(kpi, DerivedKpi):
                    refs = [r for r in derived_references(kpi) if r in after]
                    after[name] = set().union(*(after[r] for r in refs)) | w.outside[name]
                else:
                    after[name] = cells | w.outside[name]
                if after[name] != w.stored[name]:
                    redo.setdefault(w.slice, []).append(name)
        stored = {w.slice: set(w.stored) for w in works}
        return {
            s: _with_dependents(ks, self.kpis, self.dims, s, stored[s]) for s, ks in redo.items()
        }


def _reachable(wh: Any, entity: str, name: str) -> bool:
    """Whether the warehouse has every table and column that ``name`` on ``entity`` reads."""
    from onpace.errors import OnpaceError
    from onpace.model.paths import resolve

    try:
        path = resolve(entity, name)
    except OnpaceError:
        return False
    if entity == "customer_spells" and not path.hops:
        return True  # derived: its own columns are there (null without customers)
    source = entity
    for hop in path.hops:
        if not wh.has_table(source) or hop.column not in wh.columns(source):
            return False
        source = hop.target
    return wh.has_table(source) and path.column.name in wh.columns(source)


def _end(as_of: datetime, grain: Grain, calendar: Any) -> date:
    return next_period_start(period_start(as_of.date(), grain, calendar), grain)


def _period_end(period: date, grain: Grain) -> datetime:
    end = next_period_start(period, grain)
    return datetime(end.year, end.month, end.day)


def _next_year(period: date, grain: Grain) -> date:
    """The period whose ``last_year`` is ``period``."""
    if grain == "week":
        return period + timedelta(weeks=52)
    return shift_period(period, "year", 1)


def _with_dependents(
    names: list[str], kpis: dict[str, Any], dims: Dims, s: Slice, stored: set[str]
) -> list[str]:
    """``names`` and the stored formulas of the slice that read them, directly or not."""
    out = list(dict.fromkeys(names))
    changed = True
    while changed:
        changed = False
        for name, kpi in kpis.items():
            if name in out or name not in stored or not isinstance(kpi, DerivedKpi):
                continue
            if s.dim is not None and s.dim not in dims.get(name, ()):
                continue
            if any(r in out for r in derived_references(kpi)):
                out.append(name)
                changed = True
    return out
