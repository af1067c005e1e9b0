"""Users, sessions, API tokens and the audit log, on the state store's database.

One :class:`Auth` per app, sharing the store's SQLAlchemy engine. Every method
opens and commits its own short session, so a web request never holds a
transaction open while it computes KPIs.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from onpace.auth.accounts import ApiToken, AuditEntry, User, WebSession
from onpace.auth.passwords import (
    MIN_LENGTH,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from onpace.auth.roles import ROLES
from onpace.errors import AuthError

SESSION_HOURS = 12
TOKEN_PREFIX = "onp_"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$")


@dataclass(frozen=True)
class Identity:
    """Who makes a request: the user, their role, their rep id and how they logged in."""

    user_id: int
    name: str
    role: str
    rep_id: str | None
    via: str  # "session" or "token"
    csrf: str = ""


@dataclass(frozen=True)
class NewToken:
    """A token as created: ``token`` is shown once and never stored."""

    token: str
    user: str
    label: str


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _utc(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; they were stored as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class Auth:
    """The accounts of one state store."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def _db(self) -> Iterator[Session]:
        session = self._sessions()
        try:
            yield session
            session.commit()
        except IntegrityError:
            session.rollback()
            raise
        except SQLAlchemyError as exc:
            session.rollback()
            raise AuthError(f"the state store refused the change: {exc}") from exc
        finally:
            session.close()

    # users

    def add_user(
        self, name: str, role: str, password: str, rep_id: str | None = None, actor: str = "cli"
    ) -> None:
        """Create a user; refuses bad names, roles and weak passwords with the reason."""
        if not _NAME.match(name):
            raise AuthError(
                f"user name {name!r}: use letters, digits and _ . @ - (up to 100 characters)",
                "bad_user_name",
                name=name,
            )
        if role not in ROLES:
            raise AuthError(
                f"role {role!r}: use one of {', '.join(ROLES)}", "unknown_role", role=role
            )
        if rep_id is not None and not rep_id.strip():
            rep_id = None
        problem = password_problem(password)
        if problem:
            raise AuthError(problem[1], problem[0], min=MIN_LENGTH)
        try:
            with self._db() as db:
                db.add(
                    User(
                        name=name,
                        role=role,
                        rep_id=rep_id,
                        password_hash=hash_password(password),
                        active=True,
                        created_at=datetime.now(UTC),
                    )
                )
        except IntegrityError as exc:
            raise AuthError(f"user {name!r} exists already", "user_exists", name=name) from exc
        self.audit(actor, "user.add", name, {"role": role, "rep_id": rep_id})

    def users(self) -> list[dict[str, Any]]:
        with self._db() as db:
            return [
                {"name": u.name, "role": u.role, "rep_id": u.rep_id, "active": u.active}
                for u in db.scalars(select(User).order_by(User.name))
            ]

    def _identity(self, user: User, via: str, csrf: str = "") -> Identity:
        return Identity(user.id, user.name, user.role, user.rep_id, via, csrf)

    def authenticate(self, name: str, password: str) -> Identity | None:
        """The user when ``password`` is right, else None (same cost for unknown names)."""
        with self._db() as db:
            user = db.scalar(select(User).where(User.name == name, User.active.is_(True)))
            if not verify_password(user.password_hash if user else None, password):
                return None
            assert user is not None
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            return self._identity(user, "session")

    # browser sessions

    def start_session(self, user_id: int) -> tuple[str, str]:
        """A new session: (the cookie value, its CSRF token)."""
        raw = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with self._db() as db:
            db.add(
                WebSession(
                    id_hash=digest(raw),
                    user_id=user_id,
                    csrf=csrf,
                    created_at=now,
                    expires_at=now + timedelta(hours=SESSION_HOURS),
                )
            )
            db.execute(delete(WebSession).where(WebSession.expires_at < now))
        return raw, csrf

    def session_identity(self, raw: str) -> Identity | None:
        with self._db() as db:
            row = db.get(WebSession, digest(raw))
            if row is None:
                return None
            if _utc(row.expires_at) < datetime.now(UTC):
                db.delete(row)
                return None
            user = db.get(User, row.user_id)
            if user is None or not user.active:
                return None
            return self._identity(user, "session", row.csrf)

    def end_session(self, raw: str) -> None:
        with self._db() as db:
            db.execute(delete(WebSession).where(WebSession.id_hash == digest(raw)))

    # API tokens

    def create_token(self, user_name: str, label: str = "", actor: str = "cli") -> NewToken:
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._db() as db:
            user = db.scalar(select(User).where(User.name == user_name))
            if user is None:
                raise AuthError(
                    f"there is no user {user_name!r} (add one with: onpace user add)",
                    "no_such_user",
                    name=user_name,
                )
            db.add(
                ApiToken(
                    user_id=user.id,
                    token_hash=digest(raw),
                    label=label or "token",
                    created_at=datetime.now(UTC),
                    revoked=False,
                )
            )
        self.audit(actor, "token.create", user_name, {"label": label or "token"})
        return NewToken(raw, user_name, label or "token")

    def token_identity(self, raw: str) -> Identity | None:
        """The user of an API token, checked in the store on every request.

        There is no cache: a revoked token, a disabled user or a changed role
        takes effect on the very next request, whichever process made the change
        (the CLI, another server). It is one indexed query.
        """
        if not raw.startswith(TOKEN_PREFIX):
            return None
        query = (
            select(User.id, User.name, User.role, User.rep_id)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(
                ApiToken.token_hash == digest(raw),
                ApiToken.revoked.is_(False),
                User.active.is_(True),
            )
        )
        try:
            with self._engine.connect() as con:
                row = con.execute(query).first()
        except SQLAlchemyError as exc:
            raise AuthError(f"the state store cannot be read: {exc}") from exc
        if row is None:
            return None
        return Identity(row.id, row.name, row.role, row.rep_id, "token")

    def tokens(self, user_name: str | None = None) -> list[dict[str, Any]]:
        """Every API token (of ``user_name``): id, user, label, created, revoked; no secret."""
        query = select(ApiToken, User.name).join(User, User.id == ApiToken.user_id)
        if user_name is not None:
            query = query.where(User.name == user_name)
        with self._db() as db:
            return [
                {
                    "id": t.id,
                    "user": name,
                    "label": t.label,
                    "created_at": _utc(t.created_at).isoformat(timespec="seconds"),
                    "revoked": t.revoked,
                }
                for t, name in db.execute(query.order_by(ApiToken.id))
            ]

    def revoke_token(self, token_id: int, actor: str) -> dict[str, Any]:
        """Revoke one token by its id (see :meth:`tokens`); it stops working at once."""
        with self._db() as db:
            token = db.get(ApiToken, token_id)
            if token is None:
                raise AuthError(
                    f"there is no token {token_id} (list them with: onpace token list)",
                    "no_such_token",
                    id=token_id,
                )
            user = db.get(User, token.user_id)
            already = token.revoked
            token.revoked = True
            done = {"id": token.id, "user": user.name if user else "?", "label": token.label}
        if not already:
            self.audit(actor, "token.revoke", f"token {token_id}", done)
        return done

    # managing users

    def _user(self, db: Session, name: str) -> User:
        user = db.scalar(select(User).where(User.name == name))
        if user is None:
            raise AuthError(
                f"there is no user {name!r} (list them with: onpace user list)",
                "no_such_user",
                name=name,
            )
        return user

    def _refuse_last_admin(self, db: Session, user: User, still_admin: bool) -> None:
        """Never leave the workspace without an active admin (nobody could manage users)."""
        if still_admin or user.role != "admin" or not user.active:
            return
        admins = db.scalars(select(User).where(User.role == "admin", User.active.is_(True)))
        if [a.id for a in admins] == [user.id]:
            raise AuthError(
                f"{user.name} is the only active admin; make another user admin first",
                "last_admin",
                name=user.name,
            )

    def set_active(self, name: str, active: bool, actor: str) -> None:
        """Disable (ending their sessions and stopping their tokens) or enable a user."""
        with self._db() as db:
            user = self._user(db, name)
            if not active:
                self._refuse_last_admin(db, user, still_admin=False)
                db.execute(delete(WebSession).where(WebSession.user_id == user.id))
            changed = user.active != active
            user.active = active
        if changed:
            self.audit(actor, "user.enable" if active else "user.disable", name, {})

    def set_role(self, name: str, role: str, rep_id: str | None, actor: str) -> None:
        """Give a user another role (and rep id); it applies to their next request."""
        if role not in ROLES:
            raise AuthError(
                f"role {role!r}: use one of {', '.join(ROLES)}", "unknown_role", role=role
            )
        rep_id = rep_id.strip() if rep_id and rep_id.strip() else None
        with self._db() as db:
            user = self._user(db, name)
            self._refuse_last_admin(db, user, still_admin=role == "admin")
            before = {"role": user.role, "rep_id": user.rep_id}
            user.role = role
            user.rep_id = rep_id
        self.audit(actor, "user.role", name, {"from": before, "role": role, "rep_id": rep_id})

    def reset_password(self, name: str, password: str, actor: str) -> None:
        """Set a new password; the user's sessions end (their API tokens stay)."""
        problem = password_problem(password)
        if problem:
            raise AuthError(problem[1], problem[0], min=MIN_LENGTH)
        with self._db() as db:
            user = self._user(db, name)
            user.password_hash = hash_password(password)
            db.execute(delete(WebSession).where(WebSession.user_id == user.id))
        self.audit(actor, "user.password_reset", name, {})

    # audit log

    def audit(self, user: str, action: str, obj: str, detail: dict[str, Any]) -> None:
        """Record one write; the log is append-only (database triggers refuse changes)."""
        with self._db() as db:
            db.add(
                AuditEntry(
                    at=datetime.now(UTC),
                    user=user,
                    action=action,
                    object=obj[:400],
                    detail=json.dumps(detail, default=str, sort_keys=True),
                )
            )

    def audit_entries(self, limit: int = 200) -> list[dict[str, Any]]:
        with self._db() as db:
            rows = db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit))
            return [
                {
                    "at": _utc(r.at).isoformat(timespec="seconds"),
                    "user": r.user,
                    "action": r.action,
                    "object": r.object,
                    "detail": r.detail,
                }
                for r in rows
            ]
