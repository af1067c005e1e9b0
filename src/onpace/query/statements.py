"""Compiled SQL kept per query shape, so a computation asked again is not compiled again.

Turning an Ibis expression into SQL costs more than running it on small data: the
catalog's nineteen statements took about as long to compile as DuckDB took to answer
them at 10,000 orders. Yet the statements of a request change little from call to
call: the same KPIs, grain and breakdown give the same SQL, but for the moments in it
(the range read and ``as_of``, which moves on with the clock).

So while a computation builds its expressions, every moment (made by
:func:`onpace.query.build.timestamp_literal`) is written as a *stand-in*: a fixed
moment of the year 1234 standing for the n-th distinct moment of the computation.
Two requests of the same shape then build equal expressions, and the SQL compiled
for the first is reused by the second with its own moments written in place of the
stand-ins. The key is the whole expression, so anything else that differs (a KPI's
definition, the columns a table has, the churn rule) is a different statement; only
moments are shared, and each statement runs with exactly the SQL a fresh compile of
its real moments gives (a test pins that).

A statement of a batch can also number its moments on its own (see
:meth:`Computation.run_lazily`): its stand-ins then stand for its own moments (``as_of``
and the bounds of the ranges it reads), so the statement equals that of another
computation with the same structure, whatever else the two computations hold. That is
how a refresh of the value store runs the SQL its full build compiled.

The derived customer spells are materialized the same way: under a fresh temporary
name per computation, referred to by the statements through a stand-in name.

Used on DuckDB, the embedded backend where this fixed cost dominates. Other backends
compile as before.
"""

from __future__ import annotations

import contextlib
import functools
import re
import threading
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

_BASE = datetime(1234, 5, 6, 7, 8, 9, 123456)
SPELLS_STAND_IN = "__onpace_spells_stand_in"
CACHE_SIZE = 512


class Moments:
    """The distinct moments of one computation, each written as its stand-in."""

    def __init__(self) -> None:
        self.values: list[datetime] = []
        self._index: dict[datetime, int] = {}

    def stand_in(self, value: datetime) -> datetime:
        """The stand-in for ``value``: the same one every time the value recurs."""
        n = self._index.get(value)
        if n is None:
            n = self._index[value] = len(self.values)
            self.values.append(value)
        return _BASE + timedelta(seconds=n)


_ACTIVE: ContextVar[Moments | None] = ContextVar("onpace_moments", default=None)
# the two stand-in bounds of the ranges a statement reads, while one is made with its
# ranges as a slot (see :func:`ranges_slot`); None otherwise
_SLOT: ContextVar[tuple[datetime, datetime] | None] = ContextVar("onpace_slot", default=None)
# what the slot's stand-ins are registered as: moments no data holds
_SLOT_MOMENTS = (datetime(1, 1, 1, 0, 0, 0, 1), datetime(1, 1, 1, 0, 0, 0, 2))


def stand_in(value: datetime) -> datetime:
    """``value``, or its stand-in while a computation with cached statements builds."""
    moments = _ACTIVE.get()
    return value if moments is None else moments.stand_in(value)


def ranges_slot() -> tuple[datetime, datetime] | None:
    """The stand-ins of a slot for the ranges a statement reads, while one is being made.

    A statement made with a slot writes its ranges as an array of two bounds, these two
    stand-ins (see :func:`onpace.query.batch.in_ranges`); when it runs, the array gets
    the bounds of its real ranges, however many. So one statement serves every set of
    ranges: a full build's one range and a refresh's scattered periods alike.
    """
    return _SLOT.get()


Event = tuple[str, str, Any]  # ("spells" or "query", SQL with stand-ins, result schema)


class _Recorded:
    """The statements of every computation shape recorded in this process (newest kept).

    Shared by all connections: a shape names the dialect and every table's schema, and
    the SQL names tables, so it runs the same on a new connection or a new version of
    the warehouse file (the server opens one after every ingest).
    """

    def __init__(self) -> None:
        self._runs: OrderedDict[Any, list[Event]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, shape: Any) -> list[Event] | None:
        with self._lock:
            found = self._runs.get(shape)
            if found is not None:
                self._runs.move_to_end(shape)
            return found

    def put(self, shape: Any, events: list[Event]) -> None:
        with self._lock:
            self._runs[shape] = events
            while len(self._runs) > CACHE_SIZE:
                self._runs.popitem(last=False)


_RUNS = _Recorded()


class _SharedSql:
    """SQL of expressions that name no connection, for every connection of the process.

    While a computation builds, the warehouse's tables are read as tables known by name
    and schema alone (:meth:`Computation.unbound`), so an expression built on one
    connection equals the same expression built on another: the value store's refresh,
    which runs on a new version of the warehouse file, finds the SQL its full build
    compiled on the version before.
    """

    def __init__(self) -> None:
        self._sql: OrderedDict[Any, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, op: Any) -> str | None:
        with self._lock:
            text = self._sql.get(op)
            if text is not None:
                self._sql.move_to_end(op)
            return text

    def put(self, op: Any, text: str) -> None:
        with self._lock:
            self._sql[op] = text
            while len(self._sql) > CACHE_SIZE:
                self._sql.popitem(last=False)


_SHARED = _SharedSql()


class Statements:
    """Compiled statements of one DuckDB backend, reused across computations of one shape.

    Two levels: the SQL of an expression (keyed by the expression), and the whole
    sequence of statements of a computation (keyed by its shape, see
    :meth:`computing`), which a later computation of that shape replays without
    building its expressions at all. Each computation keeps its own moments and
    tables (a :class:`Computation`), so computations in several threads do not mix.
    """

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self._sql: OrderedDict[Any, str] = OrderedDict()  # of expressions naming this connection
        self._rendered: dict[datetime, str] = {}
        self._lock = threading.Lock()
        self.compiled = 0  # statements compiled (not found in the cache)
        self.queries = 0  # queries run (results read), replayed ones included
        self.materialized = 0  # derived tables written

    @contextlib.contextmanager
    def computing(
        self, shape: Any = None, moments: Sequence[datetime] = ()
    ) -> Iterator[Computation]:
        """While the block runs, moments are stand-ins and statements run through the cache.

        ``shape`` names everything the statements depend on but the values of
        ``moments`` (None: this computation is not replayed or recorded). The stand-ins
        of ``moments`` are taken in their order, so a computation of the same shape
        means the same moment by the same stand-in. One that meets a moment not among
        them, or a table made in memory, is not recorded.
        """
        recorded = _RUNS.get(shape) if shape is not None else None
        computation = Computation(self, moments, recorded, record=shape is not None)
        token = _ACTIVE.set(computation.moments)
        try:
            yield computation
            events = computation.events
            if recorded is None and events is not None and computation.only_known_moments:
                _RUNS.put(shape, events)
        finally:
            _ACTIVE.reset(token)
            computation.release()

    def render(self, moment: datetime) -> str:
        """How the dialect writes ``moment`` as a timestamp literal.

        Written directly in the form Ibis gives it (``MAKE_TIMESTAMP(y, m, d, h, mi,
        s.ffffff)``): a refresh of scattered periods carries hundreds of moments, and
        compiling each through Ibis cost more than running the statements. The form
        is checked against Ibis's own once per process (:func:`_rendering_agrees`);
        should it ever differ, every moment is rendered through Ibis.
        """
        text = self._rendered.get(moment)
        if text is None:
            text = _direct(moment) if _rendering_agrees() else _through_ibis(moment)
            with self._lock:
                if len(self._rendered) > 4 * CACHE_SIZE:
                    self._rendered.clear()
                self._rendered[moment] = text
        return text

    def template(self, expr: Any) -> tuple[str, bool]:
        """The SQL of ``expr`` as compiled, stand-ins in it, and whether it may be kept.

        Compiled once per expression; one that holds a table made in memory (named
        afresh every time) is compiled every time and never recorded.
        """
        import ibis.expr.operations as ops

        op = expr.as_table().op()
        shared = not op.find(ops.DatabaseTable)  # names no connection: kept for all
        with self._lock:
            text = _SHARED.get(op) if shared else self._sql.get(op)
            if text is not None:
                if not shared:
                    self._sql.move_to_end(op)
                return text, True
        text = str(self.backend.compile(expr.as_table()))
        keep = not op.find(ops.InMemoryTable)
        with self._lock:
            self.compiled += 1
            if keep and shared:
                _SHARED.put(op, text)
            elif keep:
                self._sql[op] = text
                while len(self._sql) > CACHE_SIZE:
                    self._sql.popitem(last=False)
        return text, keep


def _direct(moment: datetime) -> str:
    """``moment`` as DuckDB's compiler in Ibis writes a naive timestamp literal."""
    seconds = moment.second + moment.microsecond / 1e6
    return (
        f"MAKE_TIMESTAMP({moment.year}, {moment.month}, {moment.day}, "
        f"{moment.hour}, {moment.minute}, {seconds!r})"
    )


def _through_ibis(moment: datetime) -> str:
    """``moment`` as a timestamp literal compiled by Ibis (the reference rendering)."""
    import ibis

    sql = str(ibis.to_sql(ibis.literal(moment, type="timestamp").name("v"), "duckdb"))
    body = sql.strip()
    prefix, suffix = "SELECT", 'AS "v"'
    if not (body.startswith(prefix) and body.endswith(suffix)):
        raise RuntimeError(f"unexpected rendering of a timestamp literal: {sql!r}")
    return body[len(prefix) : -len(suffix)].strip()


_SAMPLES = (
    _BASE,
    datetime(2024, 1, 2),
    datetime(1999, 12, 31, 23, 59, 59, 999999),
    datetime(2025, 6, 7, 8, 9, 10, 500000),
)


@functools.cache
def _rendering_agrees() -> bool:
    """Whether :func:`_direct` writes what Ibis writes, on moments of every shape."""
    return all(_direct(m) == _through_ibis(m) for m in _SAMPLES)


class Computation:
    """One computation's statements: its moments, its temporary tables, its record."""

    def __init__(
        self,
        statements: Statements,
        moments: Sequence[datetime],
        recorded: list[Event] | None,
        record: bool,
    ) -> None:
        self.statements = statements
        self.backend = statements.backend
        self.moments = Moments()
        for moment in moments:
            self.moments.stand_in(moment)
        self._known = len(self.moments.values)
        self._replay: Iterator[Event] | None = iter(recorded) if recorded is not None else None
        self.events: list[Event] | None = [] if record and recorded is None else None
        self._spells: dict[str, str] = {}
        self._current = self.moments  # the moments the statement being made numbers
        self._unknown = False  # a statement met a moment not among its own
        self._unbound: dict[Any, Any] = {}
        self._ranges: list[tuple[datetime, datetime]] = []  # of the statement being made
        self._slot: tuple[datetime, datetime] | None = None

    @property
    def only_known_moments(self) -> bool:
        """Whether every moment the statements hold was one of those given up front."""
        return len(self.moments.values) == self._known and not self._unknown

    def unbound(self, table: Any) -> Any:
        """A warehouse table as a table known by its name and schema, not its connection.

        Expressions built on it compile to the same SQL (the SQL names the table), and
        equal those built on any other connection (see :class:`_SharedSql`). Anything
        but a plain table of the warehouse (a union, a table in memory) is kept as is.
        """
        import ibis
        import ibis.expr.operations as ops

        op = table.op()
        if not isinstance(op, ops.DatabaseTable):
            return table
        key = (op.name, op.namespace, op.schema)
        found = self._unbound.get(key)
        if found is None:
            space = op.namespace
            found = self._unbound[key] = ibis.table(
                op.schema, name=op.name, catalog=space.catalog, database=space.database
            )
        return found

    @contextlib.contextmanager
    def _scope(
        self,
        own: Sequence[datetime] | None,
        ranges: Sequence[tuple[datetime, datetime]] | None = None,
    ) -> Iterator[None]:
        """While a statement is made and run: its own moments (None: the computation's),
        and the ranges it reads written into its slot (see :func:`ranges_slot`)."""
        if own is None:
            yield
            return
        moments = Moments()
        for moment in own:
            moments.stand_in(moment)
        slot: tuple[datetime, datetime] | None = None
        if ranges is not None:
            slot = (moments.stand_in(_SLOT_MOMENTS[0]), moments.stand_in(_SLOT_MOMENTS[1]))
        known = len(moments.values)
        token = _ACTIVE.set(moments)
        slot_token = _SLOT.set(slot)
        self._current, self._ranges, self._slot = moments, list(ranges or []), slot
        try:
            yield
        finally:
            _ACTIVE.reset(token)
            _SLOT.reset(slot_token)
            self._current, self._ranges, self._slot = self.moments, [], None
            if len(moments.values) != known:
                self._unknown = True  # replay could not give this statement its moments
                self.events = None

    def _fill_slot(self, template: str) -> str:
        """``template`` with its slot's array of two bounds made the real ranges' bounds."""
        if self._slot is None:
            return template
        render = self.statements.render
        first, second = (re.escape(render(m)) for m in self._slot)
        bounds = ", ".join(render(m) for r in self._ranges for m in r)
        pattern = re.compile(rf"\[\s*{first}\s*,\s*{second}\s*\]")
        text = pattern.sub(lambda _: f"[{bounds}]", template)
        if any(render(m) in text for m in self._slot):  # a bound written some other way
            raise RuntimeError("a stand-in of the ranges read was left in a statement")
        return text

    def _real(self, template: str) -> str:
        """``template`` with the statement's real moments and table names written in."""
        render = self.statements.render
        written = {
            render(_BASE + timedelta(seconds=n)): render(value)
            for n, value in enumerate(self._current.values)
        }
        text = template = self._fill_slot(template)
        if written:  # one pass over the text, however many moments the computation has
            pattern = re.compile("|".join(re.escape(stand) for stand in written))
            text = pattern.sub(lambda m: written[m.group(0)], template)
        for stand, real in self._spells.items():
            text = text.replace(stand, real)
        if "(1234, 5, 6," in text:  # a stand-in written some other way: never run it
            raise RuntimeError("a stand-in moment was left in a statement")
        return text

    def _template(self, expr: Any) -> str:
        text, keep = self.statements.template(expr)
        if not keep:
            self.events = None  # nor is this computation replayed
        return text

    def sql(self, expr: Any) -> str:
        """The SQL of ``expr`` with the computation's real moments and table names."""
        return self._real(self._template(expr))

    def run_lazily(
        self,
        make: Callable[[], Any],
        own: Sequence[datetime] | None = None,
        ranges: Sequence[tuple[datetime, datetime]] | None = None,
    ) -> pd.DataFrame:
        """The result of the expression ``make`` builds; replayed without building it.

        With ``own``, the statement numbers its moments itself: ``own`` in their order,
        so its SQL is kept for any computation that makes the same statement with moments
        that compare alike, be it a full build or a refresh of other periods. With
        ``ranges`` (sorted, apart), the ranges the statement reads go into its slot
        (:func:`ranges_slot`): their number does not change its SQL either.
        """
        with self._scope(own, ranges):
            if self._replay is not None:
                for kind, template, schema in self._replay:
                    if kind == "spells":
                        self._create_spells(template)
                        continue
                    return self._run(template, schema)
                raise RuntimeError("a replayed computation asked for more queries than it recorded")
            return self.execute(make())

    def execute(self, expr: Any) -> pd.DataFrame:
        """Run ``expr`` as ``backend.execute`` does, from the cached SQL."""
        self.backend._run_pre_execute_hooks(expr)  # registers in-memory tables
        template = self._template(expr)
        schema = expr.as_table().schema()
        if self.events is not None:
            self.events.append(("query", template, schema))
        return self._run(template, schema)

    def _run(self, template: str, schema: Any) -> pd.DataFrame:
        import pyarrow.types as pat
        from ibis.backends.duckdb.converter import DuckDBPandasData

        self.statements.queries += 1
        table = self.backend.con.sql(self._real(template)).to_arrow_table()
        df = pd.DataFrame(
            {
                name: (
                    col.to_pylist()
                    if pat.is_nested(col.type) or pat.is_dictionary(col.type) or col.null_count
                    else col.to_pandas()
                )
                for name, col in zip(table.column_names, table.columns, strict=True)
            }
        )
        # the conversion ibis's execute makes (its second pass over the same schema is a no-op)
        result: pd.DataFrame = DuckDBPandasData.convert_table(df, schema)
        return result

    def materialize_spells(self, spells: Any) -> Any:
        """``spells`` as a temporary table of this computation, named by a stand-in.

        The statements that read it see the stand-in name, so they stay equal from one
        computation to the next; the real name, fresh each time, is written in when
        they run. :meth:`release` drops it.
        """
        import ibis

        template = self._template(spells)
        if self.events is not None:
            self.events.append(("spells", template, None))
        self._create_spells(template)
        return ibis.table(spells.schema(), name=SPELLS_STAND_IN)

    def _create_spells(self, template: str) -> None:
        real = f"__onpace_spells_{uuid.uuid4().hex}"
        self.backend.con.execute(f'CREATE TEMP TABLE "{real}" AS {self._real(template)}')
        self._spells[SPELLS_STAND_IN] = real
        self.statements.materialized += 1

    def release(self) -> None:
        """Drop the temporary tables of the computation."""
        for real in self._spells.values():
            with contextlib.suppress(Exception):  # a connection already closed is fine
                self.backend.con.execute(f'DROP TABLE IF EXISTS "{real}"')
        self._spells.clear()


_BY_BACKEND: weakref.WeakKeyDictionary[Any, Statements] = weakref.WeakKeyDictionary()


def statements_for(backend: Any, dialect: str) -> Statements | None:
    """The statement cache of ``backend`` (one per connection), or None off DuckDB."""
    if dialect != "duckdb" or not hasattr(backend, "con"):
        return None
    found = _BY_BACKEND.get(backend)
    if found is None or found.backend is not backend:  # backends may compare equal by settings
        found = _BY_BACKEND[backend] = Statements(backend)
    return found
