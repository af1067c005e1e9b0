"""A workspace keeps its stored values current: ingest records changes, the refresh follows."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from onpace.catalog.scaffold import create_workspace
from onpace.ingest import ingest_workspace
from onpace.workspace import Workspace
from tests.support.value_store import cells, differences

SOURCES = """\
sources:
  orders:
    file: exports/orders-*.csv
    entities:
      orders:
        columns: {order_id: id, ordered_at: at, amount: amount, status: status,
                  customer_id: customer, channel: channel}
"""
JANUARY = (
    "id,at,amount,status,customer,channel\n"
    "o1,2024-01-05 10:00,10,completed,c1,web\n"
    "o2,2024-01-20 11:00,20,completed,c2,store\n"
    "o3,2024-02-02 09:30,30,completed,c1,web\n"
)
# a late correction of o1 and a new order in March; o2 is no longer in any file
LATER = "id,at,amount,status,customer,channel\no1,2024-01-05 10:00,15,completed,c1,web\n"
MARCH = "id,at,amount,status,customer,channel\no4,2024-03-03 12:00,40,completed,c3,phone\n"
NOW = datetime(2024, 3, 20, 9, 0)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    root = tmp_path / "shop"
    create_workspace(root, "ecommerce", name="Shop", timezone="UTC")
    (root / "sources.yml").write_text(SOURCES, encoding="utf-8")
    (root / "exports").mkdir()
    (root / "exports" / "orders-2024-01.csv").write_text(JANUARY, encoding="utf-8")
    return root


def _revenue(ws: Workspace) -> dict[str, float]:
    frame = ws.compute("revenue", grain="month", start="2024-01", end="2024-03", as_of=NOW)
    return dict(zip(frame["period_label"], frame["value"], strict=True))


def test_ingest_builds_then_refreshes_the_store(shop: Path) -> None:
    ws = Workspace.open(shop)
    ingest_workspace(ws, now=NOW)
    status = ws.values.status(ws.warehouse, ws.now())
    assert status.exists and status.kpis > 0
    files = shop / "exports"
    (files / "orders-2024-01.csv").write_text(JANUARY.replace("o2,", "o9,", 1), encoding="utf-8")
    (files / "orders-2024-01b.csv").write_text(LATER, encoding="utf-8")
    (files / "orders-2024-03.csv").write_text(MARCH, encoding="utf-8")
    ingest_workspace(ws, now=NOW)
    refreshed = cells(ws.warehouse)
    assert ws.refresh(full=False).kind == "unchanged"  # the ingest left it current
    ws.refresh(full=True)
    assert differences(refreshed, cells(ws.warehouse)) == []


def test_reads_come_from_the_store_and_match_the_data(shop: Path) -> None:
    ws = Workspace.open(shop)
    ingest_workspace(ws, now=NOW)
    ws.refresh(as_of=NOW)
    stored = _revenue(ws)
    ws.config = ws.config.model_copy(
        update={"values": ws.config.values.model_copy(update={"enabled": False})}
    )
    computed = _revenue(ws)
    # by hand: January 10 + 20, February 30, March nothing yet
    assert stored == computed == {"2024-01": 30.0, "2024-02": 30.0, "2024-03": 0.0}


def test_target_and_review_writes_leave_the_stored_values_alone(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Values do not depend on targets or reviews: writing those recomputes nothing."""
    from typer.testing import CliRunner

    from onpace.cli.main import app
    from onpace.reviews.records import add_review
    from onpace.targets.definition import Target, parse_target_period
    from onpace.values.refresh import Refresher

    ws = Workspace.open(shop)
    ingest_workspace(ws, now=NOW)
    version = ws.warehouse.files.version_name()  # type: ignore[union-attr]
    meta = ws.values.reader(ws.warehouse).meta()
    assert meta is not None
    before = cells(ws.warehouse)

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("a target or review write ran a refresh of the stored values")

    monkeypatch.setattr(Refresher, "refresh", refused)
    monkeypatch.setattr(Refresher, "full", refused)
    ws.store.set_target(Target("revenue", parse_target_period("2024-Q1"), 900.0), "budget", "me")
    add_review(ws.store, ws.kpis, "revenue", "keep", "looked at Q1", "me", NOW)
    ran = CliRunner().invoke(
        app, ["target", "set", "orders", "2024-Q1", "5", "--why", "plan", "-w", str(shop)]
    )
    assert ran.exit_code == 0, ran.output
    ws.close()

    again = Workspace.open(shop)
    assert again.warehouse.files.version_name() == version  # type: ignore[union-attr]
    after = again.values.reader(again.warehouse).meta()
    assert after is not None and after.built_at == meta.built_at
    assert differences(before, cells(again.warehouse)) == []
    # and reads still come from the store (the ingest stored values as of its own now)
    assert again.values.status(again.warehouse, meta.as_of).current
    again.close()
