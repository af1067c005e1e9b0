"""Numbers in a download as a spreadsheet in the reader's language opens them.

A CSV of raw floats (``970370.7599999979``, ``1.37e-05``) with commas between
fields opens in a Dutch Excel as text in one column: there the decimal mark is a
comma and the list separator a semicolon. So a download is written for its
language: each number rounded to what its column means (a value in the KPI's
unit, a share such as attainment, anything else to six places), in fixed
notation with the language's decimal mark and no thousands separator, and the
fields separated by ``;`` wherever the decimal mark is a comma.

>>> number_cell(970370.7599999979, "value", "currency", None, ",")
'970370,76'
>>> number_cell(1.37e-05, "change", "percent", None, ".")
'0'
>>> number_cell(0.123456, "attainment", "count", None, ",")
'0,1235'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

# Columns that hold a value in the KPI's own unit (a target, a projection, its band).
UNIT_COLUMNS = frozenset(
    {
        "value",
        "compare_value",
        "target",
        "floor",
        "stretch",
        "projection",
        "low",
        "high",
        "actual",
        "before",
        "after",
        "baseline",
        "expected",
        "to_date",
    }
)
# Columns that hold a share or a change as a fraction (0.85 is 85%).
FRACTION_COLUMNS = frozenset(
    {"change", "attainment", "pace", "probability", "share", "mix", "rate", "conversion"}
)
FRACTION_PLACES = 4  # 85.25% is 0.8525
OTHER_PLACES = 6
UNIT_PLACES = {"currency": 2, "count": 0, "percent": 4, "ratio": 4, "days": 1, "score": 2}


def unit_places(unit: str | None, decimals: int | None = None) -> int:
    """Places after the decimal mark of a value in ``unit``.

    ``decimals`` (the KPI's own display decimals) wins; a percentage is stored as a
    fraction, so its ``decimals`` percent places are two more fraction places.

    >>> unit_places("currency"), unit_places("percent", 1), unit_places("count", 2)
    (2, 3, 2)
    """
    if decimals is not None:
        return decimals + 2 if unit == "percent" else decimals
    return UNIT_PLACES.get(unit or "", OTHER_PLACES)


def column_places(column: str, unit: str | None, decimals: int | None) -> int:
    """Places for a number in ``column`` of a row whose KPI is in ``unit``."""
    if column in FRACTION_COLUMNS:
        return FRACTION_PLACES
    if column in UNIT_COLUMNS and unit is not None:
        places = unit_places(unit, decimals)
        return max(places, 2) if unit == "count" and decimals is None else places
    return OTHER_PLACES


def rounded(value: float, places: int) -> Decimal:
    """``value`` rounded half to even at ``places``, as an exact decimal (no binary noise)."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN)


def number_cell(
    value: float, column: str, unit: str | None, decimals: int | None, decimal_mark: str
) -> str:
    """``value`` as CSV text: rounded for its column, fixed notation, the language's mark.

    Trailing zeros are dropped (``3`` not ``3.0000``) except for currency, which keeps
    its cents; an amount that rounds to zero is ``0``, never ``-0``.
    """
    if not math.isfinite(value):
        return ""
    places = column_places(column, unit, decimals)
    exact = rounded(value, places)
    if exact == 0:
        exact = Decimal(0).quantize(exact)
    text = f"{exact:f}"
    keep_cents = column in UNIT_COLUMNS and unit == "currency"
    if "." in text and not keep_cents:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", decimal_mark)


def row_unit(
    row: Mapping[str, Any], page: Mapping[str, Any], kpis: Mapping[str, Any]
) -> tuple[str | None, int | None]:
    """The unit and decimals of a row's numbers: the row's own unit or KPI, else the page's."""

    def of_kpi(name: Any) -> tuple[str | None, int | None] | None:
        spec = kpis.get(name) if isinstance(name, str) else None
        return (str(spec.unit), spec.decimals) if spec is not None else None

    if isinstance(row.get("unit"), str):
        known = of_kpi(row.get("kpi"))
        return row["unit"], known[1] if known else None
    found = of_kpi(row.get("kpi"))
    if found:
        return found
    subject = page.get("kpi")
    if isinstance(subject, Mapping):
        found = of_kpi(subject.get("name"))
        if found:
            return found
        unit = subject.get("unit")
        return (str(unit) if unit else None), None
    found = of_kpi(subject)
    if found:
        return found
    unit = page.get("unit")
    return (unit if isinstance(unit, str) else None), None


def field_separator(decimal_mark: str) -> str:
    """``;`` where the decimal mark is a comma (as spreadsheets there expect), else ``,``."""
    return ";" if decimal_mark == "," else ","


def excel_number(value: float, column: str, unit: str | None, decimals: int | None) -> float | None:
    """``value`` rounded as :func:`number_cell` rounds it, as a spreadsheet number."""
    if not math.isfinite(value):
        return None
    return float(rounded(value, column_places(column, unit, decimals))) + 0.0


def excel_format(column: str, unit: str | None, decimals: int | None) -> str:
    """An Excel number format showing the places of the column (``0.00%`` for a share)."""
    if column in FRACTION_COLUMNS or (column in UNIT_COLUMNS and unit == "percent"):
        places = max(column_places(column, unit, decimals) - 2, 0)
        return "0" + ("." + "0" * places if places else "") + "%"
    if column in UNIT_COLUMNS and unit is not None:
        places = unit_places(unit, decimals)
        return "#,##0" + ("." + "0" * places if places else "")
    return "General"
