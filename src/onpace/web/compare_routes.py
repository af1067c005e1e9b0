"""The comparison pages: what explains a change, funnels, related KPIs, compare, driver trees.

Each page has its JSON and CSV twins (registered with :func:`onpace.web.pages.triple`).
The KPI page loads the short explanation and the related KPIs into itself with
htmx, from the same routes, so the KPI page stays fast and the numbers are the
ones of the full pages.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from onpace.auth import Identity
from onpace.errors import AttributionError, AuthError, UnknownNameError
from onpace.views.compare_pages import explain_form
from onpace.web import compare_views
from onpace.web.pages import triple
from onpace.web.security import context

router = APIRouter(include_in_schema=False)


def _text(request: Request, name: str) -> str | None:
    value = request.query_params.get(name)
    return value.strip() if value and value.strip() else None


def _number(request: Request, name: str, default: int) -> int:
    value = _text(request, name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise UnknownNameError(f"{name}={value!r} is not a whole number") from exc


def _flag(request: Request, name: str) -> bool:
    return (_text(request, name) or "").lower() in ("1", "true", "yes", "on")


@triple("/explain/{name}", "explain", "explain.html", "read", on=router)
def explain(request: Request, who: Identity) -> dict[str, Any]:
    """What explains a KPI's change: by driver (waterfall) and by member."""
    kpi = request.path_params["name"]
    params = {
        "period": _text(request, "period"),
        "vs": _text(request, "vs"),
        "by": _text(request, "by"),
        "tree": _text(request, "tree"),
        "method": _text(request, "method") or "shapley",
        "depth": _number(request, "depth", 1),
    }
    ctx = context(request)
    form = explain_form(ctx.ws, kpi)  # an unknown KPI is a 404 here
    if not form["trees"] and params["by"] is None:
        message = (
            f"{form['kpi']['label']} has no driver tree: choose a dimension to see which "
            "members moved it"
        )
        built = {**form, "error": message, "params": {"kpi": kpi, **params}}
    else:
        try:
            built = compare_views.explain(ctx, who, kpi, **params)  # type: ignore[arg-type]
        except (AttributionError, AuthError) as exc:
            built = {**form, "error": str(exc), "params": {"kpi": kpi, **params}}
    return {**built, "partial": "explain_body.html"}


@triple("/funnels", "funnels", "funnels.html", "read", on=router)
def funnels(request: Request, who: Identity) -> dict[str, Any]:
    """Every funnel of the workspace."""
    return compare_views.funnels(context(request))


@triple("/funnels/{funnel}", "funnel", "funnel.html", "read", on=router)
def funnel(request: Request, who: Identity) -> dict[str, Any]:
    """One funnel: chart, totals, cohorts and event periods."""
    return compare_views.funnel(
        context(request),
        who,
        request.path_params["funnel"],
        grain=_text(request, "grain") or "month",
        start=_text(request, "from"),
        end=_text(request, "to"),
        by=_text(request, "by"),
    )


@triple("/related/{name}", "related", "related.html", "read", on=router)
def related(request: Request, who: Identity) -> dict[str, Any]:
    """KPIs whose changes move with this one's, first or after it."""
    built = compare_views.related(
        context(request),
        request.path_params["name"],
        grain=_text(request, "grain") or "month",
        lags=_number(request, "lags", 3),
        change=_text(request, "change"),
    )
    return {**built, "partial": "related_body.html"}


@triple("/compare", "compare", "compare.html", "read", on=router)
def compare(request: Request, who: Identity) -> dict[str, Any]:
    """A KPI beside another KPI, itself a year earlier, or per member; with lead-lag."""
    ctx = context(request)
    kpi = _text(request, "kpi") or (
        "revenue" if "revenue" in ctx.ws.kpis else next(iter(ctx.ws.kpis))
    )
    other = _text(request, "other")
    vs = _text(request, "vs")
    by = _text(request, "by")
    if other is None and vs is None and by is None:
        vs = "last_year"
    grain = _text(request, "grain") or "month"
    members = [m.strip() for m in request.query_params.getlist("member") if m.strip()] or None
    built = compare_views.compare(
        ctx,
        who,
        kpi,
        other,
        grain,
        _text(request, "from"),
        _text(request, "to"),
        _flag(request, "index"),
        vs,
        by,
        members,
    )
    lead = None
    if other is not None and other != kpi and grain in ("week", "month", "quarter"):
        lead = compare_views.lead_lag(ctx, [kpi, other], grain, _number(request, "lags", 3))
    kpis = [{"name": n, "label": k.label} for n, k in ctx.ws.kpis.items()]
    return {
        **built,
        "lead_lag": lead,
        "kpis": kpis,
        "dimensions": list(ctx.ws.kpis[kpi].dimensions),
    }


@triple("/trees/{name}", "tree", "tree.html", "read", on=router)
def tree(request: Request, who: Identity) -> dict[str, Any]:
    """A KPI's driver tree with actuals, targets and what each driver would need."""
    name = request.path_params["name"]
    return compare_views.tree(context(request), who, name, _text(request, "period"))
