"""Decide every export's entity with all the exports in view.

Each export is first judged on its own (entity_choice.py); then what the exports
say about each other settles the rest:

1. *Lines of a header*: a table whose column points at an order (invoice, quote,
   return) table's key and that has quantities, prices or products holds that
   entity's lines. It is not an entity of its own, and when the header has no
   amount, the amount is the sum of its lines.
2. *Who a list is*: a list that a fact's customer column points at is the customer
   list, one its rep column points at is the rep list, whatever its own names say.
3. *The other party*: a fact without a customer column whose id column points at a
   list (and has too many values to be a rep) has found its customer.
4. *Derived lists*: a fact with a customer (rep) column and no customer (rep) list
   among the exports gives the customers (salespeople), one per value.
5. *Lookups*: lists of products, stores or suppliers are named as such and left out.
"""

from __future__ import annotations

from onpace.ingest.propose.column_roles import rules
from onpace.ingest.propose.derived import FACTS, derive, fact_proposals
from onpace.ingest.propose.entity_choice import (
    MIN_ENTITY_SCORE,
    Candidate,
    Choice,
    KeyPick,
    Table,
    assign,
    candidates,
)
from onpace.ingest.propose.extensions import extend_facts
from onpace.ingest.propose.lines import as_entity, build_from_lines
from onpace.ingest.propose.linked_columns import REF_TARGETS, join_keys, prefer_linked
from onpace.ingest.propose.links import Reference
from onpace.ingest.propose.lookups import fill_through_lists
from onpace.ingest.propose.proposal import EntityProposal, TableProposal
from onpace.model.entities import ENTITIES


def _entity(c: Candidate, derived: bool = False) -> EntityProposal:
    return EntityProposal(
        c.entity, c.score, c.reason, c.key, c.lines, dict(c.choices), derived=derived
    )


def _why_not(found: list[Candidate]) -> str:
    if not found:
        return (
            "no entity fits: no column is the key of an order, quote, customer, ... "
            "(unique, or repeating on lines)"
        )
    parts = []
    for c in found[:2]:
        missing = ", ".join(c.missing) if c.missing else f"score {c.score:.2f}"
        parts.append(f"{c.entity} (no {missing})" if c.missing else f"{c.entity} ({missing})")
    return "no entity fits well enough; closest: " + "; ".join(parts)


def _lookup_subject(table: Table, best: Candidate | None) -> str | None:
    lookups = rules()[1]
    named = [s for s in table.export.concepts.subjects if s in lookups]
    if best is not None and best.key is not None:
        named += [s for s in table.profile(best.key).concepts.subjects if s in lookups]
    if not named:
        return None
    if best is not None and set(rules()[0][best.entity].names) & set(
        table.export.concepts.subjects
    ):
        return None
    return named[0]


def initial(table: Table, found: list[Candidate]) -> TableProposal:
    """The export judged on its own: its best entity, or why none."""
    out = TableProposal(table.export)
    if table.export.problem:
        out.reason = table.export.problem
        return out
    best = next((c for c in found if not c.missing and c.score >= MIN_ENTITY_SCORE), None)
    lookup = _lookup_subject(table, best or (found[0] if found else None))
    if lookup is not None:
        out.reason = f"a list of {lookup}s: a lookup for other exports, not an entity of the model"
        return out
    if best is None:
        out.reason = _why_not(found)
        return out
    out.entities.append(as_entity(best))
    return out


# -- 2 and 3. who a list is, and the other party --------------------------------------


def _forced(table: Table, entity: str, key: str, why: str) -> EntityProposal:
    """``entity`` on ``table`` keyed by ``key`` because another export points at it."""
    rules_ = rules()[0][entity]
    fits = assign(table, rules_, key)
    key_col = ENTITIES[entity].key
    pick = KeyPick(key, 0.8, False, why)
    columns = {key_col: Choice(key_col, key, 0.8, why, key)}
    for column, f in fits.items():
        columns[column] = Choice(
            column,
            f.profile.name
            if not f.profile.is_date
            else {
                "from": f.profile.name,
                **({"format": f.profile.date_format} if f.profile.date_format else {}),
            },
            f.score,
            f.reason,
            f.profile.name,
        )
    return EntityProposal(entity, 0.75, why, pick.column, False, columns)


def _refs_from(refs: list[Reference], table: str, column: str) -> Reference | None:
    return next((r for r in refs if r.table == table and r.column == column), None)


def name_lists(
    tables: dict[str, Table], props: dict[str, TableProposal], refs: list[Reference]
) -> None:
    """A list a fact's customer (rep) column points at is the customer (rep) list."""
    for name, prop, main in fact_proposals(props):
        for column, target_entity in REF_TARGETS.items():
            choice = main.columns.get(column)
            ref = _refs_from(refs, name, choice.source) if choice and choice.source else None
            if ref is None or target_entity == "orders":
                continue
            target = props[ref.target]
            current = target.main
            if current is not None and (current.entity == target_entity or current.entity in FACTS):
                continue
            why = f"{prop.export.label} {ref.column!r} points at its {ref.key!r}"
            target.entities = [_forced(tables[ref.target], target_entity, ref.key, why)]
            target.reason = ""


def other_party(
    tables: dict[str, Table], props: dict[str, TableProposal], refs: list[Reference]
) -> None:
    """A fact's unused id column pointing at a list: its customer (or rep, or order)."""
    for name, _, main in fact_proposals(props):
        used = {c.source for c in main.columns.values() if c.source}
        for ref in (r for r in refs if r.table == name and r.column not in used):
            target = props[ref.target].main
            if target is None or target.key != ref.key:
                continue
            column = next((c for c, e in REF_TARGETS.items() if e == target.entity), None)
            if (
                column is None
                or column in main.columns
                or column not in ENTITIES[main.entity].column_names
            ):
                continue
            p = tables[name].profile(ref.column)
            target_label = props[ref.target].export.label
            why = f"{ref.column!r} points at {target_label} ({ref.share:.0%} of {p.distinct:,})"
            main.columns[column] = Choice(column, ref.column, 0.7, why, ref.column)
            used.add(ref.column)


def _subjects(table: Table, main: EntityProposal) -> set[str]:
    subjects = set(table.export.concepts.subjects)
    if main.key is not None:
        subjects |= set(table.profile(main.key).concepts.subjects)
    return subjects


def one_sales_fact(tables: dict[str, Table], props: dict[str, TableProposal]) -> None:
    """Payments beside orders are not more orders: they would count the sales twice."""
    orders = {n: p.main for n, p in props.items() if p.main and p.main.entity == "orders"}
    named = {n for n, m in orders.items() if m and "order" in _subjects(tables[n], m)}
    if not named:
        return
    for name, main in orders.items():
        if name in named or main is None:
            continue
        if "transaction" in _subjects(tables[name], main):
            other = props[next(iter(sorted(named)))].export.label
            props[name].entities = [e for e in props[name].entities if e is not main]
            props[name].reason = (
                f"payments next to the orders of {other}: as orders they would count the "
                "sales twice"
            )


def decide(tables: dict[str, Table], refs: list[Reference]) -> dict[str, TableProposal]:
    """A proposal for every export, each judged with all the others in view."""
    found = {name: candidates(t) if not t.export.problem else [] for name, t in tables.items()}
    props = {name: initial(t, found[name]) for name, t in tables.items()}
    build_from_lines(tables, props, found, refs)
    one_sales_fact(tables, props)
    extend_facts(tables, props, refs)
    name_lists(tables, props, refs)
    other_party(tables, props, refs)
    prefer_linked(props, refs)
    join_keys(tables, props, refs)
    fill_through_lists(tables, props, refs)
    derive(tables, props)
    for prop in props.values():
        prop.references = [r for r in refs if r.table == prop.export.name]
    return props
