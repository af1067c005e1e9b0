"""Read the export files given to ``onpace init --from``: every file, every sheet.

Each file is read exactly as the ingest will read it (same reader, encoding,
delimiter and header handling) into one DuckDB connection, so that what is
proposed is what will load. A workbook gives one table per sheet that has a
header. A file that cannot be read, or that reads as a single column of lines
with runs of spaces in them (a space-aligned report split wrongly), is kept with
the reason, and is not proposed as anything.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onpace.errors import IngestError
from onpace.ingest.propose.vocabulary import Concepts, read_name
from onpace.ingest.readers import Reader
from onpace.ingest.source_spec import Source

_WORKBOOKS = (".xlsx", ".xlsm")


@dataclass
class Export:
    """One table of rows to propose a source for: a file, or one sheet of a workbook."""

    name: str
    path: Path
    shown: str
    sheet: str | None = None
    view: str = ""
    columns: list[str] = field(default_factory=list)
    rows: int = 0
    problem: str | None = None
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How the table is named to the user: the file, and the sheet when there is one."""
        return f"{self.shown} [{self.sheet}]" if self.sheet else self.shown

    @property
    def concepts(self) -> Concepts:
        """What the file (or sheet) name says: ``Bestellungen.csv`` is about orders."""
        stem = self.path.name.split(".")[0]
        return read_name(f"{self.sheet} {stem}" if self.sheet else stem)


def shown_path(path: Path, root: Path) -> str:
    """The path as sources.yml should say it: relative to the workspace when inside it."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path.resolve())


def source_name(path: Path, sheet: str | None, taken: set[str]) -> str:
    """A source name from the file (and sheet) name: letters, digits and _, unique."""
    stem = path.name.split(".")[0] + (f"_{sheet}" if sheet else "")
    base = re.sub(r"[^A-Za-z0-9_]+", "_", stem).strip("_").lower() or "source"
    if not base[0].isalpha():
        base = "s_" + base
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def sheet_names(path: Path) -> list[str]:
    """The sheets of a workbook, in their order."""
    import openpyxl  # type: ignore[import-untyped]

    try:
        book = openpyxl.load_workbook(path, read_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise IngestError(
            f"{path.name} is not an Excel .xlsx workbook ({exc})",
            "save it as .xlsx, or export it as CSV",
        ) from exc
    try:
        return [str(s) for s in book.sheetnames]
    finally:
        book.close()


def _probe(path: Path, sheet: str | None) -> Source:
    spec: dict[str, Any] = {
        "file": str(path.resolve()),
        "entities": {"orders": {"columns": {"order_id": "x"}}},
    }
    if sheet is not None:
        spec["sheet"] = sheet
    return Source.model_validate(spec)


def _space_aligned(export: Export, con: Any) -> str | None:
    """Why a single-column read is really a report aligned with spaces, or None."""
    if len(export.columns) != 1 or not export.rows:
        return None
    col = '"' + export.columns[0].replace('"', '""') + '"'
    spaced = con.execute(
        f"SELECT count(*) FILTER (WHERE regexp_matches(trim({col}), '\\S\\s{{2,}}\\S')) "
        f"FROM {export.view}"
    ).fetchone()[0]
    header_spaced = re.search(r"\S\s{2,}\S", export.columns[0]) is not None
    if header_spaced or spaced >= 0.5 * export.rows:
        return (
            "every line was read as one column: the values are aligned with runs of "
            "spaces (a fixed-width or space-separated report), so the columns are unknown"
        )
    return None


def read_exports(paths: list[Path], root: Path, con: Any, workdir: Path) -> list[Export]:
    """Every table of the given files, read into ``con``; unreadable ones carry the reason."""
    exports: list[Export] = []
    taken: set[str] = set()
    reader = Reader(con, root, workdir)
    for path in paths:
        if not path.is_file():
            raise IngestError(f"{path} is not a file", "give the path of an export file")
        sheets: list[str | None] = [None]
        if path.suffix.lower() in _WORKBOOKS:
            try:
                sheets = list(sheet_names(path))
            except IngestError as exc:
                exports.append(
                    Export(
                        source_name(path, None, taken),
                        path,
                        shown_path(path, root),
                        problem=exc.message,
                    )
                )
                continue
        for sheet in sheets:
            exports.append(_read_one(reader, con, path, sheet, root, taken, len(sheets) > 1))
    return exports


def _read_one(
    reader: Reader,
    con: Any,
    path: Path,
    sheet: str | None,
    root: Path,
    taken: set[str],
    several: bool,
) -> Export:
    name = source_name(path, sheet if several else None, taken)
    export = Export(name, path, shown_path(path, root), sheet)
    try:
        raw = reader.read(name, _probe(path, sheet), {})
    except IngestError as exc:
        export.problem = exc.message
        return export
    export.view, export.columns, export.rows = raw.view, list(raw.columns), raw.rows
    if not export.rows:
        export.problem = "it has a header but no rows"
    export.problem = export.problem or _space_aligned(export, con)
    return export
