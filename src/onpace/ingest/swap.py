"""The atomic swap: staged entity tables, quarantine and ledger replace the live ones at once.

Everything an ingest computes is written to staging tables first (``onpace_stage_<entity>``
in the warehouse file, so the rows are written once). :func:`swap_tables` then, in one
DuckDB transaction, runs the swap hooks, renames every staged table over its live one,
replaces the quarantine and appends to the ledger. A failure or a kill before the
commit leaves the previous data as it was; readers never see half of a run.

A hook sees old and new rows side by side, inside the transaction: it is the place to
record what changed (:func:`changed_keys` lists the keys that are new, replaced or
removed per table) or to stamp a data version. A hook that raises aborts the swap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from onpace.ingest import sql
from onpace.ingest.checks import STAGE_PREFIX
from onpace.ingest.ledger import QUARANTINE_TABLE, has_table


@dataclass(frozen=True)
class TableSwap:
    """One table the swap replaces: readers see ``live``; ``staged`` holds the new rows."""

    entity: str
    live: str
    staged: str
    key: str


SwapHook = Callable[[Any, Sequence[TableSwap]], None]
"""Called with the connection and the swaps inside the transaction, before the renames."""


@dataclass(frozen=True)
class ChangeSet:
    """How many keys of one table are new, replaced (a value differs) or removed."""

    entity: str
    new: int
    replaced: int
    removed: int

    @property
    def changed(self) -> int:
        return self.new + self.replaced + self.removed


def swap_tables(
    con: Any,
    swaps: Sequence[TableSwap],
    *,
    quarantine: str,
    run_id: str,
    record: Callable[[Any], None],
    hooks: Sequence[SwapHook] = (),
) -> None:
    """Replace entities, quarantine and ledger in one transaction.

    ``quarantine`` is the (temporary) table of this run's quarantined rows; ``record``
    appends the run to the ledger through the connection it is given.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        for hook in hooks:
            hook(con, swaps)
        for swap in swaps:
            live, staged = sql.render(sql.ident(swap.live)), sql.render(sql.ident(swap.staged))
            con.execute(f"DROP TABLE IF EXISTS {live}")
            con.execute(f"ALTER TABLE {staged} RENAME TO {live}")
        con.execute(
            f"CREATE OR REPLACE TABLE {QUARANTINE_TABLE} AS SELECT "
            f"{sql.render(sql.lit(run_id))} AS run_id, * FROM {quarantine} "
            "ORDER BY source, file, line"
        )
        record(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def changed_keys(con: Any, swap: TableSwap, into: str) -> ChangeSet:
    """Write ``(key, change)`` rows of the keys that differ between live and staged into ``into``.

    ``change`` is ``new``, ``replaced`` or ``removed``; a row is replaced when any column
    both tables have differs (a changed type counts as a change). Meant for a
    :data:`SwapHook`: both tables exist until the rename.
    """
    staged, key = sql.render(sql.ident(swap.staged)), sql.render(sql.ident(swap.key))
    target = sql.render(sql.ident(into))
    if not has_table(con, swap.live):
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {target} AS SELECT CAST({key} AS VARCHAR) AS key, "
            f"'new' AS change FROM {staged}"
        )
    else:
        live = sql.render(sql.ident(swap.live))
        common = [c for c in _columns(con, swap.staged) if c in set(_columns(con, swap.live))]
        row_hash = "hash(" + ", ".join(sql.render(sql.ident(c)) for c in common) + ")"
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {target} AS "
            f"SELECT CAST(COALESCE(n.{key}, o.{key}) AS VARCHAR) AS key, CASE "
            f"WHEN o.{key} IS NULL THEN 'new' WHEN n.{key} IS NULL THEN 'removed' "
            f"ELSE 'replaced' END AS change FROM "
            f"(SELECT {key}, {row_hash} AS _h FROM {staged}) n FULL OUTER JOIN "
            f"(SELECT {key}, {row_hash} AS _h FROM {live}) o ON n.{key} = o.{key} "
            f"WHERE o.{key} IS NULL OR n.{key} IS NULL OR n._h <> o._h"
        )
    counts = dict(con.execute(f"SELECT change, count(*) FROM {target} GROUP BY change").fetchall())
    return ChangeSet(
        swap.entity,
        int(counts.get("new", 0)),
        int(counts.get("replaced", 0)),
        int(counts.get("removed", 0)),
    )


def _columns(con: Any, table: str) -> list[str]:
    return [
        str(r[0])
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index",
            [table],
        ).fetchall()
    ]


def drop_temporaries(con: Any) -> None:
    """Drop the temporary tables and views of a run, and staging tables a killed run left."""
    for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE (temporary AND table_name LIKE "
        "'\\_onpace\\_%' ESCAPE '\\') OR table_name LIKE ?",
        [STAGE_PREFIX + "%"],
    ).fetchall():
        con.execute(f"DROP TABLE IF EXISTS {sql.render(sql.ident(str(name)))}")
    # earlier versions left each file's reading view in the warehouse file itself
    for (name,) in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE (temporary AND view_name LIKE "
        "'\\_onpace\\_%' ESCAPE '\\') OR (NOT internal AND view_name LIKE "
        "'\\_onpace\\_raw\\_%\\_v' ESCAPE '\\')"
    ).fetchall():
        con.execute(f"DROP VIEW IF EXISTS {sql.render(sql.ident(str(name)))}")
