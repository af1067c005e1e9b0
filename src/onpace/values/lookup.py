"""Which stored cells answer a compute request, and how they are laid out as its answer.

The rules of :mod:`onpace.values.reader` as plain Python on plain rows, with no query
engine: the reader (through Ibis, for every backend) and the command line's direct
read (:mod:`onpace.values.direct`, DuckDB alone) both decide and lay out here, so the
two cannot answer differently.

A request is answered when the store holds it: the same settings and definitions,
the data it was computed from (the data version), a grain it stores, at most one
dimension that the KPI allows, and an as-of moment from the store's own up to the
end of that day. The answer has the periods and members a computation shows (see
:mod:`onpace.values.reader`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from onpace.calendar import Calendar, Grain, next_period_start, period_label, period_start
from onpace.query.plan import reads_earlier_periods
from onpace.query.ranges import spine
from onpace.values.keys import read_entities
from onpace.values.layout import ALWAYS, Meta

if TYPE_CHECKING:
    from onpace.query.request import ComputeRequest
    from onpace.spec.kpi import AnyKpi

NAN = float("nan")
# one stored cell as read: kpi, member, period, value, note, present
CellRow = tuple[str, Any, date, Any, Any, Any]


def usable(
    meta: Meta | None,
    settings: str,
    data_version: Callable[[], int],
    as_of: datetime,
    entities: Sequence[str] | None = None,
) -> Meta | None:
    """``meta`` when the store holds values for this data, these settings and ``as_of``.

    With ``entities``, for the values that read those tables alone (a row of another
    table coming due does not end them); without, for every stored value. The data
    version is asked last: it costs a query.
    """
    if meta is None or meta.settings != settings:
        return None
    if not (meta.as_of <= as_of < meta.until(entities)):
        return None
    if meta.data_version != data_version():
        return None
    return meta


def stored_span(meta: Meta | None, entities: list[str]) -> tuple[datetime, datetime] | bool | None:
    """The data's first and last moment for these entities from a usable meta (False: unknown)."""
    if meta is None or any(e not in meta.spans for e in entities):
        return False
    found = [s for s in (meta.spans[e] for e in entities) if s is not None]
    if not found:
        return None
    return min(f[0] for f in found), max(f[1] for f in found)


@dataclass(frozen=True)
class StoredSlice:
    """The cells that answer one request: one grain and breakdown, these periods."""

    grain: Grain
    dim: str | None
    names: list[str]  # the KPIs to read, each once
    first: date  # the first period shown
    spine_start: date  # the first period read (members present from here on are shown)
    periods: list[date]
    as_of: datetime
    meta: Meta
    # a breakdown wholly after the stored periods: the period whose stock members are
    # carried onto it (see :mod:`onpace.values.reader`)
    carried_from: date | None = None

    @property
    def end(self) -> date:
        """The first day after the last period."""
        return next_period_start(self.periods[-1], self.grain)


def stored_slice(
    meta: Meta | None,
    settings: str,
    hashes: dict[str, str],
    data_version: Callable[[], int],
    kpis: dict[str, AnyKpi],
    calendar: Calendar,
    req: ComputeRequest,
) -> StoredSlice | None:
    """The stored cells that answer ``req``, or None when the store does not hold it."""
    as_of = req.as_of or datetime.now()
    if any(n not in kpis for n in req.names):
        return None  # computing says what is wrong with the name
    entities = read_entities(kpis, req.names, timing=True)
    meta = usable(meta, settings, data_version, as_of, entities)
    if meta is None or req.grain not in meta.starts or len(req.by) > 1 or req.grain == "all":
        return None
    dim = req.by[0] if req.by else None
    for name in req.names:
        stored = meta.kpis.get(name)
        if stored is None or stored != hashes.get(name):
            return None
        if dim is not None and dim not in meta.dims.get(name, []):
            return None
    grain: Grain = req.grain
    lagged = reads_earlier_periods(list(req.names), kpis)
    first, spine_start, periods, _ = spine(grain, req.start, req.end, lagged, calendar)
    store_start = meta.starts[grain]
    if first < store_start:
        return None
    data_start = period_start(meta.data_start, grain, calendar) if meta.data_start else None
    if spine_start < store_start and (data_start is None or data_start < store_start):
        return None  # members present before the stored periods would be missed
    if not periods:
        return None
    names = list(dict.fromkeys(req.names))
    last_stored = period_start(meta.as_of.date(), grain, calendar)
    carry = last_stored if dim is not None and spine_start > last_stored else None
    return StoredSlice(grain, dim, names, first, spine_start, periods, as_of, meta, carry)


def carried(cells: Iterable[CellRow]) -> list[CellRow]:
    """The stock members of the last stored period, as cells without a value of their own."""
    return [(c[0], c[1], c[2], NAN, None, c[5]) for c in cells if c[5] == ALWAYS]


@dataclass
class StoredRows:
    """An answer as columns: what :func:`~onpace.query.assemble.long_frame` is made of."""

    kpis: list[str] = field(default_factory=list)
    periods: list[date] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    members: list[Any] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    notes: list[str | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.kpis)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _member_order(value: Any) -> str:
    return "" if value is None else str(value)


def stored_rows(
    cells: Iterable[CellRow], found: StoredSlice, names: Sequence[str], calendar: Calendar
) -> StoredRows:
    """The cells of ``found`` laid out as a computation of ``names`` would lay out its result.

    Every period shown for every member present in the periods read (for a breakdown),
    in the order of ``names``; periods after the stored as-of moment carry the note a
    computation gives them.
    """
    grain = found.grain
    by_kpi: dict[str, list[CellRow]] = {}
    for cell in cells:
        by_kpi.setdefault(cell[0], []).append(cell)
    last_stored = period_start(found.meta.as_of.date(), grain, calendar)
    shown = [p for p in found.periods if p >= found.first]
    labels = {p: period_label(p, grain, calendar) for p in shown}
    future_note = f"the period starts after the as-of moment {found.as_of}"
    out = StoredRows()
    for name in names:
        own = by_kpi.get(name, [])
        members: list[Any] = [None]
        if found.dim is not None:
            seen = {None if _missing(c[1]) else c[1] for c in own if c[5] > 0}
            members = sorted(seen, key=_member_order)
        lookup = {
            (c[2], None if _missing(c[1]) else c[1]): (c[3], c[4])
            for c in own
            if c[2] >= found.first
        }
        for p in shown:
            for m in members:
                value, note = (
                    (NAN, future_note) if p > last_stored else lookup.get((p, m), (NAN, None))
                )
                out.kpis.append(name)
                out.periods.append(p)
                out.labels.append(labels[p])
                out.members.append(m)
                out.values.append(NAN if _missing(value) else float(value))
                out.notes.append(None if _missing(note) else str(note))
    return out
