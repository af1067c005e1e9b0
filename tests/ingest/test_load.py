"""Atomic, idempotent and incremental loads."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from onpace.errors import IngestError, WarehouseBusyError
from tests.ingest.helpers import ingest, table

SOURCES = """\
sources:
  orders:
    file: exports/orders-*.csv
    entities:
      orders:
        columns: {order_id: id, ordered_at: at, amount: amount, status: status}
"""
JANUARY = "id,at,amount,status\no1,2024-01-05,10,completed\no2,2024-01-20,20,completed\n"
FEBRUARY = "id,at,amount,status\no3,2024-02-02,30,completed\n"


def _orders(root: Path) -> list[tuple[str, Decimal, str]]:
    frame = table(root, "orders", "order_id")
    return list(zip(frame["order_id"], frame["amount"], frame["status"], strict=True))


def test_same_files_twice_change_nothing(make_ws: Callable[..., Path]) -> None:
    root = make_ws(SOURCES, {"exports/orders-2024-01.csv": JANUARY})
    first = ingest(root)
    assert not first.unchanged and first.loaded == 2
    before = _orders(root)
    second = ingest(root)
    assert second.unchanged
    assert (second.read, second.loaded, second.quarantined) == (2, 2, 0)
    assert _orders(root) == before
    forced = ingest(root, force=True)  # reading everything again gives the same tables
    assert not forced.unchanged and _orders(root) == before
    runs = table(root, "onpace_ingest_runs")
    assert len(runs) == 2  # the unchanged run did not write


def test_a_copy_of_a_file_is_read_once(make_ws: Callable[..., Path]) -> None:
    root = make_ws(
        SOURCES, {"exports/orders-2024-01.csv": JANUARY, "exports/orders-2024-01-copy.csv": JANUARY}
    )
    result = ingest(root)
    assert (result.read, result.loaded) == (2, 2)
    assert any("same content" in n for n in result.notes)
    assert [o[0] for o in _orders(root)] == ["o1", "o2"]


def test_new_files_and_late_corrections_are_picked_up(make_ws: Callable[..., Path]) -> None:
    root = make_ws(SOURCES, {"exports/orders-2024-01.csv": JANUARY})
    ingest(root)
    (root / "exports" / "orders-2024-02.csv").write_text(FEBRUARY, encoding="utf-8")
    result = ingest(root)
    assert not result.unchanged and result.read == 3
    assert [o[0] for o in _orders(root)] == ["o1", "o2", "o3"]
    # a late file corrects January's o2 (cancelled) and adds a late January order
    (root / "exports" / "orders-2024-03.csv").write_text(
        "id,at,amount,status\no2,2024-01-20,20,cancelled\no4,2024-01-31,40,completed\n",
        encoding="utf-8",
    )
    result = ingest(root)
    assert result.replaced == {"orders": 1}
    assert _orders(root) == [
        ("o1", Decimal("10.00"), "completed"),
        ("o2", Decimal("20.00"), "cancelled"),
        ("o3", Decimal("30.00"), "completed"),
        ("o4", Decimal("40.00"), "completed"),
    ]
    # an edited file is read again
    (root / "exports" / "orders-2024-02.csv").write_text(
        FEBRUARY.replace("30", "35"), encoding="utf-8"
    )
    assert not ingest(root).unchanged
    assert _orders(root)[2] == ("o3", Decimal("35.00"), "completed")


def test_a_failing_source_loads_nothing(make_ws: Callable[..., Path]) -> None:
    sources = SOURCES + (
        "  returns:\n"
        "    file: returns.csv\n"
        "    entities:\n"
        "      returns:\n"
        "        columns: {return_id: id, returned_at: at, amount: refund}\n"
    )
    root = make_ws(
        sources,
        {"exports/orders-2024-01.csv": JANUARY, "returns.csv": "id,at,refund\nr1,2024-01-09,5\n"},
    )
    ingest(root)
    before = _orders(root)
    (root / "exports" / "orders-2024-02.csv").write_text(FEBRUARY, encoding="utf-8")
    (root / "returns.csv").write_text('id,at,refund\nr1,"2024-01-09,5\n', encoding="utf-8")
    with pytest.raises(IngestError, match=r"returns\.csv: cannot read as csv"):
        ingest(root)
    assert _orders(root) == before  # February's order was read, but not loaded
    assert len(table(root, "returns")) == 1


def test_a_failure_inside_the_swap_rolls_back(
    make_ws: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from onpace.ingest import run as run_module

    root = make_ws(SOURCES, {"exports/orders-2024-01.csv": JANUARY})
    ingest(root)
    before = _orders(root)
    (root / "exports" / "orders-2024-02.csv").write_text(FEBRUARY, encoding="utf-8")

    original = run_module.swap_tables

    def swap(con: Any, *args: Any, **kwargs: Any) -> None:
        class Failing:
            def execute(self, query: str, *params: object) -> object:
                if query.startswith("CREATE OR REPLACE TABLE onpace_quarantine"):
                    raise RuntimeError("disk full")
                return con.execute(query, *params)

        original(Failing(), *args, **kwargs)

    monkeypatch.setattr(run_module, "swap_tables", swap)
    with pytest.raises(IngestError, match="disk full"):
        ingest(root)
    monkeypatch.undo()
    assert _orders(root) == before


KILL_SCRIPT = """
import os, signal, sys
from onpace.ingest import run
from onpace.workspace import Workspace

ws = Workspace.open(sys.argv[1])
with ws.writing("test") as draft:
    con = draft.backend.con

    class KillMidSwap:
        def execute(self, query, *params):
            if query.startswith("CREATE OR REPLACE TABLE onpace_quarantine"):
                os.kill(os.getpid(), signal.SIGKILL)  # the entity tables are replaced by now
            return con.execute(query, *params)

        def __getattr__(self, name):
            return getattr(con, name)

    loaded = run.load_workspace_sources(ws.root)
    job = run.Ingest(KillMidSwap(), ws.root, loaded, "UTC", ws.now())
    job.run()
"""


@pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL")
def test_a_kill_in_the_middle_leaves_the_previous_data(make_ws: Callable[..., Path]) -> None:
    root = make_ws(SOURCES, {"exports/orders-2024-01.csv": JANUARY})
    ingest(root)
    before = _orders(root)
    (root / "exports" / "orders-2024-02.csv").write_text(FEBRUARY, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, str(root)], capture_output=True, timeout=120
    )
    assert done.returncode == -9, done.stderr.decode()
    assert _orders(root) == before
    result = ingest(root)  # and the next ingest completes the job
    assert [o[0] for o in _orders(root)] == ["o1", "o2", "o3"] and result.loaded == 3


def test_rows_dated_in_the_future_are_read_again_later(make_ws: Callable[..., Path]) -> None:
    import datetime as dt

    root = make_ws(
        SOURCES, {"exports/orders-2024-01.csv": JANUARY.replace("2024-01-20", "2024-07-20")}
    )
    first = ingest(root, now=dt.datetime(2024, 6, 30))
    assert (first.loaded, first.quarantined) == (1, 1)
    later = ingest(root, now=dt.datetime(2024, 8, 1))  # same files: not skipped this time
    assert not later.unchanged and (later.loaded, later.quarantined) == (2, 0)
    assert ingest(root, now=dt.datetime(2024, 8, 2)).unchanged


def test_a_locked_warehouse_is_a_clear_error(make_ws: Callable[..., Path]) -> None:
    root = make_ws(SOURCES, {"exports/orders-2024-01.csv": JANUARY})
    ingest(root)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; "
            "c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(60)",
            str(root / "warehouse.duckdb"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(WarehouseBusyError, match="open for writing in python") as caught:
            ingest(root, force=True)
        assert "\n" not in str(caught.value)
    finally:
        holder.kill()
        holder.wait()


def test_a_source_column_named_like_the_quarantines_own_columns(
    make_ws: Callable[..., Path],
) -> None:
    """A returns export's "Reason" column (the quarantine has a reason too) loads."""
    sources = """\
sources:
  rets:
    file: returns.csv
    entities:
      returns:
        columns: {return_id: RMA, returned_at: Date, amount: Refund, reason: Reason}
"""
    root = make_ws(
        sources,
        {"returns.csv": "RMA,Date,Reason,Refund\nr1,2024-01-05,too small,10.5\nr2,,broken,3\n"},
    )
    result = ingest(root)
    assert (result.read, result.loaded, result.quarantined) == (2, 1, 1)
    assert list(table(root, "returns")["reason"]) == ["too small"]
    rows = table(root, "onpace_quarantine")
    assert list(rows["line"]) == [3]
    assert '"Reason":"broken"' in rows["row_text"].iloc[0]
