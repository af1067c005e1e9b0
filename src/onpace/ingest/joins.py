"""Joins between sources: a row takes columns from another source's row with the same key.

Order lines carry an order id; their date, rep and customer are in the header file. A
``join`` on the lines source looks each line's key up in the header source's rows and
adds the columns it ``take``-s, so the lines' mapping reads them like its own columns.

The lookup side is the other source's rows as read (its own columns, never its own
joins, so two sources may join each other): keys are trimmed text, and for a key given
by more than one file the later file wins, as for entity rows. A key repeated within
that file is ambiguous. A row of this side gets a ``_row_reason`` when its key is
empty, has no row on the other side (unless ``missing: keep``), or is ambiguous; the
checks turn it into a quarantine reason for every entity of the source, so no joined
row loads without both sides unless the mapping says so.

A source that only serves joins (a lookup sheet) feeds no entity; its rows count as
loaded when a join can find them and quarantined (empty or repeated key) otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlglot import exp

from onpace.errors import IngestError, did_you_mean
from onpace.ingest import sql
from onpace.ingest.readers import ROW_REASON, RawSource
from onpace.ingest.source_spec import Join, LoadedSources
from onpace.spec.yaml_lines import PathKey


def _column(
    loaded: LoadedSources, path: PathKey, source: str, columns: Sequence[str], name: str
) -> str:
    """``name`` as the source spells it (a different case is accepted), or a located error."""
    if name in columns:
        return name
    folded = {c.lower(): c for c in columns}
    if name.lower() in folded:
        return folded[name.lower()]
    issue = loaded.issue(
        path,
        f"source '{source}' has no column '{name}'." + did_you_mean(name, list(columns)),
        "its columns are " + ", ".join(columns),
    )
    raise IngestError(str(issue), issues=[issue])


def _key(node: exp.Expression) -> exp.Expression:
    return sql.text_value(exp.cast(node, "VARCHAR"))


def _quoted_keys(names: Sequence[str], values: Sequence[exp.Expression]) -> exp.Expression:
    """``OrderID 'SO-9'`` (or ``Store '1', Receipt '7'``) as a SQL text expression."""
    parts: list[exp.Expression] = []
    for i, (name, value) in enumerate(zip(names, values, strict=True)):
        prefix = ("" if i == 0 else ", ") + f"{name} '"
        parts.append(
            sql.fill("__p || COALESCE(left(__v, 60), '') || ''''", p=sql.lit(prefix), v=value)
        )
    joined = parts[0]
    for part in parts[1:]:
        joined = exp.DPipe(this=joined, expression=part)
    return joined


def _lookup_side(join: Join, right: RawSource, keys: Sequence[str]) -> str:
    """The other source's rows by key: the later file's row, with how often its file has the key.

    Every piece is a rendered identifier or literal; no text of the file reaches the SQL.
    """
    key_cols = [f"{_r(_key(sql.ident(k)))} AS _k{i}" for i, k in enumerate(keys)]
    taken = [f"{_r(sql.ident(c))} AS _v{i}" for i, (c, _) in enumerate(join.taken)]
    part = ", ".join(f"_k{i}" for i in range(len(keys)))
    not_null = " AND ".join(f"_k{i} IS NOT NULL" for i in range(len(keys)))
    return (
        f"SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY {part} ORDER BY _seq DESC) "
        f"AS _rn, count(*) OVER (PARTITION BY {part}, _file) AS _n, "
        f"min(_line) OVER (PARTITION BY {part}, _file) AS _first, "
        f"max(_line) OVER (PARTITION BY {part}, _file) AS _last FROM "
        f"(SELECT {', '.join(key_cols + taken)}, _seq, _file, _line FROM {right.view})) "
        f"WHERE _rn = 1 AND {not_null}"
    )


def _r(node: exp.Expression) -> str:
    return sql.render(node)


def apply_joins(
    con: Any, loaded: LoadedSources, name: str, raw: RawSource, raws: dict[str, RawSource]
) -> RawSource:
    """``raw`` with every join's taken columns and a ``_join_reason`` per row."""
    source = loaded.sources[name]
    if not source.join:
        return raw
    columns = list(raw.columns)
    view = raw.view
    reasons: list[str] = []
    for index, join in enumerate(source.join):
        path: PathKey = ("sources", name, "join", index)
        right = raws[join.source]
        left_keys = [_column(loaded, (*path, "by"), name, columns, a) for a, _ in join.pairs]
        right_keys = [
            _column(loaded, (*path, "by"), join.source, right.columns, b) for _, b in join.pairs
        ]
        taken = [
            (_column(loaded, (*path, "take"), join.source, right.columns, c), new)
            for c, new in join.taken
        ]
        clash = [new for _, new in taken if new.lower() in {c.lower() for c in columns}]
        if clash:
            issue = loaded.issue(
                (*path, "take"),
                f"source '{name}' has a column '{clash[0]}' already",
                f"rename the taken column: take: {{{clash[0]}: {join.source}_{clash[0]}}}",
            )
            raise IngestError(str(issue), issues=[issue])
        resolved = join.model_copy(update={"take": dict(taken)})
        next_view = f"{raw.view}_j{index}"
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {next_view} AS "
            + _join_sql(view, right, resolved, left_keys, right_keys, index)
        )
        view = next_view
        columns.extend(new for _, new in taken)
        reasons.append(f"_jr{index}")
    reason = f"NULLIF(concat_ws('; ', {ROW_REASON}, " + ", ".join(reasons) + "), '')"
    keep = ", ".join(sql.render(sql.ident(c)) for c in columns)
    final = f"{raw.view}_joined"
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {final} AS SELECT {keep}, _file, _line, _seq, "
        f"{reason} AS {ROW_REASON} FROM {view}"
    )
    return RawSource(raw.name, final, columns, raw.files, raw.excel)


def _join_sql(
    view: str,
    right: RawSource,
    join: Join,
    left_keys: Sequence[str],
    right_keys: Sequence[str],
    index: int,
) -> str:
    """``view`` left-joined to the lookup side, with the taken columns and a reason per row."""
    alias = f"_r{index}"
    left_values = [_key(exp.column(k, table="_l", quoted=True)) for k in left_keys]
    on = " AND ".join(f"{_r(v)} = {alias}._k{i}" for i, v in enumerate(left_values))
    any_empty = " OR ".join(f"{_r(v)} IS NULL" for v in left_values)
    shown = _r(_quoted_keys(left_keys, left_values))
    whens = []
    if join.missing == "quarantine":
        missing = f"missing {', '.join(left_keys)}: cannot look it up in {join.source}"
        whens.append(f"WHEN {any_empty} THEN {_r(sql.lit(missing))}")
        nothing = _r(sql.lit(" has no row in " + join.source))
        whens.append(f"WHEN {alias}._n IS NULL THEN {shown} || {nothing}")
    where = _r(sql.lit(f" is in {join.source} "))
    whens.append(
        f"WHEN {alias}._n > 1 THEN {shown} || {where} || CAST({alias}._n AS VARCHAR) || "
        f"' times (lines ' || CAST({alias}._first AS VARCHAR) || CASE WHEN {alias}._n = 2 "
        f"THEN ' and ' ELSE ' to ' END || CAST({alias}._last AS VARCHAR) || ')'"
    )
    taken = [f"{alias}._v{i} AS {_r(sql.ident(new))}" for i, (_, new) in enumerate(join.taken)]
    return (
        f"SELECT _l.*, {', '.join(taken)}, CASE {' '.join(whens)} END AS _jr{index} "
        f"FROM {view} _l LEFT JOIN ({_lookup_side(join, right, right_keys)}) {alias} ON {on}"
    )


def lookup_bad_rows(con: Any, loaded: LoadedSources, name: str, raw: RawSource, bad: str) -> None:
    """The bad rows of a source that only serves joins: an empty or repeated key."""
    selects: list[str] = []
    for other, src in loaded.sources.items():
        for index, join in enumerate(src.join):
            if join.source != name:
                continue
            path: PathKey = ("sources", other, "join", index, "by")
            keys = [_column(loaded, path, name, raw.columns, b) for _, b in join.pairs]
            values = [_key(sql.ident(k)) for k in keys]
            any_empty = " OR ".join(f"{_r(v)} IS NULL" for v in values)
            partition = ", ".join(sql.render(v) for v in values)
            shown = sql.render(_quoted_keys(keys, values))
            empty = sql.render(
                sql.lit(f"missing {', '.join(keys)}: {other} cannot look this row up")
            )
            twice = sql.render(
                sql.lit(f" is in this file more than once: {other} cannot tell which row to take")
            )
            selects.append(
                f"SELECT _seq, _file, _line, CASE WHEN {any_empty} THEN {empty} "
                f"ELSE {shown} || {twice} END AS reason FROM (SELECT *, count(*) OVER "
                f"(PARTITION BY {partition}, _file) AS _n FROM {raw.view}) "
                f"WHERE {any_empty} OR _n > 1"
            )
    selects.append(
        f"SELECT _seq, _file, _line, {ROW_REASON} FROM {raw.view} WHERE {ROW_REASON} IS NOT NULL"
    )
    union = " UNION ALL ".join(selects)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {bad} AS SELECT _seq, first(_file) AS _file, "
        f"first(_line) AS _line, string_agg(DISTINCT reason, '; ') AS reason FROM ({union}) "
        "GROUP BY _seq"
    )
