"""The pipeline projection on a handful of quotes, worked out by hand.

Days count from 1 January 2024. The moment is day 100 and the period ends on
day 120: twenty days to go.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from onpace.catalog import load_catalog
from onpace.spec.kpi import SimpleKpi
from onpace.targets.pipeline import (
    QuoteKpi,
    Quotes,
    expected_rest,
    open_pipeline,
    quote_kpi,
    win_probability,
)

DAY0 = datetime(2024, 1, 1)
DAY = 86400.0


def day(n: float) -> datetime:
    return DAY0 + timedelta(days=n)


def at(n: float) -> float:
    return (day(n) - datetime(1970, 1, 1)).total_seconds()


ROWS = [
    (day(0), day(10), "won", 100.0),  # q1: won at age 10
    (day(0), day(5), "lost", 50.0),  # q2: lost at age 5
    (day(10), day(30), "won", 200.0),  # q3: won at age 20
    (day(20), day(60), "lost", 80.0),  # q4: lost at age 40
    (day(35), day(45), "won", 70.0),  # q5: won at age 10
    (day(95), None, "open", 300.0),  # o1: open, age 5 at day 100
    (day(97), None, "open", 40.0),  # o2: open, age 3 at day 100
    (day(3), None, "won", 999.0),  # won without a date: cannot be placed, left out
]


def test_quotes_like_them_decide_the_win_rate() -> None:
    quotes = Quotes.of(ROWS)
    assert len(quotes.sent) == 7
    # age 5, 20 days: the quotes sent by day 75 (so their next 20 days are known) and still
    # open at age 5: q1, q3, q4, q5 (q2 was lost on the day it turned 5); won within the 20
    # days after: q1, q3, q5. All ages, 20 days from sending: 3 of q1..q5 won.
    # (3 + 1 * 3/5) / (4 + 1)
    assert win_probability(quotes, at(100), 5 * DAY, 20 * DAY, None) == pytest.approx(0.72)
    # age 3: q2 too was still open at age 3 (lost at 5): the same three won of five
    # (3 + 3/5) / (5 + 1)
    assert win_probability(quotes, at(100), 3 * DAY, 20 * DAY, None) == pytest.approx(0.6)
    # o1 and o2 are expected to bring 0.72 * 300 + 0.6 * 40
    assert open_pipeline(quotes, at(100), at(120)) == pytest.approx(216 + 24)


def test_what_was_known_then_is_all_that_counts() -> None:
    quotes = Quotes.of(ROWS)
    # at day 50 q4 is open (age 30). Quotes sent by day 50 - 30 - 20 = 0 and still open at
    # age 30: none (q1 won at 10, q2 lost at 5). So the rate over all ages alone: of the
    # quotes sent by day 30 (q1..q4), won within 20 days of sending: q1 and q3 -> 2/4.
    # q5, won on day 45, is not open at day 50 and q3's win on day 30 counts as known.
    assert win_probability(quotes, at(50), 30 * DAY, 20 * DAY, None) == pytest.approx(0.5)
    assert open_pipeline(quotes, at(50), at(70)) == pytest.approx(0.5 * 80)


def test_expected_rest_adds_the_wins_of_quotes_not_sent_yet() -> None:
    quotes = Quotes.of(ROWS)
    past = [(day(60), day(80)), (day(30), day(50)), (day(90), day(110))]
    estimate = expected_rest(quotes, day(100), day(120), past)
    # (60, 80]: nothing sent after 60 was won by 80; (30, 50]: q5 (sent 35, won 45): 70;
    # (90, 110] is not settled by day 100 and does not count
    assert estimate.new_quotes == pytest.approx(35.0)
    assert estimate.open_quotes == pytest.approx(240.0)
    assert estimate.count == 2
    assert estimate.rest == pytest.approx(240.0 + 35)


def test_stage_narrows_quotes_like_them_when_there_are_any() -> None:
    stages = ["demo", "demo", "proposal", "proposal", "demo", "proposal", "legal", None]
    quotes = Quotes.of(ROWS, stages)
    # proposal at age 5: q3 (won within 20 days) and q4 (lost) -> (1 + 3/5) / (2 + 1)
    assert win_probability(quotes, at(100), 5 * DAY, 20 * DAY, "proposal") == pytest.approx(1.6 / 3)
    # no past quote in stage legal: every stage counts
    assert win_probability(quotes, at(100), 3 * DAY, 20 * DAY, "legal") == pytest.approx(0.6)


def test_which_kpis_read_won_quotes() -> None:
    catalog = load_catalog()
    assert quote_kpi(catalog["quotes_won"]) == QuoteKpi(None, None)
    assert quote_kpi(catalog["quotes_submitted"]) is None  # dated when sent
    assert quote_kpi(catalog["revenue"]) is None
    base = catalog["quotes_won"]
    assert isinstance(base, SimpleKpi)
    value = base.model_copy(
        update={"agg": "sum", "column": "amount", "filter": "status = 'won' and amount > 0"}
    )
    assert quote_kpi(value) == QuoteKpi("amount", "(amount > 0)")
    either = base.model_copy(update={"filter": "status = 'won' or amount > 0"})
    assert quote_kpi(either) is None
