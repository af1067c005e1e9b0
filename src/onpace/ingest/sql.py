r"""SQL pieces of the ingest, built as sqlglot syntax trees, never from pasted user text.

Each piece is a fixed template written here (``TRY_CAST(__s AS DOUBLE)``) whose
placeholders are replaced by syntax-tree nodes: quoted identifiers for column
names and string literals for values, which sqlglot escapes when it renders
DuckDB SQL. A column called ``a"; DROP TABLE orders --`` is therefore just an odd
column name.

>>> render(ident('Customer ID'))
'"Customer ID"'
>>> print(render(ident('a"; DROP TABLE orders --')))
"a""; DROP TABLE orders --"
>>> print(render(lit("it's")))
'it''s'
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import cast as type_cast

import sqlglot
from sqlglot import exp

from onpace.model.entities import Entity

DIALECT = "duckdb"
STORAGE_TYPES: dict[str, str] = {
    "id": "VARCHAR",
    "string": "VARCHAR",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
    "money": "DECIMAL(38, 12)",  # while a run works; stored at the places the data needs
    "number": "DOUBLE",
    "integer": "BIGINT",
    "boolean": "BOOLEAN",
}
TRUE_WORDS = ("true", "t", "yes", "y", "1", "ja", "j", "oui", "si", "sí", "x", "on")
FALSE_WORDS = ("false", "f", "no", "n", "0", "nee", "nein", "non", "off")
# an ISO time followed by Z or a numeric offset: 10:00Z, 10:00:00+02:00, 10:00:00.5-0500, +00
_OFFSET_RE = r"\d:\d\d(:\d\d(\.\d+)?)?\s*([Zz]|[+-]\d\d(:?\d\d)?)$"
# blanks, currency signs, and ISO currency codes before or after the number
_CLEAN_RE = "[\\s\u00a0\u202f\u20ac$\u00a3\u00a5\u20a3\u20a4\u20b9\u20bd]|^[A-Z]{3}|[A-Z]{3}$"
MONEY_WORK = "DECIMAL(38, 12)"
BLANKS = " \t\n\r\x0b\x0c\u00a0\u2007\u202f\u3000\ufeff"
_BLANK_CLASS = "[" + "".join(f"\\x{{{ord(c):04x}}}" for c in BLANKS) + "]"
# without a format a date is ISO 8601 with a four-digit year: 05-01-24 is never the year 5
ISO_DATE_START = r"^\d{4}-\d{1,2}-\d{1,2}"
TWO_DIGIT_YEAR = r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2}([ T].*)?"


def ident(name: str) -> exp.Column:
    """A column reference; the name is quoted and escaped whatever it contains."""
    return exp.Column(this=exp.to_identifier(name, quoted=True))


def lit(value: str | int | float | bool | None) -> exp.Expression:
    """A literal; strings are escaped by sqlglot."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    return exp.Literal.string(value)


def render(node: exp.Expression) -> str:
    return node.sql(dialect=DIALECT)


@cache
def _parsed(template: str) -> exp.Expression:
    return type_cast(exp.Expression, sqlglot.parse_one(template, dialect=DIALECT))


def fill(template: str, **nodes: exp.Expression) -> exp.Expression:
    """The template with each ``__name`` column replaced by the node given for it."""

    def swap(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and not node.table and node.name.startswith("__"):
            return nodes[node.name[2:]].copy()
        return node

    return _parsed(template).copy().transform(swap)


def text_value(raw: exp.Expression) -> exp.Expression:
    """Text without blanks around it (spaces, tabs, line ends, no-break spaces); blank: missing.

    DuckDB's trim of a set of characters is several times slower than a regular
    expression's test, so only text that starts or ends with a blank is trimmed.
    """
    return fill(
        "NULLIF(CASE WHEN regexp_matches(__x, __edge) THEN trim(__x, __blanks) ELSE __x END, '')",
        x=raw,
        edge=lit(f"^{_BLANK_CLASS}|{_BLANK_CLASS}$"),
        blanks=lit(BLANKS),
    )


def number_text(s: exp.Expression, decimal: str, thousands: str) -> exp.Expression:
    """Canonical number text (``-1234.5``, ``1e3``) from text written the way the source does.

    ``1234.5``, ``1,234.50``, ``$ 1,234.50``, ``12.50 EUR``, ``(12.50)`` (accounting
    negative) and ``12.50-`` with ``decimal: "."``; ``1.234,56`` and ``1 234,56`` with
    ``decimal: ","``. A thousands separator only counts between groups of three digits,
    so ``1,5`` is not read as fifteen. ``1_000``, ``0x10``, ``inf``, ``nan`` and ``12%``
    are not numbers. The text is cast to DOUBLE or to an exact DECIMAL by the caller.
    """
    t = "" if thousands == "" else "\\" + thousands if thousands in ".'" else thousands
    d = "\\" + decimal
    grouped = rf"[+-]?\d{{1,3}}({t}\d{{3}})+({d}\d+)?" if t else r"[+-]?\d+"
    plain = rf"[+-]?(\d+({d}\d*)?|{d}\d+)([eE][+-]?\d+)?"
    fast = fill(
        "CASE WHEN regexp_full_match(__s, __simple) THEN replace(__s, __d, '.') END",
        s=s,
        simple=lit(rf"-?\d+({d}\d+)?"),
        d=lit(decimal),
    )
    clean = fill(
        "regexp_replace(regexp_replace(regexp_replace(__s, __r, '', 'g'), "
        "'^\\((.*)\\)$', '-\\1'), '^([^-].*)-$', '-\\1')",
        s=s,
        r=lit(_CLEAN_RE),
    )
    slow = fill(
        "CASE WHEN regexp_full_match(__c, __plain) THEN replace(__c, __d, '.')"
        " WHEN regexp_full_match(__c, __grouped) THEN "
        "replace(replace(__c, __t, ''), __d, '.') END",
        c=clean,
        plain=lit(plain),
        grouped=lit(grouped),
        d=lit(decimal),
        t=lit(thousands),
    )
    return fill("COALESCE(__fast, __slow)", fast=fast, slow=slow)


def number_value(s: exp.Expression, decimal: str, thousands: str) -> exp.Expression:
    """A DOUBLE from text written the way the source writes numbers (see number_text)."""
    return fill("TRY_CAST(__n AS DOUBLE)", n=number_text(s, decimal, thousands))


def exact(text: exp.Expression) -> exp.Expression:
    """Canonical number text as an exact DECIMAL(38, 12): the working type of money.

    DuckDB reads text into a 38-digit decimal about a hundred times slower than into
    an 18-digit one, so text with at most 12 digits before the point and 6 after (all
    but a few amounts) goes through DECIMAL(18, 6), exactly, and only the rest is read
    at 38 digits directly.
    """
    return fill(
        f"CASE WHEN regexp_full_match(__n, '-?\\d{{1,12}}(\\.\\d{{1,6}})?') "
        f"THEN CAST(CAST(__n AS DECIMAL(18, 6)) AS {MONEY_WORK}) "
        f"ELSE TRY_CAST(__n AS {MONEY_WORK}) END",
        n=text,
    )


def decimal_places(text: exp.Expression) -> exp.Expression:
    """How many places canonical number text has after the point (exponent forms: 0)."""
    return fill("length(regexp_extract(__n, '\\.(\\d+)$', 1))", n=text)


def shift_zone(ts: exp.Expression, source_zone: str, workspace_zone: str) -> exp.Expression:
    """Naive wall-clock time in ``source_zone`` as wall-clock time in ``workspace_zone``."""
    if source_zone == workspace_zone:
        return ts
    return fill(
        "timezone(__w, timezone(__z, __ts))", w=lit(workspace_zone), z=lit(source_zone), ts=ts
    )


def timestamp_value(
    s: exp.Expression,
    formats: Sequence[str],
    source_zone: str,
    workspace_zone: str,
    excel_serials: bool,
) -> exp.Expression:
    """A naive TIMESTAMP in the workspace zone from text in the given formats.

    Without formats, ISO 8601 is read; values with an offset (``Z``, ``+02:00``) are
    converted from that offset, values without one are taken in ``source_zone``.
    ``excel`` (or an .xlsx source) also reads Excel date serials (days since 1899-12-30).
    """
    w = lit(workspace_zone)
    strp = [f for f in formats if f != "excel"]
    options: list[exp.Expression] = []
    if excel_serials or "excel" in formats:
        options.append(
            fill(
                "CASE WHEN regexp_full_match(__s, '\\d{1,6}(\\.\\d+)?') "
                "THEN TIMESTAMP '1899-12-30' + to_microseconds("
                "CAST(round(CAST(__s AS DOUBLE) * 86400000000) AS BIGINT)) END",
                s=s,
            )
        )
    naive = [f for f in strp if "%z" not in f and "%Z" not in f]
    aware = [f for f in strp if f not in naive]
    if naive:
        fmts = exp.Array(expressions=[lit(f) for f in naive])
        options.append(
            shift_zone(fill("try_strptime(__s, __f)", s=s, f=fmts), source_zone, workspace_zone)
        )
    if aware:
        fmts = exp.Array(expressions=[lit(f) for f in aware])
        options.append(fill("timezone(__w, try_strptime(__s, __f))", s=s, f=fmts, w=w))
    if not strp:
        options.append(
            fill(
                "CASE WHEN NOT regexp_matches(__s, __iso) THEN NULL "
                "WHEN length(__s) > 19 AND regexp_matches(__s, __re) "
                "THEN timezone(__w, TRY_CAST(__s AS TIMESTAMPTZ)) ELSE __naive END",
                s=s,
                re=lit(_OFFSET_RE),
                iso=lit(ISO_DATE_START),
                w=w,
                naive=shift_zone(
                    fill("TRY_CAST(__s AS TIMESTAMP)", s=s), source_zone, workspace_zone
                ),
            )
        )
    if len(options) == 1:
        return options[0]
    return exp.Coalesce(this=options[0], expressions=options[1:])


def date_value(s: exp.Expression, formats: Sequence[str], excel_serials: bool) -> exp.Expression:
    """A DATE: the day of the timestamp the text gives, without any zone conversion."""
    if not formats and not excel_serials:
        return fill(
            "CASE WHEN regexp_matches(__s, __iso) THEN "
            "COALESCE(TRY_CAST(__s AS DATE), CAST(TRY_CAST(__s AS TIMESTAMP) AS DATE)) END",
            s=s,
            iso=lit(ISO_DATE_START),
        )
    ts = timestamp_value(s, formats, "UTC", "UTC", excel_serials)
    return fill("CAST(__ts AS DATE)", ts=ts)


def boolean_value(s: exp.Expression) -> exp.Expression:
    return fill(
        "CASE WHEN lower(__s) IN __t THEN TRUE WHEN lower(__s) IN __f THEN FALSE END",
        s=s,
        t=exp.Tuple(expressions=[lit(w) for w in TRUE_WORDS]),
        f=exp.Tuple(expressions=[lit(w) for w in FALSE_WORDS]),
    )


def mapped(
    s: exp.Expression, mapping: dict[str, str | int | float | bool | None]
) -> exp.Expression:
    """``s`` with whole values replaced as the map says; others unchanged."""
    case = exp.Case()
    for key, value in mapping.items():
        case = case.when(
            exp.EQ(this=s.copy(), expression=lit(key)),
            lit(
                None
                if value is None
                else str(value).lower()
                if isinstance(value, bool)
                else str(value)
            ),
        )
    return case.else_(s.copy())


def cast(node: exp.Expression, kind: str) -> exp.Expression:
    """A typed value in the storage type of a column kind (null when it does not fit)."""
    if kind == "money":
        return fill(f"TRY(CAST(__v AS {MONEY_WORK}))", v=node)
    if kind == "integer":
        return fill("CASE WHEN __v = round(__v) THEN TRY_CAST(__v AS BIGINT) END", v=node)
    return exp.TryCast(this=node, to=exp.DataType.build(STORAGE_TYPES[kind], dialect=DIALECT))


def integer_value(number: exp.Expression) -> exp.Expression:
    """A BIGINT from canonical number text: digits directly, other spellings only when whole."""
    # DuckDB rounds '1.5' to 2 when casting text to BIGINT, so only plain digits go direct
    return fill(
        "CASE WHEN regexp_full_match(__n, '[+-]?\\d+') THEN TRY_CAST(__n AS BIGINT) "
        f"WHEN TRY_CAST(__n AS {MONEY_WORK}) = round(TRY_CAST(__n AS {MONEY_WORK})) "
        f"THEN TRY_CAST(TRY_CAST(__n AS {MONEY_WORK}) AS BIGINT) END",
        n=number,
    )


def raw_select(
    table: str,
    columns: list[str],
    path: str,
    first_line: int,
    seq_base: int,
    has_reason: bool = False,
) -> str:
    """The rows of one read file with ``_file``, ``_line``, ``_seq`` and ``_row_reason`` added."""
    cols: list[exp.Expression] = [ident(c) for c in columns]
    if first_line < 0:  # the reader stored exact line numbers (Excel rows, text lines)
        line: exp.Expression = ident("_xl_line")
        seq = fill("_xl_line + __b", b=lit(seq_base))
    else:
        line = fill("rowid + __f", f=lit(first_line))
        seq = fill("rowid + __b", b=lit(seq_base))
    reason = ident("_row_reason") if has_reason else exp.cast(exp.Null(), "VARCHAR")
    select = exp.select(
        *cols,
        exp.alias_(lit(path), "_file"),
        exp.alias_(exp.cast(line, "BIGINT"), "_line"),
        exp.alias_(exp.cast(seq, "BIGINT"), "_seq"),
        exp.alias_(reason, "_row_reason"),
    ).from_(exp.to_table(table))
    return render(select)


def empty_select(columns: list[str]) -> str:
    cols = [exp.alias_(exp.cast(exp.Null(), "VARCHAR"), c, quoted=True) for c in columns]
    return render(
        exp.select(
            *cols,
            exp.alias_(exp.cast(exp.Null(), "VARCHAR"), "_file"),
            exp.alias_(exp.cast(exp.Null(), "BIGINT"), "_line"),
            exp.alias_(exp.cast(exp.Null(), "BIGINT"), "_seq"),
            exp.alias_(exp.cast(exp.Null(), "VARCHAR"), "_row_reason"),
        ).where(exp.false())
    )


def empty_entity(entity: Entity) -> str:
    """A SELECT of no rows with the entity's columns in their storage types."""
    cols = [
        exp.alias_(exp.cast(exp.Null(), STORAGE_TYPES[c.kind]), c.name, quoted=True)
        for c in entity.columns
    ]
    return render(exp.select(*cols).where(exp.false()))


def varchar_select(view: str, columns: list[str]) -> str:
    """Every column of ``view`` as text (readers of typed formats start from text too)."""
    cols = [exp.alias_(exp.cast(ident(c), "VARCHAR"), c, quoted=True) for c in columns]
    return render(exp.select(*cols).from_(exp.to_table(view)))
