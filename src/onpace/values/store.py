"""One workspace's value store: a reader per warehouse connection, refreshes on writes.

:class:`ValueStore` knows the workspace's settings and KPI hashes. It gives each
warehouse connection (each published version the workspace reads) its
:class:`~onpace.values.reader.StoredValues`, and refreshes the values of a writable
warehouse, which is what every write to the embedded warehouse ends with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from onpace.values.keys import kpi_hashes, settings_hash
from onpace.values.reader import StoredValues

if TYPE_CHECKING:
    from onpace.query.warehouse import Warehouse
    from onpace.values.changes import ChangeSet
    from onpace.values.refresh import RefreshReport


@dataclass
class StoreStatus:
    """What the store holds, for ``onpace refresh --status`` and the health page."""

    exists: bool
    as_of: datetime | None = None
    valid_until: datetime | None = None
    kpis: int = 0
    current: bool = False
    stale_kpis: tuple[str, ...] = ()
    # not current only because rows dated after its as-of moment came due today: the
    # values of the KPIs reading other tables still answer (see Meta.until)
    only_rows_due: bool = False


class ValueStore:
    """The stored values of a workspace (its KPIs, calendar, churn rule and time zone)."""

    def __init__(self, kpis: dict[str, Any], calendar: Any, churn: Any, timezone: str) -> None:
        self.kpis = kpis
        self.calendar = calendar
        self.churn = churn
        self.settings = settings_hash(calendar, churn, timezone)
        self.hashes = kpi_hashes(kpis)
        self._readers: dict[int, StoredValues] = {}

    def reader(self, warehouse: Warehouse) -> StoredValues:
        """The stored values of ``warehouse``'s current connection (read once, kept)."""
        key = id(warehouse.backend)
        found = self._readers.get(key)
        if found is None or found.backend is not warehouse.backend:
            self._readers = {key: StoredValues(warehouse.backend, self.settings, self.hashes)}
            found = self._readers[key]
        return found

    def refresh(
        self,
        warehouse: Warehouse,
        as_of: datetime,
        changes: ChangeSet | None = None,
        full: bool = False,
    ) -> RefreshReport:
        """Bring the values of a writable ``warehouse`` to its data and to ``as_of``."""
        from onpace.query.session import Session
        from onpace.values.refresh import Refresher

        session = Session(self.kpis, warehouse, self.calendar, self.churn)
        refresher = Refresher(session, self.settings, self.hashes)
        return refresher.full(as_of) if full else refresher.refresh(as_of, changes)

    def status(self, warehouse: Warehouse, now: datetime) -> StoreStatus:
        values = self.reader(warehouse)
        meta = values.meta()
        if meta is None:
            return StoreStatus(False)
        stale = tuple(n for n, h in self.hashes.items() if meta.kpis.get(n, h) != h)
        current = values.usable(now) is not None and not stale
        day_end = meta.day_end or meta.valid_until
        due = not current and not stale and meta.valid_until <= now < day_end
        return StoreStatus(
            True,
            meta.as_of,
            meta.valid_until,
            len(meta.kpis),
            current,
            stale,
            only_rows_due=due and values.usable(meta.as_of) is not None,
        )
