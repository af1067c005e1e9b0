"""Compute KPIs: plan, build, run and assemble, for one grain, range and breakdown."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

from onpace.calendar import (
    COMPUTE_GRAINS,
    Calendar,
    ComputeGrain,
    Grain,
    data_covers,
    next_period_start,
    same_period_last_year,
    same_point,
    shift_period,
)
from onpace.errors import MissingDataError, RequestError, UnknownNameError, did_you_mean
from onpace.model.entities import ENTITIES
from onpace.query.assemble import Evaluator
from onpace.query.build import Window, record_column
from onpace.query.plan import Plan, build_plan, expand
from onpace.query.ranges import spine
from onpace.query.request import ComputeRequest as ComputeRequest
from onpace.query.spells import customer_spells
from onpace.query.statements import Computation, statements_for
from onpace.query.top import keep_top, rank_overall
from onpace.query.warehouse import Warehouse
from onpace.spec.kpi import AnyKpi, kpi_entities
from onpace.spec.workspace_config import ChurnSettings

_MISSING: dict[Any, list[str]] = {}  # Session.missing_data's answers, per process
_MISSING_SIZE = 4096


def _never(expr: Any) -> pd.DataFrame:
    raise AssertionError("explaining runs no query")


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time())


def ibis_timestamp(moment: datetime) -> Any:
    import ibis

    return ibis.literal(moment, type="timestamp")


class Session:
    """KPIs bound to a warehouse and the workspace's rules; computes and explains."""

    def __init__(
        self,
        kpis: dict[str, AnyKpi],
        warehouse: Warehouse,
        calendar: Calendar,
        churn: ChurnSettings,
    ) -> None:
        self.kpis = kpis
        self.warehouse = warehouse
        self.calendar = calendar
        self.churn = churn
        self.values: Any = None  # a StoredValues that answers what it holds (onpace.values)
        self._spells: dict[datetime, Any] = {}
        self._spell_columns: set[str] | None = None
        self._materialize = False
        self._computation: Computation | None = None  # while a batch runs on DuckDB

    # the table source the compiler reads through: warehouse tables plus derived ones
    def _tables(self, as_of: datetime) -> Callable[[str], Any]:
        def source(name: str) -> Any:
            if name == "customer_spells":
                if as_of not in self._spells:
                    # Several queries read the spells (won, lost, active, lifetime): compute
                    # the window function over orders once and keep it as a temp table.
                    spells = customer_spells(
                        self._table,
                        self._available,
                        self.churn,
                        as_of,
                        self._spell_columns,
                    )
                    self._spells[as_of] = self._materialized(spells)
                return self._spells[as_of]
            if not self.warehouse.has_table(name):
                raise MissingDataError(f"the warehouse has no table '{name}'")
            return self._table(name)

        return source

    def _table(self, name: str) -> Any:
        """A warehouse table; while a batch runs on DuckDB, known by name and schema alone."""
        table = self.warehouse.table(name)
        computation = self._computation
        return table if computation is None else computation.unbound(table)

    def _materialized(self, spells: Any) -> Any:
        """The spells as a temporary table while a batch runs (the expression otherwise)."""
        if not self._materialize:
            return spells
        if self._computation is not None:
            return self._computation.materialize_spells(spells)
        return spells.cache()

    def _available(self, name: str) -> set[str]:
        if name == "customer_spells":
            return set(ENTITIES["customer_spells"].column_names)
        if not self.warehouse.has_table(name):
            raise MissingDataError(f"the warehouse has no table '{name}'")
        return self.warehouse.columns(name)

    def missing_data(self, name: str) -> list[str]:
        """What KPI ``name`` needs that the warehouse lacks (empty when computable).

        Found by building the KPI's expressions, which costs tens of milliseconds a KPI;
        every refresh of the value store asks it of the whole catalog. So the answer is
        kept per process, keyed by the definitions it depends on, the churn rule and the
        columns of every table (all the answer can depend on).
        """
        deps = expand([name], self.kpis)
        key = (
            name,
            tuple(self._definition(d) for d in deps),
            repr(self.churn),
            self._columns_key(),
        )
        found = _MISSING.get(key)
        if found is None:
            found = _MISSING[key] = self._missing_data(name, deps)
            while len(_MISSING) > _MISSING_SIZE:
                _MISSING.pop(next(iter(_MISSING)))
        return list(found)

    def _columns_key(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The columns of every table of the data model (no other table is read).

        Tables of other kinds (the stored values, recorded changes) come and go with
        writes and must not make a refresh ask the whole catalog again.
        """
        wh = self.warehouse
        names = wh.table_names() if hasattr(wh, "table_names") else set()
        model = sorted(t for t in names if t in ENTITIES)
        return tuple((t, tuple(sorted(wh.columns(t)))) for t in model)

    def _missing_data(self, name: str, deps: Sequence[str]) -> list[str]:
        problems: list[str] = []
        for dep in deps:
            for entity in kpi_entities(self.kpis[dep]):
                source = "orders" if entity == "customer_spells" else entity
                if not self.warehouse.has_table(source):
                    problems.append(f"table '{source}'")
        if problems:
            return sorted(set(problems))
        try:
            self._evaluator(
                ComputeRequest(
                    (name,), "month", date(2000, 1, 1), date(2000, 2, 1), as_of=datetime(2000, 2, 1)
                )
            )[0].expressions()
        except MissingDataError as exc:
            problems.append(str(exc))
        return problems

    def _evaluator(self, req: ComputeRequest) -> tuple[Evaluator, date]:
        for dim in req.by:
            if not dim or dim != dim.strip():
                raise UnknownNameError(f"invalid dimension {dim!r}")
        if req.grain not in COMPUTE_GRAINS:
            raise UnknownNameError(
                f"unknown grain '{req.grain}'." + did_you_mean(req.grain, COMPUTE_GRAINS)
            )
        if req.top is not None and (req.top < 1 or not req.by):
            raise RequestError(
                f"top {req.top}: give a number of at least 1 and a dimension to rank (by=...)"
            )
        for name in req.names:
            if name not in self.kpis:
                raise UnknownNameError(f"unknown KPI '{name}'." + did_you_mean(name, self.kpis))
            allowed = self.kpis[name].dimensions
            for dim in req.by:
                if dim not in allowed:
                    raise UnknownNameError(
                        f"KPI '{name}' cannot be broken down by '{dim}'."
                        + did_you_mean(dim, allowed)
                        + (
                            f" Its dimensions: {', '.join(allowed)}"
                            if allowed
                            else " It has no dimensions."
                        )
                    )
        plan = build_plan(list(req.names), self.kpis)
        first, spine_start, periods, last_end = self._spine(req, plan)
        as_of = req.as_of or datetime.now()
        window = Window(
            grain=req.grain,
            calendar=self.calendar,
            dims=req.by,
            start=datetime(spine_start.year, spine_start.month, spine_start.day),
            end=datetime(last_end.year, last_end.month, last_end.day),
            as_of=as_of,
        )
        evaluator = Evaluator(
            plan, window, periods, self._tables(as_of), self._available, self._execute
        )
        return evaluator, first

    def _spine(self, req: ComputeRequest, plan: Plan) -> tuple[date, date, list[date], date]:
        """First period shown, first period computed, every period, and the end of the last."""
        return spine(req.grain, req.start, req.end, plan.uses_lag, self.calendar)

    def _execute(self, expr: Any) -> pd.DataFrame:
        if self._computation is not None:
            return self._computation.execute(expr)
        result: pd.DataFrame = self.warehouse.backend.execute(expr)
        return result

    def run(self, evaluators: Sequence[Evaluator]) -> None:
        """Run the queries of ``evaluators`` (slices sharing as_of) in one batch, then evaluate."""
        from onpace.query.batch import Batch

        if not evaluators:
            return
        as_of = evaluators[0].window.as_of
        self._spells.clear()
        batch = Batch(evaluators, self._tables(as_of), self._available, self._execute)
        self._spell_columns = batch.columns_read("customer_spells")  # lean spells: only these
        self._materialize = True
        statements = statements_for(self.warehouse.backend, self.warehouse.dialect)
        computing: Any = contextlib.nullcontext()
        if statements is not None:
            computing = statements.computing(*self._shape(evaluators))
        try:
            with computing as computation:
                self._computation = computation
                if computation is not None:
                    batch.run_lazily = computation.run_lazily
                batch.run()
        finally:
            self._materialize = False
            self._spell_columns = None
            self._computation = None
            self._release_spells()
        self._like_for_like(evaluators)
        for evaluator in evaluators:
            evaluator.evaluate()

    def _shape(self, evaluators: Sequence[Evaluator]) -> tuple[Any, list[datetime]]:
        """What the statements of ``evaluators`` depend on but moments, and those moments.

        Everything that decides how the expressions are built: the KPIs and their
        definitions, each slice's grain, calendar, breakdown and number of ranges, the
        churn rule, every table and its schema, and how the moments compare with each
        other (their order and equalities, which merging ranges reads). The moments
        themselves are stand-ins in the SQL (see :mod:`onpace.query.statements`).
        """
        moments: list[datetime] = []
        slices: list[tuple[Any, ...]] = []
        for e in evaluators:
            w = e.window
            moments += [w.as_of, w.start, w.end, *(m for r in w.ranges for m in r)]
            names = tuple(e.plan.order)
            slices.append(
                (
                    names,
                    tuple(self._definition(n) for n in names),
                    w.grain,
                    repr(w.calendar),
                    w.dims,
                    len(w.ranges),
                    (w.start, w.end) if w.grain == "all" else None,  # literal dates
                )
            )
        order = sorted(set(moments))
        ranks = tuple(order.index(m) for m in moments)
        schemas = tuple(
            (name, tuple(self.warehouse.table(name).schema().items()))
            for name in sorted(self.warehouse.table_names())
        )
        return (self.warehouse.dialect, repr(self.churn), schemas, tuple(slices), ranks), moments

    def _definition(self, name: str) -> str:
        kpi = self.kpis[name]
        return f"{type(kpi).__name__}:{kpi.model_dump_json()}"

    def _like_for_like(self, evaluators: Sequence[Evaluator]) -> None:
        """Give formulas' prior() and last_year() of the period in progress the other
        period up to the same point (see :func:`onpace.calendar.same_point`).

        "Revenue growth vs the previous month" on 10 May compares 1-10 May with 1-10
        April. The point reached is where the data stops when it stops before the
        as-of moment (loaded last night, :func:`onpace.calendar.data_covers`), so the
        first day of a month before any of its sales is loaded compares nothing with
        nothing (no value) rather than with a morning of last month. The other period
        is computed as of that point, as it was known then; the slices that are read
        up to the same moment share one batch of queries.
        """
        wanted: dict[datetime, list[tuple[Evaluator, str, date, date, Evaluator]]] = {}
        reached_by: dict[tuple[str, ...], datetime | None] = {}
        for evaluator in evaluators:
            window = evaluator.window
            if not evaluator.plan.lags or window.grain == "all":
                continue
            grain: Grain = window.grain
            as_of = window.as_of
            period = next(
                (
                    p
                    for p in evaluator.periods
                    if _midnight(p) <= as_of < _midnight(next_period_start(p, grain))
                ),
                None,
            )
            if period is None:
                continue
            sources = tuple(sorted(set().union(*evaluator.plan.lags.values())))
            if sources not in reached_by:
                span = self.data_span(sources, as_of)
                reached_by[sources] = None if span is None else data_covers(span[1], as_of)
            covered = reached_by[sources]
            reached = max(min(as_of, covered or as_of), _midnight(period))
            for how, names in sorted(evaluator.plan.lags.items()):
                earlier = (
                    shift_period(period, grain, -1)
                    if how == "prior"
                    else same_period_last_year(period, grain)
                )
                end = _midnight(next_period_start(earlier, grain))
                until = min(same_point(reached, period, earlier), end)
                other = self.slice_evaluator(sorted(names), grain, window.dims, [earlier], until)
                wanted.setdefault(until, []).append((evaluator, how, period, earlier, other))
        for items in wanted.values():
            self.run([item[-1] for item in items])
            for evaluator, how, period, earlier, other in items:
                evaluator.to_date[how] = (period, earlier, other)

    def slice_evaluator(
        self,
        names: Sequence[str],
        grain: Grain,
        by: tuple[str, ...],
        periods: Sequence[date],
        as_of: datetime,
        members: dict[str, set[tuple[Any, ...]]] | None = None,
    ) -> Evaluator:
        """An evaluator of ``names`` for exactly ``periods`` (sorted; scattered is fine).

        Only the rows of those periods are read; ``members`` keep members on the spine
        that those periods alone would not bring (see :class:`~.assemble.Evaluator`).
        """
        from onpace.query.batch import merged_ranges

        plan = build_plan(list(names), self.kpis)
        ends = [next_period_start(p, grain) for p in periods]
        ranges = merged_ranges(
            (datetime(p.year, p.month, p.day), datetime(e.year, e.month, e.day))
            for p, e in zip(periods, ends, strict=True)
        )
        window = Window(
            grain=grain,
            calendar=self.calendar,
            dims=by,
            start=ranges[0][0],
            end=ranges[-1][1],
            as_of=as_of,
            ranges=tuple(ranges),
        )
        return Evaluator(
            plan,
            window,
            list(periods),
            self._tables(as_of),
            self._available,
            self._execute,
            members,
        )

    def compute(self, req: ComputeRequest) -> pd.DataFrame:
        """Long table: kpi, period, period_label, <dims>, value, note (and rank with ``top``).

        Stored values answer when they hold the request (see :mod:`onpace.values`);
        anything else is computed from the data.
        """
        if self.values is not None and req.top is None:
            stored: pd.DataFrame | None = self.values.answer(self, req)
            if stored is not None:
                return stored
        evaluator, first = self._evaluator(req)
        self.run([evaluator])
        frame = evaluator.to_long(list(req.names), first)
        if req.top is None:
            return frame
        if req.top_per == "period":
            return keep_top(frame, list(req.by), req.top, rank_by=None)
        # rank on the value over the whole range shown: one total per member
        shown_end = evaluator.window.end.date()
        overall = self.compute(replace(req, grain="all", start=first, end=shown_end, top=None))
        return keep_top(frame, list(req.by), req.top, rank_by=rank_overall(overall, list(req.by)))

    def data_span(
        self, names: Sequence[str], as_of: datetime | None = None
    ) -> tuple[datetime, datetime] | None:
        """The first and last moment of the data the KPIs ``names`` read, before ``as_of``.

        Each entity a KPI reads is dated by its own time column (orders by ordered_at,
        quotes by submitted_at, ...; customer spells by their orders). None when those
        tables hold no dated rows. This is where "the data lies" when no range is given.
        """
        cutoff = as_of or datetime.now()
        entities = self._entities_read(names)
        if self.values is not None:
            known = self.values.span(entities, cutoff)
            if known is not False:
                return known  # type: ignore[no-any-return]
        spans = [s for s in (self.data_span_of(e, cutoff) for e in entities) if s is not None]
        if not spans:
            return None
        return min(s[0] for s in spans), max(s[1] for s in spans)

    def data_span_of(self, entity: str, as_of: datetime) -> tuple[datetime, datetime] | None:
        """The first and last moment of ``entity``'s rows (by their own time), before ``as_of``."""
        time = record_column(entity)
        if time is None or not self.warehouse.has_table(entity):
            return None
        if time not in self.warehouse.columns(entity):
            return None
        table = self.warehouse.table(entity)
        col = table[time].cast("timestamp")
        kept = table.filter(col.notnull(), col < ibis_timestamp(as_of))
        row = self._execute(kept.aggregate(lo=col.min(), hi=col.max()))
        lo, hi = row["lo"].iloc[0], row["hi"].iloc[0]
        if pd.isna(lo) or pd.isna(hi):
            return None
        return pd.Timestamp(lo).to_pydatetime(), pd.Timestamp(hi).to_pydatetime()

    def time_facts(
        self, entities: Sequence[str], as_of: datetime
    ) -> dict[str, tuple[datetime | None, datetime | None, datetime | None]]:
        """Per entity: its first and last row before ``as_of`` and its first time stamp after.

        The first two say where the data lies (:meth:`data_span`); the last when a row
        dated later starts to count. One query for all entities.
        """
        import ibis

        parts = []
        cutoff = ibis_timestamp(as_of)
        for entity in entities:
            if not self.warehouse.has_table(entity):
                continue
            have = self.warehouse.columns(entity)
            table = self.warehouse.table(entity)
            record = record_column(entity)
            for col in ENTITIES[entity].columns:
                if col.kind != "timestamp" and col.name != record:
                    continue
                if col.name not in have:
                    continue
                value = table[col.name].cast("timestamp")
                before = value < cutoff
                parts.append(
                    table.aggregate(
                        lo=value.min(where=before)
                        if col.name == record
                        else ibis.null("timestamp"),
                        hi=value.max(where=before)
                        if col.name == record
                        else ibis.null("timestamp"),
                        soon=value.min(where=value >= cutoff),
                    ).mutate(entity=ibis.literal(entity))
                )
        out: dict[str, tuple[datetime | None, datetime | None, datetime | None]] = {}
        if not parts:
            return out
        rows = self._execute(ibis.union(*parts) if len(parts) > 1 else parts[0])
        for name, group in rows.groupby("entity"):
            lo, hi, soon = (group[c].dropna() for c in ("lo", "hi", "soon"))
            out[str(name)] = (
                pd.Timestamp(lo.min()).to_pydatetime() if len(lo) else None,
                pd.Timestamp(hi.max()).to_pydatetime() if len(hi) else None,
                pd.Timestamp(soon.min()).to_pydatetime() if len(soon) else None,
            )
        return out

    def _entities_read(self, names: Sequence[str]) -> list[str]:
        from onpace.values.keys import read_entities

        return read_entities(self.kpis, names)

    def _release_spells(self) -> None:
        """Drop the spells materialized for one computation, so later data is seen."""
        for cached in self._spells.values():
            release = getattr(cached, "release", None)
            if release is not None:
                # a temp table that is already gone (closed connection) is fine
                with contextlib.suppress(Exception):
                    release()
        self._spells.clear()

    def explain(
        self,
        name: str,
        grain: ComputeGrain = "month",
        by: Sequence[str] = (),
        as_of: datetime | None = None,
    ) -> list[tuple[str, str]]:
        """(title, SQL) for every query that computing ``name`` runs, in the backend's dialect."""
        import ibis

        today = (as_of or datetime.now()).date()
        req = ComputeRequest(
            (name,), grain, shift_period(today, "year", -1), today + timedelta(1), tuple(by), as_of
        )
        evaluator, _ = self._evaluator(req)
        dialect = self.warehouse.dialect
        out = []
        from onpace.query.batch import Batch

        # the spells with only the columns the queries read, as a computation makes them
        batch = Batch([evaluator], self._tables(evaluator.window.as_of), self._available, _never)
        self._spell_columns = batch.columns_read("customer_spells")
        self._spells.clear()
        try:
            expressions = evaluator.expressions()
        finally:
            self._spell_columns = None
            self._spells.clear()
        for title, expr in expressions.items():
            try:
                sql = str(ibis.to_sql(expr, dialect=dialect))
            except Exception:
                sql = str(self.warehouse.backend.compile(expr))
            out.append((title, sql))
        return out
