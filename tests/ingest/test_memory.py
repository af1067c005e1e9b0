"""The ingest's memory budget: in proportion to the files, restored after, never losing rows."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import duckdb
import pytest

from onpace.ingest import memory
from onpace.ingest.run import Ingest
from tests.ingest.helpers import ORDERS_SOURCES, ingest, table, write_workspace

MIB = 1024 * 1024


def _orders(n: int) -> str:
    lines = ["id,date,amount,qty,customer"]
    lines += [f"o{i},2024-01-{1 + i % 28:02d},{i % 97}.50,1,c{i % 50}" for i in range(n)]
    return "\n".join(lines) + "\n"


def test_the_budget_is_one_and_a_half_times_the_text_with_a_floor(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    with big.open("wb") as f:
        f.truncate(300 * MIB)  # sparse: takes no disk
    packed = tmp_path / "small.csv.gz"
    packed.write_bytes(gzip.compress(b"a,b\n1,2\n"))
    book = tmp_path / "book.xlsx"
    with book.open("wb") as f:
        f.truncate(40 * MIB)
    assert memory.budget({"a": [big]}) == 450 * MIB
    assert memory.budget({"a": [packed]}) == 256 * MIB  # the floor
    # a workbook's cells take about eight times its zipped size as text: 40 x 8 x 1.5
    assert memory.budget({"a": [big], "b": [book]}) == (450 + 480) * MIB
    assert memory.budget({"a": [tmp_path / "missing.csv"]}) == 256 * MIB


def test_the_limit_holds_inside_the_block_only() -> None:
    con = duckdb.connect()
    before = con.execute("SELECT current_setting('memory_limit')").fetchone()
    with memory.limited(con, 300 * MIB):
        inside = con.execute("SELECT current_setting('memory_limit')").fetchone()
    assert inside == ("300.0 MiB",)
    after = con.execute("SELECT current_setting('memory_limit')").fetchone()
    assert after is not None and before is not None
    assert memory.parse_size(after[0]) == pytest.approx(memory.parse_size(before[0]), rel=0.01)
    con.execute("SET memory_limit = '100MB'")
    with memory.limited(con, 300 * MIB):  # never raised above what was set
        assert con.execute("SELECT current_setting('memory_limit')").fetchone() == ("95.3 MiB",)


def test_a_budget_the_reading_cannot_fit_still_loads_every_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_workspace(tmp_path / "ws", ORDERS_SOURCES, {"orders.csv": _orders(5000)})
    monkeypatch.setattr(memory, "budget", lambda files: 1 * MIB)  # far too small to read
    runs = []
    staged = Ingest._stage_and_swap

    def counted(self: Ingest, *args: Any) -> Any:
        runs.append(1)
        return staged(self, *args)

    monkeypatch.setattr(Ingest, "_stage_and_swap", counted)
    result = ingest(root)
    assert len(runs) == 2  # out of memory under the budget, then again without it
    assert (result.read, result.loaded, result.quarantined) == (5000, 5000, 0)
    orders = table(root, "orders", "order_id")
    assert len(orders) == 5000
    assert float(orders["amount"].astype(float).sum()) == sum((i % 97) + 0.5 for i in range(5000))
