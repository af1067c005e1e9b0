"""Sending the digests: one email per person with an address, through alerts.yml's SMTP.

The digest covers the changes since the last digest that went out (recorded in
the state store's schedule runs), or the last week when none did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from onpace.alerts import channels as send
from onpace.alerts.people import directory
from onpace.alerts.rules import workspace_alerts
from onpace.errors import WorkspaceError

if TYPE_CHECKING:
    from onpace.workspace import Workspace

JOB = "digest"


@dataclass(frozen=True)
class DigestSent:
    recipient: str
    address: str
    subject: str
    rows: int
    ok: bool | None  # None: a dry run
    attempts: int = 0
    error: str = ""
    message: Any = None  # the EmailMessage (for --dry-run printing and the demo's sink)


def last_digest(ws: Workspace) -> datetime | None:
    from onpace.reports.schedule_runs import last_slot

    return last_slot(ws.store, JOB)


def digest_since(ws: Workspace, moment: datetime) -> datetime:
    """Where the changes of a digest sent at ``moment`` start: the last one, else a week back."""
    return last_digest(ws) or moment - timedelta(days=7)


def send_digests(
    ws: Workspace,
    as_of: datetime | None = None,
    dry_run: bool = False,
    since: datetime | None = None,
    only: list[str] | None = None,
    sleep: Callable[[float], None] | None = None,
) -> list[DigestSent]:
    """Build and send every person's digest at ``as_of`` (default: now)."""
    from onpace.reports.digest import Cards, build_digest
    from onpace.reports.digest_message import digest_message

    config = workspace_alerts(ws)
    settings = config.settings
    email = settings.channels.email
    if email is None and not dry_run:
        raise WorkspaceError("digests go by email: add channels: email: ... to alerts.yml")
    moment = as_of or ws.now()
    start = since or digest_since(ws, moment)
    cache: Cards = {}
    out: list[DigestSent] = []
    kwargs: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
    for person in directory(ws, settings).values():
        if not person.email or (only and person.name not in only):
            continue
        digest = build_digest(ws, person, moment, start, settings.digest.grain, cache)
        message = digest_message(digest, ws.config.currency)
        sender = email.sender if email else "onpace@localhost"
        mail = send.email_message(sender, person.email, message)
        rows = len(digest.rows)
        if dry_run or email is None:
            out.append(
                DigestSent(person.name, person.email, message.subject, rows, None, 0, "", mail)
            )
            continue
        done = send.with_retries(partial(send.send_email, email, mail), settings.retry, **kwargs)
        out.append(
            DigestSent(person.name, person.email, message.subject, rows, done.ok, done.attempts,
                       done.error, mail)
        )  # fmt: skip
    return out
