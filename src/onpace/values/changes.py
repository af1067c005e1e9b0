"""Change sets: which rows of which tables are new, replaced or removed, old and new versions.

A refresh of the stored values needs to know what changed to know which cells can
have changed. A change set holds, per entity, the *old* versions of the rows that were
replaced or removed and the *new* versions of the rows that are new or replaced, as
tables of the warehouse (so the refresh reads them with the same Ibis expressions on
DuckDB and on Spark). An entity replaced wholesale (too many changes to be worth
following row by row, or a table that is new) is marked ``full``: every KPI that reads
it is recomputed.

Change sets are recorded where the data is written: the ingest's atomic swap (old and
new tables side by side inside its transaction), :meth:`Warehouse.load
<onpace.query.warehouse.Warehouse.load>` on a writable copy, and :func:`diff` for two
versions of a table anywhere else (a Spark pipeline that keeps yesterday's Parquet).
Every change to the data also raises the warehouse's *data version*, which the stored
values carry: values of an older data version are never served.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from onpace.model.entities import ENTITIES
from onpace.values.layout import CELLS, DATA_VERSION

FULL_SHARE = 0.25  # more changed rows than this share of a table: recompute what reads it
_OLD, _NEW = "onpace_changed_old__", "onpace_changed_new__"


@dataclass
class ChangedRows:
    """The changed rows of one entity: ``old`` and ``new`` versions (Ibis tables or None)."""

    entity: str
    old: Any
    new: Any
    new_rows: int = 0
    replaced: int = 0
    removed: int = 0

    @property
    def changed(self) -> int:
        return self.new_rows + self.replaced + self.removed


@dataclass
class ChangeSet:
    """What changed in the data since the stored values were computed."""

    rows: dict[str, ChangedRows] = field(default_factory=dict)
    full: set[str] = field(default_factory=set)

    def add(self, changed: ChangedRows) -> None:
        if changed.entity in self.rows or changed.entity in self.full:
            self.rows.pop(changed.entity, None)
            self.full.add(changed.entity)  # changed twice: follow it as a whole
        elif changed.changed:
            self.rows[changed.entity] = changed

    def mark_full(self, entity: str) -> None:
        self.rows.pop(entity, None)
        self.full.add(entity)

    @property
    def empty(self) -> bool:
        return not self.rows and not self.full

    def summary(self) -> dict[str, dict[str, int | str]]:
        out: dict[str, dict[str, int | str]] = {e: {"replaced": "all"} for e in sorted(self.full)}
        for e, r in sorted(self.rows.items()):
            out[e] = {"new": r.new_rows, "replaced": r.replaced, "removed": r.removed}
        return out


def diff(entity: str, old: Any, new: Any) -> ChangedRows:
    """The change between two versions of ``entity``'s table (Ibis tables on one backend).

    A row is unchanged when an identical row is in the other version; the key tells
    new, replaced and removed rows apart. Runs on any backend (set differences).
    """
    key = ENTITIES[entity].key
    columns = [c for c in new.columns if c in set(old.columns)]
    old_t, new_t = old.select(*columns), new.select(*columns).cast(old.select(*columns).schema())
    old_changed = old_t.difference(new_t)
    new_changed = new_t.difference(old_t)
    keys_old = old_changed.select(k=old_changed[key].cast("string")).distinct()
    keys_new = new_changed.select(k=new_changed[key].cast("string")).distinct()
    both = keys_old.semi_join(keys_new, "k").count().execute()
    n_old, n_new = keys_old.count().execute(), keys_new.count().execute()
    return ChangedRows(
        entity,
        old_changed,
        new_changed,
        new_rows=int(n_new) - int(both),
        replaced=int(both),
        removed=int(n_old) - int(both),
    )


def record_swap(con: Any, entity: str, live: str, staged: str, key: str) -> ChangedRows | None:
    """Keep the changed rows of a DuckDB table about to be replaced (in temporary tables).

    Meant for the ingest's swap, where ``live`` and ``staged`` exist side by side.
    None when the live table is missing (a new table) or when too much changed.
    """
    from onpace.ingest.sql import ident, render

    tables = {str(r[0]) for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if live not in tables:
        return None
    lv, st, k = render(ident(live)), render(ident(staged)), render(ident(key))
    live_cols = {str(r[0]) for r in con.execute(f"DESCRIBE {lv}").fetchall()}
    cols = [str(r[0]) for r in con.execute(f"DESCRIBE {st}").fetchall() if r[0] in live_cols]
    picked = ", ".join(render(ident(c)) for c in cols)
    old, new = render(ident(_OLD + entity)), render(ident(_NEW + entity))
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {old} AS SELECT {picked} FROM {lv} "
        f"EXCEPT SELECT {picked} FROM {st}"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {new} AS SELECT {picked} FROM {st} "
        f"EXCEPT SELECT {picked} FROM {lv}"
    )
    total = int(con.execute(f"SELECT count(*) FROM {lv}").fetchone()[0])
    n_old, n_new, both = con.execute(
        f"SELECT (SELECT count(DISTINCT {k}) FROM {old}), (SELECT count(DISTINCT {k}) FROM {new}), "
        f"(SELECT count(*) FROM (SELECT DISTINCT {k} FROM {old} INTERSECT SELECT DISTINCT {k} "
        f"FROM {new}))"
    ).fetchone()
    changed = ChangedRows(
        entity,
        old=_OLD + entity,
        new=_NEW + entity,
        new_rows=int(n_new) - int(both),
        replaced=int(both),
        removed=int(n_old) - int(both),
    )
    if changed.changed > FULL_SHARE * max(total, 1):
        return None
    return changed


def resolve_tables(changes: ChangeSet, backend: Any) -> None:
    """Turn table names recorded by :func:`record_swap` into Ibis tables of ``backend``."""
    for changed in changes.rows.values():
        if isinstance(changed.old, str):
            changed.old = backend.table(changed.old)
        if isinstance(changed.new, str):
            changed.new = backend.table(changed.new)


def changed_keys(changed: ChangedRows) -> list[str]:
    """Every key of the entity that changed (old or new version), as text."""
    key = ENTITIES[changed.entity].key
    found: set[str] = set()
    for table in (changed.old, changed.new):
        if table is not None:
            values = table.select(k=table[key].cast("string")).distinct().execute()["k"]
            found.update(str(v) for v in values if v is not None)
    return sorted(found)


def read_data_version(backend: Any) -> int:
    """The warehouse's data version: raised by every change onpace makes to the data."""
    if DATA_VERSION not in set(backend.list_tables()):
        return 0
    frame = backend.table(DATA_VERSION).execute()
    return int(frame["version"].max()) if len(frame) else 0


def bump_data_version(backend: Any) -> int:
    """Raise the warehouse's data version by one (every change to the data does)."""
    import pandas as pd

    if getattr(backend, "name", "") == "duckdb":
        return _bump_duckdb(backend.con)
    version = read_data_version(backend) + 1
    backend.create_table(DATA_VERSION, pd.DataFrame({"version": [version]}), overwrite=True)
    return version


def _bump_duckdb(con: Any) -> int:
    con.execute(f"CREATE TABLE IF NOT EXISTS {DATA_VERSION} (version BIGINT)")
    row = con.execute(f"SELECT max(version) FROM {DATA_VERSION}").fetchone()
    version = int(row[0] or 0) + 1
    con.execute(f"DELETE FROM {DATA_VERSION}")
    con.execute(f"INSERT INTO {DATA_VERSION} VALUES (?)", [version])
    return version


def swap_recorder(changes: ChangeSet) -> Callable[[Any, Sequence[Any]], None]:
    """An ingest swap hook: records into ``changes`` what each swapped table changes.

    Runs inside the swap's transaction, where old and new tables exist side by side
    (see :mod:`onpace.ingest.swap`). Rows are followed only where stored values exist
    to refresh; the data version goes up either way.
    """

    def record(con: Any, swaps: Sequence[Any]) -> None:
        found = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [CELLS]
        ).fetchone()
        if found and found[0]:
            for swap in swaps:
                changed = record_swap(con, swap.entity, swap.live, swap.staged, swap.key)
                if changed is None:
                    changes.mark_full(swap.entity)
                else:
                    changes.add(changed)
        _bump_duckdb(con)

    return record
