"""Where stored values live: one table of cells and one of facts about them, in the warehouse.

A *cell* is one KPI's value in one period of one grain, overall or for one member of
one dimension, with its note (why it is null) and its presence (see
:class:`~onpace.query.assemble.KpiFrame`). The tables sit next to the data they were
computed from: on the embedded warehouse they are DuckDB tables inside the same file
version, so data and values are published together; on any other Ibis backend they
are tables of that backend.

Writing goes through one :meth:`CellTable.apply` per refresh: the cells to drop and
the cells to add. DuckDB deletes and inserts in place (the file is an unpublished
draft, nobody reads it yet); a backend without row deletes (Spark's Parquet tables)
gets a new table of the kept and new cells, renamed over the old one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from onpace.values.layout import CELLS, META, OVERALL, Meta, cells_query

CELL_SCHEMA = pa.schema(
    [
        ("kpi", pa.string()),
        ("grain", pa.string()),
        ("dim", pa.string()),
        ("member", pa.string()),
        ("period", pa.date32()),
        ("value", pa.float64()),
        ("note", pa.string()),
        ("present", pa.int8()),
    ]
)


@dataclass(frozen=True)
class Drop:
    """Cells to remove: of these KPIs, in one grain and breakdown (every one when None),
    in these periods (every period when None)."""

    kpis: tuple[str, ...]
    grain: str | None = None
    dim: str | None = None
    periods: tuple[date, ...] | None = None


def cells_table(columns: dict[str, Any], grain: str, dim: str | None) -> pa.Table:
    """Columns as :meth:`~onpace.query.assemble.Evaluator.long_arrays` gives them, as cells."""
    n = len(columns["kpi"])

    def text(values: Any) -> pa.Array:
        return pa.array(values, type=pa.string(), from_pandas=True)

    periods = [p if type(p) is date else _as_date(p) for p in columns["period"]]
    arrays = [
        text(columns["kpi"]),
        pa.array([grain] * n, type=pa.string()),
        pa.array([dim or OVERALL] * n, type=pa.string()),
        text(columns[dim]) if dim else pa.nulls(n, type=pa.string()),
        pa.array(periods, type=pa.date32()),
        pa.array(
            np.asarray(columns["value"], dtype="float64"), type=pa.float64(), from_pandas=True
        ),
        text(columns["note"]),
        pa.array(np.asarray(columns["present"]).astype("int8"), type=pa.int8()),
    ]
    return pa.Table.from_arrays(arrays, schema=CELL_SCHEMA)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) and not isinstance(value, datetime) else value.date()


class CellTable:
    """The cell and meta tables of one warehouse connection (an Ibis backend)."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self.duckdb = getattr(backend, "name", "") == "duckdb"

    # -- reading ---------------------------------------------------------------------------

    def exists(self) -> bool:
        names = set(self.backend.list_tables())
        return CELLS in names and META in names

    def meta(self) -> Meta | None:
        if not self.exists():
            return None
        if self.duckdb:
            rows = self.backend.con.execute(f"SELECT key, value FROM {META}").fetchall()
        else:
            frame = self.backend.table(META).execute()
            rows = list(zip(frame["key"], frame["value"], strict=True))
        return Meta.from_rows(rows)

    def read(
        self, grain: str, dim: str | None, kpis: Sequence[str], start: date, end: date
    ) -> pd.DataFrame:
        """Cells of ``kpis`` in one slice with ``start <= period < end``."""
        if self.duckdb:
            sql = cells_query(grain, dim, kpis, start, end)
            result: pd.DataFrame = self.backend.con.execute(sql).fetch_df()
            return result
        t = self.backend.table(CELLS)
        rows = t.filter(
            t.grain == grain,
            t.dim == (dim or OVERALL),
            t.kpi.isin(list(kpis)),
            t.period >= start,
            t.period < end,
        ).select("kpi", "member", "period", "value", "note", "present")
        frame: pd.DataFrame = rows.execute()
        return frame

    def member_presence(
        self, wanted: Sequence[tuple[str, str, Sequence[str], Sequence[date]]]
    ) -> pd.DataFrame:
        """Stored members of breakdowns, and whether each is present outside some periods.

        ``wanted`` lists (grain, dim, KPIs, periods); the result has one row per grain, dim,
        kpi and member, with ``outside`` true when the member is present in a period of
        its slice that is not among that slice's periods. One query for all of them.
        """
        import ibis

        slices_: dict[str, list[Any]] = {"grain": [], "dim": [], "kpi": []}
        periods_: dict[str, list[Any]] = {"grain": [], "dim": [], "period": []}
        for grain, dim, kpis, periods in wanted:
            for kpi in kpis:
                slices_["grain"].append(grain)
                slices_["dim"].append(dim)
                slices_["kpi"].append(kpi)
            for period in periods:
                periods_["grain"].append(grain)
                periods_["dim"].append(dim)
                periods_["period"].append(period)
        if not slices_["kpi"]:
            return pd.DataFrame(columns=["grain", "dim", "kpi", "member", "outside"])
        picked = ibis.memtable(
            slices_, schema={"grain": "string", "dim": "string", "kpi": "string"}
        )
        dirty = ibis.memtable(
            {**periods_, "hit": [True] * len(periods_["period"])},
            schema={"grain": "string", "dim": "string", "period": "date", "hit": "boolean"},
        )
        t = self.backend.table(CELLS)
        rows = t.inner_join(picked, ["grain", "dim", "kpi"])
        rows = rows.left_join(dirty, ["grain", "dim", "period"])
        away = (rows.present > 0) & rows.hit.isnull()
        grouped = rows.group_by("grain", "dim", "kpi", "member").aggregate(outside=away.any())
        frame: pd.DataFrame = grouped.execute()
        return frame

    # -- writing ---------------------------------------------------------------------------

    def apply(
        self, drops: Sequence[Drop], cells: Sequence[pa.Table], meta: Meta, clear: bool = False
    ) -> None:
        """Remove the ``drops`` (everything with ``clear``), add ``cells``, replace the meta."""
        new = pa.concat_tables(cells) if cells else CELL_SCHEMA.empty_table()
        if self.duckdb:
            self._apply_duckdb(drops, new, meta, clear)
        else:
            self._apply_rewrite(drops, new, meta, clear)

    def _apply_duckdb(self, drops: Sequence[Drop], new: pa.Table, meta: Meta, clear: bool) -> None:
        con = self.backend.con
        columns = (
            "kpi VARCHAR, grain VARCHAR, dim VARCHAR, member VARCHAR, period DATE, "
            "value DOUBLE, note VARCHAR, present TINYINT"
        )
        verb = "CREATE OR REPLACE TABLE" if clear else "CREATE TABLE IF NOT EXISTS"
        con.execute(f"{verb} {CELLS} ({columns})")
        con.execute(f"CREATE OR REPLACE TABLE {META} (key VARCHAR, value VARCHAR)")
        some = [d for d in drops if d.periods is not None]
        for drop in drops:
            if drop.periods is None:
                where, params = _drop_condition(drop)
                con.execute(f"DELETE FROM {CELLS} WHERE {where}", params)
        if some:  # every cell of given periods in one statement: a join on the cell's key
            con.register("_onpace_dropped_cells", _drop_keys(some))
            try:
                con.execute(
                    f"DELETE FROM {CELLS} USING _onpace_dropped_cells AS d "
                    f"WHERE {CELLS}.kpi = d.kpi AND {CELLS}.grain = d.grain "
                    f"AND {CELLS}.dim = d.dim AND {CELLS}.period = d.period"
                )
            finally:
                con.unregister("_onpace_dropped_cells")
        if new.num_rows:
            con.register("_onpace_new_cells", new)
            try:
                con.execute(
                    f"INSERT INTO {CELLS} SELECT * FROM _onpace_new_cells "
                    "ORDER BY grain, dim, kpi, period"
                )
            finally:
                con.unregister("_onpace_new_cells")
        con.executemany(f"INSERT INTO {META} VALUES (?, ?)", meta.to_rows())

    def _apply_rewrite(self, drops: Sequence[Drop], new: pa.Table, meta: Meta, clear: bool) -> None:
        import ibis

        names = set(self.backend.list_tables())
        kept: Any = None
        if CELLS in names and not clear:
            kept = self.backend.table(CELLS)
            for drop in drops:
                kept = kept.filter(~_drop_predicate(kept, drop))
        fresh = ibis.memtable(new)
        combined = fresh if kept is None else kept.union(fresh.cast(kept.schema()))
        staging = f"{CELLS}_next"
        self.backend.create_table(staging, combined, overwrite=True)
        if CELLS in names:
            self.backend.drop_table(CELLS)
        self.backend.rename_table(staging, CELLS)
        self.backend.create_table(
            META,
            pd.DataFrame(meta.to_rows(), columns=["key", "value"]),
            overwrite=True,
        )


def _drop_keys(drops: Sequence[Drop]) -> pa.Table:
    """The (kpi, grain, dim, period) of every cell that drops of given periods remove.

    A drop of periods names its grain and breakdown (a refresh's drops always do).
    """
    columns: dict[str, list[Any]] = {"kpi": [], "grain": [], "dim": [], "period": []}
    for drop in drops:
        if drop.grain is None or drop.dim is None or drop.periods is None:
            raise ValueError("a drop of some periods names its grain and breakdown")
        for kpi in drop.kpis:
            for period in drop.periods:
                columns["kpi"].append(kpi)
                columns["grain"].append(drop.grain)
                columns["dim"].append(drop.dim)
                columns["period"].append(period)
    schema = pa.schema([CELL_SCHEMA.field(name) for name in columns])
    return pa.Table.from_pydict(columns, schema=schema)


def _drop_condition(drop: Drop) -> tuple[str, list[Any]]:
    parts = [f"kpi IN ({', '.join('?' for _ in drop.kpis)})"]
    params: list[Any] = list(drop.kpis)
    if drop.grain is not None:
        parts.append("grain = ?")
        params.append(drop.grain)
    if drop.dim is not None:
        parts.append("dim = ?")
        params.append(drop.dim)
    if drop.periods is not None:
        if not drop.periods:
            return "FALSE", []
        parts.append(f"period IN ({', '.join('?' for _ in drop.periods)})")
        params.extend(drop.periods)
    return " AND ".join(parts), params


def _drop_predicate(t: Any, drop: Drop) -> Any:
    import ibis

    if drop.periods is not None and not drop.periods:
        return ibis.literal(False)
    cond = t.kpi.isin(list(drop.kpis))
    if drop.grain is not None:
        cond = cond & (t.grain == drop.grain)
    if drop.dim is not None:
        cond = cond & (t.dim == drop.dim)
    if drop.periods is not None:
        cond = cond & t.period.isin(list(drop.periods))
    return cond
