"""Spreadsheet cells from user text: never a formula.

A label, comment or reason that starts with ``=``, ``+``, ``-``, ``@`` or a tab
would be run as a formula by a spreadsheet (and openpyxl writes any string
starting with ``=`` as one); such text gets a leading apostrophe, the mark that
tells a spreadsheet "this is text".
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_text(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
