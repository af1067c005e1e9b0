"""Build an entity's staged table from the good rows every source gives it.

Each source contributes a :class:`~onpace.ingest.outcome.Part`: its good rows of
the entity (lines already grouped where ``group_by`` says). The parts are unioned
with their source position and global sequence; for a key given more than once,
the row of the later source, and within a source of the later file and line,
wins. That is how late corrections land.
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


def entity_rows(plan: MappingPlan, table: str, bad: str, position: int) -> str:
    """The SELECT of a source's good rows of one entity, grouped when the mapping groups."""
    good = f"(SELECT * FROM {table} WHERE _seq NOT IN (SELECT _seq FROM {bad}))"
    if plan.group_by is None:
        cols = ", ".join(sql.render(sql.ident(c.name)) for c in plan.columns)
        return f"SELECT {cols}, {position} AS _src, _seq FROM {good}"
    key = sql.render(sql.ident(plan.key))
    selects = []
    for c in plan.columns:
        ident = sql.render(sql.ident(c.name))
        if c.name == plan.key:
            selects.append(ident)
            continue
        agg = _AGGREGATES[c.agg].format(c=ident)
        if c.agg in ("sum", "count"):
            agg = sql.render(sql.cast(sql.fill("CAST(__a AS DOUBLE)", a=_parsed(agg)), c.kind))
        selects.append(f"{agg} AS {ident}")
    return (
        f"SELECT {', '.join(selects)}, {position} AS _src, min(_seq) AS _seq "
        f"FROM {good} GROUP BY {key}"
    )


def build_entity(con: Any, entity_name: str, parts: list[Part]) -> tuple[int, int]:
    """Union every source's rows of an entity; for a repeated key the later row wins.

    The result is written straight into a staging table of the warehouse file, which
    the swap renames into place: the rows are written once. Returns the rows staged and
    the rows replaced by a later row with the same key.
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
        selects.append(f"SELECT {', '.join(items)}, _src, _seq FROM ({part.query})")
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
    con.execute(
        f"CREATE OR REPLACE TABLE {stage} AS SELECT {col_list} FROM "
        f"(SELECT *, row_number() OVER (PARTITION BY {key} ORDER BY _src DESC, _seq DESC) "
        f"AS _n FROM {union}) WHERE _n = 1 ORDER BY _src, _seq"
    )
    con.execute(f"DROP TABLE {union}")
    rows = int(con.execute(f"SELECT count(*) FROM {stage}").fetchone()[0])
    return rows, total - rows


def _parsed(text: str) -> exp.Expression:
    """An aggregate written above from fixed pieces and quoted identifiers only."""
    return cast(exp.Expression, sqlglot.parse_one(text, dialect=sql.DIALECT))
