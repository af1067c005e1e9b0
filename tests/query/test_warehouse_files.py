"""Versions of the embedded warehouse: readers keep one snapshot, writers publish atomically."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from onpace.errors import WarehouseBusyError
from onpace.query.warehouse import Warehouse, connect_duckdb, writing
from onpace.query.warehouse_files import WarehouseFiles


def _count(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT count(*) FROM t").fetchone()[0])


def _write(files: WarehouseFiles, rows: int) -> None:
    with files.write("test") as draft:
        draft.con.execute("CREATE OR REPLACE TABLE t AS SELECT range AS x FROM range(?)", [rows])


def test_no_data_yet_reads_an_empty_warehouse(tmp_path: Path) -> None:
    files = WarehouseFiles(tmp_path / "warehouse.duckdb")
    con, version = files.open_read()
    assert version is None and con.execute("SHOW TABLES").fetchall() == []
    assert files.version_name() == "none"


def test_a_reader_keeps_its_version_while_a_writer_publishes(tmp_path: Path) -> None:
    files = WarehouseFiles(tmp_path / "warehouse.duckdb")
    _write(files, 3)
    reader, first = files.open_read()
    _write(files, 5)
    assert _count(reader) == 3  # the snapshot it opened, unchanged
    newer, second = files.open_read()
    assert _count(newer) == 5 and first != second
    assert (tmp_path / "warehouse.duckdb").is_symlink()
    assert duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True).execute(
        "SELECT count(*) FROM t"
    ).fetchone() == (5,)  # other tools open the path as before


def test_warehouse_sync_moves_to_the_newest_version(tmp_path: Path) -> None:
    files = WarehouseFiles(tmp_path / "warehouse.duckdb")
    _write(files, 1)
    wh = connect_duckdb(files)
    assert wh.table("t").count().execute() == 1
    assert wh.sync() is False  # nothing new
    _write(files, 4)
    assert wh.table("t").count().execute() == 1  # until it asks
    assert wh.sync() is True
    assert wh.table("t").count().execute() == 4 and wh.consistent_view() == files.current()


def test_a_failed_write_publishes_nothing_and_leaves_nothing(tmp_path: Path) -> None:
    files = WarehouseFiles(tmp_path / "warehouse.duckdb")
    _write(files, 2)
    before = files.current()
    with pytest.raises(RuntimeError), files.write("test") as draft:
        draft.con.execute("CREATE OR REPLACE TABLE t AS SELECT 1 AS x")
        raise RuntimeError("the load broke")
    assert files.current() == before
    con, _ = files.open_read()
    assert _count(con) == 2
    assert before is not None and sorted(p.name for p in files.folder.iterdir()) == [before.name]


def test_a_write_can_be_dropped_on_purpose(tmp_path: Path) -> None:
    files = WarehouseFiles(tmp_path / "warehouse.duckdb")
    _write(files, 2)
    with files.write("test") as draft:
        draft.con.execute("CREATE OR REPLACE TABLE t AS SELECT 1 AS x")
        draft.publish = False
    con, _ = files.open_read()
    assert _count(con) == 2 and len(list(files.folder.iterdir())) == 1


def test_a_second_writer_is_told_who_writes(tmp_path: Path) -> None:
    files = WarehouseFiles(tmp_path / "warehouse.duckdb")
    with (
        files.write("onpace ingest"),
        pytest.raises(WarehouseBusyError) as caught,
        files.write("onpace refresh"),
    ):
        pass
    message = str(caught.value)
    assert "'onpace ingest'" in message and f"PID {os.getpid()}" in message
    assert "wait until it finishes" in message and "\n" not in message


def test_a_writer_killed_half_way_leaves_the_published_version(tmp_path: Path) -> None:
    files = WarehouseFiles(tmp_path / "warehouse.duckdb")
    _write(files, 2)
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from onpace.query.warehouse_files import WarehouseFiles\n"
        "with WarehouseFiles(Path(sys.argv[1])).write('test') as d:\n"
        "    d.con.execute('DELETE FROM t')\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(files.path)], timeout=120)
    assert done.returncode == -signal.SIGKILL
    assert any(".tmp-" in p.name for p in files.folder.iterdir())  # its draft
    con, _ = files.open_read()
    assert _count(con) == 2
    _write(files, 7)  # the next writer is not blocked (the lock died with it) and tidies up
    assert not any(".tmp-" in p.name for p in files.folder.iterdir())


def test_old_versions_are_removed_but_an_open_reader_keeps_reading(tmp_path: Path) -> None:
    files = WarehouseFiles(tmp_path / "warehouse.duckdb")
    _write(files, 1)
    reader, oldest = files.open_read()
    for rows in (2, 3, 4):
        _write(files, rows)
    assert oldest is not None and not oldest.exists()
    assert len(list(files.folder.glob("*.duckdb"))) == 2
    assert _count(reader) == 1


def test_a_plain_file_is_read_and_becomes_the_first_version(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t AS SELECT 1 AS x")
    con.close()
    files = WarehouseFiles(path)
    reader, version = files.open_read()
    assert version == path and _count(reader) == 1
    with files.write("test") as draft:
        draft.con.execute("INSERT INTO t VALUES (2)")
    assert path.is_symlink()
    newer, _ = files.open_read()
    assert _count(newer) == 2 and _count(reader) == 1


def test_a_program_writing_the_file_is_named_in_one_line(tmp_path: Path) -> None:
    files = WarehouseFiles(tmp_path / "warehouse.duckdb")
    _write(files, 1)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
            "print('ready', flush=True); time.sleep(60)",
            str(files.current()),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        for attempt in (files.open_read, lambda: _write(files, 2)):
            with pytest.raises(WarehouseBusyError, match="open for writing in python") as caught:
                attempt()
            assert f"PID {holder.pid}" in str(caught.value) and "\n" not in str(caught.value)
    finally:
        holder.kill()
        holder.wait()


def test_writing_gives_an_ibis_warehouse_on_the_draft(tmp_path: Path) -> None:
    import pandas as pd

    files = WarehouseFiles(tmp_path / "warehouse.duckdb")
    with writing(files, "test") as wh:
        assert isinstance(wh, Warehouse) and wh.draft is not None
        wh.load("salespeople", pd.DataFrame({"rep_id": ["r1"], "name": ["Ann"]}), "UTC")
    reader = connect_duckdb(files)
    assert reader.table("salespeople").count().execute() == 1
