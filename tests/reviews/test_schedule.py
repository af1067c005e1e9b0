"""When reviews are due: dates and statuses worked out by hand from a cadence and a last review."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

from onpace.reviews.records import Review
from onpace.reviews.schedule import next_review, review_schedule

KPIS = {
    "revenue": SimpleNamespace(label="Revenue", review_cadence="monthly", owner="ann"),
    "return_rate": SimpleNamespace(label="Return rate", review_cadence="quarterly", owner=None),
    "orders": SimpleNamespace(label="Orders", review_cadence="weekly", owner="bob"),
    "csat": SimpleNamespace(label="CSAT", review_cadence="yearly", owner=None),
    "visits": SimpleNamespace(label="Visits", review_cadence=None, owner=None),
}


def review(kpi: str, day: date) -> Review:
    return Review(kpi, datetime(day.year, day.month, day.day, 9, tzinfo=UTC), "ann", "keep", "ok")


def test_next_review_dates() -> None:
    assert next_review(date(2026, 11, 2), "weekly") == date(2026, 11, 9)
    assert next_review(date(2026, 10, 31), "monthly") == date(2026, 11, 30)  # clamped
    assert next_review(date(2026, 1, 31), "monthly") == date(2026, 2, 28)
    assert next_review(date(2026, 9, 30), "quarterly") == date(2026, 12, 30)
    assert next_review(date(2024, 2, 29), "yearly") == date(2025, 2, 28)


def test_schedule_orders_by_urgency() -> None:
    reviews = [
        review("revenue", date(2026, 10, 20)),
        review("orders", date(2026, 11, 23)),
        review("csat", date(2026, 3, 1)),
    ]
    today = date(2026, 11, 27)
    rows = {r.kpi: r for r in review_schedule(KPIS, reviews, today)}
    # revenue: monthly from 20 Oct -> due 20 Nov, a week before today: overdue
    assert (rows["revenue"].due, rows["revenue"].status) == (date(2026, 11, 20), "overdue")
    # orders: weekly from 23 Nov -> due 30 Nov, 3 days away: due soon
    assert (rows["orders"].due, rows["orders"].status) == (date(2026, 11, 30), "due soon")
    # csat: yearly from 1 Mar 2026 -> due 1 Mar 2027: ok
    assert (rows["csat"].due, rows["csat"].status) == (date(2027, 3, 1), "ok")
    assert rows["return_rate"].status == "never reviewed" and rows["return_rate"].due is None
    assert rows["visits"].status == "no cadence"
    order = [r.kpi for r in review_schedule(KPIS, reviews, today)]
    assert order == ["revenue", "return_rate", "orders", "csat", "visits"]


def test_the_last_review_counts_and_due_today_is_not_yet_overdue() -> None:
    kpis = {"orders": KPIS["orders"]}  # weekly
    # reviewed 1 and 13 Nov: the later review counts, due 20 Nov
    reviews = [review("orders", date(2026, 11, 1)), review("orders", date(2026, 11, 13))]
    status = {
        today: review_schedule(kpis, reviews, today)[0].status
        for today in (date(2026, 11, d) for d in (12, 13, 20, 21))
    }
    assert status == {
        date(2026, 11, 12): "ok",  # 8 days before 20 Nov: more than the 7 days of "due soon"
        date(2026, 11, 13): "due soon",  # 7 days before
        date(2026, 11, 20): "due soon",  # the due day itself
        date(2026, 11, 21): "overdue",
    }
