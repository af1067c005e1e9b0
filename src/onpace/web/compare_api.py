"""The comparison endpoints of the REST API: the same data functions as the pages, as JSON."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from onpace.auth import Identity
from onpace.web import compare_views
from onpace.web.api import ERRORS
from onpace.web.render import json_response
from onpace.web.security import context, require

router = APIRouter(prefix="/api/v1", tags=["compare"])

Grain = Literal["day", "week", "month", "quarter", "year"]
Change = Literal["previous", "last_year", "level"]
KpiName = Query(min_length=1, max_length=100, description="A KPI name (onpace kpi list).")
Period = Query(None, max_length=40, description="A period label: 2026-11, 2026-Q3, 2026")


def _strip(data: dict[str, object], *keys: str) -> dict[str, object]:
    return {k: v for k, v in data.items() if k not in keys}


@router.get("/explain-change", responses=ERRORS)
async def explain_change(
    request: Request,
    kpi: str = KpiName,
    period: str | None = Period,
    vs: str | None = Query(
        None, max_length=40, description="A period, last_year (default), previous or target"
    ),
    by: str | None = Query(None, max_length=100, description="Split by members: channel, rep"),
    tree: str | None = Query(None, max_length=100, description="Which tree (default: default)"),
    method: Literal["shapley", "lmdi"] = "shapley",
    depth: int = Query(1, ge=1, le=4, description="Expand drivers' own trees this many levels"),
    who: Identity = Depends(require("read")),
) -> Response:
    """What explains a KPI's change (or its gap to target): by driver and by member.

    The driver parts and the member parts each add up to the change exactly.
    """
    built = await run_in_threadpool(
        compare_views.explain, context(request), who, kpi, period, vs, by, tree, method, depth
    )
    return json_response(built["explanation"])


@router.get("/funnels", responses=ERRORS)
def funnels(request: Request, who: Identity = Depends(require("read"))) -> Response:
    """Every funnel of the workspace with its steps and dimensions."""
    return json_response(compare_views.funnels(context(request))["table"])


@router.get("/funnels/{name}", responses=ERRORS)
async def funnel(
    request: Request,
    name: str,
    grain: Grain = "month",
    start: date | None = Query(None, description="First day (default: 12 periods ago)"),
    end: date | None = Query(None, description="Last day; its whole period is included"),
    by: str | None = Query(None, max_length=100, description="A dimension of the first step"),
    who: Identity = Depends(require("read")),
) -> Response:
    """A funnel per period: counts, step and overall conversion, median days between steps,
    by cohort (the period of the first step) and by event period."""
    built = await run_in_threadpool(
        compare_views.funnel, context(request), who, name, grain, start, end, by
    )
    return json_response(_strip(built, "chart", "table", "columns"))


@router.get("/related", responses=ERRORS)
async def related(
    request: Request,
    kpi: str = KpiName,
    grain: Literal["week", "month", "quarter"] = "month",
    lags: int = Query(3, ge=0, le=24, description="Largest lag in periods"),
    change: Change | None = None,
    who: Identity = Depends(require("read")),
) -> Response:
    """KPIs whose changes clearly move with this KPI's, first or after it (lead-lag)."""
    built = await run_in_threadpool(
        compare_views.related, context(request), kpi, grain, lags, change
    )
    return json_response(built["table"])


@router.get("/lead-lag", responses=ERRORS)
async def lead_lag(
    request: Request,
    kpi: list[str] = Query(min_length=2, max_length=8, description="Two or more KPI names."),
    grain: Grain = "month",
    lags: int = Query(3, ge=0, le=24, description="Largest lag in periods"),
    change: Change | None = None,
    start: date | None = Query(None, description="First day"),
    end: date | None = Query(None, description="Last day; its whole period is included"),
    who: Identity = Depends(require("read")),
) -> Response:
    """Which KPI leads which: correlations of their changes at every lag, with intervals."""
    built = await run_in_threadpool(
        compare_views.lead_lag, context(request), kpi, grain, lags, change, start, end
    )
    return json_response(_strip(built, "chart", "table", "columns"))


@router.get("/compare", responses=ERRORS)
async def compare(
    request: Request,
    kpi: str = KpiName,
    other: str | None = Query(None, max_length=100, description="Another KPI beside it"),
    vs: Literal["last_year", "previous"] | None = None,
    by: str | None = Query(None, max_length=100, description="One series per member"),
    member: list[str] = Query(default_factory=list, max_length=8, description="Members (by)"),
    index: bool = Query(False, description="Index every series to 100 at the first period"),
    grain: Grain = "month",
    start: date | None = Query(None, description="First day"),
    end: date | None = Query(None, description="Last day; its whole period is included"),
    who: Identity = Depends(require("read")),
) -> Response:
    """A KPI side by side with another KPI, with itself earlier, or per member."""
    if other is None and vs is None and by is None:
        vs = "last_year"
    built = await run_in_threadpool(
        compare_views.compare,
        context(request),
        who,
        kpi,
        other,
        grain,
        start,
        end,
        index,
        vs,
        by,
        member or None,
    )
    return json_response(_strip(built, "chart", "columns"))


@router.get("/trees", responses=ERRORS)
def trees(request: Request, who: Identity = Depends(require("read"))) -> Response:
    """Every driver tree: the KPI, the tree's name and its formula."""
    ws = context(request).ws
    rows = [
        {"kpi": t.kpi, "tree": t.name, "label": t.label, "formula": ws.comparisons.formula(t).text}
        for t in ws.comparisons.trees.values()
    ]
    return json_response(rows)


@router.get("/trees/{kpi}", responses=ERRORS)
async def tree(
    request: Request,
    kpi: str,
    period: str | None = Period,
    who: Identity = Depends(require("read")),
) -> Response:
    """A KPI's target traced down its tree: actuals, own targets, what each driver needs."""
    built = await run_in_threadpool(compare_views.tree, context(request), who, kpi, period)
    return json_response(_strip(built, "table", "columns"))
