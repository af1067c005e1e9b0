"""A fact's customer, rep and order columns, read against the lists they point at.

Two exports may both hold a customer column (``AccountNumber`` and ``CustomerID``);
the one whose values are the customer list's keys is the customer. And a column
may point at the list by another of its columns (deals name their company,
companies are keyed by a record id): then the key is taken from the list through
a join, so every deal finds its customer.
"""

from __future__ import annotations

from onpace.ingest.propose.derived import fact_proposals
from onpace.ingest.propose.entity_choice import Choice, Table
from onpace.ingest.propose.links import Reference
from onpace.ingest.propose.proposal import EntityProposal, SourceJoin, TableProposal
from onpace.model.entities import ENTITIES

REF_TARGETS = {"customer_id": "customers", "rep_id": "salespeople", "order_id": "orders"}


def _list_of(props: dict[str, TableProposal], ref: Reference) -> EntityProposal | None:
    target = props[ref.target].main
    return target if target is not None and not target.derived else None


def _pointing(
    name: str, props: dict[str, TableProposal], refs: list[Reference], entity: str
) -> list[Reference]:
    out = []
    for ref in refs:
        target = _list_of(props, ref) if ref.table == name else None
        if target is not None and target.entity == entity:
            out.append(ref)
    return out


def prefer_linked(props: dict[str, TableProposal], refs: list[Reference]) -> None:
    """Map a fact's customer (rep, order) to the column that points at that list."""
    for name, _, main in fact_proposals(props):
        for column, entity in REF_TARGETS.items():
            if column not in ENTITIES[main.entity].column_names:
                continue
            pointing = _pointing(name, props, refs, entity)
            current = main.columns.get(column)
            if not pointing or (current and current.source in {r.column for r in pointing}):
                continue
            used = {c.source for c in main.columns.values() if c.source} - {
                current.source if current else None
            }
            free = [r for r in pointing if r.column not in used]
            if free:
                ref = free[0]
                why = f"{ref.column!r} points at {props[ref.target].export.label}'s {ref.key!r}"
                main.columns[column] = Choice(column, ref.column, 0.85, why, ref.column)


def _taken(prop: TableProposal, table: Table, target: TableProposal, key: str) -> str:
    own = {c.lower() for c in table.export.columns}
    return key if key.lower() not in own else f"{target.export.name}_{key}"


def join_keys(
    tables: dict[str, Table], props: dict[str, TableProposal], refs: list[Reference]
) -> None:
    """A reference by another column of the list (a name): take the list's key by a join."""
    for name, prop, main in fact_proposals(props):
        for column in REF_TARGETS:
            choice = main.columns.get(column)
            ref = next(
                (r for r in refs if r.table == name and choice and r.column == choice.source), None
            )
            target = _list_of(props, ref) if ref is not None else None
            if ref is None or target is None or target.key is None or target.key == ref.key:
                continue
            if target.entity != REF_TARGETS[column]:
                continue
            taken = _taken(prop, tables[name], props[ref.target], target.key)
            why = f"the {target.entity} key of the row whose {ref.key!r} is this {ref.column!r}"
            prop.joins.append(
                SourceJoin(
                    props[ref.target].export.name,
                    {ref.column: ref.key},
                    {target.key: taken},
                    why,
                    "keep",
                )
            )
            main.columns[column] = Choice(
                column,
                taken,
                0.8,
                f"{props[ref.target].export.label}'s {target.key!r}, found by {ref.column!r}",
                taken,
            )
