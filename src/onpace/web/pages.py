"""The dashboard pages: each one HTML, with a JSON twin (``.json``) and its table as ``.csv``.

Every page handler builds its data with a function of :mod:`onpace.web.cached_views` and
hands it to :func:`onpace.web.render.page`; the twins return the same dict, so
the page, the JSON and the CSV can never disagree.
"""

from __future__ import annotations

import json
import math
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlparse

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from onpace.auth import Identity, Permission, allowed
from onpace.errors import OnpaceError, UnknownNameError, did_you_mean
from onpace.store.preferences import Preferences
from onpace.targets.definition import parse_target_period
from onpace.views.glance import glance
from onpace.web import cached_views
from onpace.web.phrases import error_words
from onpace.web.render import csv_response, json_response, language, page, xlsx_response
from onpace.web.security import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    check_csrf,
    context,
    identify,
    require,
    secure_cookies,
)

router = APIRouter(include_in_schema=False)

Builder = Callable[[Request, Identity], dict[str, Any]]


def triple(
    path: str, name: str, template: str, permission: Permission, on: APIRouter = router
) -> Callable[[Builder], Builder]:
    """Register ``path`` (HTML), ``path.json``, ``path.csv`` and ``path.xlsx`` for one
    data builder; the downloads are written for the reader's language.

    Page modules of other areas register their pages with it on their own router (``on``).
    """

    def register(build: Builder) -> Builder:
        def as_json(request: Request, who: Identity = Depends(require(permission))) -> Response:
            return json_response(build(request, who))

        def as_csv(request: Request, who: Identity = Depends(require(permission))) -> Response:
            kpis = context(request).ws.kpis
            return csv_response(build(request, who), name, language(request), kpis)

        def as_xlsx(request: Request, who: Identity = Depends(require(permission))) -> Response:
            return xlsx_response(build(request, who), name, context(request).ws.kpis)

        def as_html(request: Request, who: Identity = Depends(require(permission))) -> Response:
            built = build(request, who)
            if request.headers.get("hx-request") and "partial" in built:
                return page(request, built["partial"], built, who)
            return page(request, template, built, who)

        on.add_api_route(path + ".json", as_json, methods=["GET"], name=name + "_json")
        on.add_api_route(path + ".csv", as_csv, methods=["GET"], name=name + "_csv")
        on.add_api_route(path + ".xlsx", as_xlsx, methods=["GET"], name=name + "_xlsx")
        on.add_api_route(path, as_html, methods=["GET"], name=name)
        return build

    return register


def _q(request: Request, name: str) -> str | None:
    value = request.query_params.get(name)
    return value.strip() if value and value.strip() else None


@router.get("/")
def home(request: Request, who: Identity = Depends(require("read"))) -> Response:
    return RedirectResponse("/scorecard", status_code=303)


def _period_grain(request: Request, period: str | None, grain: str) -> str:
    """The grain of the period asked for: 2024-03 is a month whatever the grain picker says.

    The period is the more specific choice, so it wins over the grain instead of
    being silently moved to the grain's period (a quarter); an unreadable period is
    left to the data function, which says why in words.
    """
    if not period or grain == "custom":
        return grain
    try:
        picked = parse_target_period(period, context(request).ws.calendar).grain
    except OnpaceError:
        return grain
    return picked if picked in ("month", "quarter", "year", "custom") else grain


@triple("/scorecard", "scorecard", "scorecard.html", "read")
def scorecard(request: Request, who: Identity) -> dict[str, Any]:
    period = _q(request, "period")
    built = cached_views.scorecard(
        context(request),
        who,
        grain=_period_grain(request, period, _q(request, "grain") or "quarter"),
        period=period,
        start=_q(request, "start"),
        end=_q(request, "end"),
        compare=_q(request, "compare") or "previous",
        by=_q(request, "by"),
        span=_q(request, "span") or "same",
        targeted=_q(request, "targeted") in ("1", "true", "on"),
    )
    mine = Preferences(context(request).store.engine).of(who.name)
    return {**glance(built, mine.pinned, mine.hidden), "partial": "scorecard_body.html"}


@router.post("/scorecard/preferences")
def choose_preference(
    request: Request,
    who: Identity = Depends(require("read")),
    csrf: str = Form(""),
    kpi: str = Form(""),
    choice: str = Form(""),
    back: str = Form("/scorecard"),
) -> Response:
    """Pin, hide or clear one KPI on the viewer's own scorecard, then go back to it."""
    check_csrf(who, csrf)
    ctx = context(request)
    if kpi not in ctx.ws.kpis:
        raise UnknownNameError(f"unknown KPI '{kpi}'." + did_you_mean(kpi, ctx.ws.kpis))
    Preferences(ctx.store.engine).choose(who.name, kpi, choice)
    ctx.auth.audit(who.name, f"scorecard.{choice}", kpi, {})
    target = _safe_next(back)
    return RedirectResponse(target if target.startswith("/scorecard") else "/scorecard", 303)


@triple("/kpis", "kpis", "kpis.html", "read")
def kpis(request: Request, who: Identity) -> dict[str, Any]:
    return cached_views.kpis(context(request))


@triple("/kpis/{name}", "kpi", "kpi.html", "read")
def kpi(request: Request, who: Identity) -> dict[str, Any]:
    built = cached_views.kpi(
        context(request),
        who,
        request.path_params["name"],
        grain=_q(request, "grain") or "month",
        by=_q(request, "by"),
        period=_q(request, "period"),
    )
    from onpace.reviews.checkins import list_checkins

    name = request.path_params["name"]
    store = context(request).ws.store
    checkins = [c.as_dict() for c in list_checkins(store, kpi=name)]
    annotated = _annotated(built, name, store)
    return {**annotated, "checkins": checkins[::-1][:10], "partial": "kpi_breakdown.html"}


_ANNOTATED: OrderedDict[tuple[int, str], tuple[dict[str, Any], dict[str, Any]]] = OrderedDict()
_ANNOTATED_ENTRIES = 64
_ANNOTATED_LOCK = threading.Lock()


def _annotated(built: dict[str, Any], name: str, store: Any) -> dict[str, Any]:
    """The KPI page's charts with target revisions, reviews and check-ins at their dates.

    Drawing the two charts is nine tenths of a KPI page served from the cache, so
    they are kept for the cached page they were drawn on (the same object while its
    cache entry lives) and the notes they show: a new check-in, review or target
    draws them again.
    """
    from onpace.views.annotations import kpi_notes

    notes = kpi_notes(store, name)
    trend = built.get("trend") or []
    if not notes or not trend:
        return built
    key = (id(built), json.dumps(notes, sort_keys=True, default=str))
    with _ANNOTATED_LOCK:
        hit = _ANNOTATED.get(key)
        if hit is not None and hit[0] is built:
            _ANNOTATED.move_to_end(key)
            return hit[1]
    out = _draw_annotated(built, notes)
    with _ANNOTATED_LOCK:
        _ANNOTATED[key] = (built, out)  # holding ``built`` keeps its id from being reused
        while len(_ANNOTATED) > _ANNOTATED_ENTRIES:
            _ANNOTATED.popitem(last=False)
    return out


def _draw_annotated(built: dict[str, Any], notes: list[dict[str, Any]]) -> dict[str, Any]:
    from datetime import date, timedelta

    from onpace.views import charts
    from onpace.views.annotations import within

    trend = built["trend"]
    out = dict(built)
    first = date.fromisoformat(trend[0]["period"][:10])
    last = date.fromisoformat(trend[-1]["period"][:10]) + timedelta(days=31)
    unit = built["kpi"]["unit"]
    out["trend_chart"] = charts.trend_chart(trend, unit, notes=within(notes, first, last))
    progress = built.get("progress")
    if progress:
        target = progress["target"]
        start, end = date.fromisoformat(target["start"]), date.fromisoformat(target["end"])
        chart = charts.trend_chart(
            progress["rows"], unit, date_format="%d %b", notes=within(notes, start, end)
        )
        out["progress"] = {**progress, "chart": chart}
    out["notes"] = notes
    return out


@triple("/objectives", "objectives", "objectives.html", "read")
def objectives(request: Request, who: Identity) -> dict[str, Any]:
    return cached_views.objectives(
        context(request), who, _q(request, "grain") or "quarter", _q(request, "period")
    )


@triple("/targets", "targets", "targets.html", "read")
def targets(request: Request, who: Identity) -> dict[str, Any]:
    built = cached_views.targets(context(request), who, _q(request, "kpi"))
    names = ("kpi", "period", "value", "by", "relative", "floor", "stretch")
    form = {k: _q(request, k) or "" for k in names}
    form["phasing"] = _q(request, "phasing") or "linear"
    return {
        **built,
        **_choices(request, who),
        "form": form,
        "saved": _q(request, "saved"),
        "error": None,
        "preview": None,
    }


def _choices(request: Request, who: Identity) -> dict[str, Any]:
    """The target form's pickers (scopes and periods from the data), for those who may
    set targets; a reader who may not gets no form and no member lists."""
    if not allowed(who.role, "write_targets"):
        return {"choices": None}
    return {"choices": cached_views.form_choices(context(request))}


@triple("/health", "health", "health.html", "read_data_quality")
def health(request: Request, who: Identity) -> dict[str, Any]:
    from onpace.alerts.history import channel_health

    ctx = context(request)
    return {**cached_views.health(ctx), "channels": channel_health(ctx.ws.store)}


@triple("/smart", "smart", "smart.html", "read_data_quality")
def smart(request: Request, who: Identity) -> dict[str, Any]:
    return cached_views.smart(context(request), _q(request, "kpi"))


@triple("/reviews", "reviews", "reviews.html", "read")
def reviews(request: Request, who: Identity) -> dict[str, Any]:
    return {**cached_views.reviews(context(request)), "saved": _q(request, "saved"), "error": None}


@router.post("/reviews")
def record_review(
    request: Request,
    who: Identity = Depends(require("write_targets")),
    csrf: str = Form(""),
    kpi: str = Form(""),
    decision: str = Form("keep"),
    note: str = Form(""),
) -> Response:
    """Record a review from the form; a mistake re-shows the page with the reason."""
    check_csrf(who, csrf)
    ctx = context(request)
    try:
        done = cached_views.add_review(ctx, who, kpi.strip(), decision.strip(), note)
    except OnpaceError as exc:
        built = cached_views.reviews(ctx)
        error = error_words(exc, language(request))
        return page(
            request, "reviews.html", {**built, "saved": None, "error": error}, who, status=400
        )
    saved = f"{done['kpi']} {done['decision']}"
    return RedirectResponse(f"/reviews?saved={quote(saved)}", status_code=303)


@triple("/audit", "audit", "audit.html", "audit")
def audit(request: Request, who: Identity) -> dict[str, Any]:
    return cached_views.audit(context(request))


@router.post("/targets")
def set_target(
    request: Request,
    who: Identity = Depends(require("write_targets")),
    csrf: str = Form(""),
    kpi: str = Form(""),
    period: str = Form(""),
    value: str = Form(""),
    by: str = Form(""),
    relative: str = Form(""),
    phasing: str = Form("linear"),
    weights: str = Form(""),
    floor: str = Form(""),
    stretch: str = Form(""),
    new_value: str = Form(""),
    reason: str = Form(""),
    action: str = Form("save"),
) -> Response:
    """Set or revise a target from the form, or preview it (``action=preview``, nothing is
    recorded); a mistake re-shows the form with the reason."""
    check_csrf(who, csrf)
    ctx = context(request)
    fields: dict[str, Any] = {
        "kpi": kpi.strip(),
        "period": period.strip(),
        "value": value.strip(),
        "by": by.strip() or None,
        "relative": relative.strip() or None,
        "phasing": phasing.strip() or "linear",
        "weights": weights.strip(),
        "floor": floor.strip() or None,
        "stretch": stretch.strip() or None,
        "new_value": new_value.strip() in ("1", "on", "true"),
    }
    form = {k: (v or "") for k, v in fields.items()} | {"reason": reason.strip()}

    def again(preview: dict[str, Any] | None, error: str | None, status: int) -> Response:
        built = cached_views.targets(ctx, who, None)
        data = {
            **built,
            **_choices(request, who),
            "form": form,
            "saved": None,
            "error": error,
            "preview": preview,
        }
        return page(request, "targets.html", data, who, status=status)

    try:
        if action == "preview":
            return again(cached_views.try_target(ctx, who, **fields), None, 200)
        stored = cached_views.set_target(ctx, who, reason=reason.strip(), **fields)
    except OnpaceError as exc:
        return again(None, error_words(exc, language(request)), 400)
    saved = f"{stored['kpi']} {stored['period']} {stored['scope']} rev {stored['revision']}"
    return RedirectResponse(f"/targets?saved={quote(saved)}", status_code=303)


# login and logout


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so the login form cannot be used to redirect elsewhere."""
    if not target:
        return "/scorecard"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/scorecard"
    return target


def _login_page(request: Request, error: str | None, status: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    response = page(
        request,
        "login.html",
        {
            "title": "Log in",
            "error": error,
            "login_csrf": token,
            "next": _safe_next(_q(request, "next")),
        },
        None,
        status=status,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
        max_age=3600,
    )
    return response


@router.get("/login")
def login_form(request: Request) -> Response:
    if identify(request) is not None:
        return RedirectResponse(_safe_next(_q(request, "next")), status_code=303)
    return _login_page(request, None)


@router.post("/login")
def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    csrf: str = Form(""),
    next: str = Form("/scorecard"),
) -> Response:
    ctx = context(request)
    lang = language(request)
    from onpace.web.i18n import translate

    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not csrf or not secrets.compare_digest(csrf, cookie):
        return _login_page(request, "The form expired; please log in again.", 403)
    client = request.client.host if request.client else "?"
    name = username.strip()
    wait = math.ceil(ctx.limiter.retry_after(client, name))
    if wait > 0:  # refused before the password is looked at; it does not count again
        message = translate(lang, "too_many_attempts").format(seconds=wait)
        refused = _login_page(request, message, 429)
        refused.headers["Retry-After"] = str(wait)
        return refused
    who = ctx.auth.authenticate(name, password)
    if who is None:
        ctx.limiter.failed(client, name)
        ctx.auth.audit(name[:100] or "?", "login.failed", client, {})
        return _login_page(request, translate(lang, "login_failed"), 401)
    ctx.limiter.succeeded(client, name)
    raw, _ = ctx.auth.start_session(who.user_id)
    ctx.auth.audit(who.name, "login", client, {})
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        raw,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        max_age=12 * 3600,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(
    request: Request, who: Identity = Depends(require("read")), csrf: str = Form("")
) -> Response:
    check_csrf(who, csrf)
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        context(request).auth.end_session(raw)
    context(request).auth.audit(who.name, "logout", "", {})
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
