"""Periods and calendars: starts, labels, parsing, spines, and the Ibis twin on DuckDB."""

from __future__ import annotations

import datetime as dt
import itertools

import ibis
import pandas as pd
import pytest

from onpace.calendar import (
    GRAINS,
    Calendar,
    add_months,
    next_period_start,
    parse_period,
    period_label,
    period_start,
    period_start_expr,
    periods_between,
    same_period_last_year,
    shift_period,
)

D = dt.date
CAL = Calendar()
APRIL = Calendar(fiscal_year_start=4)


@pytest.mark.parametrize(
    ("moment", "grain", "cal", "start"),
    [
        (D(2024, 3, 5), "day", CAL, D(2024, 3, 5)),
        (dt.datetime(2024, 3, 5, 23, 59, 59), "day", CAL, D(2024, 3, 5)),
        (D(2024, 2, 29), "week", CAL, D(2024, 2, 26)),  # Thursday -> Monday
        (D(2024, 1, 1), "week", CAL, D(2024, 1, 1)),  # a Monday
        (D(2023, 1, 1), "week", CAL, D(2022, 12, 26)),  # a Sunday: week of the year before
        (D(2024, 3, 31), "month", CAL, D(2024, 3, 1)),
        (D(2024, 5, 17), "quarter", CAL, D(2024, 4, 1)),
        (D(2024, 12, 31), "quarter", CAL, D(2024, 10, 1)),
        (D(2024, 12, 31), "year", CAL, D(2024, 1, 1)),
        # fiscal year from April: Apr-Jun is Q1, Jan-Mar is Q4
        (D(2024, 2, 15), "quarter", APRIL, D(2024, 1, 1)),
        (D(2024, 3, 31), "quarter", APRIL, D(2024, 1, 1)),
        (D(2024, 4, 1), "quarter", APRIL, D(2024, 4, 1)),
        (D(2024, 5, 17), "quarter", APRIL, D(2024, 4, 1)),
        (D(2024, 12, 31), "quarter", APRIL, D(2024, 10, 1)),
        (D(2024, 2, 15), "year", APRIL, D(2023, 4, 1)),
        (D(2024, 4, 1), "year", APRIL, D(2024, 4, 1)),
        (D(2024, 3, 5), "month", APRIL, D(2024, 3, 1)),  # months are calendar months
        (D(2024, 3, 5), "week", APRIL, D(2024, 3, 4)),
        # February: quarters Feb-Apr, May-Jul, Aug-Oct, Nov-Jan
        (D(2024, 1, 31), "quarter", Calendar(2), D(2023, 11, 1)),
        (D(2024, 1, 31), "year", Calendar(2), D(2023, 2, 1)),
        # October (US federal)
        (D(2024, 9, 30), "year", Calendar(10), D(2023, 10, 1)),
        (D(2024, 10, 1), "year", Calendar(10), D(2024, 10, 1)),
        (D(2024, 9, 1), "quarter", Calendar(10), D(2024, 7, 1)),
        # December
        (D(2024, 11, 30), "year", Calendar(12), D(2023, 12, 1)),
        (D(2024, 12, 1), "year", Calendar(12), D(2024, 12, 1)),
        (D(2024, 2, 29), "quarter", Calendar(12), D(2023, 12, 1)),
    ],
)
def test_period_start(moment, grain, cal, start):
    assert period_start(moment, grain, cal) == start


@pytest.mark.parametrize(
    ("start", "grain", "cal", "label"),
    [
        (D(2026, 3, 5), "day", CAL, "2026-03-05"),
        (D(2026, 3, 2), "week", CAL, "2026-W10"),
        (D(2024, 12, 30), "week", CAL, "2025-W01"),  # ISO: the week of 2 Jan belongs to 2025
        (D(2020, 12, 28), "week", CAL, "2020-W53"),
        (D(2026, 3, 1), "month", CAL, "2026-03"),
        (D(2026, 1, 1), "quarter", CAL, "2026-Q1"),
        (D(2026, 10, 1), "quarter", CAL, "2026-Q4"),
        (D(2026, 1, 1), "year", CAL, "2026"),
        # a fiscal year is named after the calendar year it ends in
        (D(2024, 1, 1), "quarter", APRIL, "FY2024-Q4"),
        (D(2024, 4, 1), "quarter", APRIL, "FY2025-Q1"),
        (D(2024, 10, 1), "quarter", APRIL, "FY2025-Q3"),
        (D(2023, 4, 1), "year", APRIL, "FY2024"),
        (D(2024, 4, 1), "year", APRIL, "FY2025"),
        (D(2024, 3, 1), "month", APRIL, "2024-03"),
        (D(2023, 11, 1), "quarter", Calendar(2), "FY2024-Q4"),
        (D(2024, 10, 1), "year", Calendar(10), "FY2025"),
        (D(2023, 12, 1), "year", Calendar(12), "FY2024"),
        (D(2023, 12, 1), "quarter", Calendar(12), "FY2024-Q1"),
    ],
)
def test_period_label(start, grain, cal, label):
    assert period_label(start, grain, cal) == label


@pytest.mark.parametrize(
    ("text", "cal", "parsed"),
    [
        ("2026-03-05", CAL, ("day", D(2026, 3, 5))),
        ("2026-W10", CAL, ("week", D(2026, 3, 2))),
        ("2020-W53", CAL, ("week", D(2020, 12, 28))),
        ("2025-W01", CAL, ("week", D(2024, 12, 30))),
        ("2026-03", CAL, ("month", D(2026, 3, 1))),
        ("2026-Q3", CAL, ("quarter", D(2026, 7, 1))),
        ("2026", CAL, ("year", D(2026, 1, 1))),
        ("FY2026", CAL, ("year", D(2026, 1, 1))),
        ("  fy2025-q1 ", APRIL, ("quarter", D(2024, 4, 1))),
        ("FY2025-Q4", APRIL, ("quarter", D(2025, 1, 1))),
        ("FY2025", APRIL, ("year", D(2024, 4, 1))),
        ("2025", APRIL, ("year", D(2024, 4, 1))),  # fiscal in a fiscal workspace
        ("2025-Q2", APRIL, ("quarter", D(2024, 7, 1))),
        ("2025-03", APRIL, ("month", D(2025, 3, 1))),
        ("FY2025", Calendar(10), ("year", D(2024, 10, 1))),
        ("FY2024-Q1", Calendar(12), ("quarter", D(2023, 12, 1))),
    ],
)
def test_parse_period(text, cal, parsed):
    assert parse_period(text, cal) == parsed


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2026-13", "month must be in 1..12"),
        ("2026-02-30", "day is out of range for month"),
        ("2025-W53", "invalid week: 53"),  # 2025 has 52 ISO weeks (2026 has 53)
        ("2026-Q5", "use 2026-03-05, 2026-W10, 2026-03, 2026-Q1, 2026 or FY2026"),
        ("26-03", "use 2026-03-05"),
        ("2026/03", "use 2026-03-05"),
        ("march", "use 2026-03-05"),
        ("", "use 2026-03-05"),
    ],
)
def test_parse_period_refuses_what_is_not_a_period(text, why):
    with pytest.raises(ValueError) as info:
        parse_period(text)
    assert str(info.value).startswith(f"cannot read period {text!r}: ")
    assert why in str(info.value)


def test_week_53_exists_in_long_iso_years():
    assert parse_period("2026-W53") == ("week", D(2026, 12, 28))


def test_labels_parse_back_to_their_period():
    days = [D(2023, 12, 25) + dt.timedelta(days=i) for i in range(0, 800, 3)]
    for fy, grain, day in itertools.product(range(1, 13), GRAINS, days):
        cal = Calendar(fy)
        start = period_start(day, grain, cal)
        assert start <= day < next_period_start(start, grain)
        assert period_start(start, grain, cal) == start
        assert parse_period(period_label(start, grain, cal), cal) == (grain, start), (fy, day)


@pytest.mark.parametrize(
    ("first", "end", "grain", "cal", "starts"),
    [
        (
            D(2024, 1, 15),
            D(2024, 4, 1),
            "month",
            CAL,
            [D(2024, 1, 1), D(2024, 2, 1), D(2024, 3, 1)],
        ),
        (
            D(2024, 1, 15),
            D(2024, 4, 2),
            "month",
            CAL,
            [D(2024, 1, 1), D(2024, 2, 1), D(2024, 3, 1), D(2024, 4, 1)],
        ),
        (D(2024, 1, 1), D(2024, 1, 1), "month", CAL, []),
        (
            D(2024, 2, 28),
            D(2024, 3, 2),
            "day",
            CAL,
            [D(2024, 2, 28), D(2024, 2, 29), D(2024, 3, 1)],
        ),
        (
            D(2024, 12, 25),
            D(2025, 1, 7),
            "week",
            CAL,
            [D(2024, 12, 23), D(2024, 12, 30), D(2025, 1, 6)],
        ),
        (
            D(2024, 2, 1),
            D(2024, 8, 1),
            "quarter",
            APRIL,
            [D(2024, 1, 1), D(2024, 4, 1), D(2024, 7, 1)],
        ),
        (D(2024, 2, 1), D(2025, 4, 1), "year", APRIL, [D(2023, 4, 1), D(2024, 4, 1)]),
        (
            D(2024, 2, 1),
            D(2025, 4, 2),
            "year",
            APRIL,
            [D(2023, 4, 1), D(2024, 4, 1), D(2025, 4, 1)],
        ),
    ],
)
def test_periods_between(first, end, grain, cal, starts):
    assert periods_between(first, end, grain, cal) == starts


def test_moving_between_periods():
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)
    assert add_months(D(2024, 3, 15), -15) == D(2022, 12, 15)
    assert next_period_start(D(2024, 2, 28), "day") == D(2024, 2, 29)
    assert next_period_start(D(2024, 12, 30), "week") == D(2025, 1, 6)
    assert next_period_start(D(2024, 11, 1), "quarter") == D(2025, 2, 1)
    assert next_period_start(D(2023, 4, 1), "year") == D(2024, 4, 1)
    assert shift_period(D(2024, 1, 1), "month", -1) == D(2023, 12, 1)
    assert shift_period(D(2024, 1, 1), "week", -2) == D(2023, 12, 18)
    assert shift_period(D(2024, 1, 1), "quarter", 3) == D(2024, 10, 1)
    assert same_period_last_year(D(2024, 2, 29), "day") == D(2023, 2, 28)
    assert same_period_last_year(D(2024, 1, 1), "week") == D(2023, 1, 2)  # 52 weeks, a Monday
    assert same_period_last_year(D(2024, 4, 1), "quarter") == D(2023, 4, 1)


@pytest.mark.parametrize("month", [0, 13, -1])
def test_calendar_refuses_an_impossible_month(month):
    with pytest.raises(ValueError, match="fiscal_year_start must be a month 1-12"):
        Calendar(month)


# --- the Ibis expression agrees with the Python function ------------------------------

MOMENTS = [
    dt.datetime(2024, 1, 1, 0, 0),
    dt.datetime(2023, 12, 31, 23, 59, 59, 999999),
    dt.datetime(2024, 2, 29, 12, 0),
    dt.datetime(2024, 3, 31, 23, 30),
    dt.datetime(2024, 4, 1, 0, 0),
    dt.datetime(2024, 5, 31, 8, 0),
    dt.datetime(2024, 6, 30, 0, 0, 1),
    dt.datetime(2024, 8, 31, 18, 0),
    dt.datetime(2024, 9, 30, 23, 59),
    dt.datetime(2024, 10, 1, 0, 0),
    dt.datetime(2024, 11, 30, 1, 0),
    dt.datetime(2024, 12, 31, 23, 59),
    dt.datetime(2021, 1, 3, 10, 0),  # a Sunday in ISO week 2020-W53
    dt.datetime(2025, 12, 29, 0, 0),
    dt.datetime(1999, 12, 31, 0, 0),
    dt.datetime(2100, 2, 28, 0, 0),
]


@pytest.fixture(scope="module")
def moments(tmp_path_factory):
    con = ibis.duckdb.connect(str(tmp_path_factory.mktemp("periods") / "p.duckdb"))
    frame = pd.DataFrame({"i": range(len(MOMENTS)), "ts": pd.to_datetime(MOMENTS)})
    return con, con.create_table("moments", frame)


@pytest.mark.parametrize("fy", [1, 2, 3, 4, 7, 10, 12])
@pytest.mark.parametrize("grain", GRAINS)
def test_period_start_expr_matches_python_on_duckdb(moments, grain, fy):
    con, t = moments
    cal = Calendar(fy)
    out = con.execute(t.select("i", start=period_start_expr(t.ts, grain, cal)).order_by("i"))
    got = [pd.Timestamp(v).date() for v in out["start"]]
    assert got == [period_start(m, grain, cal) for m in MOMENTS]
