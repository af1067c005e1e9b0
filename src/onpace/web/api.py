"""The REST API under /api/v1: the same data functions as the pages, as JSON.

Authenticate with ``Authorization: Bearer <token>`` (``onpace token create USER``)
or the browser session (then writes need the ``X-CSRF-Token`` header). Errors are
JSON objects with an ``error`` message; bad input is a 4xx, never a 500.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from onpace.auth import Identity
from onpace.web import cached_views
from onpace.web.render import json_response
from onpace.web.security import check_csrf, context, require

router = APIRouter(prefix="/api/v1", tags=["api"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad input; `error` says what and how to fix it."},
    401: {"description": "Not logged in: send a bearer token."},
    403: {"description": "The role may not do this."},
    404: {"description": "Unknown KPI, target or dimension."},
    422: {"description": "A parameter has the wrong type or form."},
}

Name = Query(min_length=1, max_length=100, description="A KPI name (onpace kpi list).")


class Message(BaseModel):
    error: str


class TargetTry(BaseModel):
    """A target to try: absolute (``1250000``, ``1.25M``, ``25%``) or relative (``+10%``)."""

    model_config = ConfigDict(extra="forbid")

    kpi: str = Field(min_length=1, max_length=100)
    period: str = Field(
        min_length=1, max_length=40, description="2026, 2026-Q3, 2026-03 or 2026-01-15..2026-03-31"
    )
    value: str = Field(min_length=1, max_length=40, description="1250000, 1.25M, 25%, +10%, -2pp")
    by: str | None = Field(
        default=None, max_length=300, description="One member: rep=R01, rep.team=North"
    )
    relative: Literal["last_year", "previous"] | None = None
    phasing: Literal["linear", "seasonal", "weights"] = "linear"
    weights: list[float] = Field(default_factory=list, max_length=400)
    floor: str | None = Field(default=None, max_length=40, description="The least acceptable")
    stretch: str | None = Field(default=None, max_length=40, description="An ambitious level")
    new_value: bool = Field(default=False, description="The `by` value is not in the data yet")


class TargetIn(TargetTry):
    """A target to set: a tried target with the reason it is set (kept in its history)."""

    reason: str = Field(min_length=1, max_length=2000, description="Why: kept in the history.")


def _write(request: Request, who: Identity, body: TargetIn, must_exist: bool | None) -> Response:
    check_csrf(who, request.headers.get("x-csrf-token"))
    row = cached_views.set_target(
        context(request),
        who,
        reason=body.reason,
        must_exist=must_exist,
        **body.model_dump(exclude={"reason"}),
    )
    return json_response(row, status=201 if must_exist is False else 200)


@router.get("/me", responses=ERRORS)
def me(who: Identity = Depends(require("read"))) -> dict[str, Any]:
    """Who the token or session belongs to."""
    return {"name": who.name, "role": who.role, "rep_id": who.rep_id}


@router.get("/kpis", responses=ERRORS)
def list_kpis(request: Request, who: Identity = Depends(require("read"))) -> Response:
    """Every KPI of the workspace."""
    return json_response(cached_views.kpis(context(request))["table"])


@router.get("/kpis/{name}", responses=ERRORS)
def kpi_definition(
    request: Request, name: str, who: Identity = Depends(require("read"))
) -> Response:
    """One KPI's definition: formula, unit, direction, dimensions, objective."""
    from onpace.views.kpis import kpi_detail

    return json_response(kpi_detail(context(request).ws, name))


@router.get("/values", responses=ERRORS)
def kpi_values(
    request: Request,
    kpi: list[str] = Query(min_length=1, max_length=50, description="KPI names."),
    grain: Literal["day", "week", "month", "quarter", "year", "all"] = Query(
        "month", description="A calendar grain, or all: one total over the whole range."
    ),
    start: str | None = Query(
        None,
        max_length=25,
        description="First period or day, included: 2017-01, 2017-Q1, 2017-01-15 "
        "(default: from the data).",
    ),
    end: str | None = Query(
        None,
        max_length=25,
        description="Last period or day, included: 2017-12, 2017-Q4, 2017-12-31 "
        "(default: the last period with data; 12 periods when neither is given).",
    ),
    by: str | None = Query(None, max_length=100, description="A dimension: rep, channel..."),
    top: int | None = Query(
        None, ge=1, le=1000, description="Only the N members of `by` with the highest values."
    ),
    top_per: Literal["range", "period"] = Query(
        "range",
        description="range: rank on the value over the whole range; period: rank each period.",
    ),
    who: Identity = Depends(require("read")),
) -> Response:
    """KPI values per period, and per member of ``by``; a rep sees only their own rep rows."""
    return json_response(
        cached_views.values(
            context(request), who, kpi, grain, start, end, by, top=top, top_per=top_per
        )
    )


@router.get("/scorecard", responses=ERRORS)
async def scorecard(
    request: Request,
    grain: Literal["month", "quarter", "year", "custom"] = "quarter",
    period: str | None = Query(None, max_length=40, description="2026-Q3 (default: in progress)"),
    start: str | None = Query(None, max_length=10, description="Custom range: first day"),
    end: str | None = Query(None, max_length=10, description="Custom range: last day"),
    compare: Literal["previous", "last_year"] = "previous",
    by: str | None = Query(
        None, max_length=100, description="Per member of a dimension: rep, rep.team; total"
    ),
    span: Literal["same", "full"] = Query(
        "same", description="same: the compared period up to the same point; full: all of it"
    ),
    targeted: bool = Query(False, description="Only the KPIs with a target"),
    who: Identity = Depends(require("read")),
) -> Response:
    """Every KPI by objective: value, comparison, target, attainment, pace, projection, status."""
    ctx = context(request)
    params = {
        "grain": grain,
        "period": period,
        "start": start,
        "end": end,
        "compare": compare,
        "span": span,
        "targeted": targeted,
    }
    body = cached_views.cached_scorecard_json(ctx, who, by=by, **params)
    if body is None:  # computing takes seconds: off the event loop
        body = await run_in_threadpool(cached_views.scorecard_json, ctx, who, by=by, **params)
    return Response(body, media_type="application/json")


@router.get("/targets", responses=ERRORS)
def current_targets(
    request: Request,
    kpi: str | None = Query(None, max_length=100),
    who: Identity = Depends(require("read")),
) -> Response:
    """The current targets (latest revision of each), with their milestones."""
    return json_response(cached_views.targets(context(request), who, kpi)["table"])


@router.post("/targets", status_code=201, responses={**ERRORS, 201: {"description": "Set."}})
def create_target(
    request: Request,
    body: TargetIn,
    x_csrf_token: str | None = Header(None),
    who: Identity = Depends(require("write_targets")),
) -> Response:
    """Create a target; 400 when one exists for the KPI, period and member (revise it)."""
    return _write(request, who, body, must_exist=False)


@router.put("/targets", responses=ERRORS)
def revise_target(
    request: Request,
    body: TargetIn,
    x_csrf_token: str | None = Header(None),
    who: Identity = Depends(require("write_targets")),
) -> Response:
    """Revise an existing target: a new revision with its reason; the old one stays."""
    return _write(request, who, body, must_exist=True)


@router.post("/targets/try", responses=ERRORS)
def try_target(
    request: Request,
    body: TargetTry,
    x_csrf_token: str | None = Header(None),
    who: Identity = Depends(require("write_targets")),
) -> Response:
    """Try a target without recording it: attainment, pace, projection, probability,
    status and the SMART findings it would get."""
    check_csrf(who, request.headers.get("x-csrf-token"))
    fields = body.model_dump()
    return json_response(cached_views.try_target(context(request), who, **fields))


@router.get("/targets/history", responses=ERRORS)
def target_history(
    request: Request, kpi: str = Name, who: Identity = Depends(require("read"))
) -> Response:
    """Every revision of a KPI's targets, oldest first: who, when, what and why."""
    return json_response(cached_views.history(context(request), who, kpi)["table"])


class ReviewIn(BaseModel):
    """A review of a KPI and its targets: the decision and why."""

    model_config = ConfigDict(extra="forbid")

    kpi: str = Field(min_length=1, max_length=100)
    decision: Literal["keep", "revise", "retire"] = "keep"
    note: str = Field(min_length=1, max_length=4000, description="What was looked at and why.")


@router.get("/reviews", responses=ERRORS)
def review_schedule(
    request: Request,
    kpi: str | None = Query(None, max_length=100, description="One KPI's review history"),
    who: Identity = Depends(require("read")),
) -> Response:
    """Every KPI's last review and next due date on its cadence (or one KPI's history)."""
    return json_response(cached_views.reviews(context(request), kpi)["table"])


@router.post("/reviews", status_code=201, responses={**ERRORS, 201: {"description": "Recorded."}})
def record_review(
    request: Request,
    body: ReviewIn,
    x_csrf_token: str | None = Header(None),
    who: Identity = Depends(require("write_targets")),
) -> Response:
    """Record a review of a KPI (managers and admins); kept append-only with who and when."""
    check_csrf(who, request.headers.get("x-csrf-token"))
    row = cached_views.add_review(context(request), who, body.kpi, body.decision, body.note)
    return json_response(row, status=201)


@router.get("/objectives", responses=ERRORS)
def objectives(
    request: Request,
    grain: Literal["month", "quarter", "year", "custom"] = "quarter",
    period: str | None = Query(None, max_length=40, description="2026-Q3 (default: in progress)"),
    who: Identity = Depends(require("read")),
) -> Response:
    """The objective tree of a period with roll-up attainment (the scorecard's numbers)."""
    return json_response(cached_views.objectives(context(request), who, grain, period))


@router.get("/smart", responses=ERRORS)
def smart(
    request: Request,
    kpi: str | None = Query(None, max_length=100),
    who: Identity = Depends(require("read_data_quality")),
) -> Response:
    """SMART findings per KPI and letter, with evidence and fix."""
    built = cached_views.smart(context(request), kpi)
    return json_response({k: v for k, v in built.items() if k != "table"})


@router.get("/ingest", responses=ERRORS)
def ingest_status(
    request: Request, who: Identity = Depends(require("read_data_quality"))
) -> Response:
    """Ingest status: the ledger of the last runs, quarantined rows, and every table's rows
    and freshness (a demo workspace has tables but no ingest runs)."""
    built = cached_views.health(context(request))
    return json_response(
        {
            "runs": built["ingest"]["runs"],
            "quarantined": built["ingest"]["quarantined"],
            "tables": built["tables"],
            "kpis": built["table"],
        }
    )


@router.get("/audit", responses=ERRORS)
def audit(
    request: Request,
    limit: int = Query(200, ge=1, le=5000),
    who: Identity = Depends(require("audit")),
) -> Response:
    """The audit log, newest first (admins only)."""
    return json_response(cached_views.audit(context(request), limit)["table"])
