"""An export that adds to another fact row by row: closed deals next to their leads.

When an export's unique column holds the key of a fact export (each closed deal
names its lead, once), its rows extend those facts. The fact takes from it what
it lacks (the lead's conversion date is the deal's won date, its rep the deal's
rep) through a join that keeps the facts without an extension. And when the
export is named as deals, it is also the quotes: dated by its fact's time (the
lead's first contact) through a join the other way, decided by its own closing
date, won when its name says so.
"""

from __future__ import annotations

from typing import Any

from onpace.ingest.propose.column_roles import Fit, rules
from onpace.ingest.propose.derived import FACTS, time_choice
from onpace.ingest.propose.entity_choice import Choice, Table, assign
from onpace.ingest.propose.links import Reference
from onpace.ingest.propose.proposal import EntityProposal, SourceJoin, TableProposal


def _taken(prop: TableProposal, other: str, column: str) -> str:
    own = {c.lower() for c in prop.export.columns}
    return column if column.lower() not in own else f"{other}_{column}"


def _enrich(table: Table, fact: TableProposal, main: EntityProposal, ref: Reference) -> None:
    """The fact's missing columns from the extension, by a join that keeps every fact."""
    fits = assign(table, rules()[0][main.entity], ref.column)
    take: dict[str, str] = {}
    for column, f in fits.items():
        if column in main.columns or f.profile.name == ref.column:
            continue
        name = _taken(fact, ref.table, f.profile.name)
        take[f.profile.name] = name
        spec: Any = name
        if f.profile.date_format:
            spec = {"from": name, "format": f.profile.date_format}
        why = f"{f.profile.name!r} of {table.export.label} (one row per {ref.key!r})"
        main.columns[column] = Choice(column, spec, f.score * 0.9, why, name)
    if take:
        reason = f"{table.export.label} adds to each row whose {ref.key!r} it names"
        fact.joins.append(SourceJoin(ref.table, {ref.key: ref.column}, take, reason, "keep"))


def _won_by_name(table: Table) -> bool:
    return "closed" in table.export.concepts.events


def _as_quotes(
    table: Table, prop: TableProposal, fact: TableProposal, main: EntityProposal, ref: Reference
) -> None:
    """The extension as quotes: keyed like its fact, submitted at the fact's time."""
    if "quote" not in table.export.concepts.subjects:
        return
    fits: dict[str, Fit] = assign(table, rules()[0]["quotes"], ref.column)
    when = time_choice(main)
    if when is None or when.source is None or "decided_at" not in fits:
        return
    if "status" not in fits and not _won_by_name(table):
        return
    taken = _taken(prop, ref.target, when.source)
    columns: dict[str, Choice] = {
        "quote_id": Choice("quote_id", ref.column, 0.8, f"one quote per {ref.key!r}", ref.column)
    }
    spec = dict(when.spec) if isinstance(when.spec, dict) else {}
    columns["submitted_at"] = Choice(
        "submitted_at",
        {**spec, "from": taken} if spec else taken,
        when.score * 0.9,
        f"the {when.source!r} of its row in {fact.export.label}",
        taken,
    )
    for column, f in fits.items():
        columns[column] = Choice(
            column,
            f.profile.name
            if not f.profile.date_format
            else {"from": f.profile.name, "format": f.profile.date_format},
            f.score,
            f.reason,
            f.profile.name,
        )
    if "status" not in columns:
        columns["status"] = Choice(
            "status", {"default": "won"}, 0.7, "the file holds closed deals", None
        )
    reason = f"deals of {fact.export.label}'s {main.entity}, one per {ref.key!r}"
    prop.entities = [EntityProposal("quotes", 0.75, reason, ref.column, False, columns)]
    prop.reason = ""
    prop.joins.append(
        SourceJoin(
            ref.target,
            {ref.column: ref.key},
            {when.source: taken},
            f"the {main.entity[:-1]}'s {when.source!r}",
        )
    )


def extend_facts(
    tables: dict[str, Table], props: dict[str, TableProposal], refs: list[Reference]
) -> None:
    """Exports keyed by another fact's key add to it, and deals among them become quotes."""
    for ref in refs:
        fact, prop = props[ref.target], props[ref.table]
        main = fact.main
        if main is None or main.entity not in FACTS or main.key != ref.key:
            continue
        if (
            prop.main is not None
            or prop.lookup_for
            or not tables[ref.table].profile(ref.column).unique
        ):
            continue
        if main.entity != "leads" and "quote" not in tables[ref.table].export.concepts.subjects:
            continue
        _enrich(tables[ref.table], fact, main, ref)
        _as_quotes(tables[ref.table], prop, fact, main, ref)
        if not prop.entities:
            prop.lookup_for.append(ref.target)
            prop.reason = f"adds to the {main.entity} of {fact.export.label}"
