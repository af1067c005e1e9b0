"""The web app: dashboard pages, the REST API and the static assets, from one workspace.

>>> app = create_app("onpace-demo")                       # doctest: +SKIP
>>> uvicorn.run(app, host="127.0.0.1", port=8000)          # doctest: +SKIP

No route answers without a login except ``/login``, ``/static/...`` and
``/healthz``. Errors are JSON under ``/api`` and a page elsewhere; bad input is
a 4xx with a message, never a 500.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from onpace.auth import Auth
from onpace.errors import OnpaceError, SpecError, UnknownNameError
from onpace.store import open_store, store_url
from onpace.web import (
    admin_pages,
    alert_routes,
    api,
    compare_api,
    compare_routes,
    pages,
    report_routes,
)
from onpace.web.context import AppContext
from onpace.web.middleware import SecurityHeaders, ServerErrors
from onpace.web.openapi import enrich
from onpace.web.render import json_response, page
from onpace.web.security import CsrfError, Forbidden, NotLoggedIn, identify
from onpace.workspace import Workspace

STATIC = Path(__file__).parent / "static"


# Downloads and JSON twins answer errors as data (401, not a redirect to the login page).
DATA_SUFFIXES = (".json", ".csv", ".xlsx")


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, message: str, detail: Any = None) -> Response:
    if _is_api(request) or request.url.path.endswith(DATA_SUFFIXES):
        body: dict[str, Any] = {"error": message}
        if detail is not None:
            body["detail"] = detail
        return json_response(body, status=status)
    who = getattr(request.state, "identity", None)
    return page(
        request,
        "error.html",
        {"title": str(status), "message": message, "status": status},
        who,
        status=status,
    )


def _validation_message(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    parts, detail = [], []
    for err in exc.errors():
        where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path"))
        parts.append(f"{where or 'request'}: {err.get('msg', 'invalid')}")
        detail.append({"field": where, "message": str(err.get("msg", ""))})
    return "; ".join(parts) or "invalid request", detail


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotLoggedIn)
    async def not_logged_in(request: Request, exc: NotLoggedIn) -> Response:
        if _is_api(request) or request.url.path.endswith(DATA_SUFFIXES):
            return json_response(
                {
                    "error": "log in first: send 'Authorization: Bearer <token>' "
                    "(create one with: onpace token create USER)"
                },
                status=401,
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return _error(request, 403, exc.message)

    @app.exception_handler(CsrfError)
    async def csrf(request: Request, exc: CsrfError) -> Response:
        return _error(
            request, 403, "the form's security token is missing or stale; reload the page"
        )

    @app.exception_handler(UnknownNameError)
    async def unknown(request: Request, exc: UnknownNameError) -> Response:
        return _error(request, 404, str(exc))

    @app.exception_handler(SpecError)
    async def spec(request: Request, exc: SpecError) -> Response:
        return _error(request, 400, "; ".join(str(i) for i in exc.issues))

    @app.exception_handler(OnpaceError)
    async def onpace(request: Request, exc: OnpaceError) -> Response:
        return _error(request, 400, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        message, detail = _validation_message(exc)
        return _error(request, 422, message, detail)

    @app.exception_handler(StarletteHTTPException)
    async def http(request: Request, exc: StarletteHTTPException) -> Response:
        response = _error(request, exc.status_code, str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        if exc.status_code == 405:
            response.headers["Allow"] = ", ".join(allowed_methods(request))
        return response


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers on this path (for a 405's Allow).

    Starlette names only the first route whose path matches; a path served by a
    page (GET) and a form (POST) has both. Each method is tried against the routes.
    """
    routes = request.app.router.routes
    return [
        method
        for method in METHODS
        if any(r.matches({**request.scope, "method": method})[0] == Match.FULL for r in routes)
    ]


def server_error(request: Request, ident: str) -> Response:
    """The answer to an unexpected exception: JSON (API, twins) or a page, with its id."""
    message = (
        f"unexpected server error {ident}: it is in the server log under this id; "
        "quote it when you report the problem"
    )
    response = _error(request, 500, message)
    response.headers["X-Error-Id"] = ident
    return response


def _warm_up(ctx: AppContext) -> None:
    """Compute the scorecard every non-rep user opens first (page and API)."""
    from onpace.auth.service import Identity
    from onpace.web import cached_views

    reader = Identity(user_id=0, name="warm-up", role="viewer", rep_id=None, via="internal")
    params = {"grain": "quarter", "period": None, "start": None, "end": None, "compare": "previous"}
    with contextlib.suppress(Exception):  # a failure shows again, with its message, on use
        cached_views.scorecard_json(ctx, reader, by=None, **params)


def create_app(
    workspace: str | Path | Workspace,
    state_url: str | None = None,
    as_of: datetime | None = None,
    warm: bool = False,
    trusted_proxies: Sequence[str] = (),
) -> FastAPI:
    """The ASGI app of one workspace.

    ``state_url`` overrides the workspace's state store (``state_url`` in
    onpace.yml, else state.db in the workspace); ``as_of`` pins "now" (demos, tests).
    ``warm`` computes the default scorecard in the background at start, so the first
    person to open the dashboard does not wait for it. ``trusted_proxies`` are the
    addresses of reverse proxies whose ``X-Forwarded-Proto`` and ``X-Forwarded-For``
    the app believes (for Secure cookies, HSTS and the client address of login
    throttling); from anyone else those headers are ignored.
    """
    ws = workspace if isinstance(workspace, Workspace) else Workspace.open(workspace)
    store = open_store(state_url or store_url(ws.config.state_url, ws.root), ws.root)
    ctx = AppContext(ws=ws, store=store, auth=Auth(store.engine), as_of=as_of)
    app = FastAPI(
        title=f"onpace: {ws.config.name}",
        version="1",
        description=(
            "Sales KPIs as a percentage of their targets. Authenticate with "
            "`Authorization: Bearer <token>` (create one with `onpace token create USER`)."
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.ctx = ctx
    app.openapi = lambda: enrich(FastAPI.openapi(app), ws)  # type: ignore[method-assign]
    install_error_handlers(app)
    # innermost first: errors become answers, those get the headers, behind the proxies
    app.add_middleware(ServerErrors, answer=server_error)
    app.add_middleware(SecurityHeaders)
    if trusted_proxies:
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(trusted_proxies))

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> Response:
        """Both stores open and answer (503 if not; the detail goes to the log only)."""
        from onpace.store.health import stores_health

        # never waits: a computation holding the connection proves it alive
        asked = ctx.lock.acquire(blocking=False)
        try:
            found = stores_health(ctx.store, ctx.ws.warehouse, ask=asked)
        finally:
            if asked:
                ctx.lock.release()
        ok = all(h.ok for h in found)
        body: dict[str, str] = {"status": "ok" if ok else "error"}
        body.update({h.store: h.condition for h in found})
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.get("/api/v1/openapi.json", include_in_schema=False)
    def openapi(request: Request) -> Response:
        """The OpenAPI document of /api/v1 (behind the login like everything else)."""
        if identify(request) is None:
            raise NotLoggedIn()
        return json_response(app.openapi())

    if warm:
        threading.Thread(target=_warm_up, args=(ctx,), daemon=True).start()

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.include_router(api.router)
    app.include_router(compare_api.router)
    app.include_router(pages.router)
    app.include_router(admin_pages.router)
    app.include_router(compare_routes.router)
    app.include_router(report_routes.router)
    app.include_router(alert_routes.router)
    return app
