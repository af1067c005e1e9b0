"""The swap and the ledger on a bare DuckDB connection, without any source or reader."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import duckdb
import pytest

from onpace.ingest.checks import create_quarantine, staged_table
from onpace.ingest.ledger import FILES_TABLE, RUNS_TABLE, Ledger
from onpace.ingest.outcome import IngestResult, SourceResult
from onpace.ingest.readers import FileRead
from onpace.ingest.swap import ChangeSet, TableSwap, changed_keys, drop_temporaries, swap_tables


@pytest.fixture
def con() -> Any:
    con = duckdb.connect()
    con.execute("CREATE TABLE orders (order_id VARCHAR, amount DECIMAL(18, 2))")
    con.execute("INSERT INTO orders VALUES ('o1', 10), ('o2', 20), ('o3', 30)")
    con.execute(f"CREATE TABLE {staged_table('orders')} (order_id VARCHAR, amount DECIMAL(18, 2))")
    # o1 unchanged, o2 corrected, o3 gone, o4 new
    con.execute(f"INSERT INTO {staged_table('orders')} VALUES ('o1', 10), ('o2', 25), ('o4', 40)")
    create_quarantine(con, "_onpace_q")
    con.execute("INSERT INTO _onpace_q VALUES ('s', 'a.csv', 3, 'orders: missing amount', '{}')")
    Ledger(con).ensure()
    yield con
    con.close()


SWAP = TableSwap("orders", "orders", staged_table("orders"), "order_id")
RESULT = IngestResult(
    "run1",
    False,
    [SourceResult("s", [FileRead("a.csv", "abc", 4)], read=4, loaded=3, quarantined=1)],
    {"orders": 3},
    {},
    [],
)


def _record(con: Any) -> None:
    Ledger(con).record("run1", dt.datetime(2024, 6, 30), "cfg", "files", RESULT)


def test_the_swap_replaces_tables_quarantine_and_ledger(con: Any) -> None:
    swap_tables(con, [SWAP], quarantine="_onpace_q", run_id="run1", record=_record)
    assert con.execute("SELECT order_id FROM orders ORDER BY 1").fetchall() == [
        ("o1",),
        ("o2",),
        ("o4",),
    ]
    assert con.execute("SELECT run_id, line, reason FROM onpace_quarantine").fetchall() == [
        ("run1", 3, "orders: missing amount")
    ]
    assert con.execute(f"SELECT rows_read, rows_loaded FROM {RUNS_TABLE}").fetchall() == [(4, 3)]
    assert con.execute(f"SELECT file, sha256 FROM {FILES_TABLE}").fetchall() == [("a.csv", "abc")]
    assert Ledger(con).last_run() is not None


def test_a_hook_sees_old_and_new_rows_and_counts_the_changes(con: Any) -> None:
    seen: list[ChangeSet] = []

    def record_changes(con: Any, swaps: Sequence[TableSwap]) -> None:
        for swap in swaps:
            seen.append(changed_keys(con, swap, "_onpace_changes"))

    swap_tables(
        con, [SWAP], quarantine="_onpace_q", run_id="run1", record=_record, hooks=[record_changes]
    )
    assert seen == [ChangeSet("orders", new=1, replaced=1, removed=1)]
    assert sorted(con.execute("SELECT key, change FROM _onpace_changes").fetchall()) == [
        ("o2", "replaced"),
        ("o3", "removed"),
        ("o4", "new"),
    ]


def test_every_key_is_new_when_there_was_no_table(con: Any) -> None:
    con.execute("DROP TABLE orders")
    assert changed_keys(con, SWAP, "_onpace_changes") == ChangeSet("orders", 3, 0, 0)


def test_a_failing_hook_or_ledger_leaves_everything_as_it_was(con: Any) -> None:
    def refuse(con: Any, swaps: Sequence[TableSwap]) -> None:
        raise RuntimeError("version store unavailable")

    with pytest.raises(RuntimeError, match="version store unavailable"):
        swap_tables(
            con, [SWAP], quarantine="_onpace_q", run_id="run1", record=_record, hooks=[refuse]
        )

    def broken_ledger(con: Any) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        swap_tables(con, [SWAP], quarantine="_onpace_q", run_id="run1", record=broken_ledger)
    assert con.execute("SELECT order_id FROM orders ORDER BY 1").fetchall() == [
        ("o1",),
        ("o2",),
        ("o3",),
    ]
    assert con.execute(f"SELECT count(*) FROM {RUNS_TABLE}").fetchone() == (0,)
    assert con.execute(f"SELECT count(*) FROM {staged_table('orders')}").fetchone() == (3,)


def test_temporaries_and_left_over_stages_are_dropped(con: Any) -> None:
    con.execute("CREATE TEMP VIEW _onpace_src_x AS SELECT 1")
    drop_temporaries(con)
    left = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert left == {"orders", RUNS_TABLE, FILES_TABLE}
    views = con.execute("SELECT view_name FROM duckdb_views() WHERE view_name LIKE '_onpace%'")
    assert views.fetchall() == []
