"""What people said about a KPI, placed on its charts at the date they said it.

Target revisions (with their reasons), reviews and check-ins become annotations
on the KPI page's trend and progress charts, so a dip can be read next to the
note that explains it. Only total targets are shown (a rep's quota is not another
rep's business), and no number appears in an annotation: a note is words.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from onpace.store import Store


def _day(moment: datetime | None) -> str | None:
    return moment.date().isoformat() if moment is not None else None


def kpi_notes(store: Store, kpi: str) -> list[dict[str, Any]]:
    """Every annotation of ``kpi``, oldest first: ``date`` (ISO day), ``kind`` and ``text``."""
    from onpace.reviews.checkins import list_checkins
    from onpace.reviews.records import list_reviews

    notes: list[dict[str, Any]] = []
    for t in store.history(kpi):
        if t.dimension is None and t.created_at is not None:
            verb = "target retired" if t.action == "retire" else "target set"
            notes.append({"date": _day(t.created_at), "kind": "target",
                          "text": f"{verb} for {t.period.label}: {t.reason}"})  # fmt: skip
    for r in list_reviews(store, kpi):
        notes.append({"date": _day(r.reviewed_at), "kind": "review",
                      "text": f"review ({r.decision}) by {r.reviewer}: {r.note}"})  # fmt: skip
    for c in list_checkins(store, kpi=kpi):
        text = f"check-in {c.period} ({c.confidence}) by {c.author}: {c.comment}"
        notes.append({"date": _day(c.at), "kind": "check-in", "text": text})
    return sorted(notes, key=lambda n: n["date"] or "")


def within(notes: list[dict[str, Any]], start: date, end: date) -> list[dict[str, Any]]:
    """The notes dated in ``[start, end]``."""
    first, last = start.isoformat(), end.isoformat()
    return [n for n in notes if n["date"] is not None and first <= n["date"] <= last]
