"""Values and changes written for people, by unit."""

from __future__ import annotations

import math

import pytest

from onpace.views.formatting import (
    MISSING,
    change,
    estimate_decimals,
    format_change,
    format_value,
)


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (1234567.891, "currency", "€1,234,568"),
        (12.5, "currency", "€12.50"),
        (-5000.0, "currency", "-€5,000"),
        (0.2534, "percent", "25.3%"),
        (12.345, "days", "12.3 days"),
        (1234.0, "count", "1,234"),
        (12.25, "count", "12.2"),
        (27.34, "score", "27.3"),
        (1.234, "ratio", "1.23"),
        (None, "currency", MISSING),
        (math.nan, "percent", MISSING),
    ],
)
def test_format_value(value: float | None, unit: str, expected: str) -> None:
    assert format_value(value, unit) == expected


def test_currency_symbol_and_decimals() -> None:
    assert format_value(99.0, "currency", "USD") == "$99.00"
    assert format_value(99.0, "currency", "SEK") == "SEK 99.00"
    assert format_value(0.5, "percent", decimals=0) == "50%"


def test_change_is_relative_for_amounts_and_points_for_rates() -> None:
    assert change(110.0, 100.0, "currency") == pytest.approx(0.10)
    assert change(90.0, 100.0, "count") == pytest.approx(-0.10)
    assert change(0.25, 0.20, "percent") == pytest.approx(0.05)  # 5 points, not +25%
    assert change(31.9, 26.8, "score") == pytest.approx(5.1)
    assert format_change(0.05, "percent") == "+5.0 pp"
    assert format_change(-0.1, "count") == "-10.0%"


def test_change_has_no_meaning_from_zero_or_across_zero() -> None:
    assert change(158.0, -2.0, "count") is None  # net growth from -2 to 158
    assert change(-5.0, 10.0, "currency") is None
    assert change(10.0, 0.0, "count") is None
    assert change(None, 10.0, "count") is None
    assert format_change(None, "count") == MISSING


def test_an_estimate_of_whole_things_is_whole() -> None:
    # 3,542 orders so far, projected 5,576.3: shown as 5,576
    assert format_value(5576.3, "count", decimals=estimate_decimals(3542.0, "count")) == "5,576"
    assert format_value(5576.7, "count", decimals=estimate_decimals(3542.0, "count")) == "5,577"
    # a count that is not whole so far (items per order 2.4) keeps its decimal
    assert estimate_decimals(2.4, "count") is None
    assert format_value(2.46, "count", decimals=estimate_decimals(2.4, "count")) == "2.5"
    # money, rates and missing actuals keep their unit's own decimals
    assert estimate_decimals(970371.0, "currency") is None
    assert estimate_decimals(0.028, "percent") is None
    assert estimate_decimals(None, "count") is None
