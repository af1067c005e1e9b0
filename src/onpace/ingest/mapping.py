"""Turn one entity mapping of sources.yml into a typed SELECT with a quarantine reason per row.

For every entity column the mapping fills, this builds the typed value (text,
number, timestamp, ...) from the source's text columns, and the checks that
reject a row: a required value missing, a date or number that does not parse, a
number out of range, a date in the future, a value absurdly long. The first
failing check becomes the row's ``_reason``; rows without one are loaded.

Expressions (``Quantity * Price``) are parsed and whitelisted by
:func:`onpace.spec.filters.parse_row_expression`, then rewritten node by node:
each column becomes the parsed source column. A column used in arithmetic (or
compared with a number) is read as a number in the source's number format;
elsewhere it is text.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlglot import exp

from onpace.errors import FilterError, IngestError, did_you_mean
from onpace.ingest import sql
from onpace.ingest.source_spec import ColumnMap, EntityMap, LoadedSources, Source
from onpace.model.entities import ENTITIES, Column, Entity
from onpace.spec.filters import parse_row_expression

MAX_TEXT = 65_536
_NUMERIC_PARENTS = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Neg, exp.Abs, exp.Round)
_COMPARE = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Between, exp.In)
_PASS_THROUGH = (exp.Paren, exp.Coalesce, exp.Nullif)


@dataclass(frozen=True)
class TypedColumn:
    """One entity column: its parsed value, its final value, and the checks that reject a row.

    ``parsed`` reads the first layer's columns (source text after the value map, source
    numbers); ``final`` and the checks read ``_p_<name>``, the parsed value, so no value is
    parsed twice.
    """

    name: str
    kind: str
    parsed: exp.Expression
    final: exp.Expression
    checks: tuple[tuple[exp.Expression, exp.Expression], ...]
    agg: str
    rounded: exp.Expression | None = None  # money: true where the value lost decimal places
    places: int | None = None  # money: the places the mapping states (None: as the file has)


@dataclass(frozen=True)
class MappingPlan:
    """Everything needed to select an entity's rows from a source.

    ``unknown`` says, per reference column, what a key the target entity lacks does
    (``quarantine``, ``empty`` or ``stub``); ``partial`` marks rows that only add
    columns to rows of other sources.
    """

    source: str
    entity: Entity
    where: exp.Expression | None
    columns: tuple[TypedColumn, ...]
    group_by: str | None
    first_layer: tuple[tuple[str, exp.Expression], ...]
    unknown: tuple[tuple[str, str], ...] = ()
    partial: bool = False
    defaults: tuple[tuple[tuple[str | int, ...], exp.Expression, str], ...] = ()

    def unreadable_default(self, con: Any) -> tuple[tuple[str | int, ...], str] | None:
        """The first ``default`` that cannot be read as its column's type, with a message."""
        for path, typed, message in self.defaults:
            if con.execute("SELECT " + sql.render(typed) + " IS NULL").fetchone()[0]:
                return path, message
        return None

    @property
    def key(self) -> str:
        return self.group_by or self.entity.key

    def select_sql(self, view: str) -> str:
        """Typed columns, provenance and ``_reason`` for every row the ``where`` keeps.

        Three layers: texts and numbers of the source columns, then the parsed values,
        then final values and checks, each reading the layer below by name.
        """
        provenance = [sql.ident("_file"), sql.ident("_line"), sql.ident("_seq")]
        first = exp.select(
            *provenance, *(exp.alias_(e, n, quoted=True) for n, e in self.first_layer)
        ).from_(exp.to_table(view))
        if self.where is not None:
            first = first.where(sql.fill("COALESCE(__w, FALSE)", w=self.where))
        second = exp.select(
            exp.Star(), *(exp.alias_(c.parsed, f"_p_{c.name}", quoted=True) for c in self.columns)
        ).from_(first.subquery("l1"))
        reasons = exp.Case()
        any_check = False
        for col in self.columns:
            for condition, message in col.checks:
                reasons = reasons.when(condition, message)
                any_check = True
        reason: exp.Expression = reasons if any_check else exp.cast(exp.Null(), "VARCHAR")
        third = exp.select(
            *provenance,
            *(exp.alias_(c.final, c.name, quoted=True) for c in self.columns),
            *(
                exp.alias_(c.rounded, f"_rnd_{c.name}", quoted=True)
                for c in self.columns
                if c.rounded is not None
            ),
            exp.alias_(reason, "_reason"),
        ).from_(second.subquery("l2"))
        return sql.render(third)

    @property
    def rounding(self) -> tuple[TypedColumn, ...]:
        """The money columns that can lose decimal places (and say how many rows did)."""
        return tuple(c for c in self.columns if c.rounded is not None)


class _Builder:
    def __init__(
        self,
        loaded: LoadedSources,
        name: str,
        source: Source,
        columns: list[str],
        excel: bool,
        workspace_zone: str,
        now: datetime,
        staged: Callable[[str], str | None],
    ) -> None:
        self.loaded = loaded
        self.name = name
        self.source = source
        self.columns = columns
        self.excel = excel
        self.zone = workspace_zone
        self.now = now
        self.staged = staged
        self.entity_name = ""
        self.currency = "EUR"
        self.used: list[tuple[str, exp.Expression]] = []  # source columns an expression reads
        self.defaults: list[tuple[tuple[str | int, ...], exp.Expression, str]] = []
        self.layer: dict[str, exp.Expression] = {}

    def add(self, name: str, expression: exp.Expression) -> exp.Column:
        """Put ``expression`` in the first layer under ``name``; returns a reference to it."""
        self.layer.setdefault(name, expression)
        return sql.ident(name)

    def raw(self, name: str, path: tuple[str | int, ...]) -> exp.Expression:
        """The trimmed text of source column ``name``; a located error when it is absent."""
        return sql.text_value(sql.ident(self.source_column(name, path)))

    def source_column(self, name: str, path: tuple[str | int, ...]) -> str:
        """The source's own spelling of column ``name`` (a different case is accepted)."""
        if name not in self.columns:
            folded = {c.lower(): c for c in self.columns}
            if name.lower() in folded:
                name = folded[name.lower()]
            else:
                issue = self.loaded.issue(
                    path,
                    f"source '{self.name}' has no column '{name}'."
                    + did_you_mean(name, self.columns),
                    "its columns are " + ", ".join(self.columns),
                )
                raise IngestError(str(issue), issues=[issue])
        return name

    def number(self, text: exp.Expression) -> exp.Expression:
        """Canonical number text of a source value written the source's way."""
        return sql.number_text(text, self.source.decimal, self.source.thousands_separator)

    def expression(
        self, text: str, kind: str, path: tuple[str | int, ...]
    ) -> tuple[exp.Expression, list[tuple[exp.Expression, exp.Expression]]]:
        """Translate a whitelisted expression; also the parse checks of its number columns.

        A filter (``kind="filter"``) reads the source columns directly, since it decides
        which rows enter the first layer; a value expression reads first-layer columns.
        """
        try:
            parsed = parse_row_expression(text, kind="filter" if kind == "filter" else "value")
        except FilterError as exc:
            issue = self.loaded.issue(path, exc.message, exc.fix)
            raise IngestError(str(issue), issues=[issue]) from exc
        checks: list[tuple[exp.Expression, exp.Expression]] = []
        seen: set[str] = set()

        def swap(node: exp.Expression) -> exp.Expression:
            if not isinstance(node, exp.Column):
                return node
            name = self.source_column(".".join(p.name for p in node.parts), path)
            raw = sql.text_value(sql.ident(name))
            numeric = _numeric_context(node)
            if kind == "filter":
                return exp.Paren(this=_double(self.number(raw))) if numeric else raw
            index = self.columns.index(name)
            text_ref = self.add(f"_r{index}", raw)
            self.used.append((name, text_ref))
            if not numeric:
                return text_ref
            number_ref = self.add(f"_n{index}", self.number(raw))
            if name not in seen:
                seen.add(name)
                checks.append(
                    (
                        sql.fill("__r IS NOT NULL AND __v IS NULL", r=text_ref, v=number_ref),
                        _message("cannot read ", text_ref, f" in {name} as a number"),
                    )
                )
            if kind in ("money", "integer"):
                return sql.exact(number_ref.copy())
            return _double(number_ref.copy())

        self.used = []
        tree = parsed.tree.copy().transform(swap)
        if kind == "money":
            tree = _exact_arithmetic(tree)
        return tree, checks

    def column(
        self, col: Column, cmap: ColumnMap, path: tuple[str | int, ...], required: bool
    ) -> TypedColumn:
        checks: list[tuple[exp.Expression, exp.Expression]] = []
        origin = ""
        parsed_ref = sql.ident(f"_p_{col.name}")
        if cmap.from_ is not None:
            origin = f" (column {cmap.from_})"
            text: exp.Expression = self.raw(cmap.from_, (*path, "from"))
            if cmap.map:
                text = sql.mapped(text, cmap.map)
            text_ref = self.add(f"_t_{col.name}", text)
            parsed = self.typed(text_ref, col, cmap)
            if col.kind not in ("id", "string"):
                what = {
                    "timestamp": "a date",
                    "date": "a date",
                    "boolean": "true or false",
                    "integer": "a whole number",
                }.get(col.kind, "a number")
                expected = f" (expected {' or '.join(cmap.formats)})" if cmap.formats else ""
                if col.kind in ("timestamp", "date") and not cmap.formats:
                    checks.extend(_date_hints(text_ref, parsed_ref, cmap.from_))
                checks.append(
                    (
                        sql.fill("__t IS NOT NULL AND __v IS NULL", t=text_ref, v=parsed_ref),
                        _message("cannot read ", text_ref, f" in {cmap.from_} as {what}{expected}"),
                    )
                )
        elif cmap.expr is not None:
            origin = f" (from {cmap.expr})"
            tree, checks = self.expression(cmap.expr, col.kind, (*path, "expr"))
            if col.kind == "money":
                parsed = sql.cast(tree, "money")
            elif col.kind in ("number", "integer"):
                parsed = sql.cast(sql.fill("CAST(__t AS DOUBLE)", t=tree), col.kind)
            elif col.kind in ("timestamp", "date"):
                parsed = self.typed(sql.fill("CAST(__t AS VARCHAR)", t=tree), col, cmap)
            else:
                parsed = sql.cast(tree, col.kind)
            if col.kind in ("money", "number", "integer") and self.used:
                present = " AND ".join(f"__u{i} IS NOT NULL" for i in range(len(self.used)))
                refs = {f"u{i}": r for i, (_, r) in enumerate(self.used)}
                checks.append(
                    (
                        sql.fill(f"__p IS NULL AND {present}", p=parsed_ref, **refs),
                        sql.lit(
                            f"cannot compute {col.name} from {cmap.expr}: a division by zero "
                            "or a number too large"
                        ),
                    )
                )
        else:
            parsed = sql.cast(sql.lit(None), col.kind)
        fills: list[exp.Expression] = []
        if cmap.fallback is not None:
            fills.append(self.fallback(col, cmap.fallback, (*path, "fallback")))
            where = f"nor in {cmap.fallback}"
            origin = f"{origin[:-1]}, {where})" if origin else f" ({where})"
        if cmap.default is not None:
            default = self.typed(sql.lit(str(cmap.default)), col, cmap)
            fills.append(default)
            if col.kind not in ("id", "string"):
                expected = f" (expected {' or '.join(cmap.formats)})" if cmap.formats else ""
                self.defaults.append(
                    (
                        (*path, "default"),
                        default,
                        f"the default {str(cmap.default)!r} cannot be read as {col.kind}{expected}",
                    )
                )
        value: exp.Expression = parsed_ref
        if fills:
            value = exp.Coalesce(this=parsed_ref.copy(), expressions=fills)
        allowed: exp.Expression | None = None
        if required and cmap.allow_missing is True:
            required = False
        elif required and isinstance(cmap.allow_missing, str):
            tree, _ = self.expression(cmap.allow_missing, "filter", (*path, "allow_missing"))
            allowed = self.add(f"_am_{col.name}", sql.fill("COALESCE(__c, FALSE)", c=tree))
        if cmap.expr is not None and required and cmap.allow_missing is None:
            for name, ref in dict(self.used).items():  # name the empty input, not the sum
                checks.append(
                    (
                        sql.fill("__v IS NULL AND __r IS NULL", v=value, r=ref),
                        sql.lit(f"missing {col.name}: {name} is empty (from {cmap.expr})"),
                    )
                )
        checks.extend(self.rules(col, cmap, value, origin, required, allowed))
        agg = cmap.agg or "first"
        rounded: exp.Expression | None = None
        places: int | None = None
        if col.kind == "money":
            value, rounded, places = self.money_places(col, cmap, value, parsed_ref)
        return TypedColumn(col.name, col.kind, parsed, value, tuple(checks), agg, rounded, places)

    def money_places(
        self, col: Column, cmap: ColumnMap, value: exp.Expression, parsed_ref: exp.Expression
    ) -> tuple[exp.Expression, exp.Expression, int | None]:
        """Money rounded to the places the mapping states, and a flag where that lost some.

        Without ``decimals`` only values past the working precision (12 places) round.
        """
        over = f"_c_{col.name}"
        flag: exp.Expression = exp.false()
        if over in self.layer:
            flag = sql.fill(
                f"COALESCE({sql.render(sql.decimal_places(sql.ident(over)))} > 12, FALSE)"
            )
        if cmap.decimals is None:
            return value, flag, None
        places = self.currency_places() if cmap.decimals == "currency" else int(cmap.decimals)
        rounded = sql.fill("round(__v, __d)", v=value, d=sql.lit(places))
        lost = sql.fill(
            "COALESCE(__p <> round(__p, __d), FALSE) OR __f",
            p=parsed_ref,
            d=sql.lit(places),
            f=flag,
        )
        return rounded, lost, places

    def currency_places(self) -> int:
        from babel.numbers import get_currency_precision

        return int(get_currency_precision(self.currency))

    def made_key(
        self, entity: Entity, key: str | list[str], path: tuple[str | int, ...]
    ) -> TypedColumn:
        """The entity key of a file without one: file and line, or several columns together."""
        if key == "row_number":
            parsed = sql.fill("_file || ':' || CAST(_line AS VARCHAR)")
            origin = " (file and line)"
        else:
            parts = []
            for i, name in enumerate(key):
                column = self.source_column(name, (*path, i))
                text = self.add(f"_r{self.columns.index(column)}", self.raw(column, path))
                parts.append(sql.fill("replace(replace(__t, '\\', '\\\\'), '|', '\\|')", t=text))
            parsed = parts[0]
            for part in parts[1:]:
                parsed = exp.DPipe(
                    this=exp.DPipe(this=parsed, expression=sql.lit("|")), expression=part
                )
            origin = f" (from {', '.join(key)}: one of them is empty)"
        col = entity.column(entity.key)
        assert col is not None
        value = sql.ident(f"_p_{col.name}")
        checks = self.rules(col, ColumnMap(default="x"), value, origin, required=True)
        return TypedColumn(col.name, col.kind, parsed, value, tuple(checks), "first")

    def fallback(self, col: Column, dotted: str, path: tuple[str | int, ...]) -> exp.Expression:
        """The value of ``relation.column`` in the related row, staged from another source."""
        rel_name, _, column = dotted.partition(".")
        entity = ENTITIES[self.entity_name]
        relation = entity.relation(rel_name)
        assert relation is not None  # checked when sources.yml was loaded
        stage = self.staged(relation.target)
        if stage is None:
            issue = self.loaded.issue(
                path,
                f"fallback {dotted} needs {relation.target} from another source, "
                f"but no other source feeds {relation.target}",
                f"feed {relation.target} from another source, or remove 'fallback'",
            )
            raise IngestError(str(issue), issues=[issue])
        target = ENTITIES[relation.target]
        related = exp.to_table(stage, quoted=True).as_("_rel")
        lookup: exp.Expression = (
            exp.select(exp.column(column, table="_rel", quoted=True))
            .from_(related)
            .where(
                exp.EQ(
                    this=exp.column(target.key, table="_rel", quoted=True),
                    expression=sql.ident(f"_p_{relation.column}"),
                )
            )
            .subquery()
        )
        return sql.cast(lookup, col.kind) if col.kind == "date" else lookup

    def rules(
        self,
        col: Column,
        cmap: ColumnMap,
        value: exp.Expression,
        origin: str,
        required: bool,
        allowed: exp.Expression | None = None,
    ) -> list[tuple[exp.Expression, exp.Expression]]:
        """Checks on the final value: required (unless ``allowed`` holds), range, future, length."""
        checks: list[tuple[exp.Expression, exp.Expression]] = []
        shown = sql.fill("CAST(__v AS VARCHAR)", v=value)
        if col.kind == "money":  # 5.000000000000 in the working type: shown as 5
            shown = sql.fill(
                "CASE WHEN contains(__s, '.') THEN rtrim(rtrim(__s, '0'), '.') ELSE __s END",
                s=shown,
            )
        if cmap.from_ is not None and col.kind in ("money", "number", "integer"):
            shown = sql.ident(f"_t_{col.name}")  # as the file writes it
        if required:
            missing = sql.fill("__v IS NULL", v=value)
            if allowed is not None:
                missing = sql.fill("__v IS NULL AND NOT __a", v=value, a=allowed)
            checks.append((missing, sql.lit(f"missing {col.name}{origin}")))
        if col.kind in ("money", "number", "integer"):
            for bound, op, word in (
                (cmap.min, "<", "below the minimum"),
                (cmap.max, ">", "above the maximum"),
            ):
                if bound is not None:
                    checks.append(
                        (
                            sql.fill(f"__v {op} __m", v=value, m=sql.lit(bound)),
                            _message(f"{col.name} ", shown, f" is {word} {bound:g}"),
                        )
                    )
        if col.kind in ("timestamp", "date") and (
            cmap.future == "reject" or (cmap.future is None and col.required)
        ):
            now = sql.lit(self.now.isoformat(sep=" "))
            cmp = (
                "__v > CAST(__n AS TIMESTAMP)"
                if col.kind == "timestamp"
                else "__v > CAST(CAST(__n AS TIMESTAMP) AS DATE)"
            )
            checks.append(
                (
                    sql.fill(cmp, v=value, n=now),
                    _message(f"{col.name} ", shown, " is in the future"),
                )
            )
        if col.kind in ("id", "string"):
            checks.append(
                (
                    sql.fill("length(__v) > __m", v=value, m=sql.lit(MAX_TEXT)),
                    sql.fill(
                        "'value of ' || CAST(length(__v) AS VARCHAR) || __rest",
                        v=value,
                        rest=sql.lit(f" characters in {col.name} (more than {MAX_TEXT})"),
                    ),
                )
            )
            position = sql.fill("strpos(__v, chr(0))", v=value)
            checks.append(
                (
                    sql.fill("__p > 0", p=position),
                    sql.fill(
                        "__what || CAST(__p AS VARCHAR) || ' (a damaged export?)'",
                        what=sql.lit(f"a NUL byte in {col.name} at character "),
                        p=position,
                    ),
                )
            )
        return checks

    def typed(self, text: exp.Expression, col: Column, cmap: ColumnMap) -> exp.Expression:
        zone = cmap.timezone or self.source.timezone or self.zone
        if col.kind == "timestamp":
            return sql.timestamp_value(text, cmap.formats, zone, self.zone, self.excel)
        if col.kind == "date":
            return sql.date_value(text, cmap.formats, self.excel)
        if col.kind == "integer":
            return sql.integer_value(self.number(text))
        if col.kind == "money":
            if text.name.startswith("_t_"):  # a source column: keep its text to see its places
                return sql.exact(self.add(f"_c_{text.name[3:]}", self.number(text)))
            return sql.exact(self.number(text))
        if col.kind == "number":
            return _double(self.number(text))
        if col.kind == "boolean":
            return sql.boolean_value(text)
        return text


def _date_hints(
    text: exp.Expression, value: exp.Expression, column: str
) -> list[tuple[exp.Expression, exp.Expression]]:
    """Say why a date without a format did not read: a two-digit year, or not ISO 8601."""
    unread = sql.fill("__t IS NOT NULL AND __v IS NULL", t=text, v=value)
    return [
        (
            sql.fill(
                "__u AND regexp_full_match(__t, __p)",
                u=unread,
                t=text,
                p=sql.lit(sql.TWO_DIGIT_YEAR),
            ),
            _message(
                "cannot read ",
                text,
                f" in {column} as a date: a two-digit year is ambiguous; give the format "
                '(e.g. format: "%d-%m-%y")',
            ),
        ),
        (
            sql.fill(
                "__u AND NOT regexp_matches(__t, __p) AND regexp_matches(__t, __d)",
                u=unread,
                t=text,
                p=sql.lit(sql.ISO_DATE_START),
                d=sql.lit(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}"),
            ),
            _message(
                "cannot read ",
                text,
                f" in {column} as a date: without a format dates are ISO 8601 (2024-01-31); "
                "give the format",
            ),
        ),
    ]


def _double(text: exp.Expression) -> exp.Expression:
    return sql.fill("TRY_CAST(__n AS DOUBLE)", n=text)


def _exact_arithmetic(tree: exp.Expression) -> exp.Expression:
    """Money stays exact: every product and quotient rescaled to the working precision.

    DuckDB multiplies DECIMAL(38, 12) values into DECIMAL(38, 24) and divides them as
    DOUBLE; rescaling each step (innermost first) keeps chains of products from
    overflowing, and ``TRY`` turns an overflow or a division by zero into an empty value,
    which the checks report.
    """
    root = exp.Paren(this=tree)
    for node in reversed(list(root.find_all(exp.Mul, exp.Div))):
        step = typing.cast(exp.Expression, node.copy())
        node.replace(sql.fill(f"TRY(CAST(__x AS {sql.MONEY_WORK}))", x=step))
    return typing.cast(exp.Expression, root.this)


def _numeric_context(node: exp.Expression) -> bool:
    """True when a column is used as a number: in arithmetic, or compared with a number."""
    child, parent = node, node.parent
    while isinstance(parent, _PASS_THROUGH):
        if isinstance(parent, exp.Coalesce | exp.Nullif) and any(
            isinstance(a, exp.Literal) and not a.is_string for a in parent.iter_expressions()
        ):
            return True
        child, parent = parent, parent.parent
    if isinstance(parent, _NUMERIC_PARENTS):
        return True
    if isinstance(parent, _COMPARE):
        return any(
            isinstance(a, exp.Literal) and not a.is_string
            for a in parent.iter_expressions()
            if a is not child
        )
    return False


def _message(prefix: str, value: exp.Expression, suffix: str) -> exp.Expression:
    """``prefix 'value' suffix`` with the value quoted and cut to 60 characters."""
    return sql.fill(
        "__p || '''' || left(__v, 60) || CASE WHEN length(__v) > 60 THEN '...' ELSE '' END "
        "|| '''' || __s",
        p=sql.lit(prefix),
        v=value,
        s=sql.lit(suffix),
    )


def plan_mapping(
    loaded: LoadedSources,
    name: str,
    source: Source,
    entity_name: str,
    emap: EntityMap,
    columns: list[str],
    excel: bool,
    workspace_zone: str,
    now: datetime,
    staged: Callable[[str], str | None] = lambda entity: None,
    currency: str = "EUR",
) -> MappingPlan:
    """The typed SELECT plan of one entity mapping over a read source.

    ``staged`` gives the staging table of an entity other sources already built (or
    None): fallbacks read the related row there.
    """
    entity = ENTITIES[entity_name]
    builder = _Builder(loaded, name, source, columns, excel, workspace_zone, now, staged)
    builder.entity_name = entity_name
    builder.currency = currency
    base: tuple[str | int, ...] = ("sources", name, "entities", entity_name)
    typed = []
    if emap.key is not None:
        typed.append(builder.made_key(entity, emap.key, (*base, "key")))
    maps = emap.column_maps()
    for col_name, cmap in maps.items():
        col = entity.column(col_name)
        assert col is not None  # checked when sources.yml was loaded
        required = col.required or col_name == entity.key or col_name == emap.group_by
        typed.append(builder.column(col, cmap, (*base, "columns", col_name), required))
    where = None
    if emap.where is not None:
        where, _ = builder.expression(emap.where, "filter", (*base, "where"))
    unknown = tuple(
        (rel.column, maps[rel.column].unknown or "quarantine")
        for rel in entity.relations
        if rel.column in maps
    )
    return MappingPlan(
        name,
        entity,
        where,
        tuple(typed),
        emap.group_by,
        tuple(builder.layer.items()),
        unknown,
        emap.partial,
        tuple(builder.defaults),
    )
