"""The schedule of alerts and digests, and the scheduler inside ``onpace serve``.

Each job has slots: alerts every ``check_every_minutes``, digests at ``digest:``'s
day and hour. :func:`run_due` runs the latest slot of each job that is due and
not yet claimed in the state store (see :mod:`onpace.reports.schedule_runs`), so a
server restarted after a slot runs it once, and a slot already run never runs
again, whichever process (cron or the server) got there first. APScheduler only
ticks :func:`run_due` every minute.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from onpace.alerts.rules import DigestSettings, workspace_alerts
from onpace.errors import OnpaceError

if TYPE_CHECKING:
    from onpace.workspace import Workspace

log = logging.getLogger("onpace.scheduler")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALERTS_JOB = "alerts"
FIRST_TICK_SECONDS = 60.0


def alerts_slot(now: datetime, every_minutes: int) -> datetime:
    """The last multiple of ``every_minutes`` since midnight at or before ``now``."""
    midnight = datetime.combine(now.date(), time(), now.tzinfo)
    minutes = int((now - midnight).total_seconds() // 60)
    return midnight + timedelta(minutes=minutes - minutes % every_minutes)


def digest_slot(now: datetime, settings: DigestSettings) -> datetime:
    """The latest digest moment at or before ``now`` (local time of the workspace).

    >>> s = DigestSettings(every="week", weekday="mon", hour=7)
    >>> digest_slot(datetime(2025, 11, 26, 12), s)  # a Wednesday
    datetime.datetime(2025, 11, 24, 7, 0)
    >>> digest_slot(datetime(2025, 11, 24, 6, 59), s)
    datetime.datetime(2025, 11, 17, 7, 0)
    """
    at = datetime.combine(now.date(), time(settings.hour), now.tzinfo)
    if settings.every == "day":
        return at if at <= now else at - timedelta(days=1)
    if settings.every == "week":
        back = (now.weekday() - WEEKDAYS.index(settings.weekday)) % 7
        slot = at - timedelta(days=back)
        return slot if slot <= now else slot - timedelta(days=7)
    slot = at.replace(day=settings.day)
    if slot <= now:
        return slot
    year, month = (slot.year, slot.month - 1) if slot.month > 1 else (slot.year - 1, 12)
    return slot.replace(year=year, month=month)


def run_due(ws: Workspace, now: datetime | None = None) -> list[str]:
    """Run every job whose latest slot is not yet claimed; returns what ran.

    ``now`` is a wall-clock moment of the workspace; an aware one is first turned
    into the workspace's time zone, as the data and the slots are kept.
    """
    from onpace.alerts.dispatch import run_alerts
    from onpace.reports.digest_send import JOB as DIGEST_JOB
    from onpace.reports.digest_send import digest_since, send_digests
    from onpace.reports.schedule_runs import claim_slot
    from onpace.workspace import wall_time

    moment = wall_time(now, ws.config.timezone) if now is not None else ws.now()
    config = workspace_alerts(ws)
    ran: list[str] = []
    if config.rules:
        slot = alerts_slot(moment, config.settings.check_every_minutes)
        if claim_slot(ws.store, ALERTS_JOB, slot):
            result = run_alerts(ws, moment, config=config)
            ran.append(f"{ALERTS_JOB} {slot:%Y-%m-%d %H:%M}: {result.fired} fired")
    if config.settings.channels.email is not None and config.settings.people:
        slot = digest_slot(moment, config.settings.digest)
        since = digest_since(ws, moment)  # before the claim: the changes since the last digest
        if claim_slot(ws.store, DIGEST_JOB, slot):
            sent = send_digests(ws, moment, since=since)
            ran.append(f"{DIGEST_JOB} {slot:%Y-%m-%d %H:%M}: {len(sent)} sent")
    return ran


def start_scheduler(
    ws: Workspace,
    as_of: datetime | None = None,
    guard: Callable[[Callable[[], list[str]]], list[str]] | None = None,
    first_in: float = FIRST_TICK_SECONDS,
) -> Any:
    """A background scheduler ticking :func:`run_due` every minute (None without alerts.yml).

    ``guard`` runs a tick the way the server runs its own computations (under its
    lock): the workspace's warehouse connection takes one statement at a time, and
    a tick computing KPIs while a page does would break both. The first tick comes
    ``first_in`` seconds after the start, so the first readers of a restarted server
    are not queued behind a whole alert run; a slot missed meanwhile still runs then.
    """
    if not (ws.root / "alerts.yml").exists():
        return None
    from apscheduler.schedulers.background import BackgroundScheduler  # type: ignore[import-untyped]

    def due() -> list[str]:
        return run_due(ws, as_of)

    def tick() -> None:
        try:
            for line in guard(due) if guard is not None else due():
                log.warning("scheduled %s", line)
        except OnpaceError as exc:  # a broken alerts.yml or store: report, keep serving
            log.error("scheduled run failed: %s", exc)

    scheduler = BackgroundScheduler(daemon=True)
    scheduler.add_job(
        tick,
        "interval",
        minutes=1,
        next_run_time=datetime.now() + timedelta(seconds=first_in),
        max_instances=1,
    )
    scheduler.start()
    return scheduler
