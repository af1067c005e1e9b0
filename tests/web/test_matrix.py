"""Every role against every route: who gets in, who is refused, and nothing is left out.

The expected permission of each route is written here by hand, and the test
fails when the app has a route this table does not name, so a new route cannot
ship without a decision about who may use it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.routing import APIRoute

from tests.support.guards import GuardedConnection
from tests.web.conftest import Site

ROLES = ("admin", "manager", "rep", "viewer")
HOLDERS = {
    "read": {"admin", "manager", "rep", "viewer"},
    "read_data_quality": {"admin", "manager", "viewer"},
    "write_targets": {"admin", "manager"},
    "audit": {"admin"},
    "manage_users": {"admin"},
    "manage_objectives": {"admin"},
    "public": set(ROLES),
}
USER_OF = {"admin": "admin", "manager": "manager", "rep": "rep1", "viewer": "viewer"}

PAGES = {
    "/scorecard": "read",
    "/kpis": "read",
    "/kpis/{name}": "read",
    "/objectives": "read",
    "/targets": "read",
    "/health": "read_data_quality",
    "/smart": "read_data_quality",
    "/audit": "audit",
    "/reviews": "read",
    "/explain/{name}": "read",
    "/funnels": "read",
    "/funnels/{funnel}": "read",
    "/related/{name}": "read",
    "/compare": "read",
    "/trees/{name}": "read",
    "/admin/users": "manage_users",
    "/admin/tokens": "manage_users",
    "/admin/objectives": "manage_objectives",
}
ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/"): "read",
    ("GET", "/login"): "public",
    ("POST", "/login"): "public",
    ("POST", "/logout"): "read",
    ("GET", "/healthz"): "public",
    ("GET", "/api/v1/openapi.json"): "read",
    ("POST", "/targets"): "write_targets",
    ("POST", "/reviews"): "write_targets",
    ("GET", "/api/v1/me"): "read",
    ("GET", "/api/v1/kpis"): "read",
    ("GET", "/api/v1/kpis/{name}"): "read",
    ("GET", "/api/v1/values"): "read",
    ("GET", "/api/v1/scorecard"): "read",
    ("GET", "/api/v1/targets"): "read",
    ("POST", "/api/v1/targets"): "write_targets",
    ("PUT", "/api/v1/targets"): "write_targets",
    ("POST", "/api/v1/targets/try"): "write_targets",
    ("GET", "/api/v1/targets/history"): "read",
    ("GET", "/api/v1/reviews"): "read",
    ("POST", "/api/v1/reviews"): "write_targets",
    ("GET", "/api/v1/objectives"): "read",
    ("GET", "/api/v1/smart"): "read_data_quality",
    ("GET", "/api/v1/ingest"): "read_data_quality",
    ("GET", "/api/v1/audit"): "audit",
    ("GET", "/api/v1/explain-change"): "read",
    ("GET", "/api/v1/funnels"): "read",
    ("GET", "/api/v1/funnels/{name}"): "read",
    ("GET", "/api/v1/related"): "read",
    ("GET", "/api/v1/lead-lag"): "read",
    ("GET", "/api/v1/compare"): "read",
    ("GET", "/api/v1/trees"): "read",
    ("GET", "/api/v1/trees/{kpi}"): "read",
    ("GET", "/alerts"): "write_targets",
    ("POST", "/alerts"): "write_targets",
    ("GET", "/scorecard/pack.{kind}"): "read",
    ("POST", "/admin/users"): "manage_users",
    ("POST", "/admin/users/{name}/active"): "manage_users",
    ("POST", "/admin/users/{name}/role"): "manage_users",
    ("POST", "/admin/users/{name}/password"): "manage_users",
    ("POST", "/admin/tokens"): "manage_users",
    ("POST", "/admin/tokens/{token_id}/revoke"): "manage_users",
    ("POST", "/scorecard/preferences"): "read",
    ("POST", "/admin/objectives"): "manage_objectives",
    ("POST", "/admin/objectives/{objective}/link"): "manage_objectives",
    ("POST", "/admin/objectives/{objective}/unlink"): "manage_objectives",
}
for path, permission in PAGES.items():
    for suffix in ("", ".json", ".csv", ".xlsx"):
        ROUTES[("GET", path + suffix)] = permission

PARAMS: dict[str, Any] = {
    "/api/v1/values": {"kpi": "revenue"},
    "/api/v1/targets/history": {"kpi": "revenue"},
    "/api/v1/explain-change": {"kpi": "revenue", "vs": "previous"},
    "/api/v1/related": {"kpi": "revenue"},
    "/api/v1/lead-lag": {"kpi": ["revenue", "orders"]},
    "/api/v1/compare": {"kpi": "revenue"},
}


# Each admin change is a real one that succeeds, on the viewer (whose token was made
# fifth by the site fixture: admin, manager, rep1, rep3, viewer).
VIEWER_TOKEN_ID = 5
ADMIN_FORMS: dict[str, dict[str, str]] = {
    "/admin/users": {"name": "matrix", "role": "viewer", "password": "matrix-password-1"},
    "/admin/users/{name}/active": {"active": "1"},
    "/admin/users/{name}/role": {"role": "viewer"},
    "/admin/users/{name}/password": {"password": "matrix-password-2"},
    "/admin/tokens": {"user": "viewer", "label": "matrix"},
    "/admin/tokens/{token_id}/revoke": {},
    # in the table's order: add, then link orders to growth, then unlink it again
    "/admin/objectives": {"name": "matrix", "label": "Matrix"},
    "/admin/objectives/{objective}/link": {"kpi": "orders", "weight": "2"},
    "/admin/objectives/{objective}/unlink": {"kpi": "orders"},
}


def _url(path: str) -> str:
    if path.startswith("/api/v1/funnels/"):
        return path.replace("{name}", "web_shop")
    if path.startswith("/admin/"):  # the admin changes act on the viewer and its token
        path = path.replace("{name}", "viewer").replace("{objective}", "growth")
        return path.replace("{token_id}", str(VIEWER_TOKEN_ID))
    return (
        path.replace("{name}", "revenue")
        .replace("{funnel}", "web_shop")
        .replace("{kpi}", "revenue")
        .replace("{kind}", "html")
    )


def _call(site: Site, role: str | None, method: str, path: str, n: int) -> Any:
    c = site.client() if role is None else site.api(USER_OF[role])
    url = _url(path)
    if method == "GET":
        return c.get(url, params=PARAMS.get(path))
    if path == "/login":
        return c.post(url, data={"username": "x", "password": "y", "csrf": ""})
    if path == "/logout":
        return c.post(url, data={})
    day = date(2023, 1, 1) + timedelta(days=n)
    month = f"{day}..{day}"  # a one-day period of its own per route
    if path == "/targets":
        form = {"kpi": "revenue", "period": month, "value": "100", "reason": "matrix"}
        return c.post(url, data=form)
    if path == "/reviews":
        return c.post(url, data={"kpi": "orders", "decision": "keep", "note": "matrix"})
    if path == "/alerts":
        return c.post(url, data={"text": ""})
    if path.startswith("/admin/"):
        return c.post(url, data=ADMIN_FORMS[path])
    if path == "/scorecard/preferences":
        return c.post(url, data={"kpi": "orders", "choice": "pin"})
    if path == "/api/v1/reviews":
        return c.post(url, json={"kpi": "orders", "decision": "keep", "note": "matrix"})
    body = {
        "kpi": "orders",
        "period": "2023" if method == "PUT" else month,
        "value": "10",
        "reason": "matrix",
    }
    if path == "/api/v1/targets/try":  # a try records nothing, so it has no reason
        body.pop("reason")
    return c.request(method, url, json=body)


def _walk(routes: list[Any]) -> list[APIRoute]:
    """Every endpoint, also inside included routers."""
    out: list[APIRoute] = []
    for r in routes:
        if isinstance(r, APIRoute):
            out.append(r)
        elif hasattr(r, "original_router"):
            out.extend(_walk(r.original_router.routes))
        elif hasattr(r, "routes") and not hasattr(r, "app"):
            out.extend(_walk(r.routes))
    return out


def test_the_table_names_every_route(site: Site) -> None:
    routes = {(m, r.path) for r in _walk(site.app.routes) for m in r.methods}
    assert routes == set(ROUTES), routes ^ set(ROUTES)


@pytest.mark.parametrize("role", [None, *ROLES])
def test_every_role_on_every_route(fresh_site: Site, role: str | None) -> None:
    admin = fresh_site.api("admin")
    put = {"kpi": "orders", "period": "2023", "value": "5", "reason": "setup"}
    assert admin.post("/api/v1/targets", json=put).status_code == 201
    problems = []
    for n, ((method, path), permission) in enumerate(sorted(ROUTES.items()), start=1):
        response = _call(fresh_site, role, method, path, n)
        code = response.status_code
        api_like = path.startswith("/api/") or path.endswith((".json", ".csv", ".xlsx"))
        if role is None and permission != "public":
            expected = {401} if api_like else {303}
            if code == 303 and not response.headers["location"].startswith("/login"):
                problems.append((method, path, "redirects elsewhere", response.headers["location"]))
        elif role is not None and role not in HOLDERS[permission]:
            expected = {403}
        elif method == "POST" and path == "/login":
            expected = {403}  # the matrix sends no login-form token
        elif method == "POST" and path == "/api/v1/targets/try":
            expected = {200}  # nothing is created
        elif method == "POST" and path == "/admin/tokens":
            expected = {201}  # the page that shows the new token once
        elif method == "POST":
            expected = {201} if path.startswith("/api/") else {303}
        elif path in ("/", "/login"):
            expected = {303} if role is not None else {200}
        elif role == "rep" and path == "/api/v1/explain-change":
            # the site has two reps: a rep may not take a colleague's number apart
            expected = {400}
            if "fewer than" not in response.text:
                problems.append((method, path, "refused for another reason", response.text[:120]))
        else:
            expected = {200}
        if code not in expected:
            problems.append((method, path, code, sorted(expected), response.text[:120]))
    assert not problems, problems


def test_static_assets_and_health_need_no_login(site: Site) -> None:
    c = site.client()
    assert c.get("/healthz").json() == {"status": "ok", "state": "ok", "warehouse": "ok"}
    for asset in (
        "/static/app.css",
        "/static/app.js",
        "/static/vendor/vega-embed-7.3.0.min.js",
        "/static/vendor/htmx-2.0.11.min.js",
    ):
        assert c.get(asset).status_code == 200, asset
    assert c.get("/api/v1/openapi.json").status_code == 401


def test_every_route_reads_the_warehouse_under_the_lock(fresh_site: Site) -> None:
    ctx = fresh_site.app.state.ctx
    unlocked: list[str] = []
    guarded = GuardedConnection(ctx.ws.warehouse.backend.con, ctx.lock, unlocked)
    ctx.ws.warehouse.backend.con = guarded
    for n, (method, path) in enumerate(sorted(ROUTES), start=1):
        guarded.route = f"{method} {path}"
        ctx.clear()  # each route computes, rather than reading another's cache entry
        _call(fresh_site, "admin", method, path, n)  # the role that may use every route
    assert ctx.ws.warehouse.backend.con is guarded  # the guard saw every statement
    assert not unlocked, sorted(set(unlocked))
