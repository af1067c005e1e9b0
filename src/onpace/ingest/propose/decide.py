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
from onpace.ingest.propose.entity_choice import (
    MIN_ENTITY_SCORE,
    Candidate,
    Choice,
    KeyPick,
    Table,
    assign,
    candidates,
    computed_amount,
    line_signals,
)
from onpace.ingest.propose.links import Reference
from onpace.ingest.propose.proposal import EntityProposal, Join, TableProposal
from onpace.model.entities import ENTITIES

LINE_ENTITIES = ("orders", "invoices", "quotes", "returns")
FACTS = ("orders", "invoices", "quotes", "leads", "returns", "complaints", "satisfaction", "carts")
REF_TARGETS = {"customer_id": "customers", "rep_id": "salespeople", "order_id": "orders"}


def _entity(c: Candidate, derived: bool = False) -> EntityProposal:
    return EntityProposal(
        c.entity, c.score, c.reason, c.key, c.lines, dict(c.choices), derived=derived
    )


def _why_not(found: list[Candidate]) -> str:
    if not found:
        return "no entity fits: no column is a key of an order, quote, customer, ... (unique, or repeating on lines)"
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
    out.entities.append(_entity(best))
    return out


# -- 1. lines of a header ------------------------------------------------------------


def _header_candidate(found: list[Candidate]) -> Candidate | None:
    """A line entity whose only gap is its amount: the lines will give it."""
    for c in found:
        if c.entity in LINE_ENTITIES and not c.lines and set(c.missing) <= {"amount"}:
            return c
    return None


def _line_amount(lines: Table, fk: str) -> tuple[dict[str, str], str] | None:
    computed = computed_amount(lines, {}, fk)
    if computed is not None:
        expr, what = computed
        return {"expr": expr, "agg": "sum"}, f"the sum of its lines' {what}"
    amount = next(
        (
            p
            for p in lines.filled
            if p.name != fk
            and "amount" in p.concepts.attributes
            and p.is_number
            and not p.concepts.modifiers
        ),
        None,
    )
    if amount is None:
        return None
    return {"from": amount.name, "agg": "sum"}, f"the sum of its lines' {amount.name!r}"


def link_lines(
    tables: dict[str, Table],
    props: dict[str, TableProposal],
    found: dict[str, list[Candidate]],
    refs: list[Reference],
) -> None:
    """Tables of lines pointing at a header: the header's amount is their sum."""
    for ref in refs:
        lines, header = tables[ref.table], props[ref.target]
        if header.export.problem or props[ref.table].lines_of or not line_signals(lines):
            continue
        if lines.profile(ref.column).unique:
            continue
        main = header.main
        if main is None:
            cand = _header_candidate(found[ref.target])
            if cand is None or cand.key != ref.key:
                continue
            main = _entity(cand)
            main.score = min(1.0, cand.score / 0.6)  # the missing amount comes from the lines
            header.entities.insert(0, main)
            header.reason = ""
        if main.entity not in LINE_ENTITIES or main.key != ref.key:
            continue
        props[ref.table].lines_of = ref.target
        props[ref.table].entities = [
            e for e in props[ref.table].entities if e.entity != main.entity
        ]
        props[
            ref.table
        ].reason = f"the lines of {header.export.label}: {ref.column!r} is its {ref.key!r}"
        if "amount" not in main.columns:
            amount = _line_amount(lines, ref.column)
            if amount is not None:
                spec, why = amount
                main.joins.append(Join("amount", ref.table, (ref.key, ref.column), spec, why))


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
    for name, prop in props.items():
        main = prop.main
        if main is None or main.entity not in FACTS:
            continue
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
    for name, prop in props.items():
        main = prop.main
        if main is None or main.entity not in FACTS:
            continue
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
            why = f"{ref.column!r} points at {props[ref.target].export.label} ({ref.share:.0%} of {p.distinct:,} values)"
            main.columns[column] = Choice(column, ref.column, 0.7, why, ref.column)
            used.add(ref.column)


# -- 4. derived lists -------------------------------------------------------------------


def _time_column(main: EntityProposal) -> Choice | None:
    ent = ENTITIES[main.entity]
    for col in ent.columns:
        if col.required and col.kind in ("timestamp", "date") and col.name in main.columns:
            return main.columns[col.name]
    return None


def _derived_customers(table: Table, main: EntityProposal) -> EntityProposal:
    cust = main.columns["customer_id"]
    rules_ = rules()[0]["customers"]
    used = {c.source for c in main.columns.values() if c.source} - {cust.source}
    fits = {
        c: f for c, f in assign(table, rules_, cust.source).items() if f.profile.name not in used
    }
    columns = {
        "customer_id": Choice(
            "customer_id",
            cust.source or "",
            cust.score,
            f"one customer per {cust.source!r}",
            cust.source,
        )
    }
    when = _time_column(main)
    if when is not None and when.source:
        spec = dict(when.spec) if isinstance(when.spec, dict) else {"from": when.spec}
        spec["agg"] = "min"
        columns["first_seen_at"] = Choice(
            "first_seen_at", spec, when.score, f"first {when.source!r}", when.source
        )
    for column, f in fits.items():
        if column not in columns and column not in ("first_seen_at", "churned_at"):
            columns[column] = Choice(column, f.profile.name, f.score, f.reason, f.profile.name)
    where = f"{_q(cust.source or '')} is not null"
    return EntityProposal(
        "customers",
        cust.score,
        f"one per {cust.source!r} of the {main.entity}",
        "customer_id",
        True,
        columns,
        where=where,
        derived=True,
    )


def _derived_reps(main: EntityProposal) -> EntityProposal:
    rep = main.columns["rep_id"]
    columns = {
        "rep_id": Choice(
            "rep_id", rep.source or "", rep.score, f"one rep per {rep.source!r}", rep.source
        ),
        "name": Choice(
            "name", rep.source or "", rep.score, "the rep column names them", rep.source
        ),
    }
    where = f"{_q(rep.source or '')} is not null"
    return EntityProposal(
        "salespeople",
        rep.score,
        f"one per {rep.source!r} of the {main.entity}",
        "rep_id",
        True,
        columns,
        where=where,
        derived=True,
    )


def _q(name: str) -> str:
    from onpace.ingest.propose.column_specs import quoted

    return quoted(name)


def derive_lists(tables: dict[str, Table], props: dict[str, TableProposal]) -> None:
    """Customers and reps from the facts when no export lists them."""
    listed = {p.entity for p in props.values() if p.entity}
    for name, prop in props.items():
        main = prop.main
        if main is None or main.entity not in FACTS:
            continue
        cust = main.columns.get("customer_id")
        if (
            "customers" not in listed
            and cust is not None
            and cust.source
            and main.entity in ("orders", "invoices", "quotes")
        ):
            prop.entities.append(_derived_customers(tables[name], main))
            listed.add("customers")
        rep = main.columns.get("rep_id")
        if "salespeople" not in listed and rep is not None and rep.source:
            prop.entities.append(_derived_reps(main))
            listed.add("salespeople")


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
    link_lines(tables, props, found, refs)
    one_sales_fact(tables, props)
    name_lists(tables, props, refs)
    other_party(tables, props, refs)
    derive_lists(tables, props)
    for prop in props.values():
        prop.references = [r for r in refs if r.table == prop.export.name]
    return props
