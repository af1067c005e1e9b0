"""What wraps every request: security headers, and server errors answered with an id.

Both are plain ASGI middlewares (cheap, and they see every response, errors
included). :class:`ServerErrors` sits inside :class:`SecurityHeaders`, so a 500
carries the same headers as any other answer.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("onpace.web")

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", CSP.encode()),
]
# A year: browsers that once reached the app over TLS never try plain HTTP again.
HSTS = (b"strict-transport-security", b"max-age=31536000")
NO_STORE = (b"cache-control", b"no-store")


class SecurityHeaders:
    """Adds the security headers to every response.

    - The CSP allows scripts only from the app's own files: no inline script, no
      eval (Vega's expressions run through vega-interpreter, htmx is configured
      with ``allowEval: false``), so data that ever slipped into the markup could
      still not run.
    - ``Cache-Control: no-store`` on everything but the static files: pages and
      API answers hold a logged-in user's numbers, which must not stay in a
      shared cache or in the browser's history cache after logout.
    - ``Strict-Transport-Security`` when the request came over TLS: directly, or
      through a proxy the app was told to trust (see ``trusted_proxies`` of
      :func:`onpace.web.app.create_app`).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(HEADERS)
        if scope.get("scheme") == "https":
            extra.append(HSTS)
        static = str(scope.get("path", "")).startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not static and not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append(NO_STORE)
                message["headers"] = [*headers, *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


ErrorAnswer = Callable[[Request, str], Awaitable[Response] | Response]


def error_id() -> str:
    """A short random id that ties an answer to its line in the server log."""
    return secrets.token_hex(6)


class ServerErrors:
    """An unexpected exception becomes a logged error with an id and a 500 answer with it.

    Starlette's own last-resort handler answers and then re-raises, and the
    server then drops the connection, so the client's next request on it is
    reset. Here the exception stops: it is logged once (with the id, the method
    and the path, and the traceback), and the client gets JSON or an error page
    with the id to quote. ``answer`` builds that response; if even that fails, a
    plain-text 500 with the id goes out.
    """

    def __init__(self, app: ASGIApp, answer: ErrorAnswer) -> None:
        self.app = app
        self.answer = answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            ident = error_id()
            log.error(
                "server error %s on %s %s",
                ident,
                scope.get("method"),
                scope.get("path"),
                exc_info=exc,
            )
            if started:  # part of the answer is out; the server ends it
                return
            await self._respond(scope, receive, send, ident)

    async def _respond(self, scope: Scope, receive: Receive, send: Send, ident: str) -> None:
        request = Request(scope, receive)
        try:
            response = self.answer(request, ident)
            if not isinstance(response, Response):
                response = await response
        except Exception:
            log.exception("server error %s: the error answer failed too", ident)
            response = PlainTextResponse(f"server error {ident}", status_code=500)
        await response(scope, receive, send)
