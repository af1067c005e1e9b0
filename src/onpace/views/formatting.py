"""Format KPI values for people: by unit, with sensible decimals and signs.

Percent KPIs are stored as fractions (0.253) and shown as 25.3%; their change is
shown in percentage points, because "+10% of a 20% rate" is ambiguous. Other
changes are relative (+4.2%).
"""

from __future__ import annotations

import math

MISSING = "\u2013"  # an en dash: the conventional mark for "no value" in tables
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF "}


def _is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_value(
    value: float | None, unit: str, currency: str = "EUR", decimals: int | None = None
) -> str:
    """``value`` written for its unit: €12,345, 25.3%, 12.4 days, 1,234, 0.85."""
    if _is_missing(value):
        return MISSING
    assert value is not None
    if unit == "currency":
        symbol = CURRENCY_SYMBOLS.get(currency, currency + " ")
        digits = (
            0 if decimals is None and abs(value) >= 1000 else (2 if decimals is None else decimals)
        )
        sign = "-" if value < 0 else ""
        return f"{sign}{symbol}{abs(value):,.{digits}f}"
    if unit == "percent":
        return f"{value * 100:.{1 if decimals is None else decimals}f}%"
    if unit == "days":
        return f"{value:,.{1 if decimals is None else decimals}f} days"
    if unit == "count":
        if decimals is None and float(value).is_integer():
            return f"{value:,.0f}"
        return f"{value:,.{1 if decimals is None else decimals}f}"
    if unit == "score":
        return f"{value:,.{1 if decimals is None else decimals}f}"
    return f"{value:,.{2 if decimals is None else decimals}f}"


def estimate_decimals(actual: float | None, unit: str) -> int | None:
    """Decimals for an estimate (a projection, an interval's ends) of a KPI at ``actual``.

    A count of things that is whole so far is projected as whole things: "5,576
    orders", not "5,576.3", whose decimal is noise of the model. Everything else
    keeps the decimals of its unit.
    """
    if unit == "count" and not _is_missing(actual) and float(actual).is_integer():  # type: ignore[arg-type]
        return 0
    return None


def change(current: float | None, base: float | None, unit: str) -> float | None:
    """Change from ``base`` to ``current``: points for percent units, relative otherwise."""
    if _is_missing(current) or _is_missing(base):
        return None
    assert current is not None and base is not None
    if unit in ("percent", "score"):
        return current - base
    if base <= 0 or current < 0:
        # a relative change from zero or across zero (net growth -2 -> 158) means nothing
        return None
    return (current - base) / base


def format_change(delta: float | None, unit: str) -> str:
    """``+4.2%`` (relative), ``-1.3 pp`` (percent units) or ``+3.0`` (scores)."""
    if delta is None or math.isnan(delta):
        return MISSING
    if unit == "percent":
        return f"{delta * 100:+.1f} pp"
    if unit == "score":
        return f"{delta:+.1f}"
    return f"{delta * 100:+.1f}%"


def format_duration(days: float | None) -> str:
    """A time span given in days, in the unit that reads best: 12 min, 5.5 h, 3.2 days."""
    if _is_missing(days):
        return MISSING
    assert days is not None
    if abs(days) < 1 / 24:
        return f"{days * 1440:,.0f} min"
    if abs(days) < 1:
        return f"{days * 24:,.1f} h"
    return f"{days:,.1f} days"
