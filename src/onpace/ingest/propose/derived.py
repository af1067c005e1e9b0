"""Entities that follow from a fact export: customers, reps and returns inside orders.

A fact with a customer column and no customer list among the exports gives the
customers, one per value, first seen at the earliest of their rows; a rep column
likewise gives the salespeople. Order numbers that start with a letter on a
minority of the orders (``C489449`` beside ``489434``) are cancellations: they
become returns, and the orders and customers leave them out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from onpace.ingest.propose.column_roles import rules
from onpace.ingest.propose.column_specs import quoted
from onpace.ingest.propose.entity_choice import Choice, Table, assign
from onpace.ingest.propose.proposal import EntityProposal, TableProposal
from onpace.model.entities import ENTITIES

FACTS = ("orders", "invoices", "quotes", "leads", "returns", "complaints", "satisfaction", "carts")


def fact_proposals(
    props: dict[str, TableProposal],
) -> Iterator[tuple[str, TableProposal, EntityProposal]]:
    """Each export proposed as a fact (orders, quotes, ...), with its main entity.

    The steps that point a fact's id columns at lists all walk these, and only these.
    """
    for name, prop in props.items():
        main = prop.main
        if main is not None and main.entity in FACTS:
            yield name, prop, main


def time_choice(main: EntityProposal) -> Choice | None:
    """The choice of the entity's required time column, if it is mapped."""
    for col in ENTITIES[main.entity].columns:
        if col.required and col.kind in ("timestamp", "date") and col.name in main.columns:
            return main.columns[col.name]
    return None


def _first_seen(main: EntityProposal) -> Choice | None:
    when = time_choice(main)
    if when is None or when.source is None:
        return None
    spec: dict[str, Any] = dict(when.spec) if isinstance(when.spec, dict) else {"from": when.spec}
    spec["agg"] = "min"
    return Choice("first_seen_at", spec, when.score, f"the first {when.source!r}", when.source)


def _customer_columns(table: Table, main: EntityProposal, source: str) -> dict[str, Choice]:
    used = {c.source for c in main.columns.values() if c.source} - {source}
    fits = assign(table, rules()[0]["customers"], source)
    out: dict[str, Choice] = {}
    for column, f in fits.items():
        if f.profile.name not in used and column not in ("first_seen_at", "churned_at"):
            out[column] = Choice(column, f.profile.name, f.score, f.reason, f.profile.name)
    return out


def derived_customers(table: Table, main: EntityProposal, where: str | None) -> EntityProposal:
    cust = main.columns["customer_id"]
    source = cust.source or ""
    columns = {
        "customer_id": Choice(
            "customer_id", source, cust.score, f"one customer per {source!r}", source
        )
    }
    first = _first_seen(main)
    if first is not None:
        columns["first_seen_at"] = first
    columns.update(_customer_columns(table, main, source))
    condition = f"{quoted(source)} is not null" + (f" and {where}" if where else "")
    reason = f"one per {source!r} of the {main.entity}"
    return EntityProposal(
        "customers", cust.score, reason, "customer_id", True, columns, where=condition, derived=True
    )


def derived_reps(main: EntityProposal) -> EntityProposal:
    rep = main.columns["rep_id"]
    source = rep.source or ""
    columns = {
        "rep_id": Choice("rep_id", source, rep.score, f"one rep per {source!r}", source),
        "name": Choice("name", source, rep.score, "the rep column names them", source),
    }
    reason = f"one per {source!r} of the {main.entity}"
    return EntityProposal(
        "salespeople",
        rep.score,
        reason,
        "rep_id",
        True,
        columns,
        where=f"{quoted(source)} is not null",
        derived=True,
    )


def cancellation_prefix(table: Table, key: str) -> str | None:
    """The letter that starts a minority of the order numbers (cancellations), if any."""
    col = '"' + key.replace('"', '""') + '"'
    rows = table.con.execute(
        f"SELECT upper(left(trim({col}), 1)) AS p, count(DISTINCT trim({col})) AS n "
        f"FROM {table.export.view} WHERE regexp_full_match(trim({col}), '[A-Za-z][0-9]+') "
        "GROUP BY p"
    ).fetchall()
    total = table.profile(key).distinct
    if not rows or not total:
        return None
    letter, count = max(rows, key=lambda r: (r[1], r[0]))
    plain = table.con.execute(
        f"SELECT count(DISTINCT trim({col})) FROM {table.export.view} "
        f"WHERE regexp_full_match(trim({col}), '[0-9]+')"
    ).fetchone()[0]
    # most order numbers are plain numbers, a minority carry the letter
    return str(letter) if 0 < count < plain else None


def _returns_from(main: EntityProposal, key: str, letter: str) -> EntityProposal:
    columns: dict[str, Choice] = {
        "return_id": Choice("return_id", key, 0.8, f"the {letter}-numbers", key)
    }
    when = time_choice(main)
    if when is not None:
        spec = dict(when.spec) if isinstance(when.spec, dict) else {"from": when.spec}
        columns["returned_at"] = Choice(
            "returned_at", {**spec, "agg": "min"}, when.score, when.reason, when.source
        )
    amount = main.columns.get("amount")
    if amount is not None and isinstance(amount.spec, dict) and "expr" in amount.spec:
        spec = {**amount.spec, "expr": f"-({amount.spec['expr']})"}
        columns["amount"] = Choice(
            "amount", spec, amount.score, f"the negative of {amount.spec['expr']}", None
        )
    columns["kind"] = Choice("kind", {"default": "return"}, 0.7, "cancellations are returns", None)
    reason = f"order numbers starting with {letter!r} look like cancellations"
    return EntityProposal(
        "returns",
        0.7,
        reason,
        "return_id",
        True,
        columns,
        where=f"{quoted(key)} like '{letter}%'",
        derived=True,
    )


def _own(prop: TableProposal, column: str | None) -> bool:
    """The column is the export's own, not one a join took from another export."""
    return column is not None and all(column not in j.take.values() for j in prop.joins)


def derive(tables: dict[str, Table], props: dict[str, TableProposal]) -> None:
    """Customers, reps and cancellation returns from the facts, where no export lists them.

    A list is made from an export whose own column holds it before one that took the
    column through a join: the deals, not the leads that took the deal's rep, give
    the reps, so the sources never point at each other in a circle.
    """
    where: dict[str, str | None] = {}
    for name, prop in props.items():
        main = prop.main
        if main is not None and main.entity == "orders" and main.lines and main.key:
            where[name] = _cancellations(tables[name], prop, main)
    listed = {p.entity for p in props.values() if p.entity}
    facts = [(n, p) for n, p in props.items() if p.main is not None and p.main.entity in FACTS]
    for own_first in (True, False):
        for name, prop in facts:
            main = prop.main
            assert main is not None
            cust = main.columns.get("customer_id")
            if (
                "customers" not in listed
                and cust is not None
                and _own(prop, cust.source) == own_first
                and main.entity in ("orders", "invoices", "quotes")
            ):
                prop.entities.append(derived_customers(tables[name], main, where.get(name)))
                listed.add("customers")
            rep = main.columns.get("rep_id")
            if (
                "salespeople" not in listed
                and rep is not None
                and _own(prop, rep.source) == own_first
            ):
                prop.entities.append(derived_reps(main))
                listed.add("salespeople")


def _cancellations(table: Table, prop: TableProposal, main: EntityProposal) -> str | None:
    """Returns for the cancellation numbers among the orders; the condition that excludes them."""
    assert main.key is not None
    if main.key not in table.export.columns:
        return None
    letter = cancellation_prefix(table, main.key)
    if letter is None:
        return None
    main.where = f"{quoted(main.key)} not like '{letter}%'"
    prop.entities.append(_returns_from(main, main.key, letter))
    return main.where
