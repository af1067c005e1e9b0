"""Filters and small expressions in KPI definitions: parsed, whitelisted, never pasted into SQL.

A KPI may say ``filter: "status = 'won' and amount > 0"`` or
``expr: "amount - cost"``. The text is parsed with sqlglot into a syntax tree, every
node is checked against a short list of allowed operators and functions, every
column against the entity's columns, and the tree is then *translated* into an
Ibis expression. No user text ever reaches the database as SQL: a definition can
express comparisons and arithmetic over its own entity, and nothing else.

>>> parse_row_expression("status = 'won'", kind="filter").columns
('status',)
>>> try:
...     parse_row_expression("1=1; DROP TABLE orders", kind="filter")
... except FilterError as exc:
...     print(exc.message)
only one expression is allowed: remove the ';' and what follows it
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import sqlglot
from sqlglot import exp

from onpace.errors import FilterError, did_you_mean

ExpressionKind = Literal["filter", "value", "derived"]

_COMPARISONS: dict[type[exp.Expression], str] = {
    exp.EQ: "__eq__",
    exp.NEQ: "__ne__",
    exp.GT: "__gt__",
    exp.GTE: "__ge__",
    exp.LT: "__lt__",
    exp.LTE: "__le__",
}
_ARITHMETIC: dict[type[exp.Expression], str] = {
    exp.Add: "__add__",
    exp.Sub: "__sub__",
    exp.Mul: "__mul__",
    exp.Div: "__truediv__",
}
_ROW_FUNCTIONS: dict[type[exp.Expression], str] = {
    exp.Lower: "lower",
    exp.Upper: "upper",
    exp.Trim: "trim",
    exp.Length: "length",
    exp.Abs: "abs",
    exp.Coalesce: "coalesce",
    exp.Round: "round",
    exp.Nullif: "nullif",
}
_STRUCTURE: tuple[type[exp.Expression], ...] = (
    exp.Column,
    exp.Identifier,
    exp.Literal,
    exp.Boolean,
    exp.Null,
    exp.Paren,
    exp.Neg,
)
_LOGIC: tuple[type[exp.Expression], ...] = (
    exp.And,
    exp.Or,
    exp.Not,
    exp.Is,
    exp.In,
    exp.Between,
    exp.Like,
    exp.ILike,
    exp.Case,
    exp.If,
)
DERIVED_FUNCTIONS = ("prior", "last_year", "abs")
ROW_FUNCTION_NAMES = ("lower", "upper", "trim", "length", "abs", "coalesce", "round", "nullif")


@dataclass(frozen=True)
class ParsedExpression:
    """A checked expression: the original text, its tree, and the names it refers to."""

    text: str
    kind: ExpressionKind
    tree: exp.Expression
    columns: tuple[str, ...]


def _parse_one(text: str) -> Any:  # sqlglot's node types vary between releases
    if not text or not text.strip():
        raise FilterError("the expression is empty", "write a condition such as status = 'won'")
    try:
        statements = sqlglot.parse(text)
    except sqlglot.errors.ParseError as exc:
        first = exc.errors[0]["description"] if exc.errors else str(exc)
        raise FilterError(
            f"cannot read {text!r}: {first}",
            "use SQL comparisons such as status = 'won' and amount > 0",
        ) from exc
    except sqlglot.errors.TokenError as exc:
        raise FilterError(
            f"cannot read {text!r}: {exc}", "check for an unclosed quote or bracket"
        ) from exc
    real = [s for s in statements if s is not None]
    if len(statements) > 1 or len(real) != 1:
        raise FilterError(
            "only one expression is allowed: remove the ';' and what follows it",
            "write a single condition such as status = 'won'",
        )
    tree = real[0]
    for node in tree.walk():
        if node.comments:
            raise FilterError(
                "comments are not allowed in filters and expressions",
                "remove the -- or /* */ part",
            )
    return tree


def _describe(node: Any) -> str:
    if isinstance(node, exp.Anonymous):
        return f"function {node.name}()"
    if isinstance(node, exp.Func):
        return f"function {node.sql_name().lower()}()"
    if isinstance(node, exp.Select | exp.Subquery | exp.Query):
        return "a subquery"
    return f"'{node.sql()}' ({type(node).__name__})"


@functools.lru_cache(maxsize=4096)
def parse_row_expression(text: str, kind: Literal["filter", "value"]) -> ParsedExpression:
    """Parse and check a filter (a condition) or a value expression over one entity's rows.

    Parsed once per text: plans are built for every slice, and a parsed expression is
    never changed afterwards.
    """
    tree = _parse_one(text)
    allowed = (
        *_STRUCTURE,
        *_COMPARISONS,
        *_ARITHMETIC,
        *_ROW_FUNCTIONS,
        *_LOGIC,
    )
    for node in tree.walk():
        if isinstance(node, exp.Select | exp.Subquery | exp.Query):
            raise FilterError(
                f"subqueries are not allowed in {text!r}",
                "a filter can only compare this entity's own columns with values",
            )
        if not isinstance(node, allowed):
            raise FilterError(
                f"{_describe(node)} is not allowed in {text!r}",
                "allowed: comparisons, and/or/not, in, between, like, is null, + - * /, "
                "case when, and the functions " + ", ".join(ROW_FUNCTION_NAMES),
            )
        if isinstance(node, exp.In) and (node.args.get("query") or node.args.get("unnest")):
            raise FilterError(f"IN must list values in {text!r}", "write status in ('won', 'lost')")
    columns = _column_names(tree)
    if kind == "filter" and isinstance(tree, _ARITHMETIC_TYPES):
        raise FilterError(f"{text!r} is a number, not a condition", "compare it: amount > 0")
    return ParsedExpression(text=text, kind=kind, tree=tree, columns=columns)


_ARITHMETIC_TYPES = tuple(_ARITHMETIC)


@functools.lru_cache(maxsize=4096)
def parse_derived_expression(text: str) -> ParsedExpression:
    """Parse and check a derived KPI's formula; ``columns`` are the KPI names it uses."""
    tree = _parse_one(text)
    allowed = (*_STRUCTURE, *_ARITHMETIC, exp.Abs, exp.Anonymous)
    for node in tree.walk():
        if not isinstance(node, allowed) or isinstance(node, exp.Boolean | exp.Null):
            raise FilterError(
                f"{_describe(node)} is not allowed in the derived formula {text!r}",
                "use KPI names, numbers, + - * / and the functions prior(), last_year(), abs()",
            )
        if isinstance(node, exp.Literal) and node.is_string:
            raise FilterError(
                f"text {node.sql()} is not allowed in the derived formula {text!r}",
                "a derived KPI combines KPI names and numbers",
            )
        if isinstance(node, exp.Anonymous):
            name = node.name.lower()
            if name not in ("prior", "last_year"):
                raise FilterError(
                    f"function {node.name}() is not allowed in {text!r}."
                    + did_you_mean(name, DERIVED_FUNCTIONS),
                    "use prior(kpi) or last_year(kpi)",
                )
            args = node.expressions
            if len(args) != 1 or not isinstance(args[0], exp.Column):
                raise FilterError(
                    f"{name}() takes one KPI name in {text!r}", f"write {name}(revenue)"
                )
        if isinstance(node, exp.Column) and node.table:
            raise FilterError(
                f"'{node.sql()}' is not a KPI name in {text!r}",
                "refer to KPIs by their plain name",
            )
    return ParsedExpression(text=text, kind="derived", tree=tree, columns=_column_names(tree))


def _column_names(tree: exp.Expression) -> tuple[str, ...]:
    names: list[str] = []
    for col in tree.find_all(exp.Column):
        name = _dotted(col)
        if name not in names:
            names.append(name)
    return tuple(names)


def _dotted(col: exp.Column) -> str:
    """The full name of a column reference: ``order.rep.team`` keeps all three parts."""
    return ".".join(part.name for part in col.parts)


# ---------------------------------------------------------------------------
# translation to Ibis


def _literal(node: exp.Literal) -> Any:
    if node.is_string:
        return node.this
    text = node.this
    try:
        return int(text)
    except ValueError:
        return float(text)


def to_ibis(parsed: ParsedExpression, column: Callable[[str], Any]) -> Any:
    """Translate a checked row expression into an Ibis expression.

    ``column`` maps a (possibly dotted) column name to its Ibis column; it is the
    caller who knows the table and the joins.
    """
    import ibis

    def walk(node: Any) -> Any:
        if isinstance(node, exp.Paren):
            return walk(node.this)
        if isinstance(node, exp.Column):
            return column(_dotted(node))
        if isinstance(node, exp.Literal):
            return ibis.literal(_literal(node))
        if isinstance(node, exp.Boolean):
            return ibis.literal(bool(node.this))
        if isinstance(node, exp.Null):
            return ibis.null()
        if isinstance(node, exp.Neg):
            return -walk(node.this)
        if isinstance(node, exp.Not):
            return ~walk(node.this)
        if isinstance(node, exp.And):
            return walk(node.left) & walk(node.right)
        if isinstance(node, exp.Or):
            return walk(node.left) | walk(node.right)
        op = _COMPARISONS.get(type(node)) or _ARITHMETIC.get(type(node))
        if op is not None:
            left, right = walk(node.left), walk(node.right)
            if isinstance(node, exp.Div):
                return left.cast("float64") / right.cast("float64")
            return getattr(left, op)(right)
        if isinstance(node, exp.Is):
            target = walk(node.this)
            if isinstance(node.expression, exp.Null):
                return target.isnull()
            # x IS TRUE is false (not null) for a null x, so NOT (x IS TRUE) keeps it
            return (target == walk(node.expression)).fill_null(False)
        if isinstance(node, exp.In):
            return walk(node.this).isin([walk(e) for e in node.expressions])
        if isinstance(node, exp.Between):
            return walk(node.this).between(walk(node.args["low"]), walk(node.args["high"]))
        if isinstance(node, exp.Like | exp.ILike):
            target, pattern = walk(node.this), walk(node.expression)
            matched = target.like(pattern) if isinstance(node, exp.Like) else target.ilike(pattern)
            return ~matched if node.args.get("negate") else matched  # NOT LIKE
        if isinstance(node, exp.Case):
            branches = [(walk(i.this), walk(i.args["true"])) for i in node.args.get("ifs", [])]
            default = node.args.get("default")
            return ibis.cases(*branches, else_=walk(default) if default is not None else None)
        if isinstance(node, exp.If):
            false = node.args.get("false")
            return ibis.cases(
                (walk(node.this), walk(node.args["true"])),
                else_=walk(false) if false is not None else None,
            )
        return _function(node, walk)

    return walk(parsed.tree)


def _function(node: Any, walk: Callable[[Any], Any]) -> Any:
    import ibis

    if isinstance(node, exp.Lower):
        return walk(node.this).lower()
    if isinstance(node, exp.Upper):
        return walk(node.this).upper()
    if isinstance(node, exp.Trim):
        return walk(node.this).strip()
    if isinstance(node, exp.Length):
        return walk(node.this).length()
    if isinstance(node, exp.Abs):
        return walk(node.this).abs()
    if isinstance(node, exp.Coalesce):
        return ibis.coalesce(walk(node.this), *(walk(e) for e in node.expressions))
    if isinstance(node, exp.Nullif):
        return walk(node.this).nullif(walk(node.expression))
    if isinstance(node, exp.Round):
        digits = node.args.get("decimals")
        return walk(node.this).round(_literal(digits) if isinstance(digits, exp.Literal) else 0)
    raise FilterError(f"{_describe(node)} is not allowed")  # pragma: no cover - checked on parse


def check_columns(
    parsed: ParsedExpression, known: Mapping[str, object] | list[str] | tuple[str, ...]
) -> list[str]:
    """Messages for every column of ``parsed`` not in ``known`` (with "did you mean")."""
    problems = []
    for name in parsed.columns:
        if name not in known:
            problems.append(
                f"unknown column '{name}' in {parsed.text!r}." + did_you_mean(name, known)
            )
    return problems
