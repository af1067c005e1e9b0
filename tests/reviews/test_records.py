"""KPI reviews are recorded append-only, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from onpace.errors import AppendOnlyError, StoreError
from onpace.reviews.records import add_review, list_reviews
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
