"""The whole catalog gives the same numbers on every backend as on DuckDB, on demo data.

DuckDB, the embedded default, is the reference; PySpark (local, reading the Parquet
export as a user's Spark warehouse would) and PostgreSQL (the demo tables loaded
into a real server, reached through an Ibis URL) must match it value for value.
The hand-computed tests (tests/catalog, tests/query) pin DuckDB's own numbers; this
checks thousands of rows that nobody worked out by hand. PySpark needs a JVM and
PostgreSQL its server binaries: without them the case is skipped, except in CI.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import duckdb
import ibis
import numpy as np
import pandas as pd
import pytest

from onpace.calendar import Calendar
from onpace.catalog import load_catalog
from onpace.demo.generator import DemoSpec, write_demo_data
from onpace.model.entities import LOADED_ENTITIES
from onpace.query.session import ComputeRequest, Session
from onpace.query.warehouse import Warehouse, connect_spark
from onpace.spec.workspace_config import ChurnSettings, WarehouseSettings
from tests.support.backends import postgres_backend, require_java

START, END = date(2023, 1, 1), date(2025, 7, 1)
AS_OF = datetime(2025, 7, 1)


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo dataset in a DuckDB file, exported to one Parquet file per entity."""
    folder = tmp_path_factory.mktemp("parity")
    con = duckdb.connect(str(folder / "warehouse.duckdb"))
    write_demo_data(con, DemoSpec(orders=4000, seed=11, start=START, end=END))
    (folder / "parquet").mkdir()
    for name in LOADED_ENTITIES:
        con.execute(f"COPY {name} TO '{folder / 'parquet' / name}.parquet' (FORMAT parquet)")
    con.close()
    return folder


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("pyspark", marks=pytest.mark.spark),
        pytest.param("postgres", marks=pytest.mark.postgres),
    ],
)
def warehouse(request: pytest.FixtureRequest, demo_data: Path) -> Iterator[Warehouse]:
    if request.param == "postgres":
        backend = postgres_backend(request.getfixturevalue("pg_url"))
        con = duckdb.connect(str(demo_data / "warehouse.duckdb"), read_only=True)
        tables = {n: con.execute(f"SELECT * FROM {n}").arrow().read_all() for n in LOADED_ENTITIES}
        con.close()
        wh = backend.warehouse(tables)  # type: ignore[arg-type]
        yield wh
        backend.release([wh])
        return
    require_java()
    yield connect_spark(
        WarehouseSettings(backend="pyspark", parquet_dir=str(demo_data / "parquet")), demo_data
    )


@pytest.fixture(scope="module")
def reference(demo_data: Path) -> dict[tuple[str, ...], pd.DataFrame]:
    wh = Warehouse(
        ibis.duckdb.connect(str(demo_data / "warehouse.duckdb"), read_only=True), "duckdb"
    )
    return {by: _compute(wh, by) for by in [(), ("channel",)]}


def _compute(wh: Warehouse, by: tuple[str, ...]) -> pd.DataFrame:
    catalog = load_catalog()
    names = tuple(n for n, k in catalog.items() if all(d in k.dimensions for d in by))
    session = Session(catalog, wh, Calendar(), ChurnSettings())
    frame = session.compute(ComputeRequest(names, "month", START, END, by, AS_OF))
    keys = ["kpi", "period", *by]
    return frame.sort_values(keys).reset_index(drop=True)


@pytest.mark.parametrize("by", [(), ("channel",)], ids=["overall", "by-channel"])
def test_catalog_equal_across_backends(
    warehouse: Warehouse, reference: dict[tuple[str, ...], pd.DataFrame], by: tuple[str, ...]
) -> None:
    got = _compute(warehouse, by)
    want = reference[by]
    assert len(want) > 0
    assert set(want["kpi"]) >= ({"revenue", "orders"} if not by else {"revenue"})
    if not by:
        assert set(want["kpi"]) == set(load_catalog())
    assert list(got["kpi"]) == list(want["kpi"])
    assert list(got["period"]) == list(want["period"])
    for d in by:
        assert list(got[d]) == list(want[d])
    np.testing.assert_allclose(
        got["value"].to_numpy(), want["value"].to_numpy(), rtol=1e-9, atol=1e-9, equal_nan=True
    )
    assert list(got["note"].isna()) == list(want["note"].isna())
    # the comparison is not vacuous: most values are real numbers
    assert want["value"].notna().mean() > 0.8
