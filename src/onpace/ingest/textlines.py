"""Space-aligned text: fields separated by runs of blanks, or fixed-width fields.

Reports printed for people (a mainframe extract, a till log, a bank statement) align
their columns with spaces. Two readings:

- ``format: text``: fields are separated by one or more spaces or tabs; a field with
  blanks inside is quoted (``"New York"``). A line with more or fewer fields than the
  header cannot be placed, so it is quarantined with how many it has.
- ``format: fixed``: every field has a width (``widths:``); the header line is cut at
  the same places. A line with text beyond the last field is quarantined.

Lines are read into DuckDB as they are (one column, blank lines kept so line numbers
stay exact) and split there; the split fields and a ``_row_reason`` land in a text
table like every other reader's.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from onpace.errors import IngestError
from onpace.ingest import sql
from onpace.ingest.files import checked_names
from onpace.ingest.source_spec import Source

_TOKENS = r'"[^"]*"|\S+'
_SEPARATOR = "\x1e"  # a record separator: no field of a text report holds it


def _lines(con: Any, path: Path, table: str) -> None:
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table}_read AS SELECT line "
        "FROM read_csv(?, header = false, columns = {'line': 'VARCHAR'}, delim = ?, "
        "quote = '', escape = '', auto_detect = false, strict_mode = true, "
        "max_line_size = 33554432)",
        [str(path), _SEPARATOR],
    )
    # a table keeps the file's order: its row ids are the line numbers
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT line, CAST(rowid + 1 AS BIGINT) AS n "
        f"FROM {table}_read"
    )
    con.execute(f"DROP TABLE {table}_read")


def _header_line(con: Any, lines: str, source: Source) -> str:
    row = con.execute(f"SELECT line FROM {lines} WHERE n = ?", [source.header_row]).fetchone()
    if row is None or row[0] is None or not str(row[0]).strip():
        raise IngestError(
            f"line {source.header_row} (the header) is empty",
            "set header_row to the line with the column names, or header_row: 0 with names",
        )
    return str(row[0])


def fixed_names(header: str, widths: Sequence[int]) -> list[str]:
    """The header cut at the fields' widths."""
    names, start = [], 0
    for width in widths:
        names.append(header[start : start + width].strip())
        start += width
    return names


def read_text_lines(con: Any, path: Path, source: Source, table: str) -> list[str]:
    """A ``text`` or ``fixed`` file into ``table``: its fields, ``_xl_line``, ``_row_reason``."""
    lines = f"{table}_lines"
    _lines(con, path, lines)
    fixed = source.format == "fixed"
    if source.header_row == 0:
        names = list(source.names or [])
    else:
        header = _header_line(con, lines, source)
        if fixed:
            names = fixed_names(header, source.widths or [])
        else:
            names = [t.strip('"') for t in _split_in_python(header)]
    names = checked_names(names)
    body = f"n > {int(source.header_row)} AND line IS NOT NULL AND trim(line) <> ''"
    if fixed:
        columns, reason = _fixed_columns(names, source.widths or [])
    else:
        columns, reason = _text_columns(names)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {columns}, n AS _xl_line, "
        f"{reason} AS _row_reason FROM (SELECT *, regexp_extract_all(line, {_lit(_TOKENS)}) "
        f"AS _t FROM {lines} WHERE {body}) ORDER BY n"
    )
    con.execute(f"DROP TABLE {lines}")
    return names


def _split_in_python(line: str) -> list[str]:
    import re

    return re.findall(_TOKENS, line)


def _lit(text: str) -> str:
    return sql.render(sql.lit(text))


def _text_columns(names: list[str]) -> tuple[str, str]:
    cols = [
        f"NULLIF(regexp_replace(_t[{i + 1}], '^\"(.*)\"$', '\\1'), '') AS "
        f"{sql.render(sql.ident(name))}"
        for i, name in enumerate(names)
    ]
    expected = len(names)
    reason = (
        f"CASE WHEN len(_t) <> {expected} THEN 'the line has ' || CAST(len(_t) AS VARCHAR) || "
        f"{_lit(f' fields separated by blanks, the header has {expected}')} END"
    )
    return ", ".join(cols), reason


def _fixed_columns(names: list[str], widths: Sequence[int]) -> tuple[str, str]:
    cols, start = [], 1
    for name, width in zip(names, widths, strict=True):
        field = f"NULLIF(trim(substr(line, {start}, {int(width)})), '')"
        cols.append(f"{field} AS {sql.render(sql.ident(name))}")
        start += width
    total = start - 1
    prefix = _lit(f"the line has text after character {total}, where the last field ends: '")
    beyond = f"left(trim(substr(line, {total + 1})), 60)"
    reason = (
        f"CASE WHEN length(rtrim(substr(line, {total + 1}))) > 0 "
        f"THEN {prefix} || {beyond} || {_lit(chr(39))} END"
    )
    return ", ".join(cols), reason


def propose_widths(path: Path, encoding: str = "utf-8", sample_lines: int = 2000) -> list[int]:
    """Field widths for a fixed-width file, from the columns that are blank on every line.

    A column of characters that is a space on every non-blank line of the sample (and
    the next column is not) ends a field. The last field runs to the longest line. For
    ``onpace init --from``: it proposes, the user checks.
    """
    lines: list[str] = []
    with path.open("r", encoding=encoding, errors="replace", newline="") as fh:
        for raw in fh:
            text = raw.rstrip("\r\n")
            if text.strip():
                lines.append(text.expandtabs(8))
            if len(lines) >= sample_lines:
                break
    if not lines:
        return []
    longest = max(len(ln) for ln in lines)
    blank = [all(i >= len(ln) or ln[i] == " " for ln in lines) for i in range(longest)]
    widths, start = [], 0
    for i in range(1, longest):
        if blank[i - 1] and not blank[i]:  # a run of blanks ends: the next field starts here
            widths.append(i - start)
            start = i
    widths.append(longest - start)
    return widths
