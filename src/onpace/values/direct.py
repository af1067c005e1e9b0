"""Answering a compute request from stored values with DuckDB alone, for a fast command line.

A command such as ``onpace compute revenue`` spends most of its time importing:
pandas and the query engine (Ibis) cost about a second together, far more than
reading a dozen stored cells. When the embedded warehouse's value store holds the
request, this reads the cells over a plain read-only DuckDB connection to the
current version, so that neither is imported. What holds and how the answer is laid
out is decided by :mod:`onpace.values.lookup`, exactly as the reader through Ibis
decides it; this module adds only the reading. Anything the store does not hold
(another backend, a filter or range not stored, a stale store, an unknown name)
returns None and the caller computes as before, which also reports any error.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from onpace.calendar import next_period_start
from onpace.errors import OnpaceError
from onpace.query.ranges import Bound, ComputeRange, resolve_range
from onpace.query.request import ComputeRequest
from onpace.query.warehouse_files import duckdb_files
from onpace.values.keys import kpi_hashes, read_entities, settings_hash
from onpace.values.layout import DATA_VERSION, META, Meta, cells_query
from onpace.values.lookup import (
    CellRow,
    StoredRows,
    StoredSlice,
    carried,
    stored_rows,
    stored_slice,
    stored_span,
    usable,
)

if TYPE_CHECKING:
    from onpace.calendar import ComputeGrain
    from onpace.workspace import Workspace


@dataclass(frozen=True)
class DirectAnswer:
    """A request's answer read from the store: its rows, breakdown and the range it covers."""

    rows: StoredRows
    dim: str | None
    range: ComputeRange


class _Store:
    """The value store of one published warehouse version, read with plain DuckDB."""

    def __init__(self, con: Any) -> None:
        self.con = con
        self._version: int | None = None
        self._has_version = False

    def meta(self) -> Meta | None:
        listed = self.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        tables = {row[0] for row in listed}
        if META not in tables:
            return None
        self._has_version = DATA_VERSION in tables
        return Meta.from_rows(self.con.execute(f"SELECT key, value FROM {META}").fetchall())

    def cells(self, found: StoredSlice, start: date, end: date) -> list[CellRow]:
        """The cells of ``found``'s slice with ``start <= period < end``."""
        sql = cells_query(found.grain, found.dim, found.names, start, end)
        rows: list[CellRow] = self.con.execute(sql).fetchall()
        return rows

    def data_version(self) -> int:
        """As :func:`onpace.values.changes.read_data_version` reads it: the highest, or 0."""
        if self._version is None:
            row = None
            if self._has_version:
                row = self.con.execute(f"SELECT max(version) FROM {DATA_VERSION}").fetchone()
            self._version = int(row[0]) if row and row[0] is not None else 0
        return self._version


@contextlib.contextmanager
def _reading(ws: Workspace) -> Iterator[_Store | None]:
    """The store of the warehouse's current version (None: no data, or it cannot be read)."""
    try:
        con, version = duckdb_files(ws.config.warehouse, ws.root).open_read()
    except Exception:  # whatever keeps it from opening, computing reports it
        yield None
        return
    try:
        yield _Store(con) if version is not None else None
    finally:
        con.close()


def answer_directly(
    ws: Workspace,
    names: Sequence[str],
    grain: ComputeGrain,
    start: Bound | None,
    end: Bound | None,
    by: Sequence[str],
    as_of: datetime | None,
) -> DirectAnswer | None:
    """What :meth:`Workspace.compute <onpace.workspace.Workspace.compute>` would return for
    these arguments, read from the store, or None when the store does not hold it."""
    if not ws.config.values.enabled or ws.config.warehouse.backend != "duckdb":
        return None
    if grain == "all" or len(by) > 1 or any(n not in ws.kpis for n in names):
        return None
    moment = as_of or ws.now()
    settings = settings_hash(ws.calendar, ws.config.churn, ws.config.timezone)
    with _reading(ws) as store:
        if store is None:
            return None
        try:
            return _answer(ws, store, settings, tuple(names), grain, start, end, tuple(by), moment)
        except OnpaceError:  # a range that does not parse: computing says so
            return None


def _answer(
    ws: Workspace,
    store: _Store,
    settings: str,
    names: tuple[str, ...],
    grain: ComputeGrain,
    start: Bound | None,
    end: Bound | None,
    by: tuple[str, ...],
    as_of: datetime,
) -> DirectAnswer | None:
    meta = store.meta()
    spanned = read_entities(ws.kpis, names)
    span = stored_span(usable(meta, settings, store.data_version, as_of, spanned), spanned)
    if isinstance(span, bool):
        return None  # where the data lies is not known here: computing finds it
    known: tuple[datetime, datetime] | None = span
    rng = resolve_range(grain, ws.calendar, as_of, lambda: known, start=start, end=end)
    req = ComputeRequest(names, grain, rng.start, rng.end_before, by, as_of)
    found = stored_slice(
        meta, settings, kpi_hashes(ws.kpis, names), store.data_version, ws.kpis, ws.calendar, req
    )
    if found is None:
        return None
    cells = store.cells(found, found.spine_start, found.end)
    if found.carried_from is not None:
        after = next_period_start(found.carried_from, found.grain)
        cells += carried(store.cells(found, found.carried_from, after))
    return DirectAnswer(stored_rows(cells, found, names, ws.calendar), found.dim, rng)
