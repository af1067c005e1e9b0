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

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from onpace.errors import FilterError, SpecIssue, did_you_mean
from onpace.model.entities import ENTITIES, LOADED_ENTITIES, Entity
from onpace.spec.filters import parse_row_expression
from onpace.spec.validation_issues import validation_issues
from onpace.spec.workspace_config import known_time_zone
from onpace.spec.yaml_lines import LocatedDocument, PathKey, YamlSyntaxError, load_located

SOURCES_FILE = "sources.yml"
Format = Literal["auto", "csv", "xlsx", "parquet", "jsonl"]
Agg = Literal["first", "last", "sum", "min", "max", "count"]
Scalar = str | int | float | bool | None


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

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return _check_zone(value)

    @model_validator(mode="after")
    def _one_origin(self) -> ColumnMap:
        if self.from_ is not None and self.expr is not None:
            raise ValueError("give either 'from' or 'expr', not both")
        if self.from_ is None and self.expr is None and self.default is None:
            raise ValueError("give 'from' (a source column), 'expr' or 'default'")
        return self

    @property
    def formats(self) -> tuple[str, ...]:
        if self.format is None:
            return ()
        return (self.format,) if isinstance(self.format, str) else tuple(self.format)


class EntityMap(_Frozen):
    """The rows of one entity taken from a source.

    ``where`` keeps only the rows it is true for (``Invoice like 'C%'``);
    ``group_by`` names the entity column whose equal values make one row (order
    lines into orders); ``columns`` maps entity columns to source columns.
    """

    where: str | None = None
    group_by: str | None = None
    columns: dict[str, ColumnMap | str]

    def column_maps(self) -> dict[str, ColumnMap]:
        """Columns with the plain-string shorthand (``order_id: Invoice``) expanded."""
        return {
            name: ColumnMap.model_validate({"from": spec}) if isinstance(spec, str) else spec
            for name, spec in self.columns.items()
        }


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
    header_row: int = Field(default=1, ge=1)
    sheet: str | None = None
    decimal: Literal[".", ","] = "."
    thousands: Literal[",", ".", " ", "'", ""] | None = None
    timezone: str | None = None
    entities: dict[str, EntityMap]

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
        if not self.entities:
            raise ValueError("a source must feed at least one entity")
        return self

    @property
    def patterns(self) -> tuple[str, ...]:
        if self.file is None:
            return ()
        return (self.file,) if isinstance(self.file, str) else tuple(self.file)

    @property
    def thousands_separator(self) -> str:
        if self.thousands is not None:
            return self.thousands
        return "," if self.decimal == "." else "."


class SourcesFile(_Frozen):
    """The whole of sources.yml."""

    sources: dict[str, Source]


@dataclass
class LoadedSources:
    """The sources that loaded, and where each piece was written (for later messages)."""

    file: Path
    sources: dict[str, Source]
    document: LocatedDocument | None

    def line(self, *path: str | int) -> int | None:
        return self.document.line_of(tuple(path)) if self.document else None

    def issue(self, path: PathKey, message: str, fix: str = "") -> SpecIssue:
        """An error located at ``path`` inside sources.yml."""
        field = ".".join(str(p) for p in path)
        return SpecIssue("error", self.file, self.line(*path), field, message, fix)


_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def _not_a_key(part: str | int) -> bool:
    """Location parts that name union members and validators, not keys of the file."""
    return isinstance(part, str) and (part in ("ColumnMap", "str") or part.startswith("function-"))


def _pydantic_issues(exc: ValidationError, doc: LocatedDocument, file: Path) -> list[SpecIssue]:
    return validation_issues(
        exc,
        doc,
        file,
        keep=lambda part: not _not_a_key(part),
        # the string shorthand did not fit; the mapping's own error says why
        skip=lambda err: "str" in err["loc"] and err["type"] == "string_type",
        allowed_keys=_allowed_keys,
    )


def _allowed_keys(loc: tuple[str | int, ...]) -> list[str]:
    depth = len(loc)
    if depth <= 1:
        return ["sources"]
    if depth == 3:
        return [f.alias or n for n, f in Source.model_fields.items()]
    if depth == 5:
        return list(EntityMap.model_fields)
    return [f.alias or n for n, f in ColumnMap.model_fields.items()]


def _semantic_issues(loaded: LoadedSources) -> list[SpecIssue]:
    """Entities, columns, expressions and keys checked against the sales model."""
    issues: list[SpecIssue] = []
    for name, source in loaded.sources.items():
        base: PathKey = ("sources", name)
        if not _NAME.match(name):
            issues.append(
                loaded.issue(
                    base,
                    f"source name {name!r} is not a plain name",
                    "use letters, digits, _ and -",
                )
            )
        for entity_name, emap in source.entities.items():
            epath: PathKey = (*base, "entities", entity_name)
            entity = ENTITIES.get(entity_name)
            if entity is None or entity.derived:
                issues.append(
                    loaded.issue(
                        epath,
                        f"unknown entity '{entity_name}'."
                        + did_you_mean(entity_name, LOADED_ENTITIES),
                        "use one of " + ", ".join(LOADED_ENTITIES),
                    )
                )
                continue
            issues.extend(_entity_issues(loaded, epath, entity, emap))
    return issues


def _entity_issues(
    loaded: LoadedSources, epath: PathKey, entity: Entity, emap: EntityMap
) -> list[SpecIssue]:
    issues: list[SpecIssue] = []
    maps = emap.column_maps()
    for col_name, cmap in maps.items():
        cpath: PathKey = (*epath, "columns", col_name)
        col = entity.column(col_name)
        if col is None:
            issues.append(
                loaded.issue(
                    cpath,
                    f"{entity.name} has no column '{col_name}'."
                    + did_you_mean(col_name, entity.column_names),
                    "its columns are " + ", ".join(entity.column_names),
                )
            )
            continue
        if cmap.expr is not None:
            try:
                parse_row_expression(cmap.expr, kind="value")
            except FilterError as exc:
                issues.append(loaded.issue((*cpath, "expr"), exc.message, exc.fix))
        if cmap.formats and col.kind not in ("timestamp", "date"):
            issues.append(
                loaded.issue(
                    (*cpath, "format"),
                    f"'format' is for dates; {col_name} is {col.kind}",
                    "remove it",
                )
            )
        if (cmap.min is not None or cmap.max is not None) and col.kind not in (
            "money",
            "number",
            "integer",
        ):
            issues.append(
                loaded.issue(
                    cpath, f"min/max are for numbers; {col_name} is {col.kind}", "remove them"
                )
            )
        if cmap.agg is not None and emap.group_by is None:
            issues.append(
                loaded.issue(
                    (*cpath, "agg"),
                    "'agg' needs 'group_by' on the entity",
                    f"add group_by: {entity.key}, or remove agg",
                )
            )
        if cmap.agg == "sum" and col.kind not in ("money", "number", "integer"):
            issues.append(
                loaded.issue(
                    (*cpath, "agg"),
                    f"cannot sum {col.kind} column {col_name}",
                    "use first, last, min or max",
                )
            )
    missing = [c for c in entity.required_columns if c not in maps]
    if missing:
        issues.append(
            loaded.issue(
                (*epath, "columns"),
                f"{entity.name} needs column(s) {', '.join(missing)}",
                "map them, e.g. " + f"{missing[0]}: <source column>",
            )
        )
    if emap.where is not None:
        try:
            parse_row_expression(emap.where, kind="filter")
        except FilterError as exc:
            issues.append(loaded.issue((*epath, "where"), exc.message, exc.fix))
    if emap.group_by is not None and emap.group_by not in maps:
        issues.append(
            loaded.issue(
                (*epath, "group_by"),
                f"group_by '{emap.group_by}' is not a mapped column."
                + did_you_mean(emap.group_by, list(maps)),
                f"group by the entity key, e.g. group_by: {entity.key}",
            )
        )
    return issues


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
    loaded = LoadedSources(file=file, sources=dict(parsed.sources), document=doc)
    issues = sorted(_semantic_issues(loaded), key=lambda i: i.line or 0)
    return (None if issues else loaded), issues
