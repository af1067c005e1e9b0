"""Edge cases of computing KPIs, each on a few hand-made rows in a DuckDB file.

Expected values are worked out by hand in the comments next to them.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from onpace.calendar import Calendar
from onpace.spec.kpi import ConversionKpi, DerivedKpi, SimpleKpi
from onpace.spec.workspace_config import ChurnSettings

D = dt.date
T = dt.datetime


def orders(*rows: tuple) -> pd.DataFrame:
    """Orders from (id, ordered_at, amount[, customer_id[, status[, cost]]])."""
    full = [(*r, *([None] * (6 - len(r)))) for r in rows]
    return pd.DataFrame(
        full, columns=["order_id", "ordered_at", "amount", "customer_id", "status", "cost"]
    )


def values(df: pd.DataFrame, kpi: str) -> dict[str, float]:
    part = df[df["kpi"] == kpi]
    return dict(zip(part["period_label"], part["value"], strict=True))


def notes(df: pd.DataFrame, kpi: str) -> dict[str, str | None]:
    part = df[df["kpi"] == kpi]
    return dict(zip(part["period_label"], part["note"], strict=True))


def assert_values(got: dict[str, float], expected: dict[str, float]) -> None:
    assert list(got) == list(expected)
    for label, want in expected.items():
        if math.isnan(want):
            assert math.isnan(got[label]), label
        else:
            assert got[label] == pytest.approx(want, abs=1e-9), label


NAN = math.nan


# --- empty periods and zero denominators ------------------------------------------


def test_empty_period_counts_and_sums_are_zero_averages_null_with_a_note(
    make_session, compute, catalog
):
    avg_kpi = SimpleKpi(
        name="avg_amount",
        label="Average amount",
        type="simple",
        entity="orders",
        agg="avg",
        column="amount",
        time="ordered_at",
        unit="currency",
    )
    s = make_session(
        {
            "orders": orders(
                ("o1", "2024-01-10", 10.0), ("o2", "2024-03-05", 30.0), ("o3", "2024-03-06", 50.0)
            )
        },
        kpis={**catalog, "avg_amount": avg_kpi},
    )
    df = compute(
        s, ("revenue", "orders", "units_sold", "average_order_value", "avg_amount", "gross_margin")
    )
    assert_values(values(df, "revenue"), {"2024-01": 10, "2024-02": 0, "2024-03": 30 + 50})
    assert_values(values(df, "orders"), {"2024-01": 1, "2024-02": 0, "2024-03": 2})
    # quantity is not loaded: a sum of only nulls is 0, as for an empty period
    assert_values(values(df, "units_sold"), {"2024-01": 0, "2024-02": 0, "2024-03": 0})
    assert_values(
        values(df, "average_order_value"), {"2024-01": 10 / 1, "2024-02": NAN, "2024-03": 80 / 2}
    )
    assert notes(df, "average_order_value")["2024-02"] == (
        "denominator is 0 (no orders matching its filter in this period)"
    )
    assert_values(values(df, "avg_amount"), {"2024-01": 10, "2024-02": NAN, "2024-03": 40})
    assert notes(df, "avg_amount")["2024-02"] == "no orders rows in this period"
    assert notes(df, "avg_amount")["2024-01"] is None
    assert "denominator is 0" in notes(df, "gross_margin")["2024-02"]


def test_empty_tables_give_zero_counts_and_null_averages(make_session, compute):
    s = make_session({"orders": orders(), "leads": pd.DataFrame({"lead_id": [], "created_at": []})})
    df = compute(
        s,
        (
            "revenue",
            "average_order_value",
            "sales_cycle_days",
            "active_customers",
            "customers_won",
            "lead_to_sale_conversion",
            "revenue_growth_prior",
        ),
        start=D(2024, 1, 1),
        end=D(2024, 3, 1),
    )
    assert_values(values(df, "revenue"), {"2024-01": 0, "2024-02": 0})
    assert_values(values(df, "active_customers"), {"2024-01": 0, "2024-02": 0})
    assert_values(values(df, "customers_won"), {"2024-01": 0, "2024-02": 0})
    for kpi in (
        "average_order_value",
        "sales_cycle_days",
        "lead_to_sale_conversion",
        "revenue_growth_prior",
    ):
        assert_values(values(df, kpi), {"2024-01": NAN, "2024-02": NAN})
        assert all(notes(df, kpi).values()), kpi
    assert "no leads in this period to convert" in notes(df, "lead_to_sale_conversion")["2024-01"]
    assert "prior(revenue) is 0" in notes(df, "revenue_growth_prior")["2024-02"]


def test_empty_breakdown_gives_an_empty_frame(make_session, compute):
    s = make_session({"orders": orders()})
    df = compute(s, "revenue", by=("channel",))
    assert list(df.columns) == ["kpi", "period", "period_label", "channel", "value", "note"]
    assert df.empty


def test_zero_denominator_is_null_with_a_note_never_inf_or_zero(make_session, compute):
    # January: two orders of amount 0 with costs 5 and 0 -> revenue 0, gross profit -5
    # February: one order of 20 with cost 5 -> revenue 20, gross profit 15
    s = make_session(
        {
            "orders": orders(
                ("o1", "2024-01-10", 0.0, None, None, 5.0),
                ("o2", "2024-01-11", 0.0, None, None, 0.0),
                ("o3", "2024-02-11", 20.0, None, None, 5.0),
            ),
            "costs": pd.DataFrame({"cost_id": ["x"], "incurred_on": ["2024-01-31"], "amount": [7]}),
            "quotes": pd.DataFrame(
                {"quote_id": ["q1"], "submitted_at": ["2024-01-02"], "status": ["open"]}
            ),
        }
    )
    df = compute(
        s,
        ("gross_margin", "average_margin_per_sale", "net_margin", "quote_win_rate"),
        end=D(2024, 3, 1),
    )
    # gross margin Jan: -5 / 0 -> null, not -inf
    assert_values(values(df, "gross_margin"), {"2024-01": NAN, "2024-02": 15 / 20})
    assert notes(df, "gross_margin")["2024-01"] == (
        "denominator is 0 (no orders matching its filter in this period)"
    )
    # per sale: -5 / 2 orders is fine
    assert_values(values(df, "average_margin_per_sale"), {"2024-01": -5 / 2, "2024-02": 15 / 1})
    # net margin = (gross profit - costs) / revenue = (-5 - 7) / 0 -> null
    assert_values(values(df, "net_margin"), {"2024-01": NAN, "2024-02": 15 / 20})
    assert notes(df, "net_margin")["2024-01"] == "division by zero: revenue is 0"
    # the only quote is still open: nothing decided
    assert_values(values(df, "quote_win_rate"), {"2024-01": NAN, "2024-02": NAN})
    assert (
        "denominator is 0 (no quotes matching its filter" in notes(df, "quote_win_rate")["2024-01"]
    )
    assert not df["value"].isin([math.inf, -math.inf]).any()


# --- time zones ---------------------------------------------------------------------


def test_month_boundary_is_midnight_in_the_workspace_time_zone(make_session, compute):
    s = make_session(
        {
            "orders": orders(
                ("late", "2024-01-31T23:30:00Z", 10.0),  # 00:30 on 1 February in Amsterdam (UTC+1)
                ("early", "2024-01-31T22:59:00Z", 1.0),  # 23:59 on 31 January in Amsterdam
                ("dst_in", "2024-03-31T21:59:00Z", 100.0),  # 23:59 on 31 March (summer time, UTC+2)
                ("dst_out", "2024-03-31T22:00:00Z", 1000.0),  # 00:00 on 1 April
            )
        },
        timezone="Europe/Amsterdam",
    )
    df = compute(s, "revenue", end=D(2024, 5, 1))
    assert_values(
        values(df, "revenue"), {"2024-01": 1, "2024-02": 10, "2024-03": 100, "2024-04": 1000}
    )
    days = compute(s, "revenue", grain="day", start=D(2024, 1, 31), end=D(2024, 2, 2))
    assert_values(values(days, "revenue"), {"2024-01-31": 1, "2024-02-01": 10})


def test_naive_timestamps_are_taken_as_local_time(make_session, compute):
    s = make_session(
        {
            "orders": orders(
                ("a", "2024-01-31 23:30:00", 10.0), ("b", pd.Timestamp("2024-02-01 00:00:00"), 5.0)
            )
        },
        timezone="America/New_York",
    )
    df = compute(s, "revenue", end=D(2024, 3, 1))
    assert_values(values(df, "revenue"), {"2024-01": 10, "2024-02": 5})


def test_time_zone_aware_frame_column_is_converted(make_session, compute):
    stamps = pd.to_datetime(["2024-01-31T23:30:00Z", "2024-01-31T22:59:00Z"], utc=True)
    frame = pd.DataFrame({"order_id": ["a", "b"], "ordered_at": stamps, "amount": [10.0, 1.0]})
    s = make_session({"orders": frame}, timezone="Europe/Amsterdam")
    assert_values(
        values(compute(s, "revenue", end=D(2024, 3, 1)), "revenue"), {"2024-01": 1, "2024-02": 10}
    )


# --- fiscal calendar ---------------------------------------------------------------


def test_fiscal_year_starting_in_april(make_session, compute):
    s = make_session(
        {
            "orders": orders(
                ("mar23", "2023-03-31 23:59", 1.0),  # FY2023-Q4
                ("apr23", "2023-04-01 00:00", 2.0),  # FY2024-Q1
                ("feb24", "2024-02-15 10:00", 10.0),  # FY2024-Q4
                ("mar24", "2024-03-31 23:59", 20.0),  # FY2024-Q4
                ("apr24", "2024-04-01 00:00", 100.0),  # FY2025-Q1
                ("may24", "2024-05-20 12:00", 200.0),  # FY2025-Q1
                ("jul24", "2024-07-01 00:00", 1000.0),  # FY2025-Q2
            )
        },
        calendar=Calendar(fiscal_year_start=4),
    )
    q = compute(
        s, "revenue", grain="quarter", start=D(2024, 2, 1), end=D(2024, 8, 1), as_of=T(2025, 1, 1)
    )
    assert list(q["period"]) == [D(2024, 1, 1), D(2024, 4, 1), D(2024, 7, 1)]
    assert_values(
        values(q, "revenue"), {"FY2024-Q4": 10 + 20, "FY2025-Q1": 100 + 200, "FY2025-Q2": 1000}
    )
    y = compute(
        s,
        ("revenue", "revenue_growth_yoy"),
        grain="year",
        start=D(2024, 2, 1),
        end=D(2024, 5, 1),
        as_of=T(2025, 1, 1),
    )
    yr = y[y["kpi"] == "revenue"]
    assert list(yr["period"]) == [D(2023, 4, 1), D(2024, 4, 1)]
    # FY2024 = Apr 2023 - Mar 2024: 2 + 10 + 20; FY2025: 100 + 200 + 1000; FY2023 ended
    # with the 1 of 31 March 2023
    assert_values(values(y, "revenue"), {"FY2024": 2 + 10 + 20, "FY2025": 100 + 200 + 1000})
    # FY2025 is still running on 1 January 2025 and its data stops on 1 July 2024, so
    # it is compared with FY2024 up to 1 July 2023: the 2 of 1 April 2023
    assert_values(values(y, "revenue_growth_yoy"), {"FY2024": 32 / 1 - 1, "FY2025": 1300 / 2 - 1})
    done = compute(
        s,
        "revenue_growth_yoy",
        grain="year",
        start=D(2024, 4, 1),
        end=D(2024, 5, 1),
        as_of=T(2025, 4, 1),
    )  # once FY2025 is over, with all of FY2024
    assert_values(values(done, "revenue_growth_yoy"), {"FY2025": 1300 / 32 - 1})
    # months stay calendar months; a quarter's growth compares fiscal quarters
    g = compute(
        s,
        "revenue_growth_yoy",
        grain="quarter",
        start=D(2024, 4, 1),
        end=D(2024, 7, 1),
        as_of=T(2025, 1, 1),
    )
    assert_values(values(g, "revenue_growth_yoy"), {"FY2025-Q1": 300 / 2 - 1})


# --- returns after the sale ---------------------------------------------------------


def test_late_return_counts_in_its_own_month_but_updates_the_sale_month_rate(make_session, compute):
    s = make_session(
        {
            "orders": orders(
                ("o1", "2024-01-30", 10.0),
                ("o2", "2024-01-31", 10.0),
                ("o3", "2024-02-10", 10.0),
                ("o4", "2024-02-11", 10.0, None, "cancelled"),
            ),
            "returns": pd.DataFrame(
                {
                    "return_id": ["r1", "r2", "r3"],
                    "returned_at": ["2024-02-02", "2024-02-20", "2024-02-21"],
                    "order_id": ["o1", "o3", "o4"],
                    "kind": ["return", "exchange", "return"],
                }
            ),
        }
    )
    df = compute(s, ("returns", "exchanges", "return_rate"), end=D(2024, 3, 1))
    # by return date: r1 (of a January order) and r3 (of a cancelled order) in February
    assert_values(values(df, "returns"), {"2024-01": 0, "2024-02": 2})
    assert_values(values(df, "exchanges"), {"2024-01": 0, "2024-02": 1})
    # by order date: January 1 of 2 orders returned; February: o3 was exchanged, not
    # returned, and o4 is cancelled, so 0 of 1
    assert_values(values(df, "return_rate"), {"2024-01": 1 / 2, "2024-02": 0 / 1})
    # before the return came back, January's rate was 0
    early = compute(s, "return_rate", end=D(2024, 2, 1), as_of=T(2024, 2, 1))
    assert_values(values(early, "return_rate"), {"2024-01": 0 / 2})


# --- late data ---------------------------------------------------------------------


def test_late_row_for_a_past_period_changes_only_that_period(make_session, compute):
    first = orders(
        ("o1", "2024-01-10", 10.0, "c1"),
        ("o2", "2024-02-10", 20.0, "c2"),
        ("o3", "2024-03-10", 40.0, "c1"),
    )
    s = make_session({"orders": first})
    names = ("revenue", "orders", "average_order_value", "customers_won", "active_customers")
    before = compute(s, names)
    late = pd.concat([first, orders(("o9", "2024-02-20", 100.0, "c3"))], ignore_index=True)
    s.warehouse.load("orders", late, "UTC")
    after = compute(s, names)
    assert_values(values(before, "revenue"), {"2024-01": 10, "2024-02": 20, "2024-03": 40})
    assert_values(values(after, "revenue"), {"2024-01": 10, "2024-02": 20 + 100, "2024-03": 40})
    assert_values(
        values(after, "average_order_value"), {"2024-01": 10, "2024-02": 120 / 2, "2024-03": 40}
    )
    # c3 is a new customer in February, lost on 21 March (30 days after 20 February)
    assert_values(values(before, "customers_won"), {"2024-01": 1, "2024-02": 1, "2024-03": 1})
    assert_values(values(after, "customers_won"), {"2024-01": 1, "2024-02": 2, "2024-03": 1})
    # active at month ends: Jan c1; Feb c2 (+c3); Mar c1 again (c2 lost 11 Mar, c3 21 Mar)
    assert_values(values(before, "active_customers"), {"2024-01": 1, "2024-02": 1, "2024-03": 1})
    assert_values(values(after, "active_customers"), {"2024-01": 1, "2024-02": 2, "2024-03": 1})
    for kpi in names:
        b, a = values(before, kpi), values(after, kpi)
        for month in ("2024-01", "2024-03"):
            assert a[month] == b[month], (kpi, month)


# --- growth --------------------------------------------------------------------------


def test_growth_against_prior_period_and_last_year(make_session, compute):
    s = make_session(
        {
            "orders": orders(
                ("a", "2023-02-10", 50.0),
                ("b", "2023-03-10", 80.0),
                ("c", "2024-01-10", 100.0),
                ("d", "2024-02-10", 150.0),
                ("e", "2024-03-10", 120.0),
            )
        }
    )
    df = compute(s, ("revenue_growth_prior", "revenue_growth_yoy"))
    # prior: Jan 100 / Dec 0 -> null; Feb 150/100 - 1; Mar 120/150 - 1
    assert_values(
        values(df, "revenue_growth_prior"),
        {"2024-01": NAN, "2024-02": 150 / 100 - 1, "2024-03": 120 / 150 - 1},
    )
    assert notes(df, "revenue_growth_prior")["2024-01"] == "division by zero: prior(revenue) is 0"
    # last year: Jan 2023 had nothing -> null; Feb 150/50 - 1; Mar 120/80 - 1
    assert_values(
        values(df, "revenue_growth_yoy"),
        {"2024-01": NAN, "2024-02": 150 / 50 - 1, "2024-03": 120 / 80 - 1},
    )
    assert notes(df, "revenue_growth_yoy")["2024-01"] == (
        "division by zero: last_year(revenue) is 0"
    )
    q = compute(
        s,
        ("revenue_growth_prior", "revenue_growth_yoy"),
        grain="quarter",
        start=D(2024, 1, 1),
        end=D(2024, 4, 1),
    )
    # 2024-Q1 370 vs 2023-Q4 0 and 2023-Q1 130
    assert_values(values(q, "revenue_growth_prior"), {"2024-Q1": NAN})
    assert_values(values(q, "revenue_growth_yoy"), {"2024-Q1": 370 / 130 - 1})


def test_growth_of_the_period_in_progress_is_like_for_like(make_session, compute):
    s = make_session(
        {
            "orders": orders(
                ("a", "2023-05-04", 40.0),
                ("b", "2023-05-20", 400.0),
                ("c", "2024-04-03", 60.0),
                ("d", "2024-04-09 23:00", 30.0),  # before the point reached: counts
                ("e", "2024-04-10", 9.0),  # at the point reached: does not
                ("f", "2024-04-25", 500.0),
                ("g", "2024-05-02", 120.0),
                ("h", "2024-05-09", 80.0),
            )
        }
    )
    as_of = dt.datetime(2024, 5, 10, 12, 0)  # the data holds up to 9 May, loaded whole
    df = compute(
        s,
        ("revenue", "revenue_growth_prior", "revenue_growth_yoy"),
        start=D(2024, 4, 1),
        end=D(2024, 6, 1),
        as_of=as_of,
    )
    # May so far (1-9 May: the data stops there) = 120 + 80 = 200, against 1-9 April
    # = 60 + 30 = 90, and against 1-9 May 2023 = 40
    assert_values(values(df, "revenue"), {"2024-04": 599, "2024-05": 200})
    assert_values(
        values(df, "revenue_growth_prior"),
        {"2024-04": NAN, "2024-05": 200 / 90 - 1},
    )
    assert_values(values(df, "revenue_growth_yoy"), {"2024-04": NAN, "2024-05": 200 / 40 - 1})
    # a month that is over is compared with all of the other one
    done = compute(s, "revenue_growth_yoy", start=D(2024, 5, 1), end=D(2024, 6, 1))
    assert_values(values(done, "revenue_growth_yoy"), {"2024-05": 200 / 440 - 1})


def test_growth_on_the_first_day_before_its_data_is_no_value_not_minus_100(make_session, compute):
    s = make_session({"orders": orders(("a", "2024-04-01", 70.0), ("b", "2024-04-30 17:00", 30.0))})
    df = compute(
        s,
        ("revenue", "revenue_growth_prior"),
        start=D(2024, 5, 1),
        end=D(2024, 6, 1),
        as_of=dt.datetime(2024, 5, 1, 9, 30),  # last night's load holds April whole
    )
    assert_values(values(df, "revenue"), {"2024-05": 0})
    # nothing of May is loaded, so nothing of April counts either: 0 / 0, no value
    assert_values(values(df, "revenue_growth_prior"), {"2024-05": NAN})
    assert notes(df, "revenue_growth_prior")["2024-05"] == "division by zero: prior(revenue) is 0"


def test_growth_of_a_ratio_with_a_missing_prior_year_value(make_session, compute, catalog):
    aov_growth = DerivedKpi(
        name="aov_growth_yoy",
        label="AOV growth",
        type="derived",
        expr="average_order_value / last_year(average_order_value) - 1",
        unit="percent",
    )
    s = make_session(
        {
            "orders": orders(
                ("a", "2023-02-10", 50.0),
                ("b", "2023-02-11", 30.0),
                ("c", "2024-01-10", 100.0),
                ("d", "2024-02-10", 60.0),
            )
        },
        kpis={**catalog, "aov_growth_yoy": aov_growth},
    )
    df = compute(s, "aov_growth_yoy", end=D(2024, 3, 1))
    # Jan 2023 had no orders, so its average order value is null (not 0)
    # Feb: 60 / ((50 + 30) / 2) - 1
    assert_values(values(df, "aov_growth_yoy"), {"2024-01": NAN, "2024-02": 60 / 40 - 1})
    assert notes(df, "aov_growth_yoy")["2024-01"] == (
        "average_order_value has no value for the same period last year"
    )


def test_weekly_growth_compares_with_52_weeks_earlier(make_session, compute):
    s = make_session(
        {
            "orders": orders(
                ("a", "2023-01-04", 40.0),  # Wed of week 2023-W01
                ("b", "2024-01-03", 60.0),
            )
        }
    )  # Wed of week 2024-W01
    df = compute(
        s, ("revenue", "revenue_growth_yoy"), grain="week", start=D(2024, 1, 1), end=D(2024, 1, 8)
    )
    assert_values(values(df, "revenue"), {"2024-W01": 60})
    assert_values(values(df, "revenue_growth_yoy"), {"2024-W01": 60 / 40 - 1})


# --- customers won and lost --------------------------------------------------------

CHURN_ORDERS = orders(
    # A: Jan 1 and Jan 20, then nothing for 86 days, back on Apr 15 (won back)
    ("a1", "2024-01-01 10:00", 10.0, "A"),
    ("a2", "2024-01-20 10:00", 10.0, "A"),
    ("a3", "2024-04-15 10:00", 10.0, "A"),
    # B: steady, never more than 30 days apart, last order Mar 1 12:00
    ("b1", "2024-01-10 12:00", 10.0, "B"),
    ("b2", "2024-02-05 12:00", 10.0, "B"),
    ("b3", "2024-03-01 12:00", 10.0, "B"),
    # C: one order; a cancelled one later does not keep C active
    ("c1", "2024-02-10 09:00", 10.0, "C"),
    ("c2", "2024-03-05 09:00", 10.0, "C", "cancelled"),
    # a guest order has no customer
    ("g1", "2024-02-11 09:00", 10.0),
)
MONTHS5 = ("2024-01", "2024-02", "2024-03", "2024-04", "2024-05")


def test_customers_won_lost_and_reactivation(make_session, compute):
    s = make_session({"orders": CHURN_ORDERS}, churn=ChurnSettings(days=30))
    names = (
        "customers_won",
        "new_customers",
        "customers_lost",
        "active_customers",
        "net_customer_growth",
        "customer_lifetime_days",
    )
    df = compute(s, names, end=D(2024, 6, 1))
    # spells: A#1 Jan 1 - Jan 20, lost Feb 19; A#2 Apr 15, lost May 15;
    #         B#1 Jan 10 - Mar 1 12:00, lost Mar 31 12:00; C#1 Feb 10, lost Mar 11
    won = dict(zip(MONTHS5, (2, 1, 0, 1, 0), strict=True))  # A#1 B; C; -; A#2; -
    new = dict(zip(MONTHS5, (2, 1, 0, 0, 0), strict=True))  # A's return is not new
    lost = dict(zip(MONTHS5, (0, 1, 2, 0, 1), strict=True))  # -; A#1; C B; -; A#2
    active = dict(zip(MONTHS5, (2, 2, 0, 1, 0), strict=True))  # AB; BC; -; A; -
    assert_values(values(df, "customers_won"), won)
    assert_values(values(df, "new_customers"), new)
    assert_values(values(df, "customers_lost"), lost)
    assert_values(values(df, "active_customers"), active)
    previous = 0
    for m in MONTHS5:
        assert active[m] - previous == won[m] - lost[m]
        assert values(df, "net_customer_growth")[m] == active[m] - previous
        previous = active[m]
    # lifetime of lost spells: Feb A#1 19 days; Mar C 0 and B 51 days (Jan 10 -> Mar 1)
    assert_values(
        values(df, "customer_lifetime_days"),
        {"2024-01": NAN, "2024-02": 19, "2024-03": (0 + 51) / 2, "2024-04": NAN, "2024-05": 0},
    )


def test_churn_window_and_as_of(make_session, compute):
    # with a 90-day window A never lapses: one spell Jan 1 - Apr 15, lost Jul 14
    long = make_session({"orders": CHURN_ORDERS}, churn=ChurnSettings(days=90))
    df = compute(long, ("customers_won", "customers_lost"), end=D(2024, 6, 1))
    assert_values(values(df, "customers_won"), dict(zip(MONTHS5, (2, 1, 0, 0, 0), strict=True)))
    # B lost May 30 12:00 (Mar 1 + 90 days), C May 10 09:00
    assert_values(values(df, "customers_lost"), dict(zip(MONTHS5, (0, 0, 0, 0, 2), strict=True)))
    # as of 20 March, B's window (until Mar 31) is still open: B is active, not lost;
    # the snapshot is taken at the as-of moment for the running month
    short = make_session({"orders": CHURN_ORDERS}, churn=ChurnSettings(days=30))
    df = compute(
        short, ("customers_lost", "active_customers"), end=D(2024, 4, 1), as_of=T(2024, 3, 20)
    )
    assert_values(values(df, "customers_lost"), {"2024-01": 0, "2024-02": 1, "2024-03": 1})
    assert_values(values(df, "active_customers"), {"2024-01": 2, "2024-02": 2, "2024-03": 1})


# --- conversion window ------------------------------------------------------------


def test_conversion_within_and_outside_the_window(make_session, compute, catalog):
    leads = pd.DataFrame(
        {
            "lead_id": ["in", "edge", "out", "before", "cancelled", "anon"],
            "created_at": ["2024-01-01 00:00"] * 6,
            "customer_id": ["X", "E", "Y", "Z", "W", None],
            "source": ["form"] * 6,
        }
    )
    s = make_session(
        {
            "leads": leads,
            "orders": orders(
                ("x", "2024-01-20 00:00", 1.0, "X"),
                ("e", "2024-03-31 00:00", 1.0, "E"),  # exactly 90 days later: still in
                ("y", "2024-03-31 00:01", 1.0, "Y"),  # 90 days and a minute: out
                ("z", "2023-12-31 23:59", 1.0, "Z"),  # before the lead
                ("w", "2024-01-05 00:00", 1.0, "W", "cancelled"),
            ),
        }
    )
    df = compute(s, "lead_to_sale_conversion", end=D(2024, 2, 1))
    # base: 5 leads with a customer; converted: X and E
    assert_values(values(df, "lead_to_sale_conversion"), {"2024-01": 2 / 5})
    assert notes(df, "lead_to_sale_conversion")["2024-01"] is None
    # a 7-day window converts only X (19 days is too long too): 0 of 5
    week = ConversionKpi(
        name="lead_to_sale_7d",
        label="7 days",
        type="conversion",
        base=catalog["lead_to_sale_conversion"].base,
        conversion=catalog["lead_to_sale_conversion"].conversion,
        window_days=7,
        unit="percent",
    )
    s7 = make_session(
        {
            "leads": leads,
            "orders": orders(
                ("x", "2024-01-07 23:00", 1.0, "X"), ("e", "2024-01-09 00:00", 1.0, "E")
            ),
        },
        kpis={**catalog, "lead_to_sale_7d": week},
    )
    assert_values(
        values(compute(s7, "lead_to_sale_7d", end=D(2024, 2, 1)), "lead_to_sale_7d"),
        {"2024-01": 1 / 5},
    )


def test_conversion_while_the_window_is_still_open(make_session, compute):
    leads = pd.DataFrame(
        {
            "lead_id": ["l1", "l2"],
            "created_at": ["2024-01-10", "2024-01-12"],
            "customer_id": ["X", "Y"],
        }
    )
    s = make_session(
        {
            "leads": leads,
            "orders": orders(("x", "2024-01-20", 1.0, "X"), ("y", "2024-02-20", 1.0, "Y")),
        }
    )
    # as of Feb 1: Y's order is not known yet -> 1 of 2, and the note says it may grow
    df = compute(s, "lead_to_sale_conversion", end=D(2024, 2, 1), as_of=T(2024, 2, 1))
    assert_values(values(df, "lead_to_sale_conversion"), {"2024-01": 1 / 2})
    assert notes(df, "lead_to_sale_conversion")["2024-01"] == (
        "conversion window of 90 days still open at the as-of date"
    )
    later = compute(s, "lead_to_sale_conversion", end=D(2024, 2, 1), as_of=T(2024, 6, 1))
    assert_values(values(later, "lead_to_sale_conversion"), {"2024-01": 2 / 2})
    assert notes(later, "lead_to_sale_conversion")["2024-01"] is None


# --- as_of ------------------------------------------------------------------------


def test_as_of_excludes_later_rows(make_session, compute):
    s = make_session(
        {
            "orders": orders(
                ("a", "2024-01-10 08:00", 10.0, "c1"),
                ("b", "2024-01-15 12:00", 20.0, "c2"),
                ("c", "2024-02-01 00:00", 40.0, "c3"),
            ),
            "costs": pd.DataFrame(
                {
                    "cost_id": ["x", "y"],
                    "incurred_on": ["2024-01-14", "2024-01-16"],
                    "amount": [1.0, 2.0],
                }
            ),
        }
    )
    # as of 15 Jan 12:00 the order placed at that very moment is not in yet; February
    # starts after the as-of moment, so it has no value (rather than a misleading 0)
    df = compute(
        s,
        ("revenue", "orders", "operating_costs", "customers_won", "active_customers"),
        end=D(2024, 3, 1),
        as_of=T(2024, 1, 15, 12, 0),
    )
    assert_values(values(df, "revenue"), {"2024-01": 10, "2024-02": NAN})
    assert_values(values(df, "orders"), {"2024-01": 1, "2024-02": NAN})
    assert_values(values(df, "operating_costs"), {"2024-01": 1, "2024-02": NAN})
    assert_values(values(df, "customers_won"), {"2024-01": 1, "2024-02": NAN})
    assert_values(values(df, "active_customers"), {"2024-01": 1, "2024-02": NAN})
    assert "starts after the as-of moment" in notes(df, "revenue")["2024-02"]
    df = compute(s, "revenue", end=D(2024, 3, 1), as_of=T(2024, 1, 15, 12, 1))
    assert_values(values(df, "revenue"), {"2024-01": 30, "2024-02": NAN})
    # a minute into February, February has begun: its midnight order is in
    df = compute(s, "revenue", end=D(2024, 3, 1), as_of=T(2024, 2, 1, 0, 1))
    assert_values(values(df, "revenue"), {"2024-01": 30, "2024-02": 40})


def test_invoice_not_yet_due_is_not_counted(sales_session, compute):
    # i6 (90, unpaid) is due 9 April 2024
    april = {"start": D(2024, 4, 1), "end": D(2024, 5, 1)}
    early = compute(sales_session, "non_payment_rate", as_of=T(2024, 4, 9), **april)
    assert_values(values(early, "non_payment_rate"), {"2024-04": NAN})
    assert "denominator is 0" in notes(early, "non_payment_rate")["2024-04"]
    late = compute(sales_session, "non_payment_rate", as_of=T(2024, 7, 1), **april)
    assert_values(values(late, "non_payment_rate"), {"2024-04": 90 / 90})


def test_daily_growth_across_a_leap_day(make_session, compute):
    s = make_session(
        {
            "orders": orders(
                ("a", "2024-02-28", 10.0),
                ("b", "2024-02-29", 20.0),
                ("c", "2025-02-28", 30.0),
                ("d", "2025-03-01", 40.0),
            )
        }
    )
    df = compute(
        s,
        ("revenue_growth_yoy", "revenue_growth_prior"),
        grain="day",
        start=D(2025, 2, 27),
        end=D(2025, 3, 2),
        as_of=T(2026, 1, 1),
    )
    # last year of 28 Feb 2025 is 28 Feb 2024 (10); of 1 Mar 2025 is 1 Mar 2024 (nothing)
    assert_values(
        values(df, "revenue_growth_yoy"),
        {"2025-02-27": NAN, "2025-02-28": 30 / 10 - 1, "2025-03-01": NAN},
    )
    assert_values(
        values(df, "revenue_growth_prior"),
        {"2025-02-27": NAN, "2025-02-28": NAN, "2025-03-01": 40 / 30 - 1},
    )
    # 29 February 2024 compares with 28 February 2023
    leap = compute(
        s, ("revenue", "revenue_growth_yoy"), grain="day", start=D(2024, 2, 29), end=D(2024, 3, 1)
    )
    assert_values(values(leap, "revenue"), {"2024-02-29": 20})
    assert_values(values(leap, "revenue_growth_yoy"), {"2024-02-29": NAN})


def test_churn_by_end_date(make_session, compute):
    customers = pd.DataFrame(
        {
            "customer_id": ["c1", "c2", "c3", "c4"],
            "first_seen_at": ["2024-01-01", None, "2024-02-01", None],
            "churned_at": ["2024-03-15", None, "2024-02-20", None],
        }
    )
    s = make_session(
        {
            "customers": customers,
            "orders": orders(
                ("o1", "2024-01-05", 1.0, "c1"),
                ("o2", "2024-02-10", 2.0, "c2"),
                ("o3", "2024-03-01", 3.0, "c2"),
            ),
        },
        churn=ChurnSettings(method="end_date"),
    )
    df = compute(
        s,
        ("customers_won", "customers_lost", "active_customers", "customer_lifetime_days"),
        end=D(2024, 5, 1),
    )
    # c1 from first_seen Jan 1 to churned Mar 15; c2 from its first order Feb 10, still a
    # customer; c3 Feb 1 - Feb 20 without an order; c4 never started
    assert_values(
        values(df, "customers_won"), {"2024-01": 1, "2024-02": 2, "2024-03": 0, "2024-04": 0}
    )
    assert_values(
        values(df, "customers_lost"), {"2024-01": 0, "2024-02": 1, "2024-03": 1, "2024-04": 0}
    )
    assert_values(
        values(df, "active_customers"),
        {"2024-01": 1, "2024-02": 1 + 2 - 1, "2024-03": 2 - 1, "2024-04": 1},
    )
    # c1: Jan 1 -> last order Jan 5; c3 has no order, so no lifetime
    assert_values(
        values(df, "customer_lifetime_days"),
        {"2024-01": NAN, "2024-02": NAN, "2024-03": 4, "2024-04": NAN},
    )


# --- aggregations -------------------------------------------------------------------


def _orders_kpi(name: str, agg: str, column: str | None = "amount") -> SimpleKpi:
    return SimpleKpi(
        name=name,
        label=name,
        type="simple",
        entity="orders",
        agg=agg,  # type: ignore[arg-type]
        column=column,
        time="ordered_at",
        unit="currency",
    )


def test_median_min_max_and_distinct_counts(make_session, compute, catalog):
    kpis = {
        **catalog,
        **{
            k.name: k
            for k in (
                _orders_kpi("median_amount", "median"),
                _orders_kpi("min_amount", "min"),
                _orders_kpi("max_amount", "max"),
                _orders_kpi("avg_amount", "avg"),
                _orders_kpi("buyers", "count_distinct", "customer_id"),
            )
        },
    }
    s = make_session(
        {
            "orders": orders(
                # January: four amounts, the median is halfway between the middle two
                ("a", "2024-01-03", 10.0, "c1"),
                ("b", "2024-01-04", 40.0, "c2"),
                ("c", "2024-01-05", 20.0, "c1"),
                ("d", "2024-01-06", 30.0, None),
                # February: three amounts, one of them null
                ("e", "2024-02-03", 5.0, "c3"),
                ("f", "2024-02-04", None, "c3"),
                ("g", "2024-02-05", 100.0, "c3"),
            )
        },
        kpis=kpis,
    )
    df = compute(s, ("median_amount", "min_amount", "max_amount", "avg_amount", "buyers"))
    months = ("2024-01", "2024-02", "2024-03")
    assert_values(values(df, "median_amount"), dict(zip(months, (25, 52.5, NAN), strict=True)))
    assert_values(values(df, "min_amount"), dict(zip(months, (10, 5, NAN), strict=True)))
    assert_values(values(df, "max_amount"), dict(zip(months, (40, 100, NAN), strict=True)))
    assert_values(values(df, "avg_amount"), dict(zip(months, (25, 52.5, NAN), strict=True)))
    # a guest order has no customer; c3 bought twice in February
    assert_values(values(df, "buyers"), dict(zip(months, (2, 1, 0), strict=True)))
