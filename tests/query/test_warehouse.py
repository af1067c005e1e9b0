"""Connecting to a warehouse by URL: the spellings accepted and the errors given."""

from __future__ import annotations

from pathlib import Path

import pytest

from onpace.errors import WorkspaceError
from onpace.query.warehouse import connect, ibis_url
from onpace.spec.workspace_config import WarehouseSettings


def test_the_sqlalchemy_spelling_of_a_url_is_accepted() -> None:
    assert ibis_url("postgresql+psycopg://a@h/db") == "postgresql://a@h/db"
    assert ibis_url("postgres://a@h/db/schema?sslmode=require") == (
        "postgres://a@h/db/schema?sslmode=require"
    )


def test_an_unknown_url_is_a_workspace_error_that_hides_the_password() -> None:
    settings = WarehouseSettings(backend="url", url="nosuchdb://ann:s3cret@host/sales")
    with pytest.raises(WorkspaceError) as caught:
        connect(settings, Path("."))
    assert "s3cret" not in str(caught.value)
    assert "nosuchdb://ann:***@host/sales" in str(caught.value)


def test_a_postgres_warehouse_by_url_in_either_spelling(pg_url: str) -> None:
    # pg_url is the state store's SQLAlchemy URL; the warehouse takes it as it is
    wh = connect(WarehouseSettings(backend="url", url=pg_url), Path("."))
    try:
        assert wh.dialect == "postgres"
        assert wh.backend.raw_sql("SELECT 1").fetchall() == [(1,)]
    finally:
        wh.backend.disconnect()
