"""The checks of sources.yml that need the sales model or more than one source.

The pydantic models of :mod:`onpace.ingest.source_spec` check each field's shape;
these rules check what the shape cannot: that entities and columns exist in the
model, that expressions parse, that a join names another source and a merge lists
exactly the sources that feed its entity, that a fallback follows a real relation,
that a stub could be a valid row. Every finding is a located
:class:`~onpace.errors.SpecIssue` with a fix.
"""

from __future__ import annotations

import re

from onpace.errors import FilterError, SpecIssue, did_you_mean
from onpace.ingest.source_spec import ColumnMap, EntityMap, Join, LoadedSources, Source
from onpace.model.entities import ENTITIES, LOADED_ENTITIES, Column, Entity
from onpace.spec.filters import parse_row_expression
from onpace.spec.yaml_lines import PathKey

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_NUMERIC = ("money", "number", "integer")
_TIMES = ("timestamp", "date")


def semantic_issues(loaded: LoadedSources) -> list[SpecIssue]:
    """Entities, columns, expressions, joins, merges and keys checked against the model."""
    issues: list[SpecIssue] = []
    joined = {j.source for src in loaded.sources.values() for j in src.join}
    for name, source in loaded.sources.items():
        base: PathKey = ("sources", name)
        if not _NAME.match(name):
            issues.append(
                loaded.issue(
                    base,
                    f"source name {name!r} is not a plain name",
                    "use letters, digits, _ and -",
                )
            )
        if not source.entities and name not in joined:
            issues.append(
                loaded.issue(
                    base,
                    f"source '{name}' feeds no entity and no other source joins it",
                    "add 'entities:', or take its columns from another source with 'join:'",
                )
            )
        for index, join in enumerate(source.join):
            issues.extend(_join_issues(loaded, (*base, "join", index), name, join))
        for entity_name, emap in source.entities.items():
            epath: PathKey = (*base, "entities", entity_name)
            entity = ENTITIES.get(entity_name)
            if entity is None or entity.derived:
                issues.append(
                    loaded.issue(
                        epath,
                        f"unknown entity '{entity_name}'."
                        + did_you_mean(entity_name, LOADED_ENTITIES),
                        "use one of " + ", ".join(LOADED_ENTITIES),
                    )
                )
                continue
            issues.extend(_entity_issues(loaded, epath, entity, emap))
    issues.extend(_merge_issues(loaded))
    return issues


def _join_issues(loaded: LoadedSources, path: PathKey, name: str, join: Join) -> list[SpecIssue]:
    others = [n for n in loaded.sources if n != name]
    if join.source == name:
        return [
            loaded.issue(
                (*path, "source"),
                f"source '{name}' cannot join itself",
                "join another source of this file",
            )
        ]
    if join.source not in loaded.sources:
        return [
            loaded.issue(
                (*path, "source"),
                f"no source '{join.source}' in sources.yml." + did_you_mean(join.source, others),
                "name one of " + ", ".join(others) if others else "add the source it names",
            )
        ]
    names = [new for _, new in join.taken]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        return [
            loaded.issue(
                (*path, "take"),
                f"'take' gives the name '{twice[0]}' twice",
                "rename one of them: take: {column: new name}",
            )
        ]
    return []


def _entity_issues(
    loaded: LoadedSources, epath: PathKey, entity: Entity, emap: EntityMap
) -> list[SpecIssue]:
    issues: list[SpecIssue] = []
    maps = emap.column_maps()
    for col_name, cmap in maps.items():
        cpath: PathKey = (*epath, "columns", col_name)
        col = entity.column(col_name)
        if col is None:
            issues.append(
                loaded.issue(
                    cpath,
                    f"{entity.name} has no column '{col_name}'."
                    + did_you_mean(col_name, entity.column_names),
                    "its columns are " + ", ".join(entity.column_names),
                )
            )
            continue
        issues.extend(_column_issues(loaded, cpath, entity, emap, col, cmap))
    issues.extend(_key_issues(loaded, epath, entity, emap, maps))
    if emap.where is not None:
        try:
            parse_row_expression(emap.where, kind="filter")
        except FilterError as exc:
            issues.append(loaded.issue((*epath, "where"), exc.message, exc.fix))
    if emap.group_by is not None and emap.group_by not in maps:
        issues.append(
            loaded.issue(
                (*epath, "group_by"),
                f"group_by '{emap.group_by}' is not a mapped column."
                + did_you_mean(emap.group_by, list(maps)),
                f"group by the entity key, e.g. group_by: {entity.key}",
            )
        )
    return issues


def _key_issues(
    loaded: LoadedSources,
    epath: PathKey,
    entity: Entity,
    emap: EntityMap,
    maps: dict[str, ColumnMap],
) -> list[SpecIssue]:
    issues: list[SpecIssue] = []
    if emap.key is not None:
        if entity.key in maps:
            issues.append(
                loaded.issue(
                    (*epath, "key"),
                    f"{entity.key} is mapped and 'key' makes it too",
                    f"remove 'key', or remove the mapping of {entity.key}",
                )
            )
        if emap.group_by is not None and emap.key == "row_number":
            issues.append(
                loaded.issue(
                    (*epath, "key"),
                    "key: row_number gives every line its own key, so group_by has nothing "
                    "to group",
                    "give the columns that identify a row: key: [column, column]",
                )
            )
        if isinstance(emap.key, list) and not emap.key:
            issues.append(
                loaded.issue((*epath, "key"), "key lists no column", "key: [column, column]")
            )
    if emap.partial:
        needed = [] if emap.key is not None else [entity.key]
    else:
        needed = [c for c in entity.required_columns if c != entity.key or emap.key is None]
    missing = [c for c in needed if c not in maps]
    if missing:
        issues.append(
            loaded.issue(
                (*epath, "columns"),
                f"{entity.name} needs column(s) {', '.join(missing)}",
                "map them, e.g. " + f"{missing[0]}: <source column>",
            )
        )
    return issues


def _column_issues(
    loaded: LoadedSources,
    cpath: PathKey,
    entity: Entity,
    emap: EntityMap,
    col: Column,
    cmap: ColumnMap,
) -> list[SpecIssue]:
    issues: list[SpecIssue] = []

    def bad(key: str, message: str, fix: str) -> None:
        issues.append(loaded.issue((*cpath, key) if key else cpath, message, fix))

    if cmap.expr is not None:
        try:
            parse_row_expression(cmap.expr, kind="value")
        except FilterError as exc:
            bad("expr", exc.message, exc.fix)
    if cmap.formats and col.kind not in _TIMES:
        bad("format", f"'format' is for dates; {col.name} is {col.kind}", "remove it")
    if (cmap.min is not None or cmap.max is not None) and col.kind not in _NUMERIC:
        bad("", f"min/max are for numbers; {col.name} is {col.kind}", "remove them")
    if cmap.agg is not None and emap.group_by is None:
        bad(
            "agg",
            "'agg' needs 'group_by' on the entity",
            f"add group_by: {entity.key}, or remove agg",
        )
    if cmap.agg == "sum" and col.kind not in _NUMERIC:
        bad("agg", f"cannot sum {col.kind} column {col.name}", "use first, last, min or max")
    if cmap.decimals is not None and col.kind != "money":
        bad("decimals", f"'decimals' is for money; {col.name} is {col.kind}", "remove it")
    if cmap.allow_missing not in (None, False):
        if not col.required or col.name == entity.key:
            what = "the key" if col.name == entity.key else "optional anyway"
            bad("allow_missing", f"{col.name} is {what}", "remove allow_missing")
        if isinstance(cmap.allow_missing, str):
            try:
                parse_row_expression(cmap.allow_missing, kind="filter")
            except FilterError as exc:
                bad("allow_missing", exc.message, exc.fix)
    issues.extend(_relation_issues(loaded, cpath, entity, col, cmap))
    return issues


def _relation_issues(
    loaded: LoadedSources, cpath: PathKey, entity: Entity, col: Column, cmap: ColumnMap
) -> list[SpecIssue]:
    issues: list[SpecIssue] = []
    relation = next((r for r in entity.relations if r.column == col.name), None)
    if cmap.unknown is not None and relation is None:
        refs = [r.column for r in entity.relations]
        issues.append(
            loaded.issue(
                (*cpath, "unknown"),
                f"{col.name} refers to no other entity, so no key of it can be unknown",
                "use 'unknown' on " + (", ".join(refs) if refs else "a reference column"),
            )
        )
    if cmap.unknown == "stub" and relation is not None:
        target = ENTITIES[relation.target]
        lacking = [c for c in target.required_columns if c != target.key]
        if lacking:
            issues.append(
                loaded.issue(
                    (*cpath, "unknown"),
                    f"a stub {target.name} row would have only {target.key}, but "
                    f"{target.name} needs {', '.join(lacking)}",
                    "use unknown: quarantine or unknown: empty",
                )
            )
    if cmap.fallback is not None:
        issues.extend(_fallback_issues(loaded, (*cpath, "fallback"), entity, col, cmap.fallback))
    return issues


def _fallback_issues(
    loaded: LoadedSources, path: PathKey, entity: Entity, col: Column, fallback: str
) -> list[SpecIssue]:
    rel_name, _, column = fallback.partition(".")
    relation = entity.relation(rel_name)
    if relation is None:
        names = [r.name for r in entity.relations]
        return [
            loaded.issue(
                path,
                f"{entity.name} has no relation '{rel_name}'." + did_you_mean(rel_name, names),
                "its relations are " + ", ".join(names) if names else "remove 'fallback'",
            )
        ]
    target = ENTITIES[relation.target]
    other = target.column(column)
    if other is None:
        return [
            loaded.issue(
                path,
                f"{target.name} has no column '{column}'."
                + did_you_mean(column, target.column_names),
                "its columns are " + ", ".join(target.column_names),
            )
        ]
    same = other.kind == col.kind or (other.kind in _TIMES and col.kind in _TIMES)
    if not same:
        return [
            loaded.issue(
                path,
                f"{target.name}.{column} is {other.kind} but {col.name} is {col.kind}",
                f"fall back on a {col.kind} column of {target.name}",
            )
        ]
    return []


def feeders(loaded: LoadedSources, entity: str) -> list[str]:
    """The sources that feed ``entity``, in the order of sources.yml."""
    return [n for n, s in loaded.sources.items() if entity in s.entities]


def _merge_issues(loaded: LoadedSources) -> list[SpecIssue]:
    issues: list[SpecIssue] = []
    for entity, rule in loaded.merge.items():
        path: PathKey = ("merge", entity)
        if entity not in LOADED_ENTITIES:
            issues.append(
                loaded.issue(
                    path,
                    f"unknown entity '{entity}'." + did_you_mean(entity, LOADED_ENTITIES),
                    "use one of " + ", ".join(LOADED_ENTITIES),
                )
            )
            continue
        feeding = feeders(loaded, entity)
        listed = list(rule.precedence)
        if sorted(listed) != sorted(feeding) or len(set(listed)) != len(listed):
            issues.append(
                loaded.issue(
                    (*path, "precedence"),
                    f"precedence lists {', '.join(listed) or 'nothing'} but {entity} is fed by "
                    f"{', '.join(feeding) or 'no source'}",
                    "list every source that feeds it, once, the winning one first",
                )
            )
    for name, source in loaded.sources.items():
        for entity, emap in source.entities.items():
            if emap.partial:
                issues.extend(_partial_issues(loaded, name, source, entity))
    return issues


def _partial_issues(
    loaded: LoadedSources, name: str, source: Source, entity: str
) -> list[SpecIssue]:
    path: PathKey = ("sources", name, "entities", entity, "partial")
    full = [n for n in feeders(loaded, entity) if not loaded.sources[n].entities[entity].partial]
    if entity not in loaded.merge:
        return [
            loaded.issue(
                path,
                f"a partial source adds columns to rows of other sources, but {entity} has no "
                "merge rule",
                f"add merge: {{{entity}: {{precedence: [...]}}}} listing its sources",
            )
        ]
    if loaded.merge[entity].mode != "fill":
        return [
            loaded.issue(
                path,
                f"a partial source only fills columns, but the merge of {entity} replaces "
                "whole rows",
                f"set mode: fill on merge.{entity}",
            )
        ]
    if not full:
        return [
            loaded.issue(
                path,
                f"every source of {entity} is partial: no source gives whole rows",
                "map the required columns in one source and drop its 'partial'",
            )
        ]
    return []
