"""Build an entity's staged table from the good rows every source gives it.

Each source contributes a :class:`~onpace.ingest.outcome.Part`: its good rows of
the entity (lines already grouped where ``group_by`` says). The parts are unioned
with their rank and sequence; for a key given more than once, within a source the
later file and line win, and across sources the ``merge`` rule of sources.yml
decides (without one, the source listed later wins the whole row). That is how late
corrections land.
"""

from __future__ import annotations

from typing import Any, cast

import sqlglot
from sqlglot import exp

from onpace.ingest import sql
from onpace.ingest.checks import staged_table
from onpace.ingest.mapping import MappingPlan
from onpace.ingest.outcome import Part
from onpace.model.entities import ENTITIES

_AGGREGATES = {
    "first": "arg_min({c}, _seq) FILTER (WHERE {c} IS NOT NULL)",
    "last": "arg_max({c}, _seq) FILTER (WHERE {c} IS NOT NULL)",
    "sum": "sum({c})",
    "min": "min({c})",
    "max": "max({c})",
    "count": "count({c})",
}


def entity_rows(plan: MappingPlan, table: str, bad: str) -> str:
    """The SELECT of a source's good rows of one entity, grouped when the mapping groups."""
    good = f"(SELECT * FROM {table} WHERE _seq NOT IN (SELECT _seq FROM {bad}))"
    if plan.group_by is None:
        cols = ", ".join(sql.render(sql.ident(c.name)) for c in plan.columns)
        return f"SELECT {cols}, _seq FROM {good}"
    key = sql.render(sql.ident(plan.key))
    selects = []
    for c in plan.columns:
        ident = sql.render(sql.ident(c.name))
        if c.name == plan.key:
            selects.append(ident)
            continue
        agg = _AGGREGATES[c.agg].format(c=ident)
        if c.agg in ("sum", "count") and c.kind == "money":  # exact: decimals add up exactly
            agg = f"CAST({agg} AS {sql.MONEY_WORK})"
        elif c.agg in ("sum", "count"):
            agg = sql.render(sql.cast(sql.fill("CAST(__a AS DOUBLE)", a=_parsed(agg)), c.kind))
        selects.append(f"{agg} AS {ident}")
    return f"SELECT {', '.join(selects)}, min(_seq) AS _seq FROM {good} GROUP BY {key}"


def build_entity(
    con: Any, entity_name: str, parts: list[Part], mode: str = "replace"
) -> tuple[int, int]:
    """Union every source's rows of an entity and merge rows with the same key.

    Within one source the later file and line win the whole row. Across sources the
    part with the lowest ``rank`` wins: the whole row (``replace``) or column by column,
    the first value present in rank order (``fill``). The result is written straight
    into a staging table of the warehouse file, which the swap renames into place.
    Returns the rows staged and the rows merged into another with the same key.
    """
    entity = ENTITIES[entity_name]
    selects = []
    for part in parts:
        items = []
        for col in entity.columns:
            ident = sql.render(sql.ident(col.name))
            if col.name in part.columns:
                items.append(ident)
            else:
                items.append(f"CAST(NULL AS {sql.STORAGE_TYPES[col.kind]}) AS {ident}")
        selects.append(
            f"SELECT {', '.join(items)}, {int(part.rank)} AS _rank, _seq FROM ({part.query})"
        )
    key = sql.render(sql.ident(entity.key))
    all_rows = " UNION ALL ".join(selects)
    stage = sql.render(sql.ident(staged_table(entity_name)))
    col_list = ", ".join(sql.render(sql.ident(c.name)) for c in entity.columns)
    if len(parts) == 1 and parts[0].unique:  # keys are unique already: no window needed
        con.execute(f"CREATE OR REPLACE TABLE {stage} AS SELECT {col_list} FROM ({all_rows})")
        return int(con.execute(f"SELECT count(*) FROM {stage}").fetchone()[0]), 0
    union = f"_onpace_all_{entity_name}"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {union} AS {all_rows}")
    total = int(con.execute(f"SELECT count(*) FROM {union}").fetchone()[0])
    if mode == "fill" and len(parts) > 1:
        con.execute(f"CREATE OR REPLACE TABLE {stage} AS " + _filled(entity_name, union))
    else:
        con.execute(
            f"CREATE OR REPLACE TABLE {stage} AS SELECT {col_list} FROM "
            f"(SELECT *, row_number() OVER (PARTITION BY {key} ORDER BY _rank, _seq DESC) "
            f"AS _n FROM {union}) WHERE _n = 1 ORDER BY _rank DESC, _seq"
        )
    con.execute(f"DROP TABLE {union}")
    rows = int(con.execute(f"SELECT count(*) FROM {stage}").fetchone()[0])
    return rows, total - rows


MIN_PLACES = 4


def settle_money(con: Any, entity_name: str, floors: dict[str, int]) -> dict[str, str]:
    """Store each money column at the places its values need, at least its floor.

    While a run works, money is DECIMAL(38, 12). Stored, a column keeps as many places as
    its values use (never fewer than ``floors`` says: 4, or the places a mapping states)
    in DECIMAL(18, s) when its largest value fits, else DECIMAL(38, s). Returns the type
    given to each column.
    """
    entity = ENTITIES[entity_name]
    stage = sql.render(sql.ident(staged_table(entity_name)))
    money = [c.name for c in entity.columns if c.kind == "money"]
    if not money:
        return {}
    # one probe per column at its floor (a round on a 38-digit decimal is costly); only
    # the columns with more places than that are probed place by place
    idents = {name: sql.render(sql.ident(name)) for name in money}
    first = [f"max(abs({idents[n]}))" for n in money] + [
        f"bool_and({idents[n]} = round({idents[n]}, {floors.get(n, MIN_PLACES)}))" for n in money
    ]
    row = con.execute(f"SELECT {', '.join(first)} FROM {stage}").fetchone()
    largest = dict(zip(money, row[: len(money)], strict=True))
    places = {
        n: floors.get(n, MIN_PLACES)
        for n, ok in zip(money, row[len(money) :], strict=True)
        if ok is not False
    }
    more = [n for n in money if n not in places]
    if more:
        probes = [
            f"bool_and({idents[n]} = round({idents[n]}, {s}))"
            for n in more
            for s in range(floors.get(n, MIN_PLACES) + 1, 13)
        ]
        exact_at = iter(con.execute(f"SELECT {', '.join(probes)} FROM {stage}").fetchone())
        for n in more:
            tried = [next(exact_at) for _ in range(floors.get(n, MIN_PLACES) + 1, 13)]
            places[n] = next(
                (s for s, ok in enumerate(tried, floors.get(n, MIN_PLACES) + 1) if ok is not False),
                12,
            )
    types = {}
    for name in money:
        digits = len(str(int(largest[name]))) if largest[name] is not None else 1
        width = 18 if digits + places[name] <= 18 else 38
        types[name] = f"DECIMAL({width}, {places[name]})"
        # exact either way (the probes showed the values fit); through text it is faster
        con.execute(
            f"ALTER TABLE {stage} ALTER {idents[name]} TYPE {types[name]} "
            f"USING CAST(CAST({idents[name]} AS VARCHAR) AS {types[name]})"
        )
    return types


def _filled(entity_name: str, union: str) -> str:
    """Column by column, the value of the best-ranked source that has one."""
    entity = ENTITIES[entity_name]
    key = sql.render(sql.ident(entity.key))
    columns = []
    for col in entity.columns:
        ident = sql.render(sql.ident(col.name))
        if col.name == entity.key:
            columns.append(ident)
        else:
            columns.append(
                f"first({ident} ORDER BY _rank) FILTER (WHERE {ident} IS NOT NULL) AS {ident}"
            )
    # within one source the later file's row stands whole; then sources fill each other
    latest = (
        f"SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY {key}, _rank "
        f"ORDER BY _seq DESC) AS _n FROM {union}) WHERE _n = 1"
    )
    return (
        f"SELECT {', '.join(columns)} FROM ({latest}) GROUP BY {key} "
        "ORDER BY max(_rank) DESC, min(_seq)"
    )


def _parsed(text: str) -> exp.Expression:
    """An aggregate written above from fixed pieces and quoted identifiers only."""
    return cast(exp.Expression, sqlglot.parse_one(text, dialect=sql.DIALECT))
