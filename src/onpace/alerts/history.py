"""The alert history in the state store: events, deliveries and snoozes, append-only.

The latest event of a (rule, subject) is its state: ``fired`` with the condition
it fired on, or ``cleared``. A delivery row says to whom, through which channel,
after how many attempts and whether it worked; the data-health page reads the
last delivery of each channel to report one that fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from onpace.store.state_store import Store, current_user
from onpace.store.tables import AlertDelivery, AlertEvent, AlertSnooze


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class State:
    event: str
    condition: str


def states(store: Store) -> dict[tuple[str, str], State]:
    """The latest event of every (rule, subject)."""
    latest = (
        select(func.max(AlertEvent.id))
        .group_by(AlertEvent.rule, AlertEvent.subject)
        .scalar_subquery()
    )
    with store._session() as session:
        rows = session.scalars(select(AlertEvent).where(AlertEvent.id.in_(latest)))
        return {(r.rule, r.subject): State(r.event, r.condition) for r in rows}


def record_event(
    store: Store,
    rule: str,
    subject: str,
    event: str,
    condition: str,
    message: str,
    as_of: datetime,
    kpi: str | None = None,
    member: str | None = None,
    period: str | None = None,
) -> int:
    row = AlertEvent(
        rule=rule,
        subject=subject,
        kpi=kpi,
        member=member,
        period=period,
        event=event,
        condition=condition,
        message=message,
        as_of=_utc(as_of),
        at=datetime.now(UTC),
    )
    with store._session() as session:
        session.add(row)
        session.flush()
        return int(row.id)


def record_delivery(
    store: Store,
    event_id: int,
    channel: str,
    recipient: str,
    address: str,
    ok: bool,
    attempts: int,
    error: str,
) -> None:
    with store._session() as session:
        session.add(
            AlertDelivery(
                event_id=event_id,
                channel=channel,
                recipient=recipient,
                address=address,
                ok=ok,
                attempts=attempts,
                error=error,
                at=datetime.now(UTC),
            )
        )


def snooze(
    store: Store,
    rule: str,
    until: datetime,
    reason: str,
    kpi: str | None = None,
    author: str | None = None,
) -> None:
    """Keep ``rule`` (for ``kpi`` only, or for all) quiet until ``until``."""
    from onpace.errors import StoreError

    if not reason.strip():
        raise StoreError("a snooze needs a reason (--why)")
    with store._session() as session:
        session.add(
            AlertSnooze(
                rule=rule,
                kpi=kpi,
                until=_utc(until),
                author=(author or current_user()).strip() or "unknown",
                reason=reason.strip(),
                at=datetime.now(UTC),
            )
        )


def snoozed(store: Store, now: datetime) -> set[tuple[str, str | None]]:
    """(rule, kpi or None for the whole rule) kept quiet at ``now``; the latest snooze counts."""
    latest: dict[tuple[str, str | None], datetime] = {}
    with store._session() as session:
        for row in session.scalars(select(AlertSnooze).order_by(AlertSnooze.id)):
            latest[(row.rule, row.kpi)] = _utc(row.until)
    return {key for key, until in latest.items() if until > _utc(now)}


def events(store: Store, limit: int = 200) -> list[dict[str, Any]]:
    """The latest events with their deliveries, newest first (alerts page, CLI, tests)."""
    with store._session() as session:
        rows = list(session.scalars(select(AlertEvent).order_by(AlertEvent.id.desc()).limit(limit)))
        ids = [r.id for r in rows]
        sent = list(session.scalars(select(AlertDelivery).where(AlertDelivery.event_id.in_(ids))))
    by_event: dict[int, list[dict[str, Any]]] = {}
    for d in sent:
        by_event.setdefault(d.event_id, []).append(
            {
                "channel": d.channel,
                "recipient": d.recipient,
                "address": d.address,
                "ok": d.ok,
                "attempts": d.attempts,
                "error": d.error,
                "at": _utc(d.at).isoformat(timespec="seconds"),
            }
        )
    return [
        {
            "id": r.id,
            "rule": r.rule,
            "subject": r.subject,
            "kpi": r.kpi,
            "member": r.member,
            "period": r.period,
            "event": r.event,
            "condition": r.condition,
            "message": r.message,
            "as_of": _utc(r.as_of).isoformat(timespec="seconds"),
            "at": _utc(r.at).isoformat(timespec="seconds"),
            "deliveries": by_event.get(r.id, []),
        }
        for r in rows
    ]


def channel_health(store: Store) -> list[dict[str, Any]]:
    """Each channel's last delivery: a channel whose last delivery failed is failing."""
    latest = select(func.max(AlertDelivery.id)).group_by(AlertDelivery.channel).scalar_subquery()
    with store._session() as session:
        rows = list(session.scalars(select(AlertDelivery).where(AlertDelivery.id.in_(latest))))
        failures = dict(
            session.execute(
                select(AlertDelivery.channel, func.count())
                .where(AlertDelivery.ok.is_(False))
                .group_by(AlertDelivery.channel)
            ).all()
        )
    return [
        {
            "channel": r.channel,
            "status": "ok" if r.ok else "failing",
            "last_delivery": _utc(r.at).isoformat(timespec="seconds"),
            "last_error": r.error,
            "failed_deliveries": int(failures.get(r.channel, 0)),
        }
        for r in sorted(rows, key=lambda r: r.channel)
    ]
