"""Funnels and explanations give the same answers on PySpark as on DuckDB.

The funnel joins and the grouped medians are built through Ibis, so the same
definitions must run unchanged on Spark; DuckDB is the reference.
"""

from __future__ import annotations

import os
import shutil
from datetime import date, datetime

import duckdb
import pytest

from onpace.catalog.scaffold import create_workspace
from onpace.compare.explain import explain_change
from onpace.compare.funnels import compute_funnel
from onpace.demo.generator import DemoSpec, write_demo_data
from onpace.model.entities import LOADED_ENTITIES
from onpace.query.warehouse import connect_spark
from onpace.spec.workspace_config import WarehouseSettings
from onpace.workspace import Workspace

pytestmark = pytest.mark.spark
START, END = date(2024, 1, 1), date(2025, 7, 1)
AS_OF = datetime(2025, 7, 1)


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, Workspace]:
    if shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail("PySpark must run in CI, but no java is installed")
        pytest.skip("PySpark needs Java 17 (not installed here)")
    root = tmp_path_factory.mktemp("compare-spark") / "ws"
    create_workspace(root, "multichannel", timezone="UTC")
    con = duckdb.connect(str(root / "warehouse.duckdb"))
    write_demo_data(con, DemoSpec(orders=2500, seed=5, start=START, end=END))
    (root / "parquet").mkdir()
    for name in LOADED_ENTITIES:
        con.execute(f"COPY {name} TO '{root / 'parquet' / name}.parquet' (FORMAT parquet)")
    con.close()
    on_duckdb = Workspace.open(root)
    on_spark = Workspace.open(root)
    settings = WarehouseSettings(backend="pyspark", parquet_dir=str(root / "parquet"))
    on_spark.use_warehouse(connect_spark(settings, root))
    return on_duckdb, on_spark


@pytest.mark.parametrize(
    ("name", "by"), [("web_shop", None), ("quotes", "rep"), ("inquiries", None)]
)
def test_funnels_agree(workspaces: tuple[Workspace, Workspace], name: str, by: str | None) -> None:
    reference, spark = (
        compute_funnel(ws, name, "month", date(2024, 6, 1), date(2025, 6, 1), by, AS_OF)
        for ws in workspaces
    )
    for view in ("total", "cohorts", "events"):
        expected = {(r.label, r.member): r.steps for r in getattr(reference, view)}
        got = {(r.label, r.member): r.steps for r in getattr(spark, view)}
        assert expected.keys() == got.keys()
        for key, steps in expected.items():
            assert [s.count for s in got[key]] == [s.count for s in steps], (view, key)
            for a, b in zip(steps, got[key], strict=True):
                if a.median_days is None:
                    assert b.median_days is None
                else:  # Spark's median is exact on these small groups too
                    assert b.median_days == pytest.approx(a.median_days, rel=1e-6)


def test_explanations_agree(workspaces: tuple[Workspace, Workspace]) -> None:
    reference, spark = (
        explain_change(ws, "gross_profit", "2025-05", "2024-05", by="channel", depth=2, as_of=AS_OF)
        for ws in workspaces
    )
    assert [d.part for d in spark.drivers] == pytest.approx([d.part for d in reference.drivers])
    assert reference.members is not None and spark.members is not None
    assert {p.member: p.change for p in spark.members.parts} == pytest.approx(
        {p.member: p.change for p in reference.members.parts}
    )
