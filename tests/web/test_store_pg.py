"""Accounts and the audit log on PostgreSQL: the same migration, the same append-only rule."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DatabaseError

from onpace.auth import Auth
from onpace.store import open_store


@pytest.fixture
def pg_store_url(pg_url: str) -> Iterator[str]:
    name = "w_" + uuid.uuid4().hex[:12]
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as con:
        con.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield pg_url.replace("@/postgres?", f"@/{name}?")
    finally:
        with admin.connect() as con:
            con.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_users_tokens_sessions_and_audit_on_postgres(pg_store_url: str) -> None:
    store = open_store(pg_store_url)
    try:
        auth = Auth(store.engine)
        auth.add_user("ann", "manager", "long enough 1", actor="test")
        assert auth.authenticate("ann", "long enough 1") is not None
        assert auth.authenticate("ann", "wrong password") is None
        token = auth.create_token("ann", actor="test").token
        assert auth.token_identity(token).name == "ann"  # type: ignore[union-attr]
        raw, csrf = auth.start_session(auth.token_identity(token).user_id)  # type: ignore[union-attr]
        assert auth.session_identity(raw).csrf == csrf  # type: ignore[union-attr]
        auth.end_session(raw)
        assert auth.session_identity(raw) is None
        assert [e["action"] for e in auth.audit_entries()] == ["token.create", "user.add"]
        with pytest.raises(DatabaseError, match="append-only"), store.engine.begin() as con:
            con.execute(text("DELETE FROM audit_log"))
    finally:
        store.close()
