"""Order lines in one export, their order header in another: orders made from the lines.

When an export's column points at the key of an order (invoice, quote, return)
export and the rows have quantities, prices or products, they are that header's
lines. If the header states its own amount, the lines add nothing and are left
out. Otherwise the orders are made from the lines, grouped by the order key: the
amount is the sum of the lines (quantity x price, or a line amount), and the
date, customer, rep and status come from the header through a join. The header
then feeds no entity itself: it is a lookup.
"""

from __future__ import annotations

from typing import Any

from onpace.ingest.propose.entity_choice import (
    MIN_ENTITY_SCORE,
    Candidate,
    Choice,
    Table,
    computed_amount,
    line_signals,
)
from onpace.ingest.propose.links import Reference
from onpace.ingest.propose.proposal import EntityProposal, SourceJoin, TableProposal
from onpace.model.entities import ENTITIES

LINE_ENTITIES = ("orders", "invoices", "quotes", "returns")
_FROM_LINES = ("amount", "quantity")


def as_entity(c: Candidate, derived: bool = False) -> EntityProposal:
    return EntityProposal(
        c.entity, c.score, c.reason, c.key, c.lines, dict(c.choices), derived=derived
    )


def _header(found: list[Candidate], props: TableProposal) -> EntityProposal | None:
    """The header's entity, or the line entity it would be but for its amount."""
    if props.main is not None:
        return props.main
    for c in found:
        # it lacks only what the lines give: the amount
        header_like = c.entity in LINE_ENTITIES and not c.lines and c.missing == ["amount"]
        if header_like and c.score / 0.6 >= MIN_ENTITY_SCORE:
            return as_entity(c)
    return None


def _line_amount(lines: Table, fk: str) -> tuple[dict[str, Any], str] | None:
    computed = computed_amount(lines, {}, fk)
    if computed is not None:
        expr, what = computed
        return {"expr": expr, "agg": "sum"}, f"the sum of {what} over the lines"
    for p in lines.filled:
        c = p.concepts
        if p.name != fk and "amount" in c.attributes and p.is_number and not c.modifiers:
            return {"from": p.name, "agg": "sum"}, f"the sum of {p.name!r} over the lines"
    return None


def _quantity(lines: Table, fk: str) -> Choice | None:
    for p in lines.filled:
        if p.name != fk and "quantity" in p.concepts.attributes and p.is_integer:
            return Choice(
                "quantity", {"from": p.name, "agg": "sum"}, 0.9, f"the sum of {p.name!r}", p.name
            )
    return None


def _taken_name(column: str, lines: Table, header: Table) -> str:
    own = {c.lower() for c in lines.export.columns}
    if column.lower() not in own:
        return column
    return f"{header.export.name}_{column}"


def _agg_spec(spec: str | dict[str, Any], name: str, kind: str) -> str | dict[str, Any]:
    """The header column's mapping, read from its taken name, combined over the lines."""
    out = {
        k: v
        for k, v in (spec.items() if isinstance(spec, dict) else ())
        if k not in ("from", "agg")
    }
    if kind in ("timestamp", "date"):
        out["agg"] = "min"
    return {"from": name, **out} if out else name


def _from_header(
    entity: str, header_main: EntityProposal, lines: Table, header: Table
) -> tuple[dict[str, Choice], dict[str, str]]:
    """The header's columns, taken into the lines: entity column -> choice, and the take."""
    ent = ENTITIES[entity]
    columns: dict[str, Choice] = {}
    take: dict[str, str] = {}
    for column, choice in header_main.columns.items():
        if column == ent.key or column in _FROM_LINES or choice.source is None:
            continue
        name = _taken_name(choice.source, lines, header)
        take[choice.source] = name
        col = ent.column(column)
        spec = _agg_spec(choice.spec, name, col.kind if col else "string")
        why = f"{choice.source!r} of {header.export.label}, by the order key"
        columns[column] = Choice(column, spec, choice.score, why, name)
    return columns, take


def _lines_entity(
    lines: Table, header: Table, header_main: EntityProposal, ref: Reference
) -> tuple[EntityProposal, SourceJoin] | None:
    entity = header_main.entity
    amount = _line_amount(lines, ref.column)
    if amount is None and entity in ("orders", "invoices"):
        return None
    key_col = ENTITIES[entity].key
    why = f"{ref.column!r} is {header.export.label}'s {ref.key!r}: its lines, grouped"
    columns = {key_col: Choice(key_col, ref.column, 0.9, why, ref.column)}
    taken, take = _from_header(entity, header_main, lines, header)
    columns.update(taken)
    if amount is not None:
        spec, what = amount
        columns["amount"] = Choice("amount", spec, 0.85, what, None)
    quantity = _quantity(lines, ref.column)
    if quantity is not None:
        columns["quantity"] = quantity
    score = min(
        1.0, header_main.score / 0.6 if "amount" not in header_main.columns else header_main.score
    )
    reason = f"the lines of {header.export.label} (key {ref.key!r}), grouped into {entity}"
    join = SourceJoin(
        header.export.name,
        {ref.column: ref.key},
        take,
        f"the date, customer and rep of each {entity[:-1]}",
    )
    return EntityProposal(entity, score, reason, ref.column, True, columns), join


def build_from_lines(
    tables: dict[str, Table],
    props: dict[str, TableProposal],
    found: dict[str, list[Candidate]],
    refs: list[Reference],
) -> None:
    """Find headers and their lines; make the entity from the lines when headers lack amounts."""
    for ref in refs:
        lines, header = tables[ref.table], tables[ref.target]
        if props[ref.table].lookup_for or props[ref.table].joins or not line_signals(lines):
            continue
        if lines.profile(ref.column).unique or props[ref.target].joins:
            continue
        header_main = _header(found[ref.target], props[ref.target])
        if (
            header_main is None
            or header_main.entity not in LINE_ENTITIES
            or header_main.key != ref.key
        ):
            continue
        if "amount" in header_main.columns:
            props[ref.table].entities = [
                e for e in props[ref.table].entities if e.entity != header_main.entity
            ]
            if not props[ref.table].entities:
                props[
                    ref.table
                ].reason = f"the lines of {header.export.label}, which has the amounts itself"
            continue
        made = _lines_entity(lines, header, header_main, ref)
        if made is None:
            continue
        entity, join = made
        props[ref.table].entities = [entity]
        props[ref.table].joins.append(join)
        props[ref.target].entities = []
        props[ref.target].lookup_for.append(ref.table)
        made_of = f"the {header_main.entity} of {lines.export.label}"
        props[ref.target].reason = f"{made_of} take their date, customer and rep from it"
