"""A state store opened by many threads at once: one store, every schema migrated."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import inspect

from onpace.catalog.scaffold import create_workspace
from onpace.store.state_store import Store, open_store
from onpace.workspace import Workspace

THREADS = 16


def _at_once(work: list[threading.Thread]) -> None:
    for t in work:
        t.start()
    for t in work:
        t.join()


def test_stores_migrated_in_many_threads_at_once_all_get_their_tables(tmp_path: Path) -> None:
    opened: list[Store] = []
    failed: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def open_one(n: int) -> None:
        start.wait()
        try:
            opened.append(open_store(f"sqlite:///{tmp_path / f'state{n}.db'}", tmp_path))
        except BaseException as exc:  # the test reports every failure
            failed.append(exc)

    _at_once([threading.Thread(target=open_one, args=(n,)) for n in range(THREADS)])
    assert failed == []
    assert len(opened) == THREADS
    for store in opened:
        assert "target_revisions" in inspect(store.engine).get_table_names()
        store.close()


def test_a_workspace_opens_its_store_once_for_threads_asking_at_once(tmp_path: Path) -> None:
    create_workspace(tmp_path / "ws", "multichannel", name="Threads")
    ws = Workspace.open(tmp_path / "ws")
    seen: list[int] = []
    start = threading.Barrier(THREADS)

    def ask() -> None:
        start.wait()
        seen.append(id(ws.store))

    _at_once([threading.Thread(target=ask) for _ in range(THREADS)])
    assert len(seen) == THREADS and len(set(seen)) == 1
    ws.close()
