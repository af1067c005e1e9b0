"""What a workspace has held, so a store that vanished is an error and never a silent fresh start.

SQLite and DuckDB both make a new, empty database when asked to open a file that is
not there (or is empty). Without a record, a deleted ``state.db`` would come back
empty with exit code 0, and users, tokens, targets and the audit log would be gone
without a word. So the first time a store opens with its schema (the state store) or
a version is published (the warehouse), onpace writes down that it exists, in
``.onpace/stores.json`` in the folder of the workspace (for the warehouse: the
folder of its file). From then on a missing or empty store is
:class:`~onpace.errors.StoreMissingError` with the way out: ``onpace restore`` from
a backup, or ``onpace store forget`` to start again empty on purpose.

A workspace without the record (one from before it, or a fresh clone) opens as it
always did. Failing to write the record (a read-only folder) never stops a command.
"""

from __future__ import annotations

import contextlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

RECORD = Path(".onpace") / "stores.json"
STATE = "state"
WAREHOUSE = "warehouse"


def _file(folder: Path) -> Path:
    return folder / RECORD


def _read(folder: Path) -> dict[str, str]:
    try:
        data = json.loads(_file(folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write(folder: Path, entries: dict[str, str]) -> None:
    target = _file(folder)
    with contextlib.suppress(OSError):
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{os.getpid()}")
        temporary.write_text(json.dumps(entries, indent=2, sort_keys=True), encoding="utf-8")
        os.replace(temporary, target)


def remembered(folder: Path, key: str) -> str | None:
    """When the store ``key`` of ``folder`` was first seen holding data (ISO time), or None."""
    return _read(folder).get(key)


def remember(folder: Path, key: str) -> None:
    """Write down that store ``key`` exists (once; later calls only read the record)."""
    entries = _read(folder)
    if key not in entries:
        entries[key] = datetime.now(UTC).isoformat(timespec="seconds")
        _write(folder, entries)


def forget(folder: Path, key: str) -> bool:
    """Drop the record of ``key``: the next open starts it empty. False if none was kept."""
    entries = _read(folder)
    if entries.pop(key, None) is None:
        return False
    _write(folder, entries)
    return True


def state_key(url: str, root: Path) -> str:
    """The record's name of a state store: ``state`` for the workspace's state.db, else its
    URL without a password (so moving the folder or changing a secret keeps the record)."""
    from sqlalchemy.engine import make_url

    from onpace.store.state_store import STATE_FILE

    if url == f"sqlite:///{(root / STATE_FILE).resolve()}":
        return STATE
    with contextlib.suppress(Exception):
        return f"{STATE} {make_url(url).render_as_string(hide_password=True)}"
    return f"{STATE} {url.split('@')[-1]}"


def warehouse_key(path: Path) -> str:
    """The record's name of an embedded warehouse file (kept in the file's folder)."""
    return f"{WAREHOUSE} {path.name}"
