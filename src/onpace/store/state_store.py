"""The store API: append target revisions, read current targets and their history.

There is deliberately no update or delete here. Every change to a target is a new
revision row with who, when and why; retiring a target is a revision too. The
session refuses to flush a changed or deleted revision, and the database refuses
UPDATE and DELETE with triggers (see the first migration), so the history cannot
be rewritten through this API, through SQLAlchemy, or by hand.
"""

from __future__ import annotations

import getpass
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine, create_engine, event, func, inspect, select
from sqlalchemy.exc import DatabaseError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from onpace.errors import AppendOnlyError, StoreDamagedError, StoreError, StoreMissingError
from onpace.spec.envvars import expand_env
from onpace.store.tables import VERSION_TABLE, KpiReview, TargetRevision
from onpace.targets.definition import Target, TargetPeriod, target_key

MIGRATIONS = Path(__file__).parent / "migrations"
STATE_FILE = "state.db"


def current_user() -> str:
    """The OS user, used as the author of a revision when none is given."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or "unknown"


def store_url(state_url: str | None, root: Path) -> str:
    """The SQLAlchemy URL of a workspace's store: ``state_url`` or ``<root>/state.db``.

    ``${VAR}`` is replaced by the environment variable VAR (secrets stay out of
    onpace.yml); ``postgres://`` and ``postgresql://`` use the psycopg 3 driver.
    """
    if not state_url:
        return f"sqlite:///{(root / STATE_FILE).resolve()}"
    url = expand_env(state_url, "state_url", StoreError)
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _refuse_rewrites(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, TargetRevision):
            raise AppendOnlyError(
                "target revisions are append-only: set a new revision instead of "
                "changing or deleting one"
            )
        if isinstance(obj, KpiReview):
            raise AppendOnlyError("reviews are append-only: record a new review instead")
        refusal = getattr(obj, "append_only", None)
        if isinstance(refusal, str):
            raise AppendOnlyError(refusal)


_MIGRATING = threading.Lock()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the store's schema up to ``revision`` (the newest by default).

    One migration at a time in a process: Alembic keeps the running migration's
    context in module globals, so two threads migrating at once (the first
    requests of a server, each opening the store) break each other.
    """
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with _MIGRATING, engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


class Store:
    """Targets of one workspace, kept as append-only revisions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def _session(self) -> Iterator[Session]:
        session = self._sessions()
        event.listen(session, "before_flush", _refuse_rewrites)
        try:
            yield session
            session.commit()
        except AppendOnlyError:
            session.rollback()
            raise
        except SQLAlchemyError as exc:
            session.rollback()
            raise StoreError(
                f"the state store refused the change: {getattr(exc, 'orig', None) or exc}"
            ) from exc
        finally:
            session.close()

    def set_target(self, target: Target, reason: str, author: str | None = None) -> Target:
        """Append ``target`` as the next revision of its key; returns it as stored."""
        return self._append(target, "set", reason, author)

    def retire_target(self, target: Target, reason: str, author: str | None = None) -> Target:
        """Append a revision that retires ``target``: it stops counting, its history stays."""
        return self._append(target, "retire", reason, author)

    def _append(self, target: Target, action: str, reason: str, author: str | None) -> Target:
        if not reason.strip():
            raise StoreError("every target change needs a reason (--why)")
        who = (author or current_user()).strip() or "unknown"
        when = datetime.now(UTC)
        key = target.key
        try:
            with self._session() as session:
                last = session.scalar(
                    select(func.max(TargetRevision.revision)).where(
                        TargetRevision.target_key == key
                    )
                )
                if action == "retire" and last is None:
                    raise StoreError(f"there is no target {key} to retire")
                number = (last or 0) + 1
                session.add(_row(target, key, number, action, who, when, reason))
        except StoreError as exc:
            if isinstance(exc.__cause__, IntegrityError):
                raise StoreError(
                    f"target {key} was changed by someone else at the same time; try again"
                ) from exc
            raise
        stored = target.with_revision(number, who, when, reason)
        return stored if action == "set" else _replace_action(stored, "retire")

    def history(self, kpi: str | None = None) -> list[Target]:
        """Every revision (of ``kpi``'s targets), oldest first."""
        query = select(TargetRevision).order_by(TargetRevision.id)
        if kpi is not None:
            query = query.where(TargetRevision.kpi == kpi)
        with self._session() as session:
            return [_target(r) for r in session.scalars(query)]

    def current(self, kpi: str | None = None) -> list[Target]:
        """The latest revision of every target that is not retired."""
        latest: dict[str, Target] = {}
        for t in self.history(kpi):
            latest[t.key] = t
        return [t for t in latest.values() if t.action == "set"]

    def find(
        self, kpi: str, period: str, dimension: str | None = None, value: str | None = None
    ) -> Target | None:
        key = target_key(kpi, period, dimension, value)
        return next((t for t in self.current(kpi) if t.key == key), None)

    def close(self) -> None:
        self.engine.dispose()


def _replace_action(target: Target, action: str) -> Target:
    from dataclasses import replace

    return replace(target, action=cast(Any, action))


def _row(
    t: Target, key: str, number: int, action: str, who: str, when: datetime, reason: str
) -> TargetRevision:
    return TargetRevision(
        target_key=key,
        revision=number,
        action=action,
        kpi=t.kpi,
        period=t.period.label,
        grain=t.period.grain,
        start=t.period.start,
        end=t.period.end,
        dimension=t.dimension,
        dimension_value=t.dimension_value,
        value=t.value,
        basis=t.basis,
        change_kind=t.change_kind,
        change=t.change,
        baseline=t.baseline,
        baseline_period=t.baseline_period,
        baseline_value=t.baseline_value,
        phasing=t.phasing,
        weights=json.dumps(list(t.weights)) if t.weights else None,
        author=who,
        created_at=when,
        reason=reason,
        floor=t.floor,
        stretch=t.stretch,
    )


def _target(r: TargetRevision) -> Target:
    created = r.created_at
    if created is not None and created.tzinfo is None:  # SQLite keeps no zone: it was UTC
        created = created.replace(tzinfo=UTC)
    return Target(
        kpi=r.kpi,
        period=TargetPeriod(r.period, cast(Any, r.grain), r.start, r.end),
        value=float(r.value) if r.value is not None else float("nan"),
        dimension=r.dimension,
        dimension_value=r.dimension_value,
        basis=cast(Any, r.basis),
        change_kind=cast(Any, r.change_kind),
        change=r.change,
        baseline=cast(Any, r.baseline),
        baseline_period=r.baseline_period,
        baseline_value=r.baseline_value,
        phasing=cast(Any, r.phasing),
        weights=tuple(json.loads(r.weights)) if r.weights else (),
        revision=r.revision,
        author=r.author,
        created_at=created,
        reason=r.reason,
        action=cast(Any, r.action),
        floor=r.floor,
        stretch=r.stretch,
    )


def open_store(url: str, root: Path | None = None) -> Store:
    """Connect to the store at ``url`` and bring its schema up to date.

    With ``root`` (the workspace the store belongs to), a store the workspace has had
    and that is now gone or empty is refused with :class:`StoreMissingError` instead
    of being made again empty (see :mod:`onpace.store.presence`), and a file that is
    not a database is :class:`StoreDamagedError`; both say how to restore it.
    """
    from onpace.store.presence import remember, remembered, state_key

    key = state_key(url, root) if root is not None else None
    since = remembered(root, key) if root is not None and key is not None else None
    where = store_location(url)
    if since is not None and sqlite_file_missing(url):
        raise _missing(where, since, root)
    try:
        engine = create_engine(url, future=True)
        if since is not None and not inspect(engine).has_table(VERSION_TABLE):
            raise _missing(where, since, root)
        migrate(engine)
    except ModuleNotFoundError as exc:
        raise StoreError(
            f"the driver for {url.split(':', 1)[0]} is not installed ({exc.name}); "
            "for PostgreSQL: pip install 'onpace[postgres]'"
        ) from exc
    except DatabaseError as exc:
        if url.startswith("sqlite"):
            raise StoreDamagedError(
                f"the state store {where} is damaged ({getattr(exc, 'orig', exc)}): "
                f"{_restore_hint(root)}, or move the file aside to start again empty"
            ) from exc
        raise StoreError(f"cannot open the state store: {exc}") from exc
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot open the state store: {exc}") from exc
    if root is not None and key is not None:
        remember(root, key)
    return Store(engine)


def store_location(url: str) -> str:
    """The store's file (SQLite) or its URL without the password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:  # a URL SQLAlchemy cannot read is shown cut short
        return url.split("@")[-1]
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return parsed.database
    return parsed.render_as_string(hide_password=True)


def sqlite_file_missing(url: str) -> bool:
    """A SQLite store whose file is gone or empty (SQLite would make it again, empty)."""
    if not url.startswith("sqlite"):
        return False
    path = store_location(url)
    if path in ("", ":memory:") or path.startswith("file:"):
        return False
    file = Path(path)
    return not file.exists() or file.stat().st_size == 0


def _restore_hint(root: Path | None) -> str:
    folder = root if root is not None else Path(".")
    return f"restore it from a backup with `onpace restore BACKUP.tar.gz -w {folder}`"


def _missing(where: str, since: str, root: Path | None) -> StoreMissingError:
    folder = root if root is not None else Path(".")
    return StoreMissingError(
        f"the state store {where} is gone or empty, though this workspace has kept its users, "
        f"tokens, targets and audit log there since {since}: {_restore_hint(root)}; to start "
        f"again with an empty state store on purpose, run `onpace store forget state -w {folder}`"
    )
