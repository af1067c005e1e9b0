"""Check-ins: the owner's or a manager's word on a KPI or an objective in a period.

A check-in is a comment and a confidence, as the person who answers for the number
sees it: a score from 1 to 10, or on track / at risk / off track. It stands beside
the computed status (which it never changes) on the KPI page, in the digest and in
the review pack. Check-ins are append-only: a new opinion is a new check-in.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from onpace.errors import StoreError, UnknownNameError, did_you_mean
from onpace.store.state_store import Store, current_user
from onpace.store.tables import CheckIn as CheckInRow

if TYPE_CHECKING:
    from onpace.workspace import Workspace

WORDS = ("on track", "at risk", "off track")
CONFIDENCE_HELP = "a score from 1 to 10, or on track, at risk or off track"


@dataclass(frozen=True)
class CheckIn:
    kpi: str | None
    objective: str | None
    period: str
    comment: str
    confidence: str
    author: str
    at: datetime

    @property
    def subject(self) -> str:
        return self.kpi or self.objective or ""

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["at"] = self.at.isoformat(timespec="seconds")
        return out


def confidence_text(value: str | int) -> str:
    """``value`` as stored: ``1``..``10`` or one of the three words; raises otherwise."""
    text = " ".join(str(value).strip().lower().replace("_", " ").split())
    if text in WORDS:
        return text
    if text.isdigit() and 1 <= int(text) <= 10:
        return str(int(text))
    raise StoreError(f"confidence '{value}' is not {CONFIDENCE_HELP}")


def may_check_in(
    ws: Workspace, role: str, user: str, kpi: str | None, objective: str | None
) -> bool:
    """The owner of the KPI (or objective), a manager or an admin may check in."""
    if role in ("admin", "manager"):
        return True
    if kpi is not None:
        return ws.kpis[kpi].owner == user
    from onpace.objectives.tree import load_objectives

    objectives = load_objectives(ws.root, ws.config.objectives_file, ws.kpis)
    return any(o.name == objective and o.owner == user for o in objectives.all())


def add_checkin(
    ws: Workspace,
    period: str,
    comment: str,
    confidence: str | int,
    kpi: str | None = None,
    objective: str | None = None,
    author: str | None = None,
    when: datetime | None = None,
) -> CheckIn:
    """Record a check-in on ``kpi`` or ``objective`` for ``period`` (e.g. 2026-Q4)."""
    from onpace.targets.definition import parse_target_period

    if (kpi is None) == (objective is None):
        raise StoreError("a check-in is on one KPI or one objective: give exactly one")
    if kpi is not None and kpi not in ws.kpis:
        raise UnknownNameError(f"unknown KPI '{kpi}'." + did_you_mean(kpi, ws.kpis))
    if objective is not None:
        from onpace.objectives.tree import load_objectives

        names = load_objectives(ws.root, ws.config.objectives_file, ws.kpis).names()
        if objective not in names:
            raise UnknownNameError(
                f"unknown objective '{objective}'." + did_you_mean(objective, names)
            )
    label = parse_target_period(period, ws.calendar).label
    if not comment.strip():
        raise StoreError("a check-in needs a comment: what you see and what you will do")
    row = CheckInRow(
        kpi=kpi,
        objective=objective,
        period=label,
        comment=comment.strip(),
        confidence=confidence_text(confidence),
        author=(author or current_user()).strip() or "unknown",
        at=when or datetime.now(UTC),
    )
    with ws.store._session() as session:
        session.add(row)
    return _checkin(row)


def _checkin(row: CheckInRow) -> CheckIn:
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
    return CheckIn(row.kpi, row.objective, row.period, row.comment, row.confidence, row.author, at)


def list_checkins(
    store: Store, kpi: str | None = None, period: str | None = None, objective: str | None = None
) -> list[CheckIn]:
    """Check-ins, oldest first, of one KPI, objective or period when asked."""
    query = select(CheckInRow).order_by(CheckInRow.id)
    if kpi is not None:
        query = query.where(CheckInRow.kpi == kpi)
    if objective is not None:
        query = query.where(CheckInRow.objective == objective)
    if period is not None:
        query = query.where(CheckInRow.period == period)
    with store._session() as session:
        return [_checkin(r) for r in session.scalars(query)]


def latest_checkins(store: Store, period: str | None = None) -> dict[str, CheckIn]:
    """The newest check-in of each KPI or objective (of ``period``), by its name."""
    out: dict[str, CheckIn] = {}
    for item in list_checkins(store, period=period):
        out[item.subject] = item
    return out
