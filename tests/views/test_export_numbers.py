"""Numbers in downloads: rounded for what the column means, in the language's notation.

Every expected cell is written out by hand from the value and the rule: currency to
the cent, counts whole, percentages and shares as fractions to four places, days to
one place, a KPI's own ``decimals`` first; fixed notation, never ``1.37e-05``.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from onpace.views.export_numbers import (
    excel_format,
    excel_number,
    field_separator,
    number_cell,
    row_unit,
    unit_places,
)


@pytest.mark.parametrize(
    ("value", "column", "unit", "decimals", "mark", "expected"),
    [
        (970370.7599999979, "value", "currency", None, ",", "970370,76"),
        (970370.7599999979, "value", "currency", None, ".", "970370.76"),
        (595.5, "value", "currency", None, ",", "595,50"),  # cents kept
        (66.16666666666667, "value", "currency", None, ",", "66,17"),  # 595.5 / 9
        (0.125, "value", "currency", None, ".", "0.12"),  # half to even
        (0.135, "value", "currency", None, ".", "0.14"),
        (9.0, "value", "count", None, ",", "9"),
        (2.5, "value", "count", None, ",", "2,5"),  # an average of counts keeps its half
        (0.3333333333333333, "value", "percent", None, ",", "0,3333"),  # 1 of 3 returned
        (0.3333333333333333, "value", "percent", 0, ",", "0,33"),  # decimals: 0 -> 33%
        (9.694444444444445, "value", "days", None, ",", "9,7"),
        (1.37e-05, "change", "percent", None, ".", "0"),  # no exponent, no -0
        (-1.37e-05, "change", "currency", None, ".", "0"),
        (-0.10833333, "change", "currency", None, ",", "-0,1083"),
        (0.8525, "attainment", "currency", None, ",", "0,8525"),
        (1.0, "attainment", "currency", None, ",", "1"),
        (238.46153846153845, "projection", "currency", None, ",", "238,46"),
        (1234567.891, "target", "currency", None, ",", "1234567,89"),  # no thousands mark
        (1e-07, "r", None, None, ".", "0"),  # any other number: six places
        (0.1234567, "r", None, None, ".", "0.123457"),
        (float("nan"), "value", "currency", None, ".", ""),
    ],
)
def test_number_cells(
    value: float, column: str, unit: str | None, decimals: int | None, mark: str, expected: str
) -> None:
    assert number_cell(value, column, unit, decimals, mark) == expected


def test_places_per_unit() -> None:
    assert [unit_places(u) for u in ("currency", "count", "percent", "ratio", "days")] == [
        2,
        0,
        4,
        4,
        1,
    ]
    assert unit_places("percent", 1) == 3 and unit_places("currency", 0) == 0


def test_separator_follows_the_decimal_mark() -> None:
    assert field_separator(",") == ";" and field_separator(".") == ","


def test_the_unit_comes_from_the_row_then_the_page() -> None:
    kpis = {
        "revenue": SimpleNamespace(unit="currency", decimals=None),
        "return_rate": SimpleNamespace(unit="percent", decimals=1),
    }
    assert row_unit({"kpi": "revenue"}, {}, kpis) == ("currency", None)
    assert row_unit({"kpi": "return_rate", "unit": "percent"}, {}, kpis) == ("percent", 1)
    assert row_unit({"label": "2024-03"}, {"kpi": {"name": "revenue"}}, kpis) == (
        "currency",
        None,
    )
    assert row_unit({}, {"kpi": {"name": "x", "unit": "days"}}, kpis) == ("days", None)
    assert row_unit({}, {"kpi": "return_rate"}, kpis) == ("percent", 1)
    assert row_unit({}, {}, kpis) == (None, None)


def test_excel_cells_are_rounded_numbers_with_their_format() -> None:
    assert excel_number(970370.7599999979, "value", "currency", None) == 970370.76
    assert excel_number(-1.37e-05, "change", "percent", None) == 0.0
    assert str(excel_number(-1.37e-05, "change", "percent", None)) == "0.0"  # not -0.0
    assert excel_number(float("inf"), "value", "count", None) is None
    assert excel_format("value", "currency", None) == "#,##0.00"
    assert excel_format("value", "count", None) == "#,##0"
    assert excel_format("attainment", "currency", None) == "0.00%"
    assert excel_format("value", "percent", 1) == "0.0%"
    assert excel_format("label", None, None) == "General"
