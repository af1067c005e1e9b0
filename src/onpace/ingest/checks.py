"""The checks that need more than one row, and the quarantine they feed.

A mapping (:mod:`onpace.ingest.mapping`) gives every row its own ``_reason``: a
value missing or unreadable, out of range, in the future. The reasons here need
other rows:

- an unknown foreign key, checked against the entity as staged from *other*
  sources (the run processes sources in the order their references need);
- a key repeated within one file;
- for mappings that add lines up (``agg: sum``/``count``), the other lines of a
  group that has a bad line, so no order is loaded with part of its lines.

:func:`collect_bad_rows` then gathers every reason of every entity of a source
into one table of bad rows (one per input row, reasons joined): a row with any
reason is quarantined from every entity of its source.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from onpace.ingest import sql
from onpace.ingest.mapping import MappingPlan
from onpace.model.entities import ENTITIES

STAGE_PREFIX = "onpace_stage_"
MAX_ROW_TEXT = 2000


def staged_table(entity: str) -> str:
    """The staging table of ``entity``: built during the run, renamed into place by the swap."""
    return f"{STAGE_PREFIX}{entity}"


@dataclass(frozen=True)
class UnknownKeys:
    """References to keys the target lacks that were loaded anyway (``empty`` or ``stub``)."""

    entity: str
    column: str
    target: str
    policy: str
    rows: int
    keys: int


def foreign_keys(
    con: Any,
    plan: MappingPlan,
    table: str,
    own: Sequence[str],
    exists: Callable[[str], bool],
) -> list[UnknownKeys]:
    """Apply each reference's ``unknown`` policy to keys the target entity, as staged, lacks.

    ``quarantine`` gives the row a reason; ``empty`` clears the reference; ``stub`` adds
    a row with just that key to the target's staging table (created when no source
    feeds the target). A reference to an entity the same source feeds (``own``) is not
    checked: both come from one row.
    """
    found: list[UnknownKeys] = []
    policies = dict(plan.unknown)
    for rel in plan.entity.relations:
        policy = policies.get(rel.column)
        target = ENTITIES[rel.target]
        stage = staged_table(rel.target)
        if policy is None or rel.target in own:
            continue
        if not exists(stage):
            if policy != "stub":
                continue
            con.execute(
                f"CREATE TABLE {sql.render(sql.ident(stage))} AS " + sql.empty_entity(target)
            )
        col = sql.render(sql.ident(rel.column))
        key = sql.render(sql.ident(target.key))
        unknown = (
            f"_reason IS NULL AND {col} IS NOT NULL AND {col} NOT IN "
            f"(SELECT {key} FROM {sql.render(sql.ident(stage))} WHERE {key} IS NOT NULL)"
        )
        if policy == "quarantine":
            prefix = sql.render(sql.lit(f"unknown {rel.column} '"))
            suffix = sql.render(sql.lit(f"': not in {rel.target}"))
            con.execute(
                f"UPDATE {table} SET _reason = {prefix} || left({col}, 60) || {suffix} "
                f"WHERE {unknown}"
            )
            continue
        rows, keys = con.execute(
            f"SELECT count(*), count(DISTINCT {col}) FROM {table} WHERE {unknown}"
        ).fetchone()
        if not rows:
            continue
        if policy == "stub":
            con.execute(
                f"INSERT INTO {sql.render(sql.ident(stage))} ({key}) "
                f"SELECT DISTINCT {col} FROM {table} WHERE {unknown}"
            )
        else:
            con.execute(f"UPDATE {table} SET {col} = NULL WHERE {unknown}")
        found.append(
            UnknownKeys(plan.entity.name, rel.column, rel.target, policy, int(rows), int(keys))
        )
    return found


def partial_rows(con: Any, plan: MappingPlan, table: str, full: Sequence[str]) -> None:
    """Reason for rows of a partial source whose key no full source of the entity gives."""
    key = sql.render(sql.ident(plan.key))
    keys = " UNION ALL ".join(f"SELECT {key} FROM ({q})" for q in full)
    prefix = sql.render(sql.lit(f"no {plan.entity.name} row with {plan.key} '"))
    suffix = sql.render(sql.lit("' from another source to add to"))
    con.execute(
        f"UPDATE {table} SET _reason = {prefix} || left({key}, 60) || {suffix} "
        f"WHERE _reason IS NULL AND {key} IS NOT NULL AND {key} NOT IN ({keys})"
    )


def duplicates(con: Any, plan: MappingPlan, table: str) -> None:
    """Reason for the second and later rows of a key repeated within one file."""
    key = sql.render(sql.ident(plan.key))
    msg = sql.render(sql.lit(f"duplicate {plan.key} '"))
    # a grouped count finds the repeated keys (usually none) before any row is rewritten
    repeated = f"_onpace_dups_{table}"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {repeated} AS SELECT {key} AS k, _file AS f "
        f"FROM {table} WHERE _reason IS NULL AND {key} IS NOT NULL "
        "GROUP BY ALL HAVING count(*) > 1"
    )
    if not con.execute(f"SELECT count(*) FROM {repeated}").fetchone()[0]:
        return
    con.execute(
        f"UPDATE {table} SET _reason = {msg} || left(d.k, 60) || ''' (first at line ' || "
        f"CAST(d.first_line AS VARCHAR) || ')' FROM (SELECT _seq AS s, CAST({key} AS VARCHAR)"
        f" AS k, first_value(_line) OVER w AS first_line, row_number() OVER w AS n "
        f"FROM {table} WHERE _reason IS NULL AND ({key}, _file) IN "
        f"(SELECT (k, f) FROM {repeated}) "
        f"WINDOW w AS (PARTITION BY {key}, _file ORDER BY _seq)) d "
        f"WHERE {table}._seq = d.s AND d.n > 1"
    )


def collect_bad_rows(
    con: Any,
    tables: Sequence[tuple[MappingPlan, str]],
    view: str,
    bad: str,
    row_reason: str | None = None,
) -> None:
    """One row per quarantined input row of a source in ``bad``: ``_seq``, file, line, reasons.

    ``row_reason`` names a column of ``view`` with a reason that holds for the whole row
    (a join that found nothing). When every entity of the source has a ``where``, a row
    none of them takes is bad too.
    """
    # a reason for the whole row (priority 0) says why; the entities' reasons follow from it
    union = " UNION ALL ".join(
        f"SELECT _seq, _file, _line, {sql.render(sql.lit(p.entity.name + ': '))} || _reason "
        f"AS reason, 1 AS _prio FROM {t} WHERE _reason IS NOT NULL"
        for p, t in tables
    )
    if row_reason is not None:
        union += (
            f" UNION ALL SELECT _seq, _file, _line, {row_reason}, 0 FROM {view} "
            f"WHERE {row_reason} IS NOT NULL"
        )
    if all(p.where is not None for p, _ in tables):
        matched = " UNION ALL ".join(f"SELECT _seq FROM {t}" for _, t in tables)
        union += (
            " UNION ALL SELECT _seq, _file, _line, 'no entity takes this row (it "
            f"matches no ''where'')', 1 FROM {view} WHERE _seq NOT IN ({matched})"
        )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {bad} AS SELECT _seq, first(_file) AS _file, "
        "first(_line) AS _line, COALESCE(first(reason) FILTER (WHERE _prio = 0), "
        f"string_agg(DISTINCT reason, '; ')) AS reason FROM ({union}) GROUP BY _seq"
    )
    spread_groups(con, tables, bad)


def spread_groups(con: Any, tables: Sequence[tuple[MappingPlan, str]], bad: str) -> None:
    """Lines that add up into one row are loaded all together or not at all."""
    for plan, table in tables:
        if plan.group_by is None or not any(c.agg in ("sum", "count") for c in plan.columns):
            continue
        key = sql.render(sql.ident(plan.key))
        msg = sql.render(sql.lit(f"{plan.entity.name}: another line of {plan.key} '"))
        con.execute(
            f"INSERT INTO {bad} SELECT t._seq, t._file, t._line, {msg} || "
            f"left(CAST(t.{key} AS VARCHAR), 60) || ''' was quarantined (line ' || "
            f"CAST(g.line AS VARCHAR) || ')' FROM {table} t JOIN (SELECT t2.{key} AS k, "
            f"min(b._line) AS line FROM {table} t2 JOIN {bad} b USING (_seq) "
            f"GROUP BY t2.{key}) g ON t.{key} = g.k WHERE t._seq NOT IN "
            f"(SELECT _seq FROM {bad})"
        )


def reason_counts(con: Any, bad: str, limit: int = 20) -> dict[str, int]:
    """The most frequent reasons, with the quoted values folded into ``...``."""
    counts: dict[str, int] = {}
    for reason, n in con.execute(
        f"SELECT regexp_replace(reason, '''[^'']*''', '...', 'g') AS r, count(*) FROM {bad} "
        f"GROUP BY r ORDER BY 2 DESC LIMIT {int(limit)}"
    ).fetchall():
        counts[str(reason)] = int(n)
    return counts


def create_quarantine(con: Any, table: str) -> None:
    """The run's quarantine, filled source by source, swapped in at the end."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} (source VARCHAR, file VARCHAR, line BIGINT, "
        "reason VARCHAR, row_text VARCHAR)"
    )


def quarantine_rows(
    con: Any, table: str, source: str, columns: Sequence[str], view: str, bad: str
) -> None:
    """Append a source's bad rows to the quarantine, each with its row as JSON text."""
    raw_cols = [sql.ident(c) for c in columns]
    row_text = sql.render(
        sql.fill(
            f"left(CAST(to_json(__s) AS VARCHAR), {MAX_ROW_TEXT})",
            s=exp.Struct(expressions=raw_cols) if raw_cols else sql.lit("{}"),
        )
    )
    # the bad rows' own columns are renamed: a source column named "Reason" (or "_file")
    # must not meet them in one scope (DuckDB names are case-insensitive)
    con.execute(
        f"INSERT INTO {table} SELECT {sql.render(sql.lit(source))}, b._onpace_q_file, "
        f"b._onpace_q_line, b._onpace_q_reason, {row_text} FROM (SELECT _seq, "
        f"_file AS _onpace_q_file, _line AS _onpace_q_line, reason AS _onpace_q_reason "
        f"FROM {bad}) b JOIN {view} USING (_seq)"
    )


def near_twin_keys(con: Any, entity: str) -> str | None:
    """A note when keys of ``entity`` differ only in upper/lower case or blanks.

    Such keys are loaded as they are (``SO-1`` and ``so-1`` may be two orders), but they
    are often one key typed twice, so the summary names how many and one pair.
    """
    key = sql.render(sql.ident(ENTITIES[entity].key))
    stage = sql.render(sql.ident(staged_table(entity)))
    groups, first, second = con.execute(
        f"SELECT count(*), arg_min(a, a), arg_min(b, a) FROM (SELECT min({key}) AS a, "
        f"max({key}) AS b FROM {stage} WHERE {key} IS NOT NULL "
        f"GROUP BY lower(regexp_replace({key}, '\\s+', '', 'g')) HAVING min({key}) <> max({key}))"
    ).fetchone()
    if not groups:
        return None
    shown = f"{str(first)[:60]!r} and {str(second)[:60]!r}"
    return (
        f"{entity}: {int(groups):,} {ENTITIES[entity].key} value(s) differ from another only in "
        f"upper/lower case or blanks (e.g. {shown}); they are loaded as different keys"
    )
