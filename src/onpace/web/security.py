"""Who is asking, and may they: login state, permissions and CSRF checks for every route.

A request is authenticated by an API token (``Authorization: Bearer onp_...``)
or by the session cookie the login form sets. The cookie is HttpOnly and
SameSite=Lax, and Secure when the app is reached over HTTPS. Every state-changing
request made with the cookie must carry the session's CSRF token, as a form
field (``csrf``) or an ``X-CSRF-Token`` header; token requests carry no ambient
credentials, so they need none.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from fastapi import Request

from onpace.auth import Identity, Permission, allowed
from onpace.web.context import AppContext

SESSION_COOKIE = "onpace_session"
LANG_COOKIE = "onpace_lang"
LOGIN_CSRF_COOKIE = "onpace_login_csrf"


class NotLoggedIn(Exception):
    """No valid session or token: pages redirect to the login form, the API answers 401."""


class Forbidden(Exception):
    """Logged in, but the role lacks the permission."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CsrfError(Exception):
    """A write through the session cookie without the session's CSRF token."""


def context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


def identify(request: Request) -> Identity | None:
    """The caller, from a bearer token or the session cookie (cached on the request)."""
    if hasattr(request.state, "identity"):
        cached: Identity | None = request.state.identity
        return cached
    ctx = context(request)
    who: Identity | None = None
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        who = ctx.auth.token_identity(token.strip())
    else:
        raw = request.cookies.get(SESSION_COOKIE)
        if raw:
            who = ctx.auth.session_identity(raw)
    request.state.identity = who
    return who


def require(permission: Permission) -> Callable[[Request], Awaitable[Identity]]:
    """A dependency: the caller, who must be logged in and hold ``permission``.

    It runs on the event loop (no thread hop): a token is usually answered from
    memory, a session by one indexed lookup.
    """

    async def dependency(request: Request) -> Identity:
        who = identify(request)
        if who is None:
            raise NotLoggedIn()
        if not allowed(who.role, permission):
            raise Forbidden(f"the role {who.role} may not do this ({permission})")
        return who

    return dependency


def check_csrf(who: Identity, sent: str | None) -> None:
    """Refuse a cookie-authenticated write whose CSRF token is missing or wrong."""
    if who.via != "session":
        return
    if not sent or not hmac.compare_digest(sent.encode(), who.csrf.encode()):
        raise CsrfError()


def secure_cookies(request: Request) -> bool:
    """Secure cookies whenever the client reached us over TLS (directly or via a proxy)."""
    return request.url.scheme == "https"
