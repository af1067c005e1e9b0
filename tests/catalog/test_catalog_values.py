"""Every catalog KPI against values worked out by hand from ``SALES_DATA`` (tests/conftest.py).

How the data plays out (workspace in UTC, churn after 30 days without an order, as of
2024-07-01, so everything in the data is known):

Orders that count (not cancelled; o4 of 25 Jan is cancelled; o0 is a 2023 guest order):
  Jan  o1 100 (c1 r1 sales, cost 60, 2 units)  o2 50 (c2 r2 web, cost 20, 1)
       o3 80 (c3 r1 store, no cost, status null, 4)
  Feb  o5 120 (c1 r1 sales, cost 70, 3)  o6 40.50 (c4 r2 web, cost 10.50, 1)
       o7 30 (guest, no rep, web, cost 15, 1)  o11 25 (c4 r2 store, cost 5, 1)
  Mar  o8 60 (c2 r3 sales, cost 30, 2)  o9 90 (c5 r3 store, cost 45, 3)
       o10 70 (c1 r1 web, cost 35, 2)

Customer spells (a new spell after more than 30 days without an order; lost 30 days
after the last order of a spell):
  c1#1 Jan 5 10:00 .. Feb 3 12:00, lost Mar 4 12:00   (Feb 3 -> Mar 28 is 54 days: a gap)
  c1#2 Mar 28 16:00, lost Apr 27
  c2#1 Jan 12 09:00, lost Feb 11 09:00                 (Jan 12 -> Mar 2 is 50 days: a gap)
  c2#2 Mar 2 10:00, lost Apr 1 10:00 (still active at the end of March)
  c3#1 Jan 20 15:00, lost Feb 19 15:00
  c4#1 Feb 14 08:00 .. Feb 25 13:00, lost Mar 26 13:00
  c5#1 Mar 10 14:00, lost Apr 9 14:00
Segments: c1 enterprise, c2 smb, c3 smb, c4 consumer, c5 consumer; c1 and c3 are target.
Reps: r1 North, r2 North, r3 South.
"""

from __future__ import annotations

import math

import pytest

NAN = math.nan
MONTHS = ("2024-01", "2024-02", "2024-03")
H = 1 / 24  # one hour in days

# value per month (Jan, Feb, Mar 2024)
MONTHLY: dict[str, tuple[float, float, float]] = {
    # --- customers -------------------------------------------------------------
    # end of Jan: c1#1 c2#1 c3#1; end of Feb: c1#1 c4#1; end of Mar: c2#2 c5#1 c1#2
    "active_customers": (3, 2, 3),
    # target audience: c1 and c3
    "active_target_customers": (2, 1, 1),
    # distinct customers of completed orders: Jan c1 c2 c3 (o4 of c1 is cancelled, o3's
    # status is null and counts); Feb c1, c4 twice (o6, o11), o7 is a guest; Mar c2 c5 c1
    "buying_customers": (3, 2, 3),
    # active / prior(active) - 1; December had none
    "customer_portfolio_growth": (NAN, 2 / 3 - 1, 3 / 2 - 1),
    # first spells: Jan c1 c2 c3; Feb c4; Mar c5
    "new_customers": (3, 1, 1),
    # every spell start: Mar adds c2#2 and c1#2 (won back) to c5
    "customers_won": (3, 1, 3),
    # Feb c2#1 (Feb 11), c3#1 (Feb 19); Mar c1#1 (Mar 4), c4#1 (Mar 26)
    "customers_lost": (0, 2, 2),
    "net_customer_growth": (3 - 0, 1 - 2, 3 - 2),
    "lost_to_won_ratio": (0 / 3, 2 / 1, 2 / 3),
    # days first -> last order of the spells lost in the period
    "customer_lifetime_days": (NAN, (0 + 0) / 2, ((29 + 2 * H) + (11 + 5 * H)) / 2),
    # --- finance: unpaid or written off / invoiced, by due date -----------------
    # Jan i1 paid, i2 50 open; Feb i3 120-40 open, i4 40.50 written off;
    # Mar i5 paid, i7 25-5 written off (i6 is due in April)
    "non_payment_rate": (50 / (100 + 50), (80 + 40.5) / (120 + 40.5), 20 / (60 + 25)),
    # --- pipeline --------------------------------------------------------------
    "quotes_submitted": (3, 3, 2),
    # decided: Jan q1 won; Feb q2 lost, q3 won; Mar q6 won, q5 lost, q8 lost
    "quotes_won": (1, 1, 1),
    "quote_win_rate": (1 / 1, 1 / 2, 1 / 3),
    # decided (won or lost, by decided_at) per submitted (by submitted_at): Jan q1 of q1 q2 q3;
    # Feb q2 q3 of q4 q5 q8; Mar q5 q8 q6 of q6 q7
    "quote_decision_rate": (1 / 3, 2 / 3, 3 / 2),
    # submitted -> decided, by decision date (2024 is a leap year): Jan q1 1 day;
    # Feb q2 10 Jan -> 2 Feb 23, q3 25 Jan -> 1 Feb 7; Mar q5 20 Feb -> 5 Mar 14,
    # q8 28 Feb -> 20 Mar 21, q6 1 -> 2 Mar 1; the open q4 and q7 have no decision
    "quote_cycle_days": (1, (23 + 7) / 2, (14 + 21 + 1) / 3),
    # every lead, whatever its source: Jan l1 l2 l3; Feb l6 l4 l5; Mar l8 l7
    "leads": (3, 3, 2),
    # call/form/chat/email: Jan l1 form, l2 call; Feb l6 form, l4 chat, l5 email; Mar l8 form
    "inbound_requests": (2, 3, 1),
    "web_lead_forms": (1, 1, 1),
    # Jan l1 l2 l3 all order later; Feb l4 l5 do, l6 (c3) not; Mar l8 (c2) not, l7 has no
    # customer and is not a base event
    "lead_to_sale_conversion": (3 / 3, 2 / 3, 0 / 1),
    # first contact -> converted, by converted date; l3 has no first contact
    "sales_cycle_days": (((2 + 1 * H) + (3 + 21 * H)) / 2, 8, 23),
    # --- profit ----------------------------------------------------------------
    # Jan (100-60)+(50-20)+(80-0); Feb 50+30+15+20; Mar 30+45+35
    "gross_profit": (150, 115, 110),
    "gross_margin": (150 / 230, 115 / 215.5, 110 / 220),
    "average_margin_per_sale": (150 / 3, 115 / 4, 110 / 3),
    # Jan 20+100; Feb 100; Mar 50+12.50+100
    "operating_costs": (120, 100, 162.5),
    "net_profit": (150 - 120, 115 - 100, 110 - 162.5),
    "net_margin": ((150 - 120) / 230, (115 - 100) / 215.5, (110 - 162.5) / 220),
    # --- sales -----------------------------------------------------------------
    "revenue": (100 + 50 + 80, 120 + 40.5 + 30 + 25, 60 + 90 + 70),
    "units_sold": (2 + 1 + 4, 3 + 1 + 1 + 1, 2 + 3 + 2),
    "orders": (3, 4, 3),
    "average_order_value": (230 / 3, 215.5 / 4, 220 / 3),
    # completed orders per buying customer (guest orders count as orders): 3/3, 4/2, 3/3
    "orders_per_buying_customer": (3 / 3, 4 / 2, 3 / 3),
    # December had no revenue
    "revenue_growth_prior": (NAN, 215.5 / 230 - 1, 220 / 215.5 - 1),
    # January 2023 had the 115 guest order, February and March 2023 nothing
    "revenue_growth_yoy": (230 / 115 - 1, NAN, NAN),
    # revenue with a rep / reps who sold: Jan r1 r2; Feb r1 r2 (o7 has no rep); Mar r1 r3
    "sales_per_salesperson": (230 / 2, (215.5 - 30) / 2, 220 / 2),
    # --- satisfaction ----------------------------------------------------------
    # csat_5: Jan 5, 3; Feb 4, 2, 5; Mar none
    "csat": (1 / 2, 2 / 3, NAN),
    # nps_10: Jan 10 (+1), 6 (-1); Feb 9 (+1), 8 (0); Mar 7 (0), 3 (-1)
    "nps": ((1 - 1) / 2 * 100, (1 + 0) / 2 * 100, (0 - 1) / 2 * 100),
    "complaints": (1, 2, 0),
    "complaints_per_100_orders": (1 / 3 * 100, 2 / 4 * 100, 0 / 3 * 100),
    # --- web -------------------------------------------------------------------
    "website_visits": (3, 3, 3),
    # completed web orders: Jan o2; Feb o6, o7 (a guest); Mar o10
    "web_orders": (1, 2, 1),
    "visit_to_order_conversion": (1 / 3, 2 / 3, 1 / 3),
    # paid: Jan s1; Feb s5 s6; Mar s8 (s7's is_paid is unknown)
    "ad_visits": (1, 2, 1),
    "abandoned_carts": (1, 1, 1),
    "cart_abandonment_rate": (1 / 2, 1 / 3, 1 / 2),
    # by return date: Jan ret1; Feb ret2 (of January's o2); Mar ret4, ret5 (both of o9)
    "returns": (1, 1, 2),
    # returned orders by order date: Jan o1, o2 of 3; Feb none of 4; Mar o9 of 3
    "return_rate": (2 / 3, 0 / 4, 1 / 3),
    "exchanges": (0, 1, 0),
}

# why a value is null: (kpi, period label) -> text the note must contain
NOTES: dict[tuple[str, str], str] = {
    ("customer_portfolio_growth", "2024-01"): "division by zero",
    ("customer_lifetime_days", "2024-01"): "no customer_spells rows",
    ("revenue_growth_prior", "2024-01"): "division by zero",
    ("revenue_growth_yoy", "2024-02"): "division by zero",
    ("revenue_growth_yoy", "2024-03"): "division by zero",
    ("csat", "2024-03"): "denominator is 0",
    ("customer_portfolio_growth", "2024-Q1"): "division by zero",
    ("revenue_growth_prior", "2024-Q1"): "division by zero",
}

# the first quarter as one period
QUARTER: dict[str, float] = {
    "active_customers": 3,
    "active_target_customers": 1,
    "buying_customers": 5,  # c1 .. c5 each bought in the quarter
    "customer_portfolio_growth": NAN,  # nobody was active at the end of 2023-Q4
    "new_customers": 5,
    "customers_won": 7,
    "customers_lost": 4,
    "net_customer_growth": 7 - 4,
    "lost_to_won_ratio": 4 / 7,
    "customer_lifetime_days": (0 + 0 + (29 + 2 * H) + (11 + 5 * H)) / 4,
    "non_payment_rate": (50 + 80 + 40.5 + 20) / (100 + 50 + 120 + 40.5 + 60 + 25),
    "quotes_submitted": 8,
    "quotes_won": 3,
    "quote_win_rate": 3 / 6,
    "quote_decision_rate": 6 / 8,
    "quote_cycle_days": (1 + 23 + 7 + 14 + 21 + 1) / 6,
    "leads": 8,
    "inbound_requests": 6,
    "web_lead_forms": 3,
    "lead_to_sale_conversion": 5 / 7,
    "sales_cycle_days": ((2 + 1 * H) + (3 + 21 * H) + 8 + 23) / 4,
    "gross_profit": 150 + 115 + 110,
    "gross_margin": 375 / 665.5,
    "average_margin_per_sale": 375 / 10,
    "operating_costs": 120 + 100 + 162.5,
    "net_profit": 375 - 382.5,
    "net_margin": (375 - 382.5) / 665.5,
    "revenue": 230 + 215.5 + 220,
    "units_sold": 7 + 6 + 7,
    "orders": 10,
    "average_order_value": 665.5 / 10,
    "orders_per_buying_customer": 10 / 5,
    "revenue_growth_prior": NAN,  # 2023-Q4 had no revenue
    "revenue_growth_yoy": 665.5 / 115 - 1,
    "sales_per_salesperson": (665.5 - 30) / 3,
    "csat": 3 / 5,
    "nps": (1 - 1 + 1 + 0 + 0 - 1) / 6 * 100,
    "complaints": 3,
    "complaints_per_100_orders": 3 / 10 * 100,
    "website_visits": 9,
    "web_orders": 4,
    "visit_to_order_conversion": 4 / 9,
    "ad_visits": 4,
    "abandoned_carts": 3,
    "cart_abandonment_rate": 3 / 7,
    "returns": 4,
    "return_rate": 3 / 10,  # o1, o2, o9 of ten orders
    "exchanges": 1,
}


def _check(kpi: str, label: str, expected: float, row: dict[str, object]) -> None:
    value = float(row["value"])  # type: ignore[arg-type]
    if math.isnan(expected):
        assert math.isnan(value), f"{kpi} {label}: expected null, got {value}"
        note = row["note"]
        assert isinstance(note, str) and note, f"{kpi} {label}: null without a note"
        want = NOTES.get((kpi, label))
        if want:
            assert want in note, f"{kpi} {label}: note {note!r} lacks {want!r}"
    else:
        assert value == pytest.approx(expected, abs=1e-9), f"{kpi} {label}"
        assert row["note"] is None, (kpi, label, row["note"])


def test_every_catalog_kpi_has_expected_values(catalog):
    assert set(MONTHLY) == set(catalog)
    assert set(QUARTER) == set(catalog)


def test_monthly_values(sales_session, compute):
    df = compute(sales_session, tuple(sorted(MONTHLY)))
    assert set(df["kpi"]) == set(MONTHLY)
    for kpi, values in MONTHLY.items():
        rows = df[df["kpi"] == kpi]
        assert list(rows["period_label"]) == list(MONTHS), kpi
        for label, expected, row in zip(MONTHS, values, rows.to_dict("records"), strict=True):
            _check(kpi, label, expected, row)


def test_quarter_values(sales_session, compute):
    df = compute(sales_session, tuple(sorted(QUARTER)), grain="quarter")
    for kpi, expected in QUARTER.items():
        rows = df[df["kpi"] == kpi].to_dict("records")
        assert [r["period_label"] for r in rows] == ["2024-Q1"], kpi
        _check(kpi, "2024-Q1", expected, rows[0])


def test_each_kpi_alone_gives_the_same_as_all_together(sales_session, compute):
    """Computing one KPI must not depend on which others share its queries."""
    for kpi in (
        "average_order_value",
        "return_rate",
        "net_margin",
        "active_customers",
        "lead_to_sale_conversion",
        "nps",
    ):
        df = compute(sales_session, kpi)
        for label, expected, row in zip(MONTHS, MONTHLY[kpi], df.to_dict("records"), strict=True):
            _check(kpi, label, expected, row)


# --- by dimension --------------------------------------------------------------


def _by(df, dim: str) -> dict[tuple[str, object], float]:
    return {(r["period_label"], r[dim]): r["value"] for r in df.to_dict("records")}


def _assert_by(
    got: dict[tuple[str, object], float], expected: dict[tuple[str, object], float]
) -> None:
    assert set(got) == set(expected)
    for key, want in expected.items():
        if math.isnan(want):
            assert math.isnan(got[key]), key
        else:
            assert got[key] == pytest.approx(want, abs=1e-9), key


def _grid(values: dict[object, tuple[float, float, float]]) -> dict[tuple[str, object], float]:
    return {(m, dim): v[i] for dim, v in values.items() for i, m in enumerate(MONTHS)}


def test_revenue_by_channel(sales_session, compute):
    df = compute(sales_session, "revenue", by=("channel",))
    assert list(df.columns) == ["kpi", "period", "period_label", "channel", "value", "note"]
    _assert_by(
        _by(df, "channel"),
        _grid(
            {
                "sales": (100, 120, 60),  # o4 (200, cancelled) is not revenue
                "web": (50, 40.5 + 30, 70),
                "store": (80, 25, 90),
            }
        ),
    )


def test_revenue_by_rep(sales_session, compute):
    df = compute(sales_session, "revenue", by=("rep",))
    _assert_by(
        _by(df, "rep"),
        _grid(
            {
                "r1": (100 + 80, 120, 70),
                "r2": (50, 40.5 + 25, 0),
                "r3": (0, 0, 60 + 90),  # r3's only January order was cancelled
                None: (0, 30, 0),  # the guest order without a rep
            }
        ),
    )


def test_revenue_by_rep_team_through_the_salespeople_join(sales_session, compute):
    df = compute(sales_session, "revenue", by=("rep.team",))
    _assert_by(
        _by(df, "rep.team"),
        _grid(
            {
                "North": (180 + 50, 120 + 65.5, 70),
                "South": (0, 0, 150),
                None: (0, 30, 0),
            }
        ),
    )


def test_revenue_by_customer_segment(sales_session, compute):
    df = compute(sales_session, "revenue", by=("customer.segment",))
    _assert_by(
        _by(df, "customer.segment"),
        _grid(
            {
                "enterprise": (100, 120, 70),
                "smb": (50 + 80, 0, 60),
                "consumer": (0, 40.5 + 25, 90),
                None: (0, 30, 0),
            }
        ),
    )


def test_revenue_growth_prior_by_channel(sales_session, compute):
    df = compute(sales_session, "revenue_growth_prior", by=("channel",))
    _assert_by(
        _by(df, "channel"),
        _grid(
            {
                "sales": (NAN, 120 / 100 - 1, 60 / 120 - 1),
                "web": (NAN, 70.5 / 50 - 1, 70 / 70.5 - 1),
                "store": (NAN, 25 / 80 - 1, 90 / 25 - 1),
            }
        ),
    )


def test_sales_per_salesperson_by_team(sales_session, compute):
    df = compute(sales_session, "sales_per_salesperson", by=("rep.team",))
    _assert_by(
        _by(df, "rep.team"),
        _grid(
            {
                "North": (230 / 2, 185.5 / 2, 70 / 1),
                "South": (NAN, NAN, 150 / 1),  # South sold nothing (o4 was cancelled)
                None: (NAN, NAN, NAN),  # orders without a rep are not credited
            }
        ),
    )
    south_jan = df[(df["rep.team"] == "South") & (df["period_label"] == "2024-01")]
    assert "denominator is 0" in south_jan["note"].iloc[0]


def test_quote_win_rate_by_team(sales_session, compute):
    df = compute(sales_session, "quote_win_rate", by=("rep.team",))
    _assert_by(
        _by(df, "rep.team"),
        _grid(
            {
                "North": (1 / 1, 1 / 2, 0 / 1),
                "South": (NAN, NAN, 1 / 2),
            }
        ),
    )


def test_quotes_won_by_rep(sales_session, compute):
    df = compute(sales_session, "quotes_won", by=("rep",))
    _assert_by(
        _by(df, "rep"),
        _grid(
            {
                "r1": (1, 1, 0),
                "r2": (0, 0, 0),
                "r3": (0, 0, 1),
            }
        ),
    )


def test_returns_and_return_rate_by_channel_of_the_order(sales_session, compute):
    df = compute(sales_session, ("returns", "exchanges", "return_rate"), by=("channel",))
    _assert_by(
        _by(df[df["kpi"] == "returns"], "channel"),
        _grid(
            {
                "sales": (1, 0, 0),
                "web": (0, 1, 0),
                "store": (0, 0, 2),
            }
        ),
    )
    _assert_by(
        _by(df[df["kpi"] == "exchanges"], "channel"),
        _grid(
            {
                "sales": (0, 0, 0),
                "web": (0, 1, 0),
                "store": (0, 0, 0),
            }
        ),
    )
    _assert_by(
        _by(df[df["kpi"] == "return_rate"], "channel"),
        _grid(
            {
                "sales": (1 / 1, 0 / 1, 0 / 1),
                "web": (1 / 1, 0 / 2, 0 / 1),
                "store": (0 / 1, 0 / 1, 1 / 1),
            }
        ),
    )


def test_buying_customers_by_rep(sales_session, compute):
    df = compute(sales_session, "buying_customers", by=("rep",))
    _assert_by(
        _by(df, "rep"),
        _grid(
            {
                "r1": (2, 1, 1),  # Jan c1 (o1), c3 (o3); Feb c1; Mar c1
                "r2": (1, 1, 0),  # Jan c2; Feb c4 with two orders counts once
                "r3": (0, 0, 2),  # Jan o4 was cancelled; Mar c2 and c5
                None: (0, 0, 0),  # the guest order o7 has no customer to count
            }
        ),
    )


def test_quote_cycle_days_by_rep(sales_session, compute):
    df = compute(sales_session, "quote_cycle_days", by=("rep",))
    _assert_by(
        _by(df, "rep"),
        _grid(
            {
                "r1": (1, 7, NAN),  # q1, q3; q4 is still open
                "r2": (NAN, 23, 21),  # q2, q8
                "r3": (NAN, NAN, (14 + 1) / 2),  # q5, q6; q7 is open
            }
        ),
    )
    r1_mar = df[(df["rep"] == "r1") & (df["period_label"] == "2024-03")]
    assert "no quotes rows matching the filter" in r1_mar["note"].iloc[0]


def test_leads_by_source_counts_every_source(sales_session, compute):
    df = compute(sales_session, ("leads", "inbound_requests"), by=("source",))
    leads = _by(df[df["kpi"] == "leads"], "source")
    inbound = _by(df[df["kpi"] == "inbound_requests"], "source")
    # the ad lead l3 (Jan) and the referral l7 (Mar) are leads but not inbound requests
    assert leads[("2024-01", "ad")] == 1 and inbound[("2024-01", "ad")] == 0
    assert leads[("2024-03", "referral")] == 1 and inbound[("2024-03", "referral")] == 0
    assert sum(leads.values()) == 8 and sum(inbound.values()) == 6


def test_customer_kpis_by_segment(sales_session, compute):
    names = (
        "new_customers",
        "customers_won",
        "customers_lost",
        "active_customers",
        "net_customer_growth",
    )
    df = compute(sales_session, names, by=("segment",))
    expected = {
        "new_customers": {"enterprise": (1, 0, 0), "smb": (2, 0, 0), "consumer": (0, 1, 1)},
        "customers_won": {"enterprise": (1, 0, 1), "smb": (2, 0, 1), "consumer": (0, 1, 1)},
        "customers_lost": {"enterprise": (0, 0, 1), "smb": (0, 2, 0), "consumer": (0, 0, 1)},
        "active_customers": {"enterprise": (1, 1, 1), "smb": (2, 0, 1), "consumer": (0, 1, 1)},
        "net_customer_growth": {"enterprise": (1, 0, 0), "smb": (2, -2, 1), "consumer": (0, 1, 0)},
    }
    for kpi, grid in expected.items():
        _assert_by(_by(df[df["kpi"] == kpi], "segment"), _grid(grid))


def test_non_payment_rate_by_customer_segment(sales_session, compute):
    df = compute(sales_session, "non_payment_rate", by=("customer.segment",))
    _assert_by(
        _by(df, "customer.segment"),
        _grid(
            {
                "enterprise": (0 / 100, 80 / 120, NAN),
                "smb": (50 / 50, NAN, 0 / 60),
                "consumer": (NAN, 40.5 / 40.5, 20 / 25),
            }
        ),
    )


def test_cart_abandonment_rate_by_customer_segment(sales_session, compute):
    df = compute(sales_session, "cart_abandonment_rate", by=("customer.segment",))
    _assert_by(
        _by(df, "customer.segment"),
        _grid(
            {
                None: (1 / 1, 0 / 1, NAN),
                "smb": (0 / 1, NAN, 1 / 1),
                "consumer": (NAN, 0 / 1, NAN),
                "enterprise": (NAN, 1 / 1, 0 / 1),
            }
        ),
    )


def test_complaints_per_100_orders_by_segment(sales_session, compute):
    df = compute(sales_session, "complaints_per_100_orders", by=("customer.segment",))
    _assert_by(
        _by(df, "customer.segment"),
        _grid(
            {
                "enterprise": (1 / 1 * 100, 0 / 1 * 100, 0 / 1 * 100),
                "smb": (0 / 2 * 100, NAN, 0 / 1 * 100),  # Feb: a complaint but no smb order
                "consumer": (NAN, 1 / 2 * 100, 0 / 1 * 100),
                None: (NAN, 0 / 1 * 100, NAN),
            }
        ),
    )
    smb_feb = df[(df["customer.segment"] == "smb") & (df["period_label"] == "2024-02")]
    assert "denominator is 0 (no orders" in smb_feb["note"].iloc[0]


def test_revenue_growth_prior_by_rep_including_orders_without_a_rep(sales_session, compute):
    df = compute(sales_session, "revenue_growth_prior", by=("rep",))
    _assert_by(
        _by(df, "rep"),
        _grid(
            {
                "r1": (NAN, 120 / 180 - 1, 70 / 120 - 1),
                "r2": (NAN, 65.5 / 50 - 1, 0 / 65.5 - 1),
                "r3": (NAN, NAN, NAN),  # 0 / 0, 0 / 0, 150 / 0
                None: (NAN, NAN, 0 / 30 - 1),
            }
        ),
    )


def test_lead_to_sale_conversion_by_source(sales_session, compute):
    df = compute(sales_session, "lead_to_sale_conversion", by=("source",))
    # l7 (referral) has no customer, so no referral row; l3 (ad) ordered two days later
    _assert_by(
        _by(df, "source"),
        _grid(
            {
                "form": (1 / 1, 0 / 1, 0 / 1),  # l1 yes; l6 (c3) no; l8 (c2) no
                "call": (1 / 1, NAN, NAN),
                "ad": (1 / 1, NAN, NAN),
                "chat": (NAN, 1 / 1, NAN),
                "email": (NAN, 1 / 1, NAN),
            }
        ),
    )
    chat_jan = df[(df["source"] == "chat") & (df["period_label"] == "2024-01")]
    assert chat_jan["note"].iloc[0] == "no leads in this period to convert"


def test_dimensions_two_relations_away(sales_session, compute, catalog):
    from onpace.query.session import Session
    from onpace.spec.kpi import SimpleKpi

    refunded = SimpleKpi(
        name="refunded",
        label="Refunded",
        type="simple",
        entity="returns",
        agg="sum",
        column="amount",
        filter="kind = 'return'",
        time="returned_at",
        unit="currency",
        dimensions=("order.rep.team", "order.customer.segment"),
    )
    s = Session(
        {**catalog, "refunded": refunded},
        sales_session.warehouse,
        sales_session.calendar,
        sales_session.churn,
    )
    df = compute(s, "refunded", by=("order.rep.team", "order.customer.segment"))
    got = {
        (r["period_label"], r["order.rep.team"], r["order.customer.segment"]): r["value"]
        for r in df.to_dict("records")
    }
    # ret1 40 (o1: r1 North, c1 enterprise); ret2 50 (o2: r2 North, c2 smb);
    # ret3 is an exchange (o6: r2 North, c4 consumer); ret4 30 + ret5 15 (o9: r3 South, c5
    # consumer)
    combos = [
        ("North", "consumer"),
        ("North", "enterprise"),
        ("North", "smb"),
        ("South", "consumer"),
    ]
    expected = {(m, *c): 0.0 for m in MONTHS for c in combos}
    expected[("2024-01", "North", "enterprise")] = 40
    expected[("2024-02", "North", "smb")] = 50
    expected[("2024-03", "South", "consumer")] = 30 + 15
    assert got == expected
