"""Spreadsheet cells of the review pack from user text: never a formula.

A label, comment or reason that starts with ``=``, ``+``, ``-``, ``@`` or a tab
would be run as a formula by a spreadsheet (and openpyxl writes any string
starting with ``=`` as one). The rule is the one CSV downloads use
(:func:`onpace.views.value_cells.safe_text`); this adds only that a missing text
is an empty cell.
"""

from __future__ import annotations

from onpace.views.value_cells import safe_text as neutralised


def safe_text(value: object) -> str:
    return neutralised("" if value is None else str(value))
