"""Excel workbooks, .xlsx (openpyxl) and legacy .xls (xlrd), read sheet by sheet as text.

A workbook may hold several sheets, some hidden: an export often keeps its lookup
lists or an old copy in a hidden first sheet. The default sheet is therefore the first
*visible* one; ``sheet:`` names one or more sheets or patterns (``"2024-*"``, ``"*"``
for every visible sheet), and a hidden sheet is read only when named exactly.

Cells become text the way a person reads them: dates in ISO 8601, whole numbers
without ``.0``, booleans as ``true``/``false``, so typing happens in SQL like for CSV.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from onpace.errors import IngestError


@dataclass(frozen=True)
class SheetInfo:
    """A sheet's name and whether Excel shows it."""

    name: str
    visible: bool


class Workbook:
    """One open workbook; :meth:`rows` yields a sheet's rows as tuples of cell values."""

    def __init__(self, path: Path, fmt: str) -> None:
        self.path = path
        self.fmt = fmt
        self._book: Any = None
        if fmt == "xls":
            self._open_xls()
        else:
            self._open_xlsx()

    def _open_xlsx(self) -> None:
        import openpyxl  # type: ignore[import-untyped]
        from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

        try:
            self._book = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            hint = " (it looks like a legacy .xls file)" if _is_xls(self.path) else ""
            raise IngestError(
                f"not an Excel .xlsx workbook{hint}: {_short(exc)}",
                "set format: xls for a legacy workbook, or save it as .xlsx or CSV",
            ) from exc
        self.sheets = [
            SheetInfo(ws.title, ws.sheet_state == "visible") for ws in self._book.worksheets
        ]

    def _open_xls(self) -> None:
        import xlrd  # type: ignore[import-untyped]

        try:
            self._book = xlrd.open_workbook(str(self.path), on_demand=True)
        except (xlrd.XLRDError, OSError, ValueError, AssertionError, IndexError) as exc:
            raise IngestError(
                f"not a legacy Excel .xls workbook: {_short(exc)}",
                "open it in a spreadsheet and save it as .xlsx or CSV",
            ) from exc
        self.sheets = [
            SheetInfo(
                self._book.sheet_by_index(i).name, self._book.sheet_by_index(i).visibility == 0
            )
            for i in range(self._book.nsheets)
        ]

    def select(self, wanted: Sequence[str]) -> list[str]:
        """The sheets ``sheet:`` asks for, in workbook order; default the first visible one."""
        visible = [s.name for s in self.sheets if s.visible]
        names = [s.name for s in self.sheets]
        if not wanted:
            if not visible:
                raise IngestError("the workbook has no visible sheet", "name the sheet: sheet: ...")
            return visible[:1]
        chosen: list[str] = []
        for pattern in wanted:
            if pattern in names:  # an exact name, hidden or not
                matched = [pattern]
            else:
                matched = [n for n in visible if fnmatch.fnmatchcase(n, pattern)]
            if not matched:
                hidden = [s.name for s in self.sheets if not s.visible]
                shown = ", ".join(names) + (f" (hidden: {', '.join(hidden)})" if hidden else "")
                raise IngestError(
                    f"no sheet named {pattern!r}; the sheets are {shown}", "correct 'sheet:'"
                )
            chosen.extend(m for m in matched if m not in chosen)
        return [n for n in names if n in chosen]

    def rows(self, name: str) -> Iterator[tuple[Any, ...]]:
        """The sheet's rows, each a tuple of Python values (None for empty cells)."""
        if self.fmt != "xls":
            yield from self._book[name].iter_rows(values_only=True)
            return
        import xlrd

        sheet = self._book.sheet_by_name(name)
        for r in range(sheet.nrows):
            values: list[Any] = []
            for cell in sheet.row(r):
                if cell.ctype == xlrd.XL_CELL_DATE:
                    values.append(
                        _to_millisecond(xlrd.xldate_as_datetime(cell.value, self._book.datemode))
                    )
                elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    values.append(bool(cell.value))
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    values.append(None)
                elif cell.ctype == xlrd.XL_CELL_ERROR:
                    values.append(xlrd.error_text_from_code.get(cell.value, "#ERROR"))
                else:
                    values.append(cell.value)
            yield tuple(values)
        self._book.unload_sheet(name)

    def close(self) -> None:
        if self.fmt == "xls":
            self._book.release_resources()
        else:
            self._book.close()


def _to_millisecond(value: dt.datetime) -> dt.datetime:
    """Excel keeps times to the millisecond; the float serial's last digits are noise."""
    rounded = round(value.microsecond / 1000) * 1000
    return value.replace(microsecond=0) + dt.timedelta(microseconds=rounded)


def cell_text(value: Any) -> str | None:
    """A cell as the text a person reads in it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _is_xls(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the OLE2 container


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]
