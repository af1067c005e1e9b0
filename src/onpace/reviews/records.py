"""KPI reviews: the record that every KPI is looked at on its cadence, and which are due.

A KPI's ``review_cadence`` (weekly, monthly, quarterly, yearly) says how often its
owner should look at it and its targets. A review is kept with who, when, the
decision (keep the KPI and its targets, revise them, or retire the KPI) and a note,
append-only. The schedule says, for every KPI with a cadence, when it was last
reviewed and when the next review is due, so a manager sees what is overdue.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import select

from onpace.calendar import add_months
from onpace.errors import StoreError, UnknownNameError, did_you_mean
from onpace.store.state_store import Store, current_user
from onpace.store.tables import KpiReview

Decision = Literal["keep", "revise", "retire"]
DECISIONS: tuple[str, ...] = ("keep", "revise", "retire")
DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class Review:
    """A review as stored."""

    kpi: str
    reviewed_at: datetime
    reviewer: str
    decision: str
    note: str

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["reviewed_at"] = self.reviewed_at.isoformat()
        return out


def add_review(
    store: Store,
    kpis: dict[str, Any],
    kpi: str,
    decision: str,
    note: str,
    reviewer: str | None = None,
    when: datetime | None = None,
) -> Review:
    """Record a review of ``kpi``; the note is required, like a target change's reason."""
    if kpi not in kpis:
        raise UnknownNameError(f"unknown KPI '{kpi}'." + did_you_mean(kpi, kpis))
    if decision not in DECISIONS:
        raise StoreError(
            f"unknown decision '{decision}'."
            + did_you_mean(decision, DECISIONS)
            + " Use keep, revise or retire."
        )
    if not note.strip():
        raise StoreError("every review needs a note: what was looked at and why this decision")
    row = KpiReview(
        kpi=kpi,
        reviewed_at=when or datetime.now(UTC),
        reviewer=(reviewer or current_user()).strip() or "unknown",
        decision=decision,
        note=note.strip(),
    )
    with store._session() as session:
        session.add(row)
    return _review(row)


def _review(row: KpiReview) -> Review:
    at = row.reviewed_at if row.reviewed_at.tzinfo else row.reviewed_at.replace(tzinfo=UTC)
    return Review(row.kpi, at, row.reviewer, row.decision, row.note)


def list_reviews(store: Store, kpi: str | None = None) -> list[Review]:
    """Every review (of ``kpi``), oldest first."""
    query = select(KpiReview).order_by(KpiReview.id)
    if kpi is not None:
        query = query.where(KpiReview.kpi == kpi)
    with store._session() as session:
        return [_review(r) for r in session.scalars(query)]


def next_review(last: date, cadence: str) -> date:
    """The day a review is due after one on ``last``.

    >>> next_review(date(2026, 1, 31), "monthly")
    datetime.date(2026, 2, 28)
    """
    if cadence == "weekly":
        return last + timedelta(days=7)
    months = {"monthly": 1, "quarterly": 3, "yearly": 12}[cadence]
    return add_months(last, months)


@dataclass(frozen=True)
class ReviewDue:
    """Where one KPI stands on its review cadence."""

    kpi: str
    label: str
    cadence: str | None
    owner: str | None
    last_review: date | None
    last_decision: str | None
    due: date | None
    status: str  # overdue | due soon | ok | never reviewed | no cadence

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("last_review", "due"):
            out[key] = out[key].isoformat() if out[key] else None
        return out


def review_schedule(kpis: dict[str, Any], reviews: list[Review], today: date) -> list[ReviewDue]:
    """Every KPI with its last review and next due date, most urgent first."""
    last: dict[str, Review] = {}
    for r in reviews:
        last[r.kpi] = r
    rows: list[ReviewDue] = []
    for name, kpi in kpis.items():
        cadence = getattr(kpi, "review_cadence", None)
        seen = last.get(name)
        seen_day = seen.reviewed_at.date() if seen else None
        due = next_review(seen_day, cadence) if cadence and seen_day else None
        if cadence is None:
            status = "no cadence"
        elif seen_day is None:
            status = "never reviewed"
        elif due is not None and due < today:
            status = "overdue"
        elif due is not None and (due - today).days <= DUE_SOON_DAYS:
            status = "due soon"
        else:
            status = "ok"
        rows.append(
            ReviewDue(
                name,
                kpi.label,
                cadence,
                getattr(kpi, "owner", None),
                seen_day,
                seen.decision if seen else None,
                due,
                status,
            )
        )
    order = {"overdue": 0, "never reviewed": 1, "due soon": 2, "ok": 3, "no cadence": 4}
    return sorted(rows, key=lambda r: (order[r.status], r.due or date.max, r.kpi))
