"""``onpace backup`` and ``onpace restore``: one consistent archive, taken while serving.

The workspace serves (a real server in a child process) and takes target writes
through the API while the backup runs; the archive restored into a new folder
gives the same scorecard, the same users (who log in with the same password and
tokens), the same target history and the same audit log, on SQLite and on
PostgreSQL state alike.
"""

from __future__ import annotations

import io
import json
import re
import tarfile
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from onpace.auth import Auth
from onpace.store import open_store, store_url
from onpace.workspace import Workspace
from tests.store.test_state_safety import PASSWORD, _versioned, _with_state, run
from tests.support.pg_server import pg_url  # noqa: F401
from tests.support.sales_workspace import sales_workspace

AS_OF = datetime(2024, 3, 20, 12)


@pytest.fixture
def state_urls(request: pytest.FixtureRequest) -> Iterator[tuple[str, str] | None]:
    """None for SQLite state; for PostgreSQL two empty databases (backed up, restored)."""
    if request.param == "sqlite":
        yield None
        return
    base = request.getfixturevalue("pg_url")
    names = ["b_" + uuid.uuid4().hex[:12] for _ in range(2)]
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as con:
        for name in names:
            con.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        a, b = (base.replace("@/postgres?", f"@/{name}?") for name in names)
        yield a, b
    finally:
        with admin.connect() as con:
            for name in names:
                con.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _card(root: Path) -> list[tuple[object, ...]]:
    card = Workspace.open(root).scorecard(period="2024-Q1", as_of=AS_OF)
    return [(r.kpi, r.member, r.value, r.target, r.attainment, r.status) for r in card.rows]


def _auth(root: Path) -> Auth:
    ws = Workspace.open(root)
    return Auth(open_store(store_url(ws.config.state_url, ws.root), ws.root).engine)


def _history(root: Path) -> list[tuple[object, ...]]:
    return [
        (t.key, t.revision, t.value, t.author, t.reason)
        for t in Workspace.open(root).store.history()
    ]


def _write_targets_until(url: str, token: str, stop: threading.Event, done: list[int]) -> None:
    """Revise one target again and again through the API while the backup runs."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        while not stop.is_set():
            body = {"kpi": "revenue", "period": "2024-03", "value": str(100 + len(done)),
                    "reason": f"revision {len(done)}"}  # fmt: skip
            answer = client.put("/api/v1/targets", json=body)
            assert answer.status_code == 200, answer.text
            done.append(answer.status_code)


@pytest.mark.parametrize("state_urls", ["sqlite", "postgresql"], indirect=True)
def test_backup_while_serving_restores_the_same_state_in_a_new_folder(
    tmp_path: Path, state_urls: tuple[str, str] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from onpace.web.process import serving

    root = sales_workspace(tmp_path / "ws")
    if state_urls:
        config = root / "onpace.yml"
        config.write_text(config.read_text() + "state_url: ${ONPACE_TEST_STATE}\n")
        monkeypatch.setenv("ONPACE_TEST_STATE", state_urls[0])
    _with_state(root)
    _versioned(root)
    w = str(root)
    code, out = run("target", "set", "revenue", "2024-03", "90", "--why", "March", "-w", w)
    assert code == 0, out
    code, out = run("token", "create", "ann", "--label", "nightly", "-w", w)
    token = re.search(r"onp_[A-Za-z0-9_-]+", out)
    assert code == 0 and token, out
    archive = tmp_path / "backup.tar.gz"
    with serving(root, as_of=AS_OF.isoformat(), start_seconds=240) as url:
        stop, done = threading.Event(), []
        writer = threading.Thread(
            target=_write_targets_until, args=(url, token.group(), stop, done)
        )
        writer.start()
        try:
            while len(done) < 2:  # writes are under way
                threading.Event().wait(0.05)
            code, out = run("backup", str(archive), "-w", w)
        finally:
            stop.set()
            writer.join()
        assert code == 0, out
        assert httpx.get(url + "/healthz").json()["status"] == "ok"  # it went on serving
    assert archive.stat().st_mode & 0o077 == 0  # password and token digests: owner only
    assert len(done) >= 2
    # the snapshot is one moment: the March target's revisions run 1..n without a gap
    with tarfile.open(archive) as tar:
        member = tar.extractfile("state/target_revisions.jsonl")
        assert member is not None
        march = [json.loads(x)["revision"] for x in member.read().decode().splitlines()
                 if json.loads(x)["period"] == "2024-03"]  # fmt: skip
    assert march == list(range(1, len(march) + 1)) and len(march) >= 2

    restored = tmp_path / "restored"
    if state_urls:
        monkeypatch.setenv("ONPACE_TEST_STATE", state_urls[1])
    code, out = run("restore", str(archive), "-w", str(restored))
    assert code == 0, out
    assert (restored / "onpace.yml").read_text() == (root / "onpace.yml").read_text()
    assert sorted(p.name for p in (restored / "kpis").iterdir()) == sorted(
        p.name for p in (root / "kpis").iterdir()
    )
    # the same scorecard, computed from the restored warehouse and targets
    if state_urls:
        monkeypatch.setenv("ONPACE_TEST_STATE", state_urls[0])
    original_history = _history(root)
    if state_urls:
        monkeypatch.setenv("ONPACE_TEST_STATE", state_urls[1])
    history = _history(restored)
    assert history == original_history[: len(history)]  # what was there at the snapshot
    assert len(history) == 1 + len(march)  # the Q1 target and every March revision
    card = _card(restored)
    assert any(row[0] == "revenue" and row[3] == 600 for row in card)
    auth = _auth(restored)
    assert auth.authenticate("ann", PASSWORD) is not None
    assert auth.token_identity(token.group()).name == "ann"  # type: ignore[union-attr]
    actions = [e["action"] for e in auth.audit_entries()]
    assert "user.add" in actions and "token.create" in actions
    # the restored store goes on: new ids do not collide with restored ones
    code, out = run(
        "target", "set", "orders", "2024-Q1", "50", "--why", "after", "-w", str(restored)
    )
    assert code == 0, out
    code, out = run("store", "check", "-w", str(restored))
    assert code == 0 and "state: ok" in out and "warehouse: ok" in out, out


def test_the_restored_scorecard_is_the_original_one(tmp_path: Path) -> None:
    root = sales_workspace(tmp_path / "ws")
    _with_state(root)
    _versioned(root)
    archive = tmp_path / "b.tar.gz"
    code, out = run("backup", str(archive), "-w", str(root))
    assert code == 0, out
    code, out = run("restore", str(archive), "-w", str(tmp_path / "new"))
    assert code == 0, out
    assert _card(tmp_path / "new") == _card(root)
    assert _history(tmp_path / "new") == _history(root)


def test_restore_after_a_loss_puts_back_only_what_is_lost(tmp_path: Path) -> None:
    root = sales_workspace(tmp_path / "ws")
    _with_state(root)
    version = _versioned(root)
    archive = tmp_path / "b.tar.gz"
    assert run("backup", str(archive), "-w", str(root))[0] == 0
    before = _card(root)
    (root / "state.db").unlink()
    version.write_bytes(b"")  # the warehouse damaged too
    (root / "onpace.yml").write_text((root / "onpace.yml").read_text() + "# changed since\n")
    code, out = run("restore", str(archive), "-w", str(root))
    assert code == 0, out
    assert "onpace.yml (differs from the backup; left as it is)" in " ".join(out.split())
    assert (root / "onpace.yml").read_text().endswith("# changed since\n")
    assert _card(root) == before
    # a second restore changes nothing: history is never overwritten
    code, out = run("restore", str(archive), "-w", str(root))
    assert code == 0 and "history is never overwritten" in " ".join(out.split())
    assert len(_history(root)) == 1


def _tampered(archive: Path, target: Path, name: str, data: bytes) -> Path:
    with tarfile.open(archive) as src, tarfile.open(target, "w:gz") as out:
        manifest = json.loads(src.extractfile("onpace-backup.json").read())  # type: ignore[union-attr]
        for member in src.getmembers():
            if member.name == name:
                continue
            payload = src.extractfile(member)
            if member.name == "onpace-backup.json" and name.startswith("config/"):
                manifest["config"].append(name.removeprefix("config/"))
                blob = json.dumps(manifest).encode()
                member.size = len(blob)
                payload = io.BytesIO(blob)
            out.addfile(member, payload)
        info = tarfile.TarInfo(name)
        info.size = len(data)
        out.addfile(info, io.BytesIO(data))
    return target


def test_a_damaged_or_hostile_archive_is_refused_in_one_line(tmp_path: Path) -> None:
    root = sales_workspace(tmp_path / "ws")
    _with_state(root)
    _versioned(root)
    archive = tmp_path / "b.tar.gz"
    assert run("backup", str(archive), "-w", str(root))[0] == 0
    code, out = run("backup", str(archive), "-w", str(root))
    assert code == 1 and "exists already" in out  # never overwritten
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    code, out = run("restore", str(junk), "-w", str(tmp_path / "a"))
    assert code == 1 and "is not an onpace backup" in out and "Traceback" not in out
    escape = _tampered(archive, tmp_path / "e.tar.gz", "config/../../outside.yml", b"x: 1\n")
    code, out = run("restore", str(escape), "-w", str(tmp_path / "b"))
    assert code == 1 and "outside the workspace" in out
    assert not (tmp_path / "outside.yml").exists()
    data = _tampered(archive, tmp_path / "d.tar.gz", "warehouse.duckdb", b"\0" * 4096)
    code, out = run("restore", str(data), "-w", str(tmp_path / "c"))
    assert code == 1 and "checksum" in out
