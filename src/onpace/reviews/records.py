"""KPI reviews as recorded: who looked at a KPI, when, what they decided and why.

A review is kept with who, when, the decision (keep the KPI and its targets, revise
them, or retire the KPI) and a note, append-only in the state store. When the next
review is due is :mod:`onpace.reviews.schedule`'s job.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import select

from onpace.errors import StoreError, UnknownNameError, did_you_mean
from onpace.store.state_store import Store, current_user
from onpace.store.tables import KpiReview

Decision = Literal["keep", "revise", "retire"]
DECISIONS: tuple[str, ...] = ("keep", "revise", "retire")


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
