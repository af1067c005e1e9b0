"""Boundaries of customer spells and conversions, each on a few hand-made rows.

Each test pins one moment where ``<`` and ``<=`` (or ``>`` and ``>=``) give different
numbers: a gap of exactly the churn window, an order or a loss exactly at the as-of
moment, a conversion window closing exactly at it. They run on every backend.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from onpace.spec.kpi import SimpleKpi
from onpace.spec.workspace_config import ChurnSettings
from tests.query.test_edge_cases import assert_values, notes, orders, values

D = dt.date
T = dt.datetime

# spells won in the period that have ended by the as-of moment
WON_AND_LOST = SimpleKpi(
    name="won_and_lost",
    label="Won, since lost",
    type="simple",
    entity="customer_spells",
    agg="count",
    filter="lost_at is not null",
    time="started_at",
    unit="count",
)
# orders in the spells won in the period
SPELL_ORDERS = SimpleKpi(
    name="spell_orders",
    label="Orders of the spells won",
    type="simple",
    entity="customer_spells",
    agg="sum",
    column="orders",
    time="started_at",
    unit="count",
)


def test_a_gap_of_exactly_the_churn_window_keeps_the_spell(make_session, compute):
    s = make_session(
        {
            "orders": orders(
                # A: exactly 30 days apart (to the second): still one spell
                ("a1", "2024-01-01 10:00", 1.0, "A"),
                ("a2", "2024-01-31 10:00", 1.0, "A"),
                # B: 31 days apart: lost on Jan 31 10:00, won back on Feb 1
                ("b1", "2024-01-01 10:00", 1.0, "B"),
                ("b2", "2024-02-01 10:00", 1.0, "B"),
            )
        },
        churn=ChurnSettings(days=30),
    )
    names = ("customers_won", "new_customers", "customers_lost", "active_customers")
    df = compute(s, names)
    # spells: A#1 Jan 1 - Jan 31, lost Mar 1 10:00 (2024 is a leap year);
    #         B#1 Jan 1, lost Jan 31 10:00; B#2 Feb 1, lost Mar 2 10:00
    assert_values(values(df, "customers_won"), {"2024-01": 2, "2024-02": 1, "2024-03": 0})
    assert_values(values(df, "new_customers"), {"2024-01": 2, "2024-02": 0, "2024-03": 0})
    assert_values(values(df, "customers_lost"), {"2024-01": 1, "2024-02": 0, "2024-03": 2})
    # at the end of January only A is active; of February A and B#2; of March nobody
    assert_values(values(df, "active_customers"), {"2024-01": 1, "2024-02": 2, "2024-03": 0})


def test_an_order_placed_exactly_at_the_as_of_moment_does_not_exist_yet(
    make_session, compute, catalog
):
    s = make_session(
        {
            "orders": orders(
                ("c1", "2024-01-01 10:00", 1.0, "C"), ("c2", "2024-01-15 12:00", 1.0, "C")
            )
        },
        kpis={**catalog, SPELL_ORDERS.name: SPELL_ORDERS},
    )
    jan = {"end": D(2024, 2, 1)}
    at = compute(s, "spell_orders", as_of=T(2024, 1, 15, 12, 0), **jan)
    assert_values(values(at, "spell_orders"), {"2024-01": 1})  # only c1 is known
    after = compute(s, "spell_orders", as_of=T(2024, 1, 15, 12, 1), **jan)
    assert_values(values(after, "spell_orders"), {"2024-01": 2})


def test_an_order_at_the_as_of_moment_does_not_extend_an_ended_customer(make_session, compute):
    customers = pd.DataFrame(
        {"customer_id": ["D"], "first_seen_at": ["2024-01-01"], "churned_at": ["2024-01-10"]}
    )
    s = make_session(
        {
            "customers": customers,
            "orders": orders(("d1", "2024-01-05", 1.0, "D"), ("d2", "2024-01-20", 1.0, "D")),
        },
        churn=ChurnSettings(method="end_date"),
    )
    jan = {"end": D(2024, 2, 1)}
    # lifetime: first seen Jan 1 -> last order; the order of Jan 20 00:00 is not in yet
    at = compute(s, "customer_lifetime_days", as_of=T(2024, 1, 20), **jan)
    assert_values(values(at, "customer_lifetime_days"), {"2024-01": 4})
    after = compute(s, "customer_lifetime_days", as_of=T(2024, 1, 20, 0, 1), **jan)
    assert_values(values(after, "customer_lifetime_days"), {"2024-01": 19})


def test_a_spell_is_not_lost_at_the_very_moment_its_window_ends(make_session, compute, catalog):
    kpis = {**catalog, WON_AND_LOST.name: WON_AND_LOST}
    s = make_session({"orders": orders(("a1", "2024-01-01 10:00", 1.0, "A"))}, kpis=kpis)
    names = ("won_and_lost", "customers_lost", "active_customers")
    jan = {"end": D(2024, 2, 1)}
    # A's window of 30 days ends on Jan 31 10:00
    at = compute(s, names, as_of=T(2024, 1, 31, 10, 0), **jan)
    assert_values(values(at, "won_and_lost"), {"2024-01": 0})
    assert_values(values(at, "customers_lost"), {"2024-01": 0})
    assert_values(values(at, "active_customers"), {"2024-01": 1})
    after = compute(s, names, as_of=T(2024, 1, 31, 10, 1), **jan)
    assert_values(values(after, "won_and_lost"), {"2024-01": 1})
    assert_values(values(after, "customers_lost"), {"2024-01": 1})
    assert_values(values(after, "active_customers"), {"2024-01": 0})


def test_an_end_date_at_the_as_of_moment_has_not_ended_yet(make_session, compute, catalog):
    customers = pd.DataFrame(
        {"customer_id": ["E"], "first_seen_at": ["2024-01-01"], "churned_at": ["2024-01-20"]}
    )
    s = make_session(
        {"customers": customers, "orders": orders(("e1", "2024-01-05", 1.0, "E"))},
        churn=ChurnSettings(method="end_date"),
        kpis={**catalog, WON_AND_LOST.name: WON_AND_LOST},
    )
    jan = {"end": D(2024, 2, 1)}
    at = compute(s, ("won_and_lost", "active_customers"), as_of=T(2024, 1, 20), **jan)
    assert_values(values(at, "won_and_lost"), {"2024-01": 0})
    assert_values(values(at, "active_customers"), {"2024-01": 1})
    after = compute(s, ("won_and_lost", "active_customers"), as_of=T(2024, 1, 20, 0, 1), **jan)
    assert_values(values(after, "won_and_lost"), {"2024-01": 1})
    assert_values(values(after, "active_customers"), {"2024-01": 0})


def test_a_conversion_window_closing_exactly_at_the_as_of_moment(make_session, compute):
    leads = pd.DataFrame(
        {"lead_id": ["l1"], "created_at": ["2024-01-31 00:00"], "customer_id": ["X"]}
    )
    # the order comes exactly 90 days after the lead: inside the window of 90 days
    s = make_session({"leads": leads, "orders": orders(("x", "2024-04-30 00:00", 1.0, "X"))})

    def at(moment: dt.datetime) -> tuple[float, str | None]:
        df = compute(s, "lead_to_sale_conversion", end=D(2024, 2, 1), as_of=moment)
        return values(df, "lead_to_sale_conversion")["2024-01"], notes(
            df, "lead_to_sale_conversion"
        )["2024-01"]

    still_open = "conversion window of 90 days still open at the as-of date"
    # the order placed at the as-of moment is not known yet
    assert at(T(2024, 4, 30, 0, 0)) == (0 / 1, still_open)
    assert at(T(2024, 4, 30, 0, 1)) == (1 / 1, still_open)
    # January's last lead may convert until Feb 1 + 90 days = May 1 00:00: the window is
    # open until that moment and closed from it on
    assert at(T(2024, 4, 30, 23, 59)) == (1 / 1, still_open)
    assert at(T(2024, 5, 1, 0, 0)) == (1 / 1, None)
