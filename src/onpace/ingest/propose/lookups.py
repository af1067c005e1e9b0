"""A rep a fact lacks, found in a list it points at: the rep of its region, of its customer.

Orders often carry no rep, while the sheet of regions names each region's
account manager, or the customer list names each customer's rep. When a column of
the fact (its own, or one a join took from its header) points at such a list,
and a column of that list fits the fact's rep column, it is taken through a join.
A row whose region or customer is not in the list keeps an empty rep.
"""

from __future__ import annotations

from onpace.ingest.propose.column_roles import Fit, fit, rules
from onpace.ingest.propose.derived import FACTS
from onpace.ingest.propose.entity_choice import Choice, Table
from onpace.ingest.propose.links import Reference
from onpace.ingest.propose.proposal import SourceJoin, TableProposal
from onpace.model.entities import ENTITIES

THROUGH_LISTS = ("rep_id",)


def origin(prop: TableProposal, column: str) -> tuple[str, str]:
    """The export and column a source column comes from: itself, or the join that took it."""
    for join in prop.joins:
        for theirs, taken in join.take.items():
            if taken == column:
                return join.source, theirs
    return prop.export.name, column


def _best_in(table: Table, key: str, role_entity: str, role_column: str) -> Fit | None:
    role = rules()[0][role_entity].roles[role_column]
    fits = [f for p in table.filled if p.name != key and (f := fit(p, role)) is not None]
    return max(fits, key=lambda f: f.score) if fits else None


def _links(prop: TableProposal, refs: list[Reference]) -> list[tuple[str, Reference]]:
    """(column here, reference from where it came) for every column of the export."""
    columns = list(prop.export.columns) + [t for j in prop.joins for t in j.take.values()]
    out = []
    for column in dict.fromkeys(columns):
        where, theirs = origin(prop, column)
        out += [(column, r) for r in refs if r.table == where and r.column == theirs]
    return out


def _taken(prop: TableProposal, list_name: str, column: str) -> str:
    own = {c.lower() for c in prop.export.columns} | {
        t.lower() for j in prop.joins for t in j.take.values()
    }
    return column if column.lower() not in own else f"{list_name}_{column}"


def fill_through_lists(
    tables: dict[str, Table], props: dict[str, TableProposal], refs: list[Reference]
) -> None:
    """Take a fact's missing rep from the list (lookup or customers) it points at."""
    for prop in props.values():
        main = prop.main
        if main is None or main.entity not in FACTS:
            continue
        for column in THROUGH_LISTS:
            if column in main.columns or column not in ENTITIES[main.entity].column_names:
                continue
            for here, ref in _links(prop, refs):
                listed = props[ref.target].main
                if listed is not None and listed.entity != "customers":
                    continue
                best = _best_in(tables[ref.target], ref.key, main.entity, column)
                if best is None:
                    continue
                taken = _taken(prop, props[ref.target].export.name, best.profile.name)
                label = props[ref.target].export.label
                why = f"the {best.profile.name!r} of the {ref.key!r} in {label}"
                prop.joins.append(
                    SourceJoin(ref.target, {here: ref.key}, {best.profile.name: taken}, why, "keep")
                )
                main.columns[column] = Choice(column, taken, best.score * 0.9, why, taken)
                if listed is None and ref.target not in props[ref.target].lookup_for:
                    props[ref.target].lookup_for.append(prop.export.name)
                    props[
                        ref.target
                    ].reason = f"a lookup: {prop.export.label} takes its {best.profile.name!r}"
                break
