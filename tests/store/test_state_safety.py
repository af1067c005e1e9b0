"""State never disappears without a word: a lost or damaged store is an error with a way out.

Before, a deleted state.db came back empty with exit 0 (users, tokens, targets and
the audit log gone), a deleted warehouse came back empty, a damaged one gave a
traceback, and /healthz said ok whatever the stores' state.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from onpace.cli.main import app
from onpace.workspace import Workspace
from tests.support.pg_server import pg_url  # noqa: F401
from tests.support.sales_workspace import sales_workspace

PASSWORD = "a long password 1"


def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    done = CliRunner().invoke(app, list(args), input=stdin)
    assert done.exception is None or isinstance(done.exception, SystemExit), done.exception
    return done.exit_code, done.output


def _with_state(root: Path) -> None:
    w = str(root)
    code, out = run("user", "add", "ann", "--role", "admin", "--password-stdin", "-w", w,
                    stdin=PASSWORD + "\n")  # fmt: skip
    assert code == 0, out
    code, out = run("target", "set", "revenue", "2024-Q1", "600", "--why", "plan", "-w", w)
    assert code == 0, out


def _versioned(root: Path) -> Path:
    """Publish the plain warehouse file as a version (what every ingest does); its path."""
    ws = Workspace.open(root)
    with ws.writing("test"):
        pass
    current = ws.warehouse.files.current() if ws.warehouse.files else None
    assert current is not None and current.parent.name == "warehouse.duckdb.d"
    return current


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = sales_workspace(tmp_path / "ws")
    _with_state(root)
    return root


def _one_line_error(out: str, *needles: str) -> None:
    assert "Traceback" not in out, out
    text_ = " ".join(out.split())
    for needle in needles:
        assert needle in text_, (needle, out)


@pytest.mark.parametrize("how", ["deleted", "emptied"])
def test_a_lost_state_db_is_an_error_and_is_not_made_again(workspace: Path, how: str) -> None:
    state = workspace / "state.db"
    if how == "deleted":
        state.unlink()
    else:
        state.write_bytes(b"")
    for args in (("user", "list"), ("target", "list"), ("scorecard", "--period", "2024-Q1")):
        code, out = run(*args, "-w", str(workspace))
        assert code == 1, (args, out)
        _one_line_error(out, "is gone or empty", "onpace restore", "onpace store forget state")
    assert not state.exists() or state.stat().st_size == 0  # nothing was made in its place
    # the way out when there is no backup: start again, on purpose
    code, out = run("store", "forget", "state", "-w", str(workspace))
    assert code == 0 and "starts again empty" in out
    code, out = run("user", "list", "-w", str(workspace))
    assert code == 0 and "ann" not in out


def test_a_damaged_state_db_is_one_line_with_what_to_do(workspace: Path) -> None:
    (workspace / "state.db").write_bytes(b"this is not a database" * 500)
    code, out = run("user", "list", "-w", str(workspace))
    assert code == 1
    _one_line_error(out, "state store", "is damaged", "onpace restore")


@pytest.fixture
def pg_database(pg_url: str) -> Iterator[tuple[str, str]]:  # noqa: F811
    name = "s_" + uuid.uuid4().hex[:12]
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as con:
        con.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield pg_url.replace("@/postgres?", f"@/{name}?"), name
    finally:
        with admin.connect() as con:
            con.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_postgresql_state_store_dropped_and_made_again_empty_is_an_error(
    tmp_path: Path,
    pg_url: str,  # noqa: F811
    pg_database: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, name = pg_database
    root = sales_workspace(tmp_path / "ws")
    config = root / "onpace.yml"
    config.write_text(config.read_text() + "state_url: ${ONPACE_TEST_STATE}\n")
    monkeypatch.setenv("ONPACE_TEST_STATE", url)
    _with_state(root)
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as con:
        con.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        con.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    code, out = run("target", "list", "-w", str(root))
    assert code == 1
    _one_line_error(out, "is gone or empty", "onpace restore")
    assert "a long password" not in out


def test_a_lost_warehouse_is_an_error_not_an_empty_one(workspace: Path) -> None:
    version = _versioned(workspace)
    w = str(workspace)
    code, out = run("compute", "revenue", "--grain", "year", "-w", w)
    assert code == 0 and "2024" in out, out
    shutil.rmtree(version.parent)  # the versions gone, the link left dangling
    code, out = run("compute", "revenue", "--grain", "year", "-w", w)
    assert code == 1
    _one_line_error(out, "the warehouse", "is gone", "onpace restore", "onpace store forget")
    (workspace / "warehouse.duckdb").unlink()  # and the link too
    code, out = run("scorecard", "--period", "2024-Q1", "-w", w)
    assert code == 1
    _one_line_error(out, "is gone", "onpace ingest")
    ws = Workspace.open(workspace)  # a writer does not start it again empty either
    with pytest.raises(Exception, match="is gone"), ws.writing("ingest"):
        pass
    code, out = run("store", "forget", "warehouse", "-w", w)
    assert code == 0
    code, out = run("compute", "revenue", "--grain", "year", "-w", w)
    assert code == 1 and "Traceback" not in out  # now: no data yet, said as such


@pytest.mark.parametrize("damage", ["truncated", "empty", "overwritten"])
def test_a_damaged_warehouse_is_one_line_with_what_to_do(workspace: Path, damage: str) -> None:
    version = _versioned(workspace)
    data = version.read_bytes()
    bad = {
        "truncated": data[: len(data) // 3 + 17],
        "empty": b"",
        "overwritten": b"not a database at all " * 400,
    }[damage]
    version.write_bytes(bad)
    for args in (("compute", "revenue", "--grain", "year"), ("scorecard", "--period", "2024-Q1")):
        code, out = run(*args, "-w", str(workspace))
        assert code == 1, out
        _one_line_error(out, "the warehouse file", "is damaged", "onpace restore")
    code, out = run("store", "check", "-w", str(workspace))
    assert code == 1 and "warehouse: damaged" in out and "state: ok" in out


def test_a_read_only_warehouse_is_read(workspace: Path) -> None:
    version = _versioned(workspace)
    version.chmod(0o444)
    try:
        code, out = run("compute", "revenue", "--grain", "year", "-w", str(workspace))
        assert code == 0 and "2024" in out, out
    finally:
        version.chmod(0o644)


def test_healthz_asks_both_stores(workspace: Path) -> None:
    from onpace.web.app import create_app

    version = _versioned(workspace)
    with TestClient(create_app(workspace)) as client:
        ok = client.get("/healthz")
        assert ok.status_code == 200
        assert ok.json() == {"status": "ok", "state": "ok", "warehouse": "ok"}
        good = version.read_bytes()
        with version.open("r+b") as handle:  # damaged under the running server
            handle.truncate(len(good) // 2 + 5)
        damaged = client.get("/healthz")
        assert damaged.status_code == 503
        assert damaged.json() == {"status": "error", "state": "ok", "warehouse": "damaged"}
        assert str(workspace) not in damaged.text  # the detail goes to the log only
        version.write_bytes(good)
        assert client.get("/healthz").status_code == 200
        os.unlink(workspace / "state.db")
        gone = client.get("/healthz")
        assert gone.status_code == 503 and gone.json()["state"] == "missing"
