"""Runs of scheduled jobs (alerts, digests) by slot, in the state store.

A slot is the moment a job was due. Recording it is append-only and unique per
(job, slot), so a scheduler that restarts knows what it did: a slot already run
is never run again, and a slot missed while the server was down is run once when
it comes back.

Slots are moments of the workspace's wall clock, naive like ``Workspace.now()`` and
the stored data. The table keeps them labelled UTC (a time zone the column can
hold on every database); they are read back naive, so a slot compares with the
moments it came from.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from onpace.errors import StoreError
from onpace.store.state_store import Store
from onpace.store.tables import ScheduleRun


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _wall(moment: datetime) -> datetime:
    """A stored slot as the naive wall-clock moment it was claimed for."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def claim_slot(store: Store, job: str, slot: datetime, outcome: str = "started") -> bool:
    """Record that ``job`` runs for ``slot``; False when it already did (run nothing then)."""
    try:
        with store._session() as session:
            session.add(
                ScheduleRun(job=job, slot=_utc(slot), outcome=outcome, at=datetime.now(UTC))
            )
    except StoreError as exc:
        if isinstance(exc.__cause__, IntegrityError):
            return False
        raise
    return True


def last_slot(store: Store, job: str) -> datetime | None:
    with store._session() as session:
        found = session.scalar(select(func.max(ScheduleRun.slot)).where(ScheduleRun.job == job))
    return _wall(found) if found is not None else None


def runs(store: Store, job: str | None = None) -> list[tuple[str, datetime, str]]:
    query = select(ScheduleRun).order_by(ScheduleRun.id)
    if job is not None:
        query = query.where(ScheduleRun.job == job)
    with store._session() as session:
        return [(r.job, _wall(r.slot), r.outcome) for r in session.scalars(query)]
