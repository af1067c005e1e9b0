"""The warehouses the KPI tests run on: DuckDB, PySpark (local) and PostgreSQL.

One parametrized fixture (``backend`` in tests/conftest.py) hands each test a
:class:`Backend` that makes fresh, isolated warehouses from ``{entity: frame}``, so
every hand-computed number is checked on every engine. Each warehouse is reached
the way a user reaches it:

- DuckDB: a DuckDB file, the kind ``warehouse.backend: duckdb`` keeps its versions in;
- PostgreSQL: an Ibis URL (``warehouse.backend: url``) to a real server started for
  the test session (tests/support/pg_server.py), one schema per warehouse;
- PySpark: one local Spark session for the whole test session, a new Spark session
  (its own temporary views) per warehouse.

A known difference of one engine is marked on the test, the way Ibis's backend
suite does it::

    @pytest.mark.gap("pyspark", reason="...")

and the test is then expected to fail there (strictly: when the gap is closed the
mark must go).
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from onpace.query.warehouse import Warehouse, connect
from onpace.spec.workspace_config import WarehouseSettings

BACKENDS = [
    "duckdb",
    pytest.param("pyspark", marks=pytest.mark.spark),
    pytest.param("postgres", marks=pytest.mark.postgres),
]

_names = itertools.count()


@dataclass
class Backend:
    """Makes warehouses of one kind, and closes them."""

    name: str
    _make: Callable[[str], Warehouse]
    opened: list[Warehouse] = field(default_factory=list)

    def warehouse(self, frames: Mapping[str, pd.DataFrame], timezone: str = "UTC") -> Warehouse:
        """A new, empty warehouse holding ``frames`` (normalized to ``timezone``)."""
        wh = self._make(f"w{next(_names)}")
        self.opened.append(wh)
        wh.load_all(frames, timezone)
        return wh

    def release(self, warehouses: list[Warehouse]) -> None:
        """Close ``warehouses`` (a server has a limited number of connections)."""
        for wh in list(warehouses):
            if wh in self.opened:
                self.opened.remove(wh)
            if self.name == "postgres":
                wh.backend.disconnect()


def duckdb_backend(folder: Path) -> Backend:
    import ibis

    def make(name: str) -> Warehouse:
        # one writable DuckDB file (a workspace publishes such files as read-only versions)
        return Warehouse(ibis.duckdb.connect(str(folder / f"{name}.duckdb")), "duckdb")

    return Backend("duckdb", make)


def postgres_backend(sqlalchemy_url: str) -> Backend:
    """Warehouses in schemas of the test server, each opened through an Ibis URL."""
    from sqlalchemy import create_engine, text

    admin = create_engine(sqlalchemy_url, isolation_level="AUTOCOMMIT")
    # the same URL as the state store's, in the spelling a user would give Ibis
    base = sqlalchemy_url.replace("postgresql+psycopg://", "postgres://")

    def make(name: str) -> Warehouse:
        with admin.connect() as con:
            con.execute(text(f'CREATE SCHEMA "{name}"'))
        # Ibis reads the schema from the URL's path: postgres://user@host/database/schema
        url = base.replace("@/postgres?", f"@/postgres/{name}?")
        return connect(WarehouseSettings(backend="url", url=url), Path("."))

    return Backend("postgres", make)


def spark_backend() -> Backend:
    import ibis

    from onpace.query.warehouse import spark_session

    shared = spark_session("local[2]")

    def make(name: str) -> Warehouse:
        session = shared.newSession()  # its own temporary views, the same JVM
        session.conf.set("spark.sql.shuffle.partitions", "2")
        return Warehouse(ibis.pyspark.connect(session), "pyspark")

    return Backend("pyspark", make)


def require_java() -> None:
    """Skip without a JVM, except in CI where PySpark must run."""
    if shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail("PySpark tests must run in CI, but no java is installed")
        pytest.skip("PySpark needs Java 17 (not installed here)")


def make_backend(name: str, request: pytest.FixtureRequest, folder: Path) -> Backend:
    if name == "duckdb":
        return duckdb_backend(folder)
    if name == "postgres":
        return postgres_backend(request.getfixturevalue("pg_url"))
    require_java()
    return spark_backend()


def mark_gaps(item: pytest.Item) -> None:
    """Turn ``@pytest.mark.gap(backend, reason=...)`` into a strict xfail on that backend."""
    callspec: Any = getattr(item, "callspec", None)
    if callspec is None or "backend" not in callspec.params:
        return
    here = callspec.params["backend"]
    for mark in item.iter_markers("gap"):
        names = mark.args[0] if isinstance(mark.args[0], list | tuple) else mark.args[:1]
        if here in names:
            reason = mark.kwargs.get("reason") or "known gap"
            item.add_marker(pytest.mark.xfail(reason=f"{here}: {reason}", strict=True))


def run_sql(wh: Warehouse, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a plain SQL statement run on ``wh`` in its own dialect."""
    if wh.kind == "pyspark":
        return [tuple(row) for row in wh.backend._session.sql(sql).collect()]
    cursor = wh.backend.raw_sql(sql)
    rows = [tuple(row) for row in cursor.fetchall()]
    if wh.kind != "duckdb":  # DuckDB answers with its connection itself, which stays open
        cursor.close()
    return rows
