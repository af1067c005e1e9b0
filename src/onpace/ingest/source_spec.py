"""sources.yml: where each entity's rows come from and how the columns map.

A workspace lists its *sources* (a file, a glob of files, or a table or query in a
database) and, per source, the entities of the sales model its rows feed. One
source may feed several entities: a web-shop export of invoice lines gives
orders (lines grouped by invoice), returns (the cancellation invoices) and
customers (grouped by customer id).

The shape is checked here with frozen pydantic models (unknown keys refused);
every error is a :class:`~onpace.errors.SpecIssue` pointing at the line of
sources.yml, like the KPI loader's. Whether a ``from:`` column exists in the data
can only be known once the data is read; those findings carry the same location.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from onpace.errors import SpecIssue
from onpace.spec.validation_issues import validation_issues
from onpace.spec.workspace_config import known_time_zone
from onpace.spec.yaml_lines import LocatedDocument, PathKey, YamlSyntaxError, load_located

SOURCES_FILE = "sources.yml"
Format = Literal["auto", "csv", "text", "fixed", "xlsx", "xls", "parquet", "jsonl"]
Agg = Literal["first", "last", "sum", "min", "max", "count"]
Scalar = str | int | float | bool | None
MAX_DECIMALS = 12


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _check_zone(value: str | None) -> str | None:
    return None if value is None else known_time_zone(value)


class ColumnMap(_Frozen):
    """How one column of the entity is filled.

    ``from`` names the source column; ``expr`` computes the value from source
    columns instead (``Quantity * Price``); ``default`` fills empty values (or is
    the value of every row when neither ``from`` nor ``expr`` is given). ``map``
    replaces whole values before they are typed (``Closed Won: won``); values not
    in the map pass unchanged. ``format`` is a strptime format (or a list tried in
    order, or ``excel`` for Excel date serials) for dates; ``timezone`` is the zone
    of values without an offset. ``agg`` says how the rows of one group combine
    when the entity groups lines (``group_by``). ``min``/``max`` bound numbers and
    ``future: reject`` refuses dates after the moment of the ingest.

    ``fallback`` (``order.ordered_at``) fills an empty value from the row a relation
    of the entity points at; ``allow_missing`` lets a required column stay empty
    (always, or where a condition on the source row holds); ``unknown`` says what a
    reference to a key the target entity lacks does; ``decimals`` fixes the places a
    money column keeps (values with more are rounded, and the summary says so).
    """

    from_: str | None = Field(default=None, alias="from")
    expr: str | None = None
    default: Scalar = None
    map: dict[str, Scalar] | None = None
    format: str | list[str] | None = None
    timezone: str | None = None
    agg: Agg | None = None
    min: float | None = None
    max: float | None = None
    future: Literal["reject", "allow"] | None = None
    fallback: str | None = None
    allow_missing: bool | str | None = None
    unknown: Literal["quarantine", "empty", "stub"] | None = None
    decimals: int | Literal["currency"] | None = None

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return _check_zone(value)

    @field_validator("decimals")
    @classmethod
    def _places(cls, value: int | str | None) -> int | str | None:
        if isinstance(value, int) and not 0 <= value <= MAX_DECIMALS:
            raise ValueError(f"decimals is a number of places from 0 to {MAX_DECIMALS}")
        return value

    @field_validator("fallback")
    @classmethod
    def _dotted(cls, value: str | None) -> str | None:
        if value is not None and len(value.split(".")) != 2:
            raise ValueError("fallback names a relation and its column, e.g. 'order.ordered_at'")
        return value

    @model_validator(mode="after")
    def _one_origin(self) -> ColumnMap:
        if self.from_ is not None and self.expr is not None:
            raise ValueError("give either 'from' or 'expr', not both")
        origins = (self.from_, self.expr, self.default, self.fallback)
        if all(o is None for o in origins):
            raise ValueError("give 'from' (a source column), 'expr' or 'default'")
        return self

    @property
    def formats(self) -> tuple[str, ...]:
        if self.format is None:
            return ()
        return (self.format,) if isinstance(self.format, str) else tuple(self.format)


EntityKey = Literal["row_number"] | list[str]


class EntityMap(_Frozen):
    """The rows of one entity taken from a source.

    ``where`` keeps only the rows it is true for (``Invoice like 'C%'``);
    ``group_by`` names the entity column whose equal values make one row (order
    lines into orders); ``columns`` maps entity columns to source columns. ``key``
    makes the entity key for files without one: ``row_number`` (file and line) or a
    list of source columns whose values together identify a row. ``partial`` marks a
    source that only adds columns to rows other sources of the entity give (see
    ``merge``): it needs only the key.
    """

    where: str | None = None
    group_by: str | None = None
    key: EntityKey | None = None
    partial: bool = False
    columns: dict[str, ColumnMap | str]

    def column_maps(self) -> dict[str, ColumnMap]:
        """Columns with the plain-string shorthand (``order_id: Invoice``) expanded."""
        return {
            name: ColumnMap.model_validate({"from": spec}) if isinstance(spec, str) else spec
            for name, spec in self.columns.items()
        }


class Join(_Frozen):
    """Columns taken from another source's rows by key (order lines from their header).

    ``by`` pairs this source's columns with the other's: one name when both sides call
    it the same, a list of such names for a composite key, or a mapping ``{this side:
    other side}``. ``take`` lists the other source's columns to add (a mapping renames
    them). ``missing`` says what a row without a match does: ``quarantine`` (default)
    or ``keep`` (loaded with the taken columns empty).
    """

    source: str
    by: str | list[str] | dict[str, str]
    take: list[str] | dict[str, str]
    missing: Literal["quarantine", "keep"] = "quarantine"

    @model_validator(mode="before")
    @classmethod
    def _on_is_by(cls, data: Any) -> Any:
        """``on:`` reads as the key ``True`` in YAML 1.1; take it as ``by:``."""
        if isinstance(data, dict) and True in data and "by" not in data:
            data = {("by" if k is True else k): v for k, v in data.items()}
        return data

    @model_validator(mode="after")
    def _not_empty(self) -> Join:
        if not self.by:
            raise ValueError("'by' names at least one key column")
        if not self.take:
            raise ValueError("'take' names at least one column of the other source")
        return self

    @property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        """(this source's column, the other source's column) for each key column."""
        if isinstance(self.by, str):
            return ((self.by, self.by),)
        if isinstance(self.by, list):
            return tuple((c, c) for c in self.by)
        return tuple(self.by.items())

    @property
    def taken(self) -> tuple[tuple[str, str], ...]:
        """(the other source's column, the name it gets here) for each taken column."""
        if isinstance(self.take, list):
            return tuple((c, c) for c in self.take)
        return tuple(self.take.items())


class Source(_Frozen):
    """One place rows come from: files (``file``) or a database (``database`` + table/query)."""

    file: str | list[str] | None = None
    database: str | None = None
    table: str | None = None
    query: str | None = None
    format: Format = "auto"
    encoding: str = "auto"
    delimiter: str = "auto"
    quote: str = '"'
    header_row: int = Field(default=1, ge=0)
    names: list[str] | None = None
    widths: list[int] | None = None
    sheet: str | list[str] | None = None
    members: str | None = None
    decimal: Literal[".", ","] = "."
    thousands: Literal[",", ".", " ", "'", ""] | None = None
    timezone: str | None = None
    join: list[Join] = []
    entities: dict[str, EntityMap] = {}

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return _check_zone(value)

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, value: str) -> str:
        if value == "\\t" or value == "tab":
            return "\t"
        if value != "auto" and len(value) != 1:
            raise ValueError("a delimiter is one character (or 'tab', or 'auto')")
        return value

    @field_validator("widths")
    @classmethod
    def _widths(cls, value: list[int] | None) -> list[int] | None:
        if value is not None and (not value or any(w < 1 for w in value)):
            raise ValueError("widths are the field widths in characters, each at least 1")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> Source:
        if (self.file is None) == (self.database is None):
            raise ValueError("give either 'file' (a path or glob) or 'database' (a URL)")
        if self.database is not None and (self.table is None) == (self.query is None):
            raise ValueError("a database source needs either 'table' or 'query'")
        if self.file is not None and (self.table or self.query):
            raise ValueError("'table' and 'query' belong to database sources")
        if self.thousands is not None and self.thousands == self.decimal:
            raise ValueError("the thousands separator cannot be the decimal separator")
        if self.format == "fixed" and self.widths is None:
            raise ValueError("a fixed-width source needs 'widths' (the width of every field)")
        if self.widths is not None and self.format != "fixed":
            raise ValueError("'widths' is for fixed-width files: add format: fixed")
        if self.header_row == 0 and not self.names:
            raise ValueError("a file without a header (header_row: 0) needs 'names'")
        if self.names is not None and self.header_row != 0:
            raise ValueError("'names' replaces a header: add header_row: 0")
        if self.widths and self.names and len(self.widths) != len(self.names):
            raise ValueError(
                f"{len(self.widths)} widths but {len(self.names)} names: give one name per field"
            )
        return self

    @property
    def patterns(self) -> tuple[str, ...]:
        if self.file is None:
            return ()
        return (self.file,) if isinstance(self.file, str) else tuple(self.file)

    @property
    def sheets(self) -> tuple[str, ...]:
        """The sheet names or patterns asked for; empty: the first visible sheet."""
        if self.sheet is None:
            return ()
        return (self.sheet,) if isinstance(self.sheet, str) else tuple(self.sheet)

    @property
    def thousands_separator(self) -> str:
        if self.thousands is not None:
            return self.thousands
        return "," if self.decimal == "." else "."


class MergeRule(_Frozen):
    """How the rows several sources give one entity combine, per key.

    ``precedence`` lists the sources feeding the entity, the one that wins first.
    ``mode: fill`` (default) takes each column from the first source in that order
    that has a value for it; ``replace`` takes the whole row of the first source that
    has the key.
    """

    precedence: list[str]
    mode: Literal["fill", "replace"] = "fill"


class SourcesFile(_Frozen):
    """The whole of sources.yml."""

    sources: dict[str, Source]
    merge: dict[str, MergeRule] = {}


@dataclass
class LoadedSources:
    """The sources that loaded, and where each piece was written (for later messages)."""

    file: Path
    sources: dict[str, Source]
    document: LocatedDocument | None
    merge: dict[str, MergeRule] = field(default_factory=dict)

    def line(self, *path: str | int) -> int | None:
        return self.document.line_of(tuple(path)) if self.document else None

    def issue(self, path: PathKey, message: str, fix: str = "") -> SpecIssue:
        """An error located at ``path`` inside sources.yml."""
        dotted = ".".join(str(p) for p in path)
        return SpecIssue("error", self.file, self.line(*path), dotted, message, fix)


def _not_a_key(part: str | int) -> bool:
    """Location parts that name union members and validators, not keys of the file."""
    return isinstance(part, str) and (
        part in ("ColumnMap", "str", "list[str]", "dict[str,str]", "int", "bool")
        or part.startswith(("function-", "literal[", "list[", "dict["))
    )


def _pydantic_issues(exc: ValidationError, doc: LocatedDocument, file: Path) -> list[SpecIssue]:
    return validation_issues(
        exc,
        doc,
        file,
        keep=lambda part: not _not_a_key(part),
        # the string shorthand did not fit; the mapping's own error says why
        skip=lambda err: "str" in err["loc"] and err["type"] == "string_type",
        allowed_keys=allowed_keys,
    )


def _fields(model: type[BaseModel]) -> list[str]:
    return [f.alias or n for n, f in model.model_fields.items()]


def allowed_keys(loc: tuple[str | int, ...]) -> list[str]:
    """The keys sources.yml allows at the place ``loc`` (for "did you mean")."""
    if len(loc) <= 1:
        return _fields(SourcesFile)
    if loc[0] == "merge":
        return _fields(MergeRule)
    if len(loc) <= 3:
        return _fields(Source)
    if loc[2] == "join":
        return _fields(Join)
    if len(loc) <= 5:
        return _fields(EntityMap)
    return _fields(ColumnMap)


def load_sources(
    file: Path, text: str | None = None
) -> tuple[LoadedSources | None, list[SpecIssue]]:
    """Read and check sources.yml; returns the sources (None if unusable) and every issue."""
    try:
        doc = load_located(file, text)
    except YamlSyntaxError as exc:
        return None, [
            SpecIssue(
                "error", file, exc.line, "(yaml)", exc.message, "fix the YAML syntax at that line"
            )
        ]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [SpecIssue("error", file, None, "(file)", str(exc))]
    data: Any = doc.data
    if not isinstance(data, dict) or "sources" not in data:
        return None, [
            SpecIssue(
                "error",
                file,
                1,
                "(file)",
                "sources.yml is a mapping with a 'sources:' key",
                "start the file with 'sources:' and name each source under it",
            )
        ]
    try:
        parsed = SourcesFile.model_validate(data)
    except ValidationError as exc:
        return None, sorted(_pydantic_issues(exc, doc, file), key=lambda i: i.line or 0)
    from onpace.ingest.source_rules import semantic_issues

    loaded = LoadedSources(
        file=file, sources=dict(parsed.sources), document=doc, merge=dict(parsed.merge)
    )
    issues = sorted(semantic_issues(loaded), key=lambda i: i.line or 0)
    return (None if issues else loaded), issues
