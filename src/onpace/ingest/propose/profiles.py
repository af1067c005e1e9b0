"""What the values of every column are, counted over the whole file.

One SQL pass per table counts, per column, the filled values, the distinct ones,
their lengths, and how many read as integers, as numbers with a decimal point or a
decimal comma, as negative, as e-mail addresses, currency codes or yes/no words.
Columns whose values look like dates are then tried against a list of date formats
with the ingest's own date reading, over every distinct value, so that the format
proposed is one the ingest reads for the whole column (not for a sample). Columns
with few distinct values keep all of them with their counts: a stage holding 500 of
100,000 rows is seen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from onpace.ingest import sql
from onpace.ingest.propose.vocabulary import Concepts, read_name

FEW_VALUES = 60
_SHORTLIST_SAMPLE = 3000
DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M %z",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y%m%d",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d.%m.%y",
    "%d-%m-%y",
    "%d/%m/%y",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y",
    "%m/%d/%y %H:%M",
    "%m/%d/%y",
    "%m-%d-%Y",
    "%d-%b-%Y",
    "%d %b %Y",
    "%b %d, %Y %I:%M:%S %p",
    "%b %d, %Y %H:%M:%S",
    "%b %d, %Y",
    "%d %b %Y %H:%M",
    "%B %d, %Y",
    "%d %B %Y",
)
_DATEY = (
    r"\d{1,4}[-/. ]\d{1,2}[-/. ]\d{1,4}.*|\d{8}|\d{1,2}[- ][A-Za-z]{3,9}[- ,]+\d{2,4}.*"
    r"|[A-Za-z]{3,9} \d{1,2}, \d{4}.*|\d{4}-\d{2}-\d{2}T.*"
)
# a decimal point (comma) followed by 1-2 or 4+ digits: 3 could be thousands the other way
_DOT_DECIMALS = r"[^,]*\.\d{1,2}|[^,]*\.\d{4,}|.*,\d{3}\.\d+"
_COMMA_DECIMALS = r"[^.]*,\d{1,2}|[^.]*,\d{4,}|.*\.\d{3},\d+"
_INT = r"[+-]?\d+"
_DOT = r"[+-]?[$€£¥]?\s?[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?\s?[$€£¥]?|\([$€£¥]?\d[\d,]*(\.\d+)?\)"
_COMMA = (
    r"[+-]?[$€£¥]?\s?[+-]?(\d{1,3}(\.\d{3})+|\d{1,3}( \d{3})+|\d+)(,\d+)?\s?[$€£¥]?"
    r"|\([$€£¥]?\d[\d.]*(,\d+)?\)"
)
# order and document numbers: #1001, SO-50012, INV/2024/0042, F2300017
_CODE = r"#?[A-Za-z]{0,6}[-_/.]?(\d{2,}[-_/.]?)+[A-Za-z]?"
_EMAIL = r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}"
_FLAGS = (
    "true",
    "false",
    "yes",
    "no",
    "y",
    "n",
    "ja",
    "nee",
    "nein",
    "oui",
    "non",
    "si",
    "sí",
    "wahr",
    "falsch",
    "t",
    "f",
)


@dataclass
class Profile:
    """The counts of one column, over every row of its table."""

    name: str
    rows: int
    filled: int = 0
    distinct: int = 0
    max_len: int = 0
    avg_len: float = 0.0
    integers: int = 0
    dot_numbers: int = 0
    comma_numbers: int = 0
    dot_decimals: int = 0
    comma_decimals: int = 0
    negatives: int = 0
    spaced: int = 0
    emails: int = 0
    codes: int = 0
    flags: int = 0
    datey: int = 0
    code_like: int = 0
    int_min: int | None = None
    int_max: int | None = None
    max_decimals: int = 0
    num_min: float | None = None
    num_max: float | None = None
    date_format: str | None = None  # "" when ISO 8601 needs no format
    date_rate: float = 0.0
    date_ambiguous: bool = False
    values: dict[str, int] | None = None
    examples: list[str] = field(default_factory=list)

    @property
    def concepts(self) -> Concepts:
        return read_name(self.name)

    def share(self, count: int) -> float:
        return count / self.filled if self.filled else 0.0

    @property
    def fill(self) -> float:
        return self.filled / self.rows if self.rows else 0.0

    @property
    def unique(self) -> bool:
        """Every row has a value and no value repeats."""
        return self.rows > 0 and self.filled == self.rows == self.distinct

    @property
    def is_date(self) -> bool:
        return self.date_format is not None and self.date_rate >= 0.95

    @property
    def is_integer(self) -> bool:
        return self.filled > 0 and self.share(self.integers) >= 0.98

    @property
    def decimal(self) -> str | None:
        """``.`` or ``,`` when the column reads as numbers in that notation, else None."""
        if not self.filled:
            return None
        if self.comma_decimals and not self.dot_decimals and self.share(self.comma_numbers) >= 0.98:
            return ","
        if self.share(self.dot_numbers) >= 0.98:
            return "."
        if self.share(self.comma_numbers) >= 0.98:
            return ","
        return None

    @property
    def is_number(self) -> bool:
        return self.decimal is not None and not self.is_date

    @property
    def row_number(self) -> bool:
        """Integers 1..N (or 0..N-1) in a unique column: a line counter, not a business key."""
        if not (self.unique and self.is_integer) or self.int_min is None or self.int_max is None:
            return False
        return self.int_min in (0, 1) and self.int_max - self.int_min + 1 == self.rows

    @property
    def codes_only(self) -> bool:
        """Every value is a document number such as #1001 or SO-50012."""
        return self.filled > 0 and self.share(self.code_like) >= 0.98

    @property
    def free_text(self) -> bool:
        """Long values with spaces: descriptions, comments, addresses."""
        return self.avg_len > 25 and self.share(self.spaced) > 0.5

    @property
    def id_like(self) -> bool:
        """Short codes or numbers, not dates, not amounts with decimals, not prose."""
        if not self.filled or self.is_date or self.free_text or self.max_len > 64:
            return False
        if self.is_number and not self.is_integer and not (self.unique and self.max_decimals >= 6):
            return False  # amounts are not ids; 1700000123.1700000456 (unique) is
        return self.share(self.spaced) <= 0.5 or self.avg_len <= 20


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _column_sql(i: int, name: str) -> list[str]:
    v = f"nullif(trim({_q(name)}), '')"
    c = f"count(*) FILTER (WHERE {v} IS NOT NULL AND "
    flags = ", ".join(f"'{w}'" for w in _FLAGS)
    return [
        f"count({v}) AS c{i}_filled",
        f"count(DISTINCT {v}) AS c{i}_distinct",
        f"coalesce(max(length({v})), 0) AS c{i}_max_len",
        f"coalesce(avg(length({v})), 0) AS c{i}_avg_len",
        f"{c}regexp_full_match({v}, '{_INT}')) AS c{i}_integers",
        f"{c}regexp_full_match({v}, '{_DOT}')) AS c{i}_dot_numbers",
        f"{c}regexp_full_match({v}, '{_COMMA}')) AS c{i}_comma_numbers",
        f"{c}regexp_full_match({v}, '{_DOT_DECIMALS}')) AS c{i}_dot_decimals",
        f"{c}regexp_full_match({v}, '{_COMMA_DECIMALS}')) AS c{i}_comma_decimals",
        f"{c}regexp_full_match({v}, '\\s*(-|\\().*')) AS c{i}_negatives",
        f"{c}regexp_matches({v}, '\\s')) AS c{i}_spaced",
        f"{c}regexp_full_match({v}, '{_EMAIL}')) AS c{i}_emails",
        f"{c}regexp_full_match({v}, '[A-Z]{{3}}')) AS c{i}_codes",
        f"{c}lower({v}) IN ({flags})) AS c{i}_flags",
        f"{c}regexp_full_match({v}, '{_DATEY}')) AS c{i}_datey",
        f"{c}regexp_full_match({v}, '{_CODE}')) AS c{i}_code_like",
        f"min(TRY_CAST({v} AS BIGINT)) AS c{i}_int_min",
        f"max(TRY_CAST({v} AS BIGINT)) AS c{i}_int_max",
        f"coalesce(max(length(regexp_extract({v}, '[.,](\\d+)$', 1))), 0) AS c{i}_max_decimals",
        f"min(TRY_CAST(replace({v}, ',', '.') AS DOUBLE)) AS c{i}_num_min",
        f"max(TRY_CAST(replace({v}, ',', '.') AS DOUBLE)) AS c{i}_num_max",
    ]


_FIELDS = (
    "filled",
    "distinct",
    "max_len",
    "avg_len",
    "integers",
    "dot_numbers",
    "comma_numbers",
    "dot_decimals",
    "comma_decimals",
    "negatives",
    "spaced",
    "emails",
    "codes",
    "flags",
    "datey",
    "code_like",
    "int_min",
    "int_max",
    "max_decimals",
    "num_min",
    "num_max",
)


def profile_table(con: Any, view: str, columns: list[str], rows: int, excel: bool) -> list[Profile]:
    """A profile of every column of ``view``, counted over all its rows."""
    if not columns:
        return []
    selects = [part for i, name in enumerate(columns) for part in _column_sql(i, name)]
    row = con.execute(f"SELECT {', '.join(selects)} FROM {view}").fetchone()
    width = len(_FIELDS)
    out = []
    for i, name in enumerate(columns):
        values: dict[str, Any] = dict(zip(_FIELDS, row[i * width : (i + 1) * width], strict=True))
        profile = Profile(name, rows, **values)
        profile.avg_len = float(profile.avg_len or 0)
        out.append(profile)
    for p in out:
        if p.filled and p.distinct <= FEW_VALUES:
            p.values = _value_counts(con, view, p.name)
        p.examples = _examples(con, view, p.name)
        if p.filled and p.share(p.datey) >= 0.8:
            _find_date_format(con, view, p, excel)
    _settle_day_month(out)
    return out


def _value_counts(con: Any, view: str, name: str) -> dict[str, int]:
    v = f"nullif(trim({_q(name)}), '')"
    rows = con.execute(
        f"SELECT {v} AS v, count(*) AS n FROM {view} WHERE {v} IS NOT NULL "
        "GROUP BY v ORDER BY n DESC, v"
    ).fetchall()
    return {str(value): int(n) for value, n in rows}


def _examples(con: Any, view: str, name: str) -> list[str]:
    v = f"nullif(trim({_q(name)}), '')"
    rows = con.execute(f"SELECT {v} FROM {view} WHERE {v} IS NOT NULL LIMIT 3").fetchall()
    return [str(r[0]) for r in rows]


def _distinct_sample(con: Any, view: str, name: str) -> list[str]:
    v = f"nullif(trim({_q(name)}), '')"
    rows = con.execute(
        f"SELECT DISTINCT {v} FROM {view} WHERE {v} IS NOT NULL LIMIT {_SHORTLIST_SAMPLE}"
    ).fetchall()
    return [str(r[0]) for r in rows]


def _python_fits(fmt: str, values: list[str]) -> bool:
    try:
        for value in values:
            datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def _parsed_share(con: Any, view: str, name: str, formats: list[str], excel: bool) -> float:
    """Share of the column's distinct values the ingest reads with ``formats`` (ISO if empty)."""
    text = sql.fill("nullif(trim(__c), '')", c=sql.ident(name))
    parsed = sql.timestamp_value(text, formats, "UTC", "UTC", excel and not formats)
    query = (
        f"SELECT count(*) FILTER (WHERE p IS NOT NULL), count(*) FROM ("
        f"SELECT DISTINCT {sql.render(text)} AS s, {sql.render(parsed)} AS p FROM {view}"
        f" WHERE {sql.render(text)} IS NOT NULL)"
    )
    ok, total = con.execute(query).fetchone()
    return ok / total if total else 0.0


def _find_date_format(con: Any, view: str, p: Profile, excel: bool) -> None:
    """The first format that reads every value (ISO first), tried in the ingest's own SQL."""
    sample = _distinct_sample(con, view, p.name)
    iso = _parsed_share(con, view, p.name, [], excel)
    if iso >= 0.999 and not all(re.fullmatch(r"\d{8}", v) for v in sample):
        p.date_format, p.date_rate = "", iso
        return
    fitting = [f for f in DATE_FORMATS if _python_fits(f, sample)]
    for fmt in fitting:
        rate = _parsed_share(con, view, p.name, [fmt], excel)
        if rate >= 0.95:
            p.date_format, p.date_rate = fmt, rate
            p.date_ambiguous = _swapped(fmt) in fitting
            return
    if iso >= 0.95:
        p.date_format, p.date_rate = "", iso


def _swapped(fmt: str) -> str:
    """The same format with day and month the other way round."""
    return fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")


def _settle_day_month(profiles: list[Profile]) -> None:
    """Day-first or month-first for columns every value of which reads both ways.

    Another date column of the same table that shows the order (a day above 12)
    decides it; otherwise day-first, the order of every language here but US English.
    """
    decided = [p.date_format for p in profiles if p.date_format and not p.date_ambiguous]
    month_first = any(f.startswith("%m") for f in decided if f)
    day_first = any(f.startswith("%d") for f in decided if f)
    for p in profiles:
        if not (p.date_ambiguous and p.date_format):
            continue
        wants_month = month_first and not day_first
        if p.date_format.startswith("%m") != wants_month:
            p.date_format = _swapped(p.date_format)
