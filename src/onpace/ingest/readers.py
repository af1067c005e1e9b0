"""Read a source's rows into DuckDB as text, keeping where each row came from.

Every reader lands rows in a temporary DuckDB table whose columns are the
source's own column names, all ``VARCHAR``: typing happens afterwards, in SQL,
where a value that does not parse becomes a quarantine reason instead of a
crash. A view over those tables adds ``_file`` (the path), ``_line`` (the line
or row number a person would look up) and ``_seq`` (a global order used for
"first" and for "the later file wins").

CSV line numbers count one line per record: a record with a quoted line break
inside is reported at the line it would have without that break.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from onpace.errors import IngestError
from onpace.ingest import sql
from onpace.ingest.files import (
    FORMATS_BY_SUFFIX,
    FileStamp,
    Fingerprint,
    bad_utf8,
    expand,
    fingerprint,
    guess_encoding,
    gunzip,
    mostly_utf8,
    read_header,
    read_sample,
    record_lines,
    sniff_delimiter,
    transcode,
)
from onpace.ingest.source_spec import Source

MAX_LINE_BYTES = 32 * 1024 * 1024
SEQ_SHIFT = 1 << 40


@dataclass
class FileRead:
    """One file (or database table) read: what it was and how many rows it gave."""

    path: str
    sha256: str
    rows: int
    duplicate_of: str | None = None
    note: str = ""


@dataclass
class RawSource:
    """A source's rows in DuckDB: the view to select from and its text columns."""

    name: str
    view: str
    columns: list[str]
    files: list[FileRead] = field(default_factory=list)
    excel: bool = False
    joined: bool = False  # the view carries ``_join_reason`` (see onpace.ingest.joins)

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files if f.duplicate_of is None)


class Reader:
    """Reads sources into one DuckDB connection; temporary tables are named per source."""

    def __init__(self, con: Any, root: Path, workdir: Path) -> None:
        self.con = con
        self.root = root
        self.workdir = workdir
        self.before_stamp_check: Callable[[Path], None] | None = None  # test hook

    def read(self, name: str, source: Source, seen_hashes: dict[str, str]) -> RawSource:
        if source.database is not None:
            return self._read_database(name, source)
        paths = expand(self.root, source.patterns)
        if not paths:
            raise IngestError(
                f"source '{name}': no file matches {', '.join(source.patterns)}",
                f"check the path; it is relative to the workspace folder {self.root}",
            )
        tables: list[tuple[str, FileRead, int]] = []
        columns: list[str] | None = None
        excel = False
        files: list[FileRead] = []
        for index, path in enumerate(paths):
            fp = fingerprint(path)
            shown = _shown(path, self.root)
            if fp.sha256 in seen_hashes:
                files.append(
                    FileRead(
                        shown,
                        fp.sha256,
                        0,
                        duplicate_of=seen_hashes[fp.sha256],
                        note="same content as " + seen_hashes[fp.sha256],
                    )
                )
                continue
            seen_hashes[fp.sha256] = shown
            fmt = source.format if source.format != "auto" else _format_of(path)
            table = f"_onpace_raw_{name}_{index}".replace("-", "_")
            try:
                if fmt == "csv":
                    cols, first_line = self._read_csv(path, source, fp, table)
                elif fmt == "xlsx":
                    cols, first_line = self._read_xlsx(path, source, table)
                    excel = True
                elif fmt == "parquet":
                    cols, first_line = (
                        self._read_relation(self.con.read_parquet(str(path)), table),
                        1,
                    )
                else:
                    rel = self.con.read_json(str(path), format="newline_delimited")
                    cols, first_line = self._read_relation(rel, table), 1
            except IngestError as exc:
                raise IngestError(f"{shown}: {exc.message}", exc.fix) from exc
            except Exception as exc:  # the readers' own errors: say which file and why
                raise IngestError(
                    f"{shown}: cannot read as {fmt}: {_first_line(exc)}", _fix_for(exc)
                ) from exc
            if self.before_stamp_check is not None:
                self.before_stamp_check(path)
            if FileStamp.of(path) != fp.stamp:
                raise IngestError(
                    f"{shown} changed while it was being read",
                    "run the ingest again once the file is complete",
                )
            if columns is None:
                columns = cols
            elif cols != columns:
                raise IngestError(
                    f"{shown} has columns {', '.join(cols)} but {files[0].path} has "
                    f"{', '.join(columns)}",
                    "files of one source must share their columns; give them separate sources",
                )
            rows = int(self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            read = FileRead(shown, fp.sha256, rows, note="" if rows else "no data rows")
            files.append(read)
            tables.append((table, read, first_line))
        assert columns is not None or not tables
        view = f"_onpace_src_{name}".replace("-", "_")
        self._union_view(view, columns or [], tables, len(paths))
        return RawSource(name, view, columns or [], files, excel)

    def _union_view(
        self, view: str, columns: list[str], tables: list[tuple[str, FileRead, int]], n: int
    ) -> None:
        parts = []
        for seq, (table, read, first_line) in enumerate(tables):
            parts.append(sql.raw_select(table, columns, read.path, first_line, seq * SEQ_SHIFT))
        if not parts:
            parts.append(sql.empty_select(columns))
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS " + " UNION ALL ".join(parts))

    def _read_csv(
        self, path: Path, source: Source, fp: Fingerprint, table: str
    ) -> tuple[list[str], int]:
        if path.suffix.lower() == ".gz":  # compressed export: check and read the plain text
            path = gunzip(path, self.workdir)
            fp = fingerprint(path)
        encoding = source.encoding
        if encoding == "auto":
            if not fp.utf8 and mostly_utf8(path):
                raise IngestError(
                    f"the file is UTF-8 but has bytes that are not UTF-8 ({bad_utf8(path)})",
                    "re-export the file as UTF-8, or set 'encoding:' on the source",
                )
            encoding = "utf-8-sig" if fp.utf8 else guess_encoding(path)
        readable = path
        if encoding.lower().replace("_", "-") not in ("utf-8", "utf8", "utf-8-sig"):
            readable = transcode(path, encoding, self.workdir)
            encoding = "utf-8"
        elif not fp.utf8 and source.encoding != "auto":
            raise IngestError(
                "the file is not valid UTF-8",
                "set 'encoding:' on the source (e.g. cp1252) or leave it 'auto'",
            )
        sample = read_sample(readable, "utf-8")
        if not sample.strip():
            raise IngestError("the file is empty", "export the data again with a header row")
        delimiter = source.delimiter if source.delimiter != "auto" else sniff_delimiter(sample)
        names = read_header(sample, delimiter, source.quote, source.header_row - 1)
        others = [d for d in ",;\t|" if d != delimiter and d in names[0]]
        if len(names) == 1 and others:
            shown = "tab" if others[0] == "\t" else others[0]
            raise IngestError(
                f"the header is one single column {names[0][:60]!r}: the file seems to be "
                f"delimited by {shown!r}, not {delimiter!r}",
                f"set delimiter: {shown!r} on the source (or leave it 'auto')",
            )
        rel = self.con.read_csv(
            str(readable),
            auto_detect=False,
            delimiter=delimiter,
            quotechar=source.quote,
            escapechar=source.quote,
            header=True,
            skiprows=source.header_row - 1,
            columns={n: "VARCHAR" for n in names},
            strict_mode=True,
            max_line_size=MAX_LINE_BYTES,
            encoding="utf-8",
        )
        view = f"{table}_v"
        rel.create_view(view, replace=True)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {view}")
        if fp.blank_lines:  # DuckDB skipped the blank lines: number the records exactly
            lines = record_lines(readable, delimiter, source.quote, source.header_row - 1)
            rows = self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            if len(lines) == rows:
                self.con.register(f"{table}_lines", pa.table({"_xl_line": pa.array(lines)}))
                self.con.execute(
                    f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {table} "
                    f"POSITIONAL JOIN {table}_lines"
                )
                self.con.unregister(f"{table}_lines")
                return names, -1
        return names, source.header_row + 1

    def _read_relation(self, rel: Any, table: str) -> list[str]:
        view = f"{table}_v"
        rel.create_view(view, replace=True)
        names = [str(c) for c in rel.columns]
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS " + sql.varchar_select(view, names)
        )
        return names

    def _read_xlsx(self, path: Path, source: Source, table: str) -> tuple[list[str], int]:
        import openpyxl  # type: ignore[import-untyped]
        from openpyxl.utils.exceptions import (  # type: ignore[import-untyped]
            InvalidFileException,
        )

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
            raise IngestError(
                f"not an Excel .xlsx workbook ({exc})", "save it as .xlsx, or export it as CSV"
            ) from exc
        try:
            if source.sheet is not None and source.sheet not in book.sheetnames:
                raise IngestError(
                    f"no sheet named {source.sheet!r}; the sheets are "
                    + ", ".join(book.sheetnames),
                    "correct 'sheet:'",
                )
            sheet = book[source.sheet] if source.sheet else book.worksheets[0]
            rows = sheet.iter_rows(values_only=True)
            header: tuple[Any, ...] | None = None
            for _ in range(source.header_row):
                header = next(rows, None)
            if header is None or not any(v is not None for v in header):
                raise IngestError(
                    "the sheet is empty: there is no header row",
                    "put the column names in the first row, or set header_row",
                )
            text = ",".join(_quote(_cell(v) or "") for v in header)
            names = read_header(text, ",", '"', 0)
            values: list[list[str | None]] = [[] for _ in names]
            lines: list[int] = []
            line = source.header_row
            for row in rows:
                line += 1
                if row is None or all(v is None for v in row):
                    continue
                if len(row) > len(names) and any(v is not None for v in row[len(names) :]):
                    raise IngestError(
                        f"row {line} has values beyond the last named column",
                        "give every column a header",
                    )
                for i in range(len(names)):
                    values[i].append(_cell(row[i]) if i < len(row) else None)
                lines.append(line)
        finally:
            book.close()
        arrow = pa.table(
            {
                **{n: pa.array(v, pa.string()) for n, v in zip(names, values, strict=True)},
                "_xl_line": pa.array(lines, pa.int64()),
            }
        )
        self.con.register(f"{table}_arrow", arrow)
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {table}_arrow ORDER BY _xl_line"
        )
        self.con.unregister(f"{table}_arrow")
        return names, -1  # -1: the table carries its own line numbers

    def _read_database(self, name: str, source: Source) -> RawSource:
        import ibis

        from onpace.spec.envvars import expand_env

        assert source.database is not None
        url = expand_env(source.database, f"sources.{name}.database")
        what = source.table or "query"
        backend: Any = None
        try:
            backend = ibis.connect(_ibis_url(url))
            expr = backend.table(source.table) if source.table else backend.sql(source.query)
            arrow = expr.to_pyarrow()
        except Exception as exc:
            raise IngestError(
                f"source '{name}': cannot read {what} from the database: {_first_line(exc)}",
                "check the URL, the table name or the query",
            ) from exc
        finally:
            if backend is not None:
                with contextlib.suppress(Exception):
                    backend.disconnect()
        table = f"_onpace_raw_{name}_db".replace("-", "_")
        self.con.register(f"{table}_arrow", arrow)
        names = [str(c) for c in arrow.column_names]
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS "
            + sql.varchar_select(f"{table}_arrow", names)
        )
        self.con.unregister(f"{table}_arrow")
        label = f"{_redact(url)}#{source.table or 'query'}"
        read = FileRead(label, "", arrow.num_rows)
        view = f"_onpace_src_{name}".replace("-", "_")
        self._union_view(view, names, [(table, read, 1)], 1)
        return RawSource(name, view, names, [read])


def _ibis_url(url: str) -> str:
    """SQLAlchemy-style URLs (postgresql+psycopg://) in the form Ibis connects to."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    base = scheme.split("+", 1)[0]
    return f"{'postgres' if base == 'postgresql' else base}://{rest}"


def _redact(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest:
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}@{host}"
    return url


def _format_of(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    for s in reversed(suffixes):
        if s in FORMATS_BY_SUFFIX:
            return FORMATS_BY_SUFFIX[s]
    return "csv"


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _cell(value: Any) -> str | None:
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


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    for prefix in ("Invalid Input Error: ", "Conversion Error: ", "IO Error: "):
        text = text.removeprefix(prefix)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    head = (
        " ".join(lines[:3])
        if lines and lines[0].startswith("CSV Error")
        else (lines[0] if lines else type(exc).__name__)
    )
    return head[:400]


def _fix_for(exc: BaseException) -> str:
    text = str(exc)
    if "unterminated quote" in text:
        return "the file ends inside a quoted value or a quote is not closed: export it again"
    if "Expected Number of Columns" in text:
        return "a line has more or fewer fields than the header: check the delimiter and quoting"
    if "Maximum line size" in text:
        return "a line is longer than 32 MB: the file is probably damaged"
    return "check that the file is complete and in the format its name says"
