"""Admin pages: users (add, disable, enable, role, password), API tokens (create, revoke)
and objectives (add, link a KPI with a weight, change the weight, unlink).

Every change is a POST with the session's CSRF token, made by an admin, written to
the audit log by :class:`onpace.auth.Auth`, and in force on the next request (a
disabled user's sessions end, a revoked token stops). A mistake re-shows the page
with the reason; a new token is shown once, on the page that made it. Objectives
are edited in objectives.yml through :mod:`onpace.objectives.edit`, the functions
``onpace objective`` uses, so the page and the command line keep the same rules.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from onpace.auth import ROLES, Auth, Identity
from onpace.errors import AuthError, OnpaceError, WorkspaceError
from onpace.objectives import edit
from onpace.views.account_pages import tokens_view, users_view
from onpace.views.objective_admin import objective_admin_view
from onpace.web import cached_views
from onpace.web.i18n import translate
from onpace.web.pages import triple
from onpace.web.phrases import error_words
from onpace.web.render import language, page
from onpace.web.security import check_csrf, context, require

router = APIRouter(include_in_schema=False)
ADMIN = require("manage_users")
EDITOR = require("manage_objectives")
OBJECTIVES = "/admin/objectives"
_EDITING = threading.Lock()  # one objectives.yml edit at a time: each reads, checks, replaces


def _auth(request: Request) -> Auth:
    auth: Auth = context(request).auth
    return auth


# What a change did, said on the page it returns to: the key of the message
# (``saved_<what>`` in the catalogs) and the values it names.
Saved = tuple[str, dict[str, str]]
_SAVED_VALUES = ("name", "role", "id", "user", "kpi", "weight")
ROLE_KEYS = {role: f"role_{role}" for role in ROLES}  # declared in admin_users.html


def _notice(request: Request) -> dict[str, Any]:
    """The page's notice of the change just made, read back from the redirect's query."""
    asked = request.query_params
    what = asked.get("saved", "")
    saved = None
    if what in SAVED_MESSAGES:
        values = {k: asked.get(k, "") for k in _SAVED_VALUES}
        role = values["role"]
        values["role"] = translate(language(request), ROLE_KEYS[role]) if role in ROLES else ""
        saved = {"what": what, **values}
    return {"saved": saved, "error": None, "new_token": None}


SAVED_MESSAGES = (
    "user_added",
    "user_enabled",
    "user_disabled",
    "role_set",
    "password_reset",
    "token_revoked",
    "objective_added",
    "kpi_linked",
    "kpi_unlinked",
)


def refusal(exc: OnpaceError) -> dict[str, Any]:
    """Why a change was refused: the reason's key and values for the page's language,
    and the English sentence (the JSON twin's and the fallback's)."""
    return {"reason": exc.reason, "details": exc.details, "message": str(exc)}


@triple("/admin/users", "admin_users", "admin_users.html", "manage_users", on=router)
def users(request: Request, who: Identity) -> dict[str, Any]:
    return {**_users(request), **_notice(request)}


def _users(request: Request) -> dict[str, Any]:
    """The users, and the reps of the data to pick a rep user's id from."""
    reps = cached_views.form_choices(context(request))["reps"]
    return {**users_view(_auth(request)), "reps": reps}


@triple("/admin/tokens", "admin_tokens", "admin_tokens.html", "manage_users", on=router)
def tokens(request: Request, who: Identity) -> dict[str, Any]:
    return {**tokens_view(_auth(request)), **_notice(request)}


def _done(request: Request, who: Identity, where: str, saved: Saved) -> Response:
    context(request).clear()  # cached views hold the scope of the old roles
    what, values = saved
    kept = [("lang", request.query_params["lang"])] if "lang" in request.query_params else []
    query = urlencode([("saved", what), *values.items(), *kept])
    return RedirectResponse(f"{where}?{query}", status_code=303)


def _refused(request: Request, who: Identity, where: str, exc: OnpaceError) -> Response:
    if where == OBJECTIVES:
        built, template = objective_admin_view(context(request).ws), "admin_objectives.html"
    elif where == "/admin/users":
        built, template = _users(request), "admin_users.html"
    else:
        built, template = tokens_view(_auth(request)), "admin_tokens.html"
    said = {"said": error_words(exc, language(request))}
    data = {**built, "saved": None, "error": {**refusal(exc), **said}, "new_token": None}
    return page(request, template, data, who, status=400)


def _change(
    request: Request, who: Identity, csrf: str, where: str, change: Callable[[Auth], Saved]
) -> Response:
    """Check the CSRF token, make one change, and redirect with what was done (or re-show)."""
    check_csrf(who, csrf)
    try:
        saved = change(_auth(request))
    except AuthError as exc:
        return _refused(request, who, where, exc)
    return _done(request, who, where, saved)


@triple(OBJECTIVES, "admin_objectives", "admin_objectives.html", "manage_objectives", on=router)
def objectives(request: Request, who: Identity) -> dict[str, Any]:
    return {**objective_admin_view(context(request).ws), **_notice(request)}


def weight_of(text: str) -> float:
    """A weight as typed, with a point or (Dutch) a comma: ``2``, ``1.5``, ``1,5``."""
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise WorkspaceError(f"weight {text!r} is not a number; write e.g. 1 or 2.5").keyed(
            "weight_not_number", weight=text
        )
    return value


def _edit_objectives(
    request: Request, who: Identity, csrf: str, action: str, edit_file: Callable[[], Saved]
) -> Response:
    """Check the CSRF token, make one edit of objectives.yml, audit it, redirect (or re-show).

    The edit is refused whole when it would leave the file invalid (see
    :mod:`onpace.objectives.edit`); a refusal re-shows the page with the reason.
    """
    check_csrf(who, csrf)
    try:
        with _EDITING:
            saved = edit_file()
    except OnpaceError as exc:
        return _refused(request, who, OBJECTIVES, exc)
    _auth(request).audit(who.name, action, saved[1].get("name", ""), saved[1])
    return _done(request, who, OBJECTIVES, saved)


@router.post(OBJECTIVES)
def add_objective(
    request: Request,
    who: Identity = Depends(EDITOR),
    csrf: str = Form(""),
    name: str = Form(""),
    label: str = Form(""),
    parent: str = Form(""),
    horizon: str = Form(""),
    owner: str = Form(""),
    description: str = Form(""),
    kpi: str = Form(""),
    weight: str = Form("1"),
) -> Response:
    """Add an objective (under a parent when one is picked), with its first KPI if picked."""
    ws = context(request).ws

    def add() -> Saved:
        weights = {kpi: weight_of(weight or "1")} if kpi else {}
        edit.add_objective(
            ws.root,
            ws.config.objectives_file,
            ws.kpis,
            name.strip(),
            label.strip(),
            parent.strip() or None,
            horizon.strip() or None,
            owner.strip() or None,
            weights,
            description.strip() or None,
        )
        return "objective_added", {"name": name.strip()}

    return _edit_objectives(request, who, csrf, "objective.add", add)


@router.post(OBJECTIVES + "/{objective}/link")
def link_kpi(
    request: Request,
    objective: str,
    who: Identity = Depends(EDITOR),
    csrf: str = Form(""),
    kpi: str = Form(""),
    weight: str = Form("1"),
) -> Response:
    """Link a KPI to an objective with a weight, or change the weight of its link."""
    ws = context(request).ws

    def link() -> Saved:
        value = weight_of(weight or "1")
        edit.link_kpi(ws.root, ws.config.objectives_file, ws.kpis, objective, kpi.strip(), value)
        return "kpi_linked", {"name": objective, "kpi": kpi.strip(), "weight": f"{value:g}"}

    return _edit_objectives(request, who, csrf, "objective.link", link)


@router.post(OBJECTIVES + "/{objective}/unlink")
def unlink_kpi(
    request: Request,
    objective: str,
    who: Identity = Depends(EDITOR),
    csrf: str = Form(""),
    kpi: str = Form(""),
) -> Response:
    """Remove a KPI from an objective."""
    ws = context(request).ws

    def unlink() -> Saved:
        edit.unlink_kpi(ws.root, ws.config.objectives_file, ws.kpis, objective, kpi.strip())
        return "kpi_unlinked", {"name": objective, "kpi": kpi.strip()}

    return _edit_objectives(request, who, csrf, "objective.unlink", unlink)


@router.post("/admin/users")
def add_user(
    request: Request,
    who: Identity = Depends(ADMIN),
    csrf: str = Form(""),
    name: str = Form(""),
    role: str = Form("viewer"),
    rep_id: str = Form(""),
    password: str = Form(""),
) -> Response:
    def add(auth: Auth) -> Saved:
        auth.add_user(name.strip(), role, password, rep_id or None, actor=who.name)
        return "user_added", {"name": name.strip(), "role": role}

    return _change(request, who, csrf, "/admin/users", add)


@router.post("/admin/users/{name}/active")
def set_active(
    request: Request,
    name: str,
    who: Identity = Depends(ADMIN),
    csrf: str = Form(""),
    active: str = Form(""),
) -> Response:
    on = active == "1"

    def switch(auth: Auth) -> Saved:
        auth.set_active(name, on, actor=who.name)
        return ("user_enabled" if on else "user_disabled"), {"name": name}

    return _change(request, who, csrf, "/admin/users", switch)


@router.post("/admin/users/{name}/role")
def set_role(
    request: Request,
    name: str,
    who: Identity = Depends(ADMIN),
    csrf: str = Form(""),
    role: str = Form(""),
    rep_id: str = Form(""),
) -> Response:
    def assign(auth: Auth) -> Saved:
        auth.set_role(name, role, rep_id or None, actor=who.name)
        return "role_set", {"name": name, "role": role}

    return _change(request, who, csrf, "/admin/users", assign)


@router.post("/admin/users/{name}/password")
def reset_password(
    request: Request,
    name: str,
    who: Identity = Depends(ADMIN),
    csrf: str = Form(""),
    password: str = Form(""),
) -> Response:
    def reset(auth: Auth) -> Saved:
        auth.reset_password(name, password, actor=who.name)
        return "password_reset", {"name": name}

    return _change(request, who, csrf, "/admin/users", reset)


@router.post("/admin/tokens")
def create_token(
    request: Request,
    who: Identity = Depends(ADMIN),
    csrf: str = Form(""),
    user: str = Form(""),
    label: str = Form(""),
) -> Response:
    """Make a token and show it once, on this page (never in a URL or a log)."""
    check_csrf(who, csrf)
    try:
        made = _auth(request).create_token(user.strip(), label.strip(), actor=who.name)
    except AuthError as exc:
        return _refused(request, who, "/admin/tokens", exc)
    data = {**tokens_view(_auth(request)), "saved": None, "error": None, "new_token": made}
    return page(request, "admin_tokens.html", data, who, status=201)


@router.post("/admin/tokens/{token_id}/revoke")
def revoke_token(
    request: Request,
    token_id: int,
    who: Identity = Depends(ADMIN),
    csrf: str = Form(""),
) -> Response:
    def revoke(auth: Auth) -> Saved:
        done = auth.revoke_token(token_id, actor=who.name)
        return "token_revoked", {"id": str(token_id), "user": str(done["user"])}

    return _change(request, who, csrf, "/admin/tokens", revoke)
