"""Store tests run against SQLite and PostgreSQL through one parametrized fixture."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from onpace.store import Store, open_store


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url_param(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'state.db'}"
        return
    base = request.getfixturevalue("pg_url")
    name = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as con:
        con.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.replace("@/postgres?", f"@/{name}?")
    finally:
        with admin.connect() as con:
            con.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def store(store_url_param: str) -> Iterator[Store]:
    s = open_store(store_url_param)
    try:
        yield s
    finally:
        s.close()
