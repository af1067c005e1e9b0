"""When each KPI is next due for review, from its cadence and its last review.

A KPI's ``review_cadence`` (weekly, monthly, quarterly, yearly) says how often its
owner should look at it and its targets. The schedule says, for every KPI with a
cadence, when it was last reviewed and when the next review is due, so a manager
sees what is overdue.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from onpace.calendar import add_months
from onpace.reviews.records import Review

DUE_SOON_DAYS = 7


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
