"""The state store on SQLite and PostgreSQL: revisions, current state, append-only history."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from onpace.errors import AppendOnlyError, StoreError
from onpace.store import Store, open_store, store_url
from onpace.store.tables import TargetRevision
from onpace.targets.definition import Target, TargetPeriod, parse_target_period

Q3 = parse_target_period("2026-Q3")


def test_revisions_are_numbered_and_latest_is_current(store: Store) -> None:
    first = store.set_target(Target("revenue", Q3, 1000.0), reason="budget", author="ann")
    second = store.set_target(Target("revenue", Q3, 1200.0), reason="new plan", author="bob")
    assert (first.revision, second.revision) == (1, 2)
    current = store.current("revenue")
    assert [(t.value, t.revision, t.author, t.reason) for t in current] == [
        (1200.0, 2, "bob", "new plan")
    ]
    history = store.history("revenue")
    assert [(t.value, t.author) for t in history] == [(1000.0, "ann"), (1200.0, "bob")]
    assert history[0].created_at is not None and history[0].created_at.tzinfo is not None


def test_targets_per_rep_and_custom_ranges_are_separate(store: Store) -> None:
    store.set_target(Target("revenue", Q3, 500.0, "rep", "ann"), reason="r", author="x")
    store.set_target(Target("revenue", Q3, 400.0, "rep", "bob"), reason="r", author="x")
    custom = TargetPeriod("2026-01-15..2026-02-14", "custom", date(2026, 1, 15), date(2026, 2, 15))
    store.set_target(Target("revenue", custom, 50.0, phasing="linear"), reason="r", author="x")
    found = store.find("revenue", "2026-Q3", "rep", "bob")
    assert found is not None and found.value == 400.0
    stored = store.find("revenue", "2026-01-15..2026-02-14")
    assert stored is not None and stored.period == custom
    assert len(store.current()) == 3


def test_relative_target_keeps_its_baseline_and_weights(store: Store) -> None:
    t = Target(
        "return_rate",
        Q3,
        0.03,
        basis="relative",
        change_kind="points",
        change=-0.02,
        baseline="last_year",
        baseline_period="2025-Q3",
        baseline_value=0.05,
        phasing="weights",
        weights=(30.0, 30.0, 40.0),
    )
    store.set_target(t, reason="lower returns", author="ann")
    back = store.current("return_rate")[0]
    assert (back.baseline, back.baseline_period, back.baseline_value) == (
        "last_year",
        "2025-Q3",
        0.05,
    )
    assert back.weights == (30.0, 30.0, 40.0) and back.change == -0.02


def test_retire_keeps_history(store: Store) -> None:
    store.set_target(Target("orders", Q3, 10.0), reason="a", author="ann")
    store.retire_target(Target("orders", Q3, 10.0), reason="dropped", author="ann")
    assert store.current("orders") == []
    assert [t.action for t in store.history("orders")] == ["set", "retire"]
    with pytest.raises(StoreError, match="no target"):
        store.retire_target(Target("orders", parse_target_period("2026-Q4"), 1.0), reason="x")


def test_reason_is_required(store: Store) -> None:
    with pytest.raises(StoreError, match="reason"):
        store.set_target(Target("orders", Q3, 10.0), reason="  ", author="ann")


def test_author_defaults_to_os_user(store: Store) -> None:
    import getpass

    stored = store.set_target(Target("orders", Q3, 10.0), reason="a")
    assert stored.author == getpass.getuser()


def test_orm_refuses_to_change_or_delete_a_revision(store: Store) -> None:
    store.set_target(Target("orders", Q3, 10.0), reason="a", author="ann")
    with Session(store.engine) as session:
        from sqlalchemy import event

        from onpace.store.state_store import _refuse_rewrites

        event.listen(session, "before_flush", _refuse_rewrites)
        row = session.query(TargetRevision).one()
        row.value = 99.0
        with pytest.raises(AppendOnlyError):
            session.flush()
        session.rollback()
        session.delete(session.query(TargetRevision).one())
        with pytest.raises(AppendOnlyError):
            session.flush()


@pytest.mark.parametrize(
    "statement",
    ["UPDATE target_revisions SET value = 1", "DELETE FROM target_revisions"],
)
def test_database_refuses_update_and_delete(store: Store, statement: str) -> None:
    store.set_target(Target("orders", Q3, 10.0), reason="a", author="ann")
    with pytest.raises(Exception, match="append-only"), store.engine.begin() as con:
        con.execute(text(statement))
    assert [t.value for t in store.history()] == [10.0]


def test_reopening_runs_no_migration_twice(store_url_param: str) -> None:
    first = open_store(store_url_param)
    first.set_target(Target("orders", Q3, 10.0), reason="a", author="ann")
    first.close()
    again = open_store(store_url_param)
    assert [t.value for t in again.current()] == [10.0]
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from onpace.store.state_store import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    with again.engine.connect() as con:
        versions = con.execute(text("SELECT version_num FROM onpace_alembic_version")).all()
    assert [v[0] for v in versions] == [head]
    again.close()


def test_store_url_default_and_env(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    assert store_url(None, tmp_path) == f"sqlite:///{(tmp_path / 'state.db').resolve()}"
    monkeypatch.setenv("PGPASS", "s3cret")
    assert (
        store_url("postgres://u:${PGPASS}@db/x", tmp_path) == "postgresql+psycopg://u:s3cret@db/x"
    )
    monkeypatch.delenv("PGPASS")
    with pytest.raises(StoreError, match="PGPASS is not set"):
        store_url("postgres://u:${PGPASS}@db/x", tmp_path)


def test_unreachable_database_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="cannot open the state store"):
        open_store("postgresql+psycopg://nobody@/x?host=/nonexistent-socket-dir")
