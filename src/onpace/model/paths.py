"""Resolve names used in KPI specs to columns, following relations between entities.

A KPI on ``orders`` can be broken down by ``channel`` (its own column), by ``rep``
(the key of the ``rep`` relation: ``rep_id``), by ``rep.team`` (a column of the
related salesperson), or by a name reachable one or two hops away: on ``returns``,
``channel`` is found through ``order.channel``. A name that is reachable along two
different paths at the same distance is ambiguous and must be spelt out.
"""

from __future__ import annotations

from dataclasses import dataclass

from onpace.errors import UnknownNameError, did_you_mean
from onpace.model.entities import ENTITIES, Column, Entity, Relation

MAX_HOPS = 2


@dataclass(frozen=True)
class ColumnPath:
    """A column reached from ``origin`` by following ``hops`` relations in order."""

    origin: str
    hops: tuple[Relation, ...]
    column: Column

    @property
    def entity(self) -> str:
        """The entity that holds the column."""
        return self.hops[-1].target if self.hops else self.origin

    @property
    def dotted(self) -> str:
        """The explicit spelling, e.g. ``order.rep.team``."""
        return ".".join([*(h.name for h in self.hops), self.column.name])


def _direct(entity: Entity, name: str) -> list[tuple[tuple[Relation, ...], Column]]:
    """Matches of ``name`` on ``entity`` itself: a column, a relation (its key), or rel.col."""
    col = entity.column(name)
    if col is not None:
        return [((), col)]
    rel = entity.relation(name)
    if rel is not None:
        key_col = entity.column(rel.column)
        assert key_col is not None
        return [((), key_col)]
    if "." in name:
        head, rest = name.split(".", 1)
        rel = entity.relation(head)
        if rel is not None:
            target = ENTITIES[rel.target]
            return [((rel, *hops), c) for hops, c in _direct(target, rest)]
    return []


def resolve(entity_name: str, name: str) -> ColumnPath:
    """The column ``name`` means on ``entity_name``; raises with suggestions when unknown."""
    entity = ENTITIES.get(entity_name)
    if entity is None:
        raise UnknownNameError(
            f"unknown entity '{entity_name}'." + did_you_mean(entity_name, ENTITIES)
        )
    found = _direct(entity, name)
    if found:
        hops, col = found[0]
        return ColumnPath(entity_name, hops, col)
    frontier: list[tuple[tuple[Relation, ...], Entity]] = [((), entity)]
    for _ in range(MAX_HOPS):
        matches: list[tuple[tuple[Relation, ...], Column]] = []
        next_frontier: list[tuple[tuple[Relation, ...], Entity]] = []
        for hops, current in frontier:
            for rel in current.relations:
                target = ENTITIES[rel.target]
                path = (*hops, rel)
                matches.extend(((*path, *h), c) for h, c in _direct(target, name))
                next_frontier.append((path, target))
        if len(matches) == 1:
            hops, col = matches[0]
            return ColumnPath(entity_name, hops, col)
        if len(matches) > 1:
            spelled = sorted(ColumnPath(entity_name, h, c).dotted for h, c in matches)
            raise UnknownNameError(
                f"'{name}' is ambiguous on {entity_name}: it could be "
                + " or ".join(repr(s) for s in spelled)
                + "; write one of them"
            )
        frontier = next_frontier
    raise UnknownNameError(
        f"'{name}' is not a column of {entity_name} nor reachable from it."
        + did_you_mean(name, reachable_names(entity_name))
    )


def reachable_names(entity_name: str) -> list[str]:
    """Every explicit name usable on ``entity_name``: own columns, relations, rel.col."""
    entity = ENTITIES[entity_name]
    names = list(entity.column_names) + [r.name for r in entity.relations]
    for rel in entity.relations:
        target = ENTITIES[rel.target]
        names += [f"{rel.name}.{c}" for c in target.column_names]
        for rel2 in target.relations:
            names += [f"{rel.name}.{rel2.name}"]
            names += [f"{rel.name}.{rel2.name}.{c}" for c in ENTITIES[rel2.target].column_names]
    return names
