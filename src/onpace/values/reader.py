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
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from onpace.calendar import Grain, period_label, period_start
from onpace.query.assemble import ALWAYS, long_frame
from onpace.query.plan import build_plan
from onpace.values.cells import CellTable, Meta
from onpace.values.changes import read_data_version

if TYPE_CHECKING:
    from onpace.query.session import ComputeRequest, Session


def _member_order(value: Any) -> str:
    return "" if value is None else str(value)


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
        meta = self.meta()
        if meta is None or meta.settings != self.settings:
            return None
        if meta.data_version != self.data_version():
            return None
        if not (meta.as_of <= as_of < meta.until(entities)):
            return None
        return meta

    def span(self, entities: list[str], as_of: datetime) -> tuple[datetime, datetime] | bool | None:
        """The data's first and last moment for these entities (False: not known here)."""
        meta = self.usable(as_of, entities)
        if meta is None or any(e not in meta.spans for e in entities):
            return False
        found = [s for s in (meta.spans[e] for e in entities) if s is not None]
        if not found:
            return None
        return min(f[0] for f in found), max(f[1] for f in found)

    def answer(self, session: Session, req: ComputeRequest) -> pd.DataFrame | None:
        """The result of ``req`` from stored cells, or None when the store does not hold it."""
        from onpace.values.refresh import read_entities

        as_of = req.as_of or datetime.now()
        unknown = [n for n in req.names if n not in session.kpis]
        if unknown:
            return None  # computing says what is wrong with the name
        meta = self.usable(as_of, read_entities(session.kpis, req.names, timing=True))
        if meta is None or req.grain not in meta.starts or len(req.by) > 1:
            return None
        dim = req.by[0] if req.by else None
        for name in req.names:
            stored = meta.kpis.get(name)
            if stored is None or stored != self.hashes.get(name):
                return None
            if dim is not None and dim not in meta.dims.get(name, []):
                return None
        if req.grain == "all":
            return None
        grain: Grain = req.grain
        plan = build_plan(list(req.names), session.kpis)
        first, spine_start, periods, _ = session._spine(req, plan)
        store_start = meta.starts[grain]
        if first < store_start:
            return None
        data_start = (
            period_start(meta.data_start, grain, session.calendar) if meta.data_start else None
        )
        if spine_start < store_start and (data_start is None or data_start < store_start):
            return None  # members present before the stored periods would be missed
        if not periods:
            return None
        names = list(dict.fromkeys(req.names))
        cells = self.cells.read(grain, dim, names, spine_start, _after(periods[-1], grain))
        last_stored = period_start(meta.as_of.date(), grain, session.calendar)
        if dim is not None and spine_start > last_stored:
            # a range wholly after the stored periods: its stock members come from the last
            carried = self.cells.read(grain, dim, names, last_stored, _after(last_stored, grain))
            carried = carried[carried["present"] == ALWAYS]
            cells = pd.concat([cells, carried.assign(value=np.nan, note=None)], ignore_index=True)
        return _shape(cells, req, dim, first, periods, as_of, session, meta)


def _after(period: date, grain: str) -> date:
    from onpace.calendar import next_period_start

    return next_period_start(period, grain)  # type: ignore[arg-type]


def _shape(
    cells: pd.DataFrame,
    req: ComputeRequest,
    dim: str | None,
    first: date,
    periods: list[date],
    as_of: datetime,
    session: Session,
    meta: Meta,
) -> pd.DataFrame:
    """Cells laid out as :meth:`~onpace.query.assemble.Evaluator.to_long` would."""
    grain = req.grain
    cells = cells.copy()
    cells["period"] = pd.to_datetime(cells["period"]).dt.date
    last_stored = period_start(meta.as_of.date(), grain, session.calendar)  # type: ignore[arg-type]
    shown = [p for p in periods if p >= first]
    future_note = f"the period starts after the as-of moment {as_of}"
    parts: list[tuple[str, date, Any, Any, Any]] = []
    for name in req.names:
        own = cells[cells["kpi"] == name]
        if dim is None:
            members: list[Any] = [None]
        else:
            seen = own.loc[own["present"] > 0, "member"]
            members = sorted({None if pd.isna(m) else m for m in seen}, key=_member_order)
        kept = own[own["period"] >= first]
        lookup = {
            (p, None if pd.isna(m) else m): (v, n)
            for p, m, v, n in zip(
                kept["period"], kept["member"], kept["value"], kept["note"], strict=True
            )
        }
        rows: list[tuple[str, date, Any, Any, Any]] = []
        for p in shown:
            for m in members:
                if p > last_stored:
                    rows.append((name, p, m, np.nan, future_note))
                    continue
                value, note = lookup.get((p, m), (np.nan, None))
                rows.append((name, p, m, value, None if note is None or pd.isna(note) else note))
        parts.extend(rows)
    labels = {p: period_label(p, grain, session.calendar) for p in shown}  # type: ignore[arg-type]
    return long_frame(
        [r[0] for r in parts],
        [r[1] for r in parts],
        [labels[r[1]] for r in parts],
        {dim: [r[2] for r in parts]} if dim else {},
        np.array([r[3] for r in parts], dtype="float64"),
        [r[4] for r in parts],
    )
