"""Answer a compute request from stored values, exactly as computing it would.

A request is answered from the store when the store holds it: the same settings and
definitions, the data it was computed from (the data version), a grain it stores,
at most one dimension that the KPI allows, and an as-of moment from the store's own
up to the end of that day (see :mod:`onpace.values`). Anything else returns None and
is computed from the data.

The answer has the shape and content of a computation: the same periods (the
periods after the as-of moment included, with their note), and the same members. A
computation shows the members that have rows in the range it scans; stored cells
carry their *presence*, so the members shown are those present in that range (for
stocks, every member that ever had a flow).

Periods after the store's as-of period hold no cells. A computation still lays out
a stock's members on them (a customer active yesterday is on the spine of tomorrow,
with no value yet), so for a range that reaches past the stored periods, the stock
members of the last stored period are carried onto it: they are exactly the members
with a flow up to the as-of moment.

The rules live in :mod:`onpace.values.lookup` (shared with the direct read of the
command line); this module reads the cells through the warehouse's Ibis connection.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from onpace.calendar import next_period_start
from onpace.query.assemble import long_frame
from onpace.values.cells import CellTable
from onpace.values.changes import read_data_version
from onpace.values.layout import Meta
from onpace.values.lookup import (
    CellRow,
    StoredSlice,
    carried,
    stored_rows,
    stored_slice,
    stored_span,
    usable,
)

if TYPE_CHECKING:
    from onpace.query.session import ComputeRequest, Session


class StoredValues:
    """The stored values of one warehouse connection, for the settings and KPIs in use."""

    def __init__(self, backend: Any, settings: str, hashes: dict[str, str]) -> None:
        self.cells = CellTable(backend)
        self.backend = backend
        self.settings = settings
        self.hashes = hashes
        self._meta: Meta | bool | None = False
        self._version: int | None = None

    def meta(self) -> Meta | None:
        """The store's meta, read once (a warehouse connection reads one version)."""
        if self._meta is False:
            try:
                self._meta = self.cells.meta()
            except Exception:  # an unreadable store is no store: compute instead
                self._meta = None
        return self._meta if isinstance(self._meta, Meta) else None

    def data_version(self) -> int:
        if self._version is None:
            self._version = read_data_version(self.backend)
        return self._version

    def usable(self, as_of: datetime, entities: Sequence[str] | None = None) -> Meta | None:
        """The meta when the store holds values for this data, these settings and ``as_of``.

        With ``entities``, for the values that read those tables alone (a row of
        another table coming due does not end them); without, for every stored value.
        """
        return usable(self.meta(), self.settings, self.data_version, as_of, entities)

    def span(self, entities: list[str], as_of: datetime) -> tuple[datetime, datetime] | bool | None:
        """The data's first and last moment for these entities (False: not known here)."""
        return stored_span(self.usable(as_of, entities), entities)

    def answer(self, session: Session, req: ComputeRequest) -> pd.DataFrame | None:
        """The result of ``req`` from stored cells, or None when the store does not hold it."""
        found = stored_slice(
            self.meta(),
            self.settings,
            self.hashes,
            self.data_version,
            session.kpis,
            session.calendar,
            req,
        )
        if found is None:
            return None
        rows = self._rows(found, found.spine_start, found.end)
        if found.carried_from is not None:
            after = next_period_start(found.carried_from, found.grain)
            rows += carried(self._rows(found, found.carried_from, after))
        shaped = stored_rows(rows, found, req.names, session.calendar)
        return long_frame(
            shaped.kpis,
            shaped.periods,
            shaped.labels,
            {found.dim: shaped.members} if found.dim else {},
            np.array(shaped.values, dtype="float64"),
            shaped.notes,
        )

    def _rows(self, found: StoredSlice, start: date, end: date) -> list[CellRow]:
        cells = self.cells.read(found.grain, found.dim, found.names, start, end)
        periods = pd.to_datetime(cells["period"]).dt.date
        columns = (cells["kpi"], cells["member"], periods, cells["value"], cells["note"])
        return list(zip(*columns, cells["present"], strict=True))
