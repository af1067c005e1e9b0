"""Funnels over a handful of events with known windows, counted by hand.

The catalog's web shop funnel: visits -> carts (same session_id, within 1 day)
-> completed orders (the cart's order_id, within 7 days).

    visit s1 Jan 03 10:00  carts c1 10:20 (order o1 10:30) and c5 11:00 (order o5 Jan 09 11:00)
    visit s2 Jan 10 09:00  cart  c2 Jan 12 09:00: two days later, outside the 1-day window
    visit s3 Jan 31 23:00  cart  c3 Feb 01 00:30 (order o3 01:00): crosses the month end
    visit s4 Feb 05 12:00  cart  c4 12:10, abandoned
    visit s5 Feb 20 10:00  cart  c6 10:05, its order o6 is cancelled

By cohort (the month of the visit):
    January: 3 visits; carts s1, s3 = 2; orders s1 (o1, the earliest), s3 = 2
             median visit->cart of 20 min and 90 min = 55 min = 0.038194 days
             median cart->order of 10 min and 30 min = 20 min = 0.013889 days
    February: 2 visits; 2 carts (10 and 5 min: median 7.5 min = 0.005208 days); 0 orders
By event month: January 3 visits, 1 cart (c1), 1 order (o1);
                February 2 visits, 3 carts (c3, c4, c6), 1 order (o3).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from onpace.compare.funnels import FunnelRow, compute_funnel
from onpace.errors import UnknownNameError
from tests.compare.workspaces import frame, workspace_with

N = None
WEB = {
    "web_sessions": frame(
        "session_id started_at source",
        ("s1", "2024-01-03 10:00", "google"),
        ("s2", "2024-01-10 09:00", "direct"),
        ("s3", "2024-01-31 23:00", "google"),
        ("s4", "2024-02-05 12:00", "google"),
        ("s5", "2024-02-20 10:00", "direct"),
    ),
    "carts": frame(
        "cart_id created_at session_id order_id",
        ("c1", "2024-01-03 10:20", "s1", "o1"),
        ("c5", "2024-01-03 11:00", "s1", "o5"),
        ("c2", "2024-01-12 09:00", "s2", "o2"),
        ("c3", "2024-02-01 00:30", "s3", "o3"),
        ("c4", "2024-02-05 12:10", "s4", N),
        ("c6", "2024-02-20 10:05", "s5", "o6"),
    ),
    "orders": frame(
        "order_id ordered_at amount channel status",
        ("o1", "2024-01-03 10:30", 10.0, "web", "completed"),
        ("o5", "2024-01-09 11:00", 10.0, "web", "completed"),
        ("o2", "2024-01-12 09:10", 10.0, "web", "completed"),
        ("o3", "2024-02-01 01:00", 10.0, "web", "completed"),
        ("o6", "2024-02-20 10:10", 10.0, "web", "cancelled"),
    ),
}
AS_OF = datetime(2024, 6, 1)
MINUTE = 1 / 1440


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return workspace_with(tmp_path_factory.mktemp("funnel") / "ws", WEB)


def _counts(row: FunnelRow) -> list[int]:
    return [s.count for s in row.steps]


def test_cohorts_by_hand(web) -> None:  # type: ignore[no-untyped-def]
    result = compute_funnel(
        web, "web_shop", "month", date(2024, 1, 1), date(2024, 3, 1), as_of=AS_OF
    )
    jan, feb = result.cohorts
    assert (jan.label, _counts(jan)) == ("2024-01", [3, 2, 2])
    assert (feb.label, _counts(feb)) == ("2024-02", [2, 2, 0])
    assert jan.steps[1].median_days == pytest.approx(55 * MINUTE)
    assert jan.steps[2].median_days == pytest.approx(20 * MINUTE)
    assert feb.steps[1].median_days == pytest.approx(7.5 * MINUTE)
    assert feb.steps[2].median_days is None
    assert jan.steps[1].step_conversion == pytest.approx(2 / 3)
    assert jan.steps[2].step_conversion == pytest.approx(1.0)
    assert jan.steps[2].overall_conversion == pytest.approx(2 / 3)
    assert feb.steps[2].step_conversion == 0.0
    assert jan.complete and feb.complete  # June is long after both windows closed


def test_event_periods_by_hand(web) -> None:  # type: ignore[no-untyped-def]
    result = compute_funnel(
        web, "web_shop", "month", date(2024, 1, 1), date(2024, 3, 1), as_of=AS_OF
    )
    jan, feb = result.events
    assert _counts(jan) == [3, 1, 1]
    assert _counts(feb) == [2, 3, 1]
    assert feb.steps[1].median_days == pytest.approx(10 * MINUTE)  # 90, 10 and 5 minutes
    assert feb.steps[2].overall_conversion is None  # a ratio of counts, not a conversion
    (total,) = result.total
    assert _counts(total) == [5, 4, 2]
    assert total.steps[1].step_conversion == pytest.approx(0.8)
    assert total.steps[2].overall_conversion == pytest.approx(0.4)


def test_as_of_cuts_the_steps_not_yet_happened(web) -> None:  # type: ignore[no-untyped-def]
    # at 00:45 on Feb 1 the cart c3 (00:30) exists, its order o3 (01:00) not yet
    result = compute_funnel(
        web,
        "web_shop",
        "month",
        date(2024, 1, 1),
        date(2024, 2, 1),
        as_of=datetime(2024, 2, 1, 0, 45),
    )
    (jan,) = result.cohorts
    assert _counts(jan) == [3, 2, 1]
    assert not jan.complete  # its units may still reach an order within the windows


def test_by_member_and_unknown_dimension(web) -> None:  # type: ignore[no-untyped-def]
    result = compute_funnel(
        web, "web_shop", "month", date(2024, 1, 1), date(2024, 3, 1), by="source", as_of=AS_OF
    )
    totals = {row.member: _counts(row) for row in result.total}
    assert totals == {"google": [3, 3, 2], "direct": [2, 1, 0]}
    jan_google = next(r for r in result.cohorts if r.label == "2024-01" and r.member == "google")
    assert _counts(jan_google) == [2, 2, 2]
    with pytest.raises(UnknownNameError, match="Did you mean 'source'"):
        compute_funnel(web, "web_shop", by="sorce", as_of=AS_OF)
    with pytest.raises(UnknownNameError, match="unknown funnel"):
        compute_funnel(web, "web_shops", as_of=AS_OF)


def test_every_path_counts_and_the_earliest_time_is_kept(tmp_path: Path) -> None:
    """Quotes funnel: leads -> quotes (same customer, 90 days) -> won (same quote, 180 days).

    Lead l1 (c1, Jan 05): quote q1 Jan 10 is lost, quote q2 Jan 20 is won on Feb 01.
    It reaches quotes on Jan 10 (5 days) and won on Feb 01: 22 days after Jan 10.
    Lead l2 (c2, Jan 05): its quote q3 comes 117 days later, past the 90-day window.
    Lead l3 has no customer and cannot be followed.
    """
    ws = workspace_with(
        tmp_path / "ws",
        {
            "leads": frame(
                "lead_id created_at customer_id source",
                ("l1", "2024-01-05", "c1", "form"),
                ("l2", "2024-01-05", "c2", "call"),
                ("l3", "2024-01-06", N, "form"),
            ),
            "quotes": frame(
                "quote_id submitted_at status decided_at customer_id",
                ("q1", "2024-01-10", "lost", "2024-01-15", "c1"),
                ("q2", "2024-01-20", "won", "2024-02-01", "c1"),
                ("q3", "2024-05-01", "won", "2024-05-02", "c2"),
            ),
        },
    )
    result = compute_funnel(ws, "quotes", "month", date(2024, 1, 1), date(2024, 2, 1), as_of=AS_OF)
    (jan,) = result.cohorts
    assert _counts(jan) == [3, 1, 1]
    assert jan.steps[1].median_days == pytest.approx(5.0)
    assert jan.steps[2].median_days == pytest.approx(22.0)
