"""A driver tree's formula: KPI names that multiply and divide, or add and subtract.

Attribution needs to know how the drivers combine, so a tree formula is held to
two shapes that cover the sales identities (and are what the attribution methods
are exact for): a *product* ``a * b / c`` (each name with power +1 or -1) and a
*sum* ``a + b - c`` (each name with sign +1 or -1). Anything else (numbers,
functions, ``a * b + c``) is refused with the reason, so a tree can always be
explained.

>>> parse_tree_formula("buying_customers * orders_per_buying_customer").kind
'product'
>>> parse_tree_formula("customers_won - customers_lost").terms[1]
Term(kpi='customers_lost', power=-1)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from onpace.errors import FilterError

# sqlglot is imported by the parsing functions alone: a workspace opened from its
# cached definitions holds formulas already parsed and never needs it

FormulaKind = Literal["product", "sum"]
MAX_TERMS = 10


@dataclass(frozen=True)
class Term:
    """One driver: a KPI and its power (product) or sign (sum), +1 or -1."""

    kpi: str
    power: int


@dataclass(frozen=True)
class TreeFormula:
    """A checked formula: a product or a sum of distinct KPI names."""

    kind: FormulaKind
    terms: tuple[Term, ...]

    @property
    def kpis(self) -> tuple[str, ...]:
        return tuple(t.kpi for t in self.terms)

    def evaluate(self, values: Mapping[str, float]) -> float:
        """The formula's value; ``ZeroDivisionError`` when a divisor is 0."""
        if self.kind == "sum":
            return math.fsum(t.power * values[t.kpi] for t in self.terms)
        out = 1.0
        for t in self.terms:
            out = out * values[t.kpi] if t.power > 0 else out / values[t.kpi]
        return out

    @property
    def text(self) -> str:
        ops = {"sum": ("", "-", " + ", " - "), "product": ("", "1 / ", " * ", " / ")}[self.kind]
        parts: list[str] = []
        for i, t in enumerate(self.terms):
            parts.append(ops[(0 if t.power > 0 else 1) + (2 if i else 0)] + t.kpi)
        return "".join(parts)

    def substitute(self, kpi: str, inner: TreeFormula) -> TreeFormula | None:
        """This formula with ``kpi`` replaced by ``inner``, if the result keeps one shape."""
        if inner.kind != self.kind or kpi not in self.kpis:
            return None
        terms: list[Term] = []
        for t in self.terms:
            if t.kpi == kpi:
                terms.extend(Term(s.kpi, s.power * t.power) for s in inner.terms)
            else:
                terms.append(t)
        names = [t.kpi for t in terms]
        if len(set(names)) != len(names) or len(terms) > MAX_TERMS:
            return None
        return TreeFormula(self.kind, tuple(terms))


_SHAPE_FIX = (
    "write a product of KPI names (a * b / c) or a sum (a + b - c); for a mix, "
    "define a tree for the inner part on its own KPI"
)


def _flatten(node: Any, power: int, kind: list[str], out: list[Term]) -> None:
    from sqlglot import exp

    if isinstance(node, exp.Paren):
        _flatten(node.this, power, kind, out)
        return
    if isinstance(node, exp.Column):
        out.append(Term(node.name, power))
        return
    if isinstance(node, exp.Neg) and kind[0] != "product":
        kind[0] = "sum"
        _flatten(node.this, -power, kind, out)
        return
    shape: str | None = None
    if isinstance(node, exp.Mul | exp.Div):
        shape = "product"
    elif isinstance(node, exp.Add | exp.Sub):
        shape = "sum"
    if shape is None:
        raise FilterError(f"'{node.sql()}' cannot be part of a driver tree", _SHAPE_FIX)
    if kind[0] not in ("", shape):
        raise FilterError("a driver tree either multiplies or adds, not both", _SHAPE_FIX)
    kind[0] = shape
    _flatten(node.left, power, kind, out)
    inverse = isinstance(node, exp.Div | exp.Sub)
    _flatten(node.right, -power if inverse else power, kind, out)


def parse_tree_formula(text: str) -> TreeFormula:
    """Parse a tree formula; ``FilterError`` (with a fix) when it has another shape."""
    from sqlglot import exp

    from onpace.spec.filters import parse_derived_expression

    parsed = parse_derived_expression(text)
    for node in parsed.tree.walk():
        if isinstance(node, exp.Anonymous | exp.Abs):
            raise FilterError(
                f"functions such as {node.sql()} cannot be part of a driver tree", _SHAPE_FIX
            )
        if isinstance(node, exp.Literal):
            raise FilterError(
                f"the number {node.sql()} cannot be part of a driver tree: every part is a KPI",
                "define a KPI for the scaled value, or leave the number out",
            )
    kind: list[str] = [""]
    terms: list[Term] = []
    _flatten(parsed.tree, 1, kind, terms)
    if len(terms) < 2:
        raise FilterError(f"{text!r} names one KPI; a tree needs at least two drivers", _SHAPE_FIX)
    names = [t.kpi for t in terms]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise FilterError(
            f"{', '.join(repeated)} appears more than once in {text!r}",
            "name every driver once",
        )
    if len(terms) > MAX_TERMS:
        raise FilterError(
            f"{text!r} has {len(terms)} drivers; at most {MAX_TERMS} can be attributed exactly",
            "group drivers into KPIs of their own with trees of their own",
        )
    return TreeFormula("product" if kind[0] == "product" else "sum", tuple(terms))
