"""KPI reviews: recorded append-only on both databases, and a schedule with hand-worked dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from onpace.errors import AppendOnlyError, StoreError
from onpace.reviews.records import add_review, list_reviews, next_review, review_schedule
from onpace.store import Store
from onpace.store.tables import KpiReview

KPIS = {
    "revenue": SimpleNamespace(label="Revenue", review_cadence="monthly", owner="ann"),
    "return_rate": SimpleNamespace(label="Return rate", review_cadence="quarterly", owner=None),
    "orders": SimpleNamespace(label="Orders", review_cadence="weekly", owner="bob"),
    "csat": SimpleNamespace(label="CSAT", review_cadence="yearly", owner=None),
    "visits": SimpleNamespace(label="Visits", review_cadence=None, owner=None),
}


def test_reviews_are_recorded_and_listed(store: Store) -> None:
    add_review(store, KPIS, "revenue", "keep", "on plan", "ann", datetime(2026, 9, 30, tzinfo=UTC))
    add_review(
        store, KPIS, "revenue", "revise", "market shrank", "ann", datetime(2026, 10, 31, tzinfo=UTC)
    )
    add_review(store, KPIS, "orders", "keep", "fine", "bob", datetime(2026, 11, 2, tzinfo=UTC))
    history = list_reviews(store, "revenue")
    assert [(r.decision, r.note, r.reviewed_at.date()) for r in history] == [
        ("keep", "on plan", date(2026, 9, 30)),
        ("revise", "market shrank", date(2026, 10, 31)),
    ]
    assert len(list_reviews(store)) == 3


def test_bad_reviews_are_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="needs a note"):
        add_review(store, KPIS, "revenue", "keep", "  ")
    with pytest.raises(StoreError, match="Did you mean 'revise'"):
        add_review(store, KPIS, "revenue", "revize", "x")
    with pytest.raises(Exception, match="Did you mean 'revenue'"):
        add_review(store, KPIS, "revenu", "keep", "x")
    assert list_reviews(store) == []


@pytest.mark.parametrize(
    "statement", ["UPDATE kpi_reviews SET note = 'x'", "DELETE FROM kpi_reviews"]
)
def test_database_refuses_rewriting_reviews(store: Store, statement: str) -> None:
    add_review(store, KPIS, "revenue", "keep", "on plan", "ann")
    with pytest.raises(Exception, match="append-only"), store.engine.begin() as con:
        con.execute(text(statement))
    assert [r.note for r in list_reviews(store)] == ["on plan"]


def test_orm_refuses_rewriting_reviews(store: Store) -> None:
    add_review(store, KPIS, "revenue", "keep", "on plan", "ann")
    with pytest.raises(AppendOnlyError), store._session() as session:
        row = session.query(KpiReview).one()
        row.note = "changed"
    assert [r.note for r in list_reviews(store)] == ["on plan"]


def test_next_review_dates() -> None:
    assert next_review(date(2026, 11, 2), "weekly") == date(2026, 11, 9)
    assert next_review(date(2026, 10, 31), "monthly") == date(2026, 11, 30)  # clamped
    assert next_review(date(2026, 1, 31), "monthly") == date(2026, 2, 28)
    assert next_review(date(2026, 9, 30), "quarterly") == date(2026, 12, 30)
    assert next_review(date(2024, 2, 29), "yearly") == date(2025, 2, 28)


def test_schedule_orders_by_urgency(store: Store) -> None:
    add_review(store, KPIS, "revenue", "keep", "ok", "ann", datetime(2026, 10, 20, tzinfo=UTC))
    add_review(store, KPIS, "orders", "keep", "ok", "bob", datetime(2026, 11, 23, tzinfo=UTC))
    add_review(store, KPIS, "csat", "keep", "ok", "cy", datetime(2026, 3, 1, tzinfo=UTC))
    today = date(2026, 11, 27)
    rows = {r.kpi: r for r in review_schedule(KPIS, list_reviews(store), today)}
    # revenue: monthly from 20 Oct -> due 20 Nov, a week before today: overdue
    assert (rows["revenue"].due, rows["revenue"].status) == (date(2026, 11, 20), "overdue")
    # orders: weekly from 23 Nov -> due 30 Nov, 3 days away: due soon
    assert (rows["orders"].due, rows["orders"].status) == (date(2026, 11, 30), "due soon")
    # csat: yearly from 1 Mar 2026 -> due 1 Mar 2027: ok
    assert (rows["csat"].due, rows["csat"].status) == (date(2027, 3, 1), "ok")
    assert rows["return_rate"].status == "never reviewed" and rows["return_rate"].due is None
    assert rows["visits"].status == "no cadence"
    order = [r.kpi for r in review_schedule(KPIS, list_reviews(store), today)]
    assert order == ["revenue", "return_rate", "orders", "csat", "visits"]
