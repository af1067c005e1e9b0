"""Whether both stores of a workspace open and answer: for ``/healthz`` and ``onpace store check``.

A health check that only says the process is up would say "ok" with a corrupt
warehouse or a deleted state store. This one asks each store a question: the state
store for its schema version, the warehouse for its tables, after checking that the
file it reads is still there and still looks like a DuckDB database (a file
truncated or overwritten after the server opened it is caught here, before a user
hits it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from onpace.errors import OnpaceError
from onpace.store.tables import VERSION_TABLE

if TYPE_CHECKING:
    from onpace.query.warehouse import Warehouse
    from onpace.store.state_store import Store

log = logging.getLogger("onpace.health")

Condition = Literal["ok", "empty", "missing", "damaged", "unreachable"]
_DUCKDB_MAGIC = b"DUCK"
_DUCKDB_HEADER = 3 * 4096
_PAGE = 4096


@dataclass(frozen=True)
class StoreHealth:
    """One store's answer: ``condition`` for machines, ``detail`` (one line) for people."""

    store: Literal["state", "warehouse"]
    condition: Condition
    detail: str

    @property
    def ok(self) -> bool:
        return self.condition in ("ok", "empty")


def state_health(store: Store) -> StoreHealth:
    """The state store opens, has its schema, and answers a query."""
    from onpace.store.state_store import sqlite_file_missing, store_location

    url = store.engine.url.render_as_string(hide_password=False)
    if sqlite_file_missing(url):
        where = store_location(url)
        return StoreHealth("state", "missing", f"the state store {where} is gone or empty")
    try:
        with store.engine.connect() as connection:
            version = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).split("\n")[0]
        condition: Condition = "damaged" if "no such table" not in reason else "missing"
        if store.engine.dialect.name != "sqlite" and "connect" in reason.lower():
            condition = "unreachable"
        return StoreHealth("state", condition, f"the state store does not answer: {reason}")
    if version is None:
        return StoreHealth("state", "missing", "the state store has lost its schema")
    return StoreHealth("state", "ok", f"schema {version}")


def duckdb_file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a whole DuckDB file (gone, empty, cut short, not DuckDB), or None."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if size == 0:
        return "is empty"
    if head[8:12] != _DUCKDB_MAGIC:
        return "is not a DuckDB file"
    if size < _DUCKDB_HEADER or size % _PAGE:
        return f"is cut short ({size} bytes)"
    return None


def warehouse_health(warehouse: Warehouse, ask: bool = True) -> StoreHealth:
    """The warehouse file is whole (embedded DuckDB) and the warehouse lists its tables.

    ``ask=False`` checks the file only: the server passes it while a computation holds
    the shared connection (which is then plainly alive).
    """
    files = warehouse.files
    if files is not None:
        current = files.current()
        if current is None or not current.exists():
            try:
                files.refuse_if_lost()
            except OnpaceError as exc:
                return StoreHealth("warehouse", "missing", str(exc))
            return StoreHealth("warehouse", "empty", "no data loaded yet")
        problem = duckdb_file_problem(current)
        if problem:
            return StoreHealth("warehouse", "damaged", f"the warehouse file {current} {problem}")
    if not ask:
        return StoreHealth("warehouse", "ok", "busy computing")
    try:
        tables = warehouse.backend.list_tables()
    except Exception as exc:  # any backend's failure is an answer here, not a crash
        return StoreHealth("warehouse", "damaged", f"the warehouse does not answer: {exc}")
    return StoreHealth("warehouse", "ok", f"{len(tables)} tables")


def stores_health(store: Store, warehouse: Warehouse, ask: bool = True) -> list[StoreHealth]:
    """Both stores' health; failures are logged with their detail."""
    found = [state_health(store), warehouse_health(warehouse, ask)]
    for health in found:
        if not health.ok:
            log.error("health: %s %s: %s", health.store, health.condition, health.detail)
    return found
