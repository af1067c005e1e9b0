"""Targets: periods, values, relative baselines and phasing, against hand-worked numbers."""

from __future__ import annotations

import re
from datetime import date

import pytest

from onpace.calendar import Calendar
from onpace.errors import TargetError
from onpace.targets.definition import (
    Target,
    TargetValue,
    apply_change,
    baseline_period,
    milestones,
    parse_target_period,
    parse_target_value,
    phase_down,
    share_to_date,
    validate_phasing,
)

APRIL = Calendar(fiscal_year_start=4)


def test_periods_standard_fiscal_and_custom() -> None:
    q3 = parse_target_period("2026-Q3")
    assert (q3.grain, q3.start, q3.end, q3.days) == (
        "quarter",
        date(2026, 7, 1),
        date(2026, 10, 1),
        92,
    )
    fy = parse_target_period("FY2027", APRIL)  # April 2026 to March 2027
    assert (fy.label, fy.start, fy.end) == ("FY2027", date(2026, 4, 1), date(2027, 4, 1))
    fq1 = parse_target_period("2027-Q1", APRIL)
    assert (fq1.label, fq1.start, fq1.end) == ("FY2027-Q1", date(2026, 4, 1), date(2026, 7, 1))
    custom = parse_target_period("2026-01-15..2026-02-14")
    assert (custom.grain, custom.start, custom.end, custom.days) == (
        "custom",
        date(2026, 1, 15),
        date(2026, 2, 15),
        31,
    )


@pytest.mark.parametrize("text", ["2026-13", "2026-02-10..2026-01-01", "next year"])
def test_bad_periods_say_how_to_write_one(text: str) -> None:
    with pytest.raises(TargetError):
        parse_target_period(text)


def test_baseline_periods() -> None:
    cal = Calendar()
    q3 = parse_target_period("2026-Q3")
    assert baseline_period(q3, "last_year", cal).label == "2025-Q3"
    assert baseline_period(q3, "previous", cal).label == "2026-Q2"
    fy = parse_target_period("FY2027", APRIL)
    assert baseline_period(fy, "last_year", APRIL).label == "FY2026"
    custom = parse_target_period("2026-01-15..2026-02-14")  # 31 days
    assert baseline_period(custom, "previous", cal).label == "2025-12-15..2026-01-14"
    assert baseline_period(custom, "last_year", cal).label == "2025-01-15..2025-02-14"


def test_values_absolute_and_relative() -> None:
    assert parse_target_value("1,250,000", "currency", False) == TargetValue("absolute", 1250000)
    assert parse_target_value("25%", "percent", False) == TargetValue("absolute", 0.25)
    assert parse_target_value("+10%", "currency", True) == TargetValue("relative", 0.1, "percent")
    assert parse_target_value("-2pp", "percent", True) == TargetValue("relative", -0.02, "points")
    assert parse_target_value("+500", "count", True) == TargetValue("relative", 500, "amount")
    for text, unit, rel in (
        ("ten", "count", False),
        ("25%", "currency", False),
        ("-2pp", "count", True),
        ("3pp", "percent", False),
    ):
        with pytest.raises(TargetError):
            parse_target_value(text, unit, rel)


def test_relative_values_on_their_baseline() -> None:
    assert apply_change(TargetValue("relative", 0.1, "percent"), 2000.0, "2025") == pytest.approx(
        2200.0
    )
    assert apply_change(TargetValue("relative", -0.02, "points"), 0.05, "2025-Q3") == pytest.approx(
        0.03
    )
    assert apply_change(TargetValue("relative", 500, "amount"), 0.0, "2025") == 500.0


def test_percentage_on_a_zero_baseline_is_a_clear_error() -> None:
    with pytest.raises(TargetError, match="baseline 2025-Q1 is 0"):
        apply_change(TargetValue("relative", 0.1, "percent"), 0.0, "2025-Q1")
    # points on a zero baseline are defined: 0% + 2 points = 2%
    assert apply_change(TargetValue("relative", 0.02, "points"), 0.0, "2025-Q1") == pytest.approx(
        0.02
    )
    with pytest.raises(TargetError, match="no value"):
        apply_change(TargetValue("relative", 0.1, "percent"), None, "2025-Q1")


def test_linear_milestones_by_days() -> None:
    q1 = parse_target_period("2026-Q1")  # 31 + 28 + 31 = 90 days
    ms = milestones(Target("revenue", q1, 900.0), additive=True)
    assert [m.label for m in ms] == ["2026-01", "2026-02", "2026-03"]
    assert [m.value for m in ms] == pytest.approx([310.0, 280.0, 310.0])
    assert [m.cumulative for m in ms] == pytest.approx([310.0, 590.0, 900.0])


def test_annual_target_has_quarter_and_month_milestones_in_a_fiscal_year() -> None:
    fy = parse_target_period("FY2027", APRIL)  # 2026-04-01 .. 2027-03-31, 365 days
    ms = milestones(Target("revenue", fy, 365_000.0), additive=True, cal=APRIL)
    months = [m for m in ms if m.grain == "month"]
    quarters = [m for m in ms if m.grain == "quarter"]
    assert (
        len(months) == 12
        and months[0].label == "2026-04"
        and months[0].value == pytest.approx(30_000)
    )
    assert [q.label for q in quarters] == ["FY2027-Q1", "FY2027-Q2", "FY2027-Q3", "FY2027-Q4"]
    # Q1 = April 30 + May 31 + June 30 = 91 days of 365
    assert quarters[0].value == pytest.approx(91_000.0)
    assert quarters[-1].cumulative == pytest.approx(365_000.0)


def test_seasonal_milestones_average_the_shape_of_past_years() -> None:
    q1 = parse_target_period("2026-Q1")
    history = {
        date(2025, 1, 1): 100.0,
        date(2025, 2, 1): 100.0,
        date(2025, 3, 1): 200.0,  # 25/25/50
        date(2024, 1, 1): 100.0,
        date(2024, 2, 1): 300.0,
        date(2024, 3, 1): 100.0,  # 20/60/20
    }
    ms = milestones(Target("revenue", q1, 1000.0, phasing="seasonal"), True, history)
    # mean shares: (0.25+0.2)/2, (0.25+0.6)/2, (0.5+0.2)/2 = 0.225, 0.425, 0.35
    assert [m.value for m in ms] == pytest.approx([225.0, 425.0, 350.0])


def test_seasonal_without_history_falls_back_to_linear() -> None:
    q1 = parse_target_period("2026-Q1")
    ms = milestones(Target("revenue", q1, 900.0, phasing="seasonal"), True, {})
    assert [m.value for m in ms] == pytest.approx([310.0, 280.0, 310.0])


def test_weights_must_fit_and_sum_to_100() -> None:
    q1 = parse_target_period("2026-Q1")
    validate_phasing("weights", [20, 30, 50], q1)
    ms = milestones(Target("revenue", q1, 1000.0, phasing="weights", weights=(20, 30, 50)), True)
    assert [m.value for m in ms] == pytest.approx([200.0, 300.0, 500.0])
    with pytest.raises(TargetError, match="sum to 100"):
        validate_phasing("weights", [20, 30, 40], q1)
    with pytest.raises(TargetError, match="3 weights"):
        validate_phasing("weights", [50, 50], q1)
    with pytest.raises(TargetError, match="unknown phasing"):
        validate_phasing("even", [], q1)


def test_rates_keep_their_value_in_every_milestone() -> None:
    q1 = parse_target_period("2026-Q1")
    ms = milestones(Target("return_rate", q1, 0.05), additive=False)
    assert [m.value for m in ms] == [0.05, 0.05, 0.05]


def test_share_to_date_counts_days_in_the_month_in_progress() -> None:
    t = Target("revenue", parse_target_period("2026-Q1"), 900.0)
    # all of January (31) and 14 days of February: 45 of 90 days
    assert share_to_date(t, date(2026, 2, 15)) == pytest.approx(0.5)
    assert share_to_date(t, date(2025, 12, 1)) == 0.0
    assert share_to_date(t, date(2026, 4, 2)) == 1.0
    w = Target("revenue", t.period, 900.0, phasing="weights", weights=(20, 30, 50))
    # 20% + 30% * 14/28
    assert share_to_date(w, date(2026, 2, 15)) == pytest.approx(0.35)


@pytest.mark.parametrize(
    ("text", "unit", "relative", "expected"),
    [
        ("35%", "percent", False, TargetValue("absolute", 0.35)),
        ("0.35", "percent", False, TargetValue("absolute", 0.35)),
        ("1", "percent", False, TargetValue("absolute", 1.0)),
        ("5.2M", "currency", False, TargetValue("absolute", 5_200_000)),
        ("800k", "currency", False, TargetValue("absolute", 800_000)),
        ("1.5bn", "currency", False, TargetValue("absolute", 1_500_000_000)),
        ("€1.2M", "currency", False, TargetValue("absolute", 1_200_000)),
        ("1 250 000", "currency", False, TargetValue("absolute", 1_250_000)),
        ("+0.02", "percent", True, TargetValue("relative", 0.02, "amount")),
        ("+2pp", "percent", True, TargetValue("relative", 0.02, "points")),
        ("+10%", "count", True, TargetValue("relative", 0.1, "percent")),
    ],
)
def test_units_on_input(text: str, unit: str, relative: bool, expected: TargetValue) -> None:
    value = parse_target_value(text, unit, relative)
    assert value.basis == expected.basis and value.change_kind == expected.change_kind
    assert value.amount == pytest.approx(expected.amount)


@pytest.mark.parametrize(
    ("text", "unit", "relative", "message"),
    [
        # a bare 35 on a percent KPI could be 3,500% or 35%: both readings are shown
        (
            "35",
            "percent",
            False,
            "as a fraction it is 3,500%, as a percentage 35%; write 35% or 0.35",
        ),
        ("+2", "percent", True, "+200 points; write +2pp for points or +2% for a relative change"),
        ("10%", "currency", False, "this KPI is measured in currency"),
        ("10%", "count", False, "for growth use --relative last_year"),
        ("€5", "count", False, "a currency sign on a KPI measured in count"),
        ("5M%", "currency", True, "mixes a scale"),
        ("5 apples", "count", False, "not a number"),
    ],
)
def test_units_refused_with_both_readings(
    text: str, unit: str, relative: bool, message: str
) -> None:
    with pytest.raises(TargetError, match=re.escape(message)):
        parse_target_value(text, unit, relative)


@pytest.mark.parametrize(
    "text", ["9999-Q4", "0001", "9999-12", "0001-01-01..9999-12-31", "1899-12"]
)
def test_periods_outside_the_years_onpace_works_with(text: str) -> None:
    with pytest.raises(TargetError, match="outside the years 1900 to 2200"):
        parse_target_period(text)
    assert parse_target_period("2200-Q4").end == date(2201, 1, 1)


def test_a_longer_target_phased_down_keeps_its_shape() -> None:
    year = Target(
        "revenue",
        parse_target_period("2026"),
        1200.0,
        phasing="weights",
        weights=(5, 5, 10, 10, 10, 10, 10, 10, 5, 5, 10, 10),
        floor=1000.0,
    )
    q1 = phase_down(year, parse_target_period("2026-Q1"), additive=True)
    # January to March: 5 + 5 + 10 = 20% of 1,200; inside the quarter 25/25/50
    assert q1.value == pytest.approx(240.0) and q1.floor == pytest.approx(200.0)
    assert q1.phasing == "weights" and q1.weights == pytest.approx((25.0, 25.0, 50.0))
    # a custom range cuts months by days: 15-31 January (17 of 31 days) + February
    part = phase_down(year, parse_target_period("2026-01-15..2026-02-28"), additive=True)
    assert part.value == pytest.approx(1200 * (0.05 * 17 / 31 + 0.05))
    # a rate keeps its value
    rate = phase_down(Target("return_rate", year.period, 0.05), q1.period, additive=False)
    assert rate.value == 0.05
