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
import glob
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from onpace.errors import IngestError
from onpace.ingest import sql
from onpace.ingest.confine import database_file
from onpace.ingest.files import (
    FORMATS_BY_SUFFIX,
    FileStamp,
    Fingerprint,
    bad_utf8,
    checked_names,
    fingerprint,
    guess_encoding,
    gunzip,
    mostly_utf8,
    read_header,
    read_sample,
    record_lines,
    sniff_delimiter,
    transcode,
    unzip,
)
from onpace.ingest.memory import OUT_OF_MEMORY
from onpace.ingest.source_spec import Source
from onpace.ingest.textlines import read_text_lines
from onpace.ingest.workbooks import Workbook, cell_text

ROW_REASON = "_row_reason"  # a reader's (or a join's) reason for a whole row

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

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files if f.duplicate_of is None)


@dataclass
class _Piece:
    """One text table a reader made: from a file, a sheet of a workbook or an archive member."""

    table: str
    read: FileRead
    first_line: int
    columns: list[str]


class Reader:
    """Reads sources into one DuckDB connection; temporary tables are named per source."""

    def __init__(
        self, con: Any, root: Path, workdir: Path, files: dict[str, list[Path]] | None = None
    ) -> None:
        self.con = con
        self.root = root
        self.workdir = workdir
        # per source, its files as onpace.ingest.confine checked them; None: the patterns
        # as given (onpace init --from reads the files a user names on the command line)
        self.files = files
        self.before_stamp_check: Callable[[Path], None] | None = None  # test hook
        self._tables = 0

    def read(self, name: str, source: Source, seen_hashes: dict[str, str]) -> RawSource:
        if source.database is not None:
            return self._read_database(name, source)
        if self.files is not None:
            paths = self.files.get(name, [])
        else:
            paths = _glob(self.root, source.patterns)
        if not paths:
            raise IngestError(
                f"source '{name}': no file matches {', '.join(source.patterns)}",
                f"check the path; it is relative to the workspace folder {self.root}",
            )
        pieces: list[_Piece] = []
        files: list[FileRead] = []
        excel = False
        for path in paths:
            shown = _shown(path, self.root)
            fmt = source.format if source.format != "auto" else detect_format(path)
            excel = excel or fmt in ("xlsx", "xls")
            made = self._read_path(name, source, path, shown, fmt, seen_hashes)
            for piece in made:
                if piece.table and pieces and piece.columns != pieces[0].columns:
                    raise IngestError(
                        f"{piece.read.path} has columns {', '.join(piece.columns)} but "
                        f"{pieces[0].read.path} has {', '.join(pieces[0].columns)}",
                        "files of one source must share their columns; give them separate sources",
                    )
                files.append(piece.read)
                if piece.table:
                    pieces.append(piece)
        columns = pieces[0].columns if pieces else []
        view = f"_onpace_src_{name}".replace("-", "_")
        self._union_view(view, columns, pieces)
        return RawSource(name, view, columns, files, excel)

    def _table(self, name: str) -> str:
        self._tables += 1
        return f"_onpace_raw_{name}_{self._tables}".replace("-", "_")

    def _read_path(
        self,
        name: str,
        source: Source,
        path: Path,
        shown: str,
        fmt: str,
        seen_hashes: dict[str, str],
    ) -> list[_Piece]:
        """The pieces of one file: itself, its sheets, or its archive's members."""
        fp = fingerprint(path)
        if fp.sha256 in seen_hashes:
            first = seen_hashes[fp.sha256]
            dup = FileRead(shown, fp.sha256, 0, duplicate_of=first, note="same content as " + first)
            return [_Piece("", dup, 0, [])]
        seen_hashes[fp.sha256] = shown
        try:
            if fmt == "zip":
                pieces = self._read_zip(name, source, path, shown, seen_hashes)
            elif fmt in ("xlsx", "xls"):
                pieces = self._read_workbook(name, source, path, shown, fmt, fp)
            else:
                table = self._table(name)
                columns, first_line = self._read_one(path, source, fp, table, fmt)
                pieces = [_Piece(table, self._counted(table, shown, fp), first_line, columns)]
        except IngestError as exc:
            raise IngestError(f"{shown}: {exc.message}", exc.fix) from exc
        except OUT_OF_MEMORY:
            raise  # not the file's fault: the run tries again without its memory budget
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
        return pieces

    def _counted(self, table: str, shown: str, fp: Fingerprint) -> FileRead:
        rows = int(self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        return FileRead(shown, fp.sha256, rows, note="" if rows else "no data rows")

    def _read_one(
        self, path: Path, source: Source, fp: Fingerprint, table: str, fmt: str
    ) -> tuple[list[str], int]:
        """One plain file (after decompression) into ``table``: its columns and first line."""
        if path.suffix.lower() == ".gz":  # compressed export: check and read the plain text
            path = gunzip(path, self.workdir)
            fp = fingerprint(path)
            if fmt == "csv" and len(path.suffixes) > 0:
                fmt = detect_format(path) if source.format == "auto" else fmt
        if fmt == "parquet":
            return self._read_relation(self.con.read_parquet(str(path)), table), 1
        if fmt == "jsonl":
            rel = self.con.read_json(str(path), format="newline_delimited")
            return self._read_relation(rel, table), 1
        readable = self._utf8(path, source, fp)
        if fmt in ("text", "fixed"):
            return read_text_lines(self.con, readable, source, table), -1
        return self._read_csv(readable, source, fp, table)

    def _utf8(self, path: Path, source: Source, fp: Fingerprint) -> Path:
        """The file as UTF-8 text: itself, or a transcoded copy in the work folder."""
        encoding = source.encoding
        if encoding == "auto":
            if not fp.utf8 and mostly_utf8(path):
                raise IngestError(
                    f"the file is UTF-8 but has bytes that are not UTF-8 ({bad_utf8(path)})",
                    "re-export the file as UTF-8, or set 'encoding:' on the source",
                )
            encoding = "utf-8-sig" if fp.utf8 else guess_encoding(path)
        if encoding.lower().replace("_", "-") not in ("utf-8", "utf8", "utf-8-sig"):
            return transcode(path, encoding, self.workdir)
        if not fp.utf8 and source.encoding != "auto":
            raise IngestError(
                "the file is not valid UTF-8",
                "set 'encoding:' on the source (e.g. cp1252) or leave it 'auto'",
            )
        return path

    def _read_zip(
        self, name: str, source: Source, path: Path, shown: str, seen_hashes: dict[str, str]
    ) -> list[_Piece]:
        pieces: list[_Piece] = []
        for member, extracted in unzip(path, self.workdir, source.members or "*"):
            label = f"{shown}!{member}"
            fmt = (
                source.format
                if source.format not in ("auto", "zip")
                else detect_format(Path(member))
            )
            if fmt == "zip":
                raise IngestError(
                    f"{member} is an archive inside the archive", "unpack it and read the files"
                )
            pieces.extend(self._read_path(name, source, extracted, label, fmt, seen_hashes))
        if not pieces:
            raise IngestError(
                f"the archive has no file matching {source.members or '*'}",
                "check 'members:' against the archive's contents",
            )
        return pieces

    def _read_workbook(
        self, name: str, source: Source, path: Path, shown: str, fmt: str, fp: Fingerprint
    ) -> list[_Piece]:
        book = Workbook(path, fmt)
        try:
            pieces = []
            for sheet in book.select(source.sheets):
                table = self._table(name)
                label = shown if not source.sheets else f"{shown}[{sheet}]"
                try:
                    columns = self._read_sheet(book, sheet, source, table)
                except IngestError as exc:
                    where = f"sheet {sheet!r}: " if source.sheets else ""
                    raise IngestError(where + exc.message, exc.fix) from exc
                pieces.append(_Piece(table, self._counted(table, label, fp), -1, columns))
            return pieces
        finally:
            book.close()

    def _union_view(self, view: str, columns: list[str], pieces: list[_Piece]) -> None:
        parts = [
            sql.raw_select(
                p.table,
                columns,
                p.read.path,
                p.first_line,
                seq * SEQ_SHIFT,
                has_reason=self._has_reason(p.table),
            )
            for seq, p in enumerate(pieces)
        ]
        if not parts:
            parts.append(sql.empty_select(columns))
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS " + " UNION ALL ".join(parts))

    def _has_reason(self, table: str) -> bool:
        return bool(
            self.con.execute(
                "SELECT count(*) FROM duckdb_columns() WHERE table_name = ? AND column_name = ?",
                [table, ROW_REASON],
            ).fetchone()[0]
        )

    def _read_csv(
        self, readable: Path, source: Source, fp: Fingerprint, table: str
    ) -> tuple[list[str], int]:
        sample = read_sample(readable, "utf-8")
        if not sample.strip():
            raise IngestError("the file is empty", "export the data again with a header row")
        delimiter = source.delimiter if source.delimiter != "auto" else sniff_delimiter(sample)
        if source.header_row == 0:
            names = checked_names(list(source.names or []))
        else:
            names = read_header(sample, delimiter, source.quote, source.header_row - 1)
        others = [d for d in ",;\t|" if d != delimiter and d in names[0]]
        if len(names) == 1 and others:
            shown = "tab" if others[0] == "\t" else others[0]
            raise IngestError(
                f"the header is one single column {names[0][:60]!r}: the file seems to be "
                f"delimited by {shown!r}, not {delimiter!r}",
                f"set delimiter: {shown!r} on the source (or leave it 'auto')",
            )
        header = source.header_row > 0
        skip = max(source.header_row - 1, 0)
        rel = self.con.read_csv(
            str(readable),
            auto_detect=False,
            delimiter=delimiter,
            quotechar=source.quote,
            escapechar=source.quote,
            header=header,
            skiprows=skip,
            columns={n: "VARCHAR" for n in names},
            strict_mode=True,
            max_line_size=MAX_LINE_BYTES,
            # one line's worth per buffer (DuckDB's default is 16): the reading
            # fits the ingest's memory budget (see onpace.ingest.memory)
            buffer_size=MAX_LINE_BYTES,
            encoding="utf-8",
        )
        with self._relation_view(rel, table) as view:
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {view}")
        if fp.blank_lines:  # DuckDB skipped the blank lines: number the records exactly
            lines = record_lines(readable, delimiter, source.quote, skip, header)
            rows = self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            if len(lines) == rows:
                self.con.register(f"{table}_lines", pa.table({"_xl_line": pa.array(lines)}))
                self.con.execute(
                    f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {table} "
                    f"POSITIONAL JOIN {table}_lines"
                )
                self.con.unregister(f"{table}_lines")
                return names, -1
        return names, skip + (2 if header else 1)

    def _read_relation(self, rel: Any, table: str) -> list[str]:
        names = [str(c) for c in rel.columns]
        with self._relation_view(rel, table) as view:
            self.con.execute(
                f"CREATE OR REPLACE TEMP TABLE {table} AS " + sql.varchar_select(view, names)
            )
        return names

    @contextlib.contextmanager
    def _relation_view(self, rel: Any, table: str) -> Iterator[str]:
        """A name for a file's relation while it is copied into ``table``.

        Registered on this connection only: a relation's ``create_view`` makes a
        view in the warehouse file itself, which would outlive the run and point at
        a file that may be gone (a decompressed copy is deleted with the run's
        working folder).
        """
        view = f"{table}_v"
        self.con.register(view, rel)
        try:
            yield view
        finally:
            self.con.unregister(view)

    def _read_sheet(self, book: Workbook, sheet: str, source: Source, table: str) -> list[str]:
        """One sheet into ``table`` as text, with the sheet's own row numbers."""
        rows = book.rows(sheet)
        line = 0
        if source.header_row == 0:
            names = checked_names(list(source.names or []))
        else:
            header: tuple[Any, ...] | None = None
            for _ in range(source.header_row):
                header = next(rows, None)
            if header is None or not any(v is not None for v in header):
                raise IngestError(
                    "the sheet is empty: there is no header row",
                    "put the column names in the first row, or set header_row",
                )
            names = checked_names([cell_text(v) or "" for v in header])
            line = source.header_row
        values: list[list[str | None]] = [[] for _ in names]
        lines: list[int] = []
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
                values[i].append(cell_text(row[i]) if i < len(row) else None)
            lines.append(line)
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
        return names

    def _read_database(self, name: str, source: Source) -> RawSource:

        from onpace.spec.envvars import expand_env

        assert source.database is not None
        url = expand_env(source.database, f"sources.{name}.database")
        what = source.table or "query"
        backend: Any = None
        try:
            backend = _connect(url, self.root)
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
        self._union_view(view, names, [_Piece(table, read, 1, names)])
        return RawSource(name, view, names, [read])


def _glob(root: Path, patterns: tuple[str, ...]) -> list[Path]:
    found: list[Path] = []
    for pattern in patterns:
        full = pattern if Path(pattern).is_absolute() else str(root / pattern)
        found.extend(Path(m) for m in sorted(glob.glob(full, recursive=True)) if Path(m).is_file())
    return list(dict.fromkeys(found))


def _connect(url: str, root: Path) -> Any:
    """An Ibis connection; a DuckDB file opens read-only, unable to read other files."""
    import ibis

    path = database_file(url, root)
    if path is not None and url.split("://", 1)[0].split("+", 1)[0] == "duckdb":
        return ibis.duckdb.connect(str(path), read_only=True, enable_external_access=False)
    if path is not None:
        return ibis.sqlite.connect(str(path))
    return ibis.connect(_ibis_url(url))


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


def detect_format(path: Path) -> str:
    """The format a file's name says, checked against its first bytes for workbooks."""
    suffixes = [x.lower() for x in path.suffixes]
    fmt = "csv"
    for suffix in reversed(suffixes):
        if suffix in FORMATS_BY_SUFFIX:
            fmt = FORMATS_BY_SUFFIX[suffix]
            break
    if fmt in ("xlsx", "xls") and path.exists():
        with path.open("rb") as fh:
            magic = fh.read(8)
        if magic.startswith(b"PK"):
            return "xlsx"
        if magic == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            return "xls"
        raise IngestError(
            f"{path.name} is named like an Excel workbook but is not one (it may be an HTML "
            "or text export)",
            "export it as CSV or .xlsx; if it is CSV text, set format: csv",
        )
    return fmt


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


_COLUMNS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")
_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")


def _first_line(exc: BaseException) -> str:
    """The reader's error in one line, saying where, never quoting the file's content.

    DuckDB's CSV errors carry the whole offending line ("Original Line: ..."); a message
    must name the place and what is wrong, not repeat what the file holds.
    """
    text = str(exc).strip()
    for prefix in ("Invalid Input Error: ", "Conversion Error: ", "IO Error: "):
        text = text.removeprefix(prefix)
    at = _CSV_LINE.search(text)
    if at is not None:
        where = f"line {at.group(1)}"
        columns = _COLUMNS.search(text)
        if columns:
            return f"{where} has {columns.group(2)} fields, the header has {columns.group(1)}"
        if "unterminated quote" in text:
            return f"{where}: a quoted value is not closed (the file may be cut short)"
        if "Maximum line size" in text:
            return f"{where} is longer than {MAX_LINE_BYTES // (1024 * 1024)} MB"
        if "unicode" in text.lower():
            return f"{where} has bytes that are not UTF-8"
        kinds = [ln for ln in text.splitlines()[1:] if ln.strip() and not ln.startswith("Original")]
        return f"{where}: {kinds[0][:200] if kinds else 'the line cannot be read'}"
    lines = [ln for ln in text.splitlines() if ln.strip()]
    head = lines[0] if lines else type(exc).__name__
    return re.sub(r"b'[^']*'|b\"[^\"]*\"", "...", head)[:300]


def _fix_for(exc: BaseException) -> str:
    text = str(exc)
    if "unterminated quote" in text:
        return "the file ends inside a quoted value or a quote is not closed: export it again"
    if "Expected Number of Columns" in text:
        return "a line has more or fewer fields than the header: check the delimiter and quoting"
    if "Maximum line size" in text:
        return "a line is longer than 32 MB: the file is probably damaged"
    return "check that the file is complete and in the format its name says"
