"""The data behind pages and API alike: the view functions, with scope, cache and audit.

Pages and the API call these and nothing else, so a rep gets the same rows from
``/scorecard``, ``/scorecard.csv`` and ``/api/v1/scorecard``: the rep filter sits
here, in the data layer, and is part of every cache key.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from onpace.auth import Identity
from onpace.calendar import COMPUTE_GRAINS, ComputeGrain, periods_between
from onpace.errors import TargetError, UnknownNameError, did_you_mean
from onpace.query.top import TopPer
from onpace.targets.actuals import KpiData, member_text
from onpace.targets.authoring import TargetInput
from onpace.views import kpi_pages, target_pages
from onpace.views.form_choices import period_choices, rep_choices, scope_choices
from onpace.views.scope import Scope, rep_contributors
from onpace.views.scorecard import scorecard_view
from onpace.views.serialize import json_bytes
from onpace.views.target_pages import target_row
from onpace.web.context import AppContext

MAX_PERIODS = 5000


def _scope_key(scope: Scope) -> tuple[bool, str | None, int]:
    return scope.key


def scope_of(ctx: AppContext, who: Identity) -> Scope:
    """What ``who`` may see, with the workspace's smallest group for totals."""
    return Scope.of(who, ctx.ws.config.privacy.min_group_size)


def scorecard(
    ctx: AppContext,
    who: Identity,
    grain: str = "quarter",
    period: str | None = None,
    start: str | None = None,
    end: str | None = None,
    compare: str = "previous",
    by: str | None = None,
    span: str = "same",
    targeted: bool = False,
) -> dict[str, Any]:
    """The scorecard a viewer sees (a rep: their own rows), cached per parameters and scope."""
    scope = scope_of(ctx, who)
    key = ("scorecard", grain, period, start, end, compare, by, span, targeted, _scope_key(scope))
    return ctx.cached(
        key,
        lambda: scorecard_view(
            ctx.ws,
            ctx.store,
            scope,
            grain=grain,
            period=period,
            start=start,
            end=end,
            compare=compare,
            span=span,
            by=by,
            only_targets=targeted,
            as_of=ctx.now(),
        ),
    )


SCORECARD_DEFAULTS: dict[str, Any] = {
    "grain": "quarter",
    "period": None,
    "start": None,
    "end": None,
    "compare": "previous",
    "by": None,
    "span": "same",
    "targeted": False,
}


def _json_key(ctx: AppContext, who: Identity, params: dict[str, Any]) -> tuple[Any, ...]:
    """The same key for the same scorecard, whichever parameters were left to their default."""
    full = {**SCORECARD_DEFAULTS, **params}
    return ("scorecard.json", tuple(sorted(full.items())), _scope_key(scope_of(ctx, who)))


def scorecard_json(ctx: AppContext, who: Identity, **params: Any) -> bytes:
    """The scorecard serialized once per version and scope: the API's hot path."""
    return ctx.cached(
        _json_key(ctx, who, params), lambda: json_bytes(scorecard(ctx, who, **params))
    )


def cached_scorecard_json(ctx: AppContext, who: Identity, **params: Any) -> bytes | None:
    """The serialized scorecard when it is cached (cheap enough for the event loop)."""
    hit = ctx.peek(_json_key(ctx, who, params))
    return hit if isinstance(hit, bytes) else None


def kpis(ctx: AppContext) -> dict[str, Any]:
    return kpi_pages.kpis_view(ctx.ws)


def kpi(
    ctx: AppContext,
    who: Identity,
    name: str,
    grain: str = "month",
    by: str | None = None,
    period: str | None = None,
) -> dict[str, Any]:
    if name not in ctx.ws.kpis:
        raise UnknownNameError(f"unknown KPI '{name}'." + did_you_mean(name, ctx.ws.kpis))
    if grain not in ("month", "quarter", "year"):
        raise TargetError(f"grain {grain!r}: use month, quarter or year")
    scope = scope_of(ctx, who)

    def build() -> dict[str, Any]:
        now = ctx.now()
        built = kpi_pages.kpi_view(
            ctx.ws,
            name,
            grain,  # type: ignore[arg-type]
            24,
            by,
            now,
            scope,
            period,
        )
        extra = target_pages.kpi_targets(ctx.ws, ctx.store, scope, name, built["trend"], grain, now)
        if any(r.get("target") is not None for r in built["trend"]):
            from onpace.views import charts

            built["trend_chart"] = charts.trend_chart(built["trend"], built["kpi"]["unit"])
        built["columns"] = ["label", "value", "part", "projection", "target", "note"]
        return {**built, **extra}

    return ctx.cached(("kpi", name, grain, by, period, _scope_key(scope)), build)


def objectives(
    ctx: AppContext, who: Identity, grain: str = "quarter", period: str | None = None
) -> dict[str, Any]:
    scope = scope_of(ctx, who)
    return ctx.cached(
        ("objectives", grain, period, _scope_key(scope)),
        lambda: target_pages.objectives_view(ctx.ws, ctx.store, ctx.now(), grain, period, scope),
    )


def form_choices(ctx: AppContext) -> dict[str, list[dict[str, str]]]:
    """The forms' pickers: scopes (reps by name, teams, segments...), periods and reps.

    The members are read from the warehouse, so they are read under the computation
    lock like every other query (a background refresh may be using the connection)
    and cached with the data version and the day.
    """
    as_of = ctx.now()

    def choose() -> dict[str, list[dict[str, str]]]:
        scopes = scope_choices(ctx.ws, as_of)
        return {
            "scopes": [asdict(c) for c in scopes],
            "periods": [asdict(c) for c in period_choices(ctx.ws, as_of)],
            "reps": [asdict(c) for c in rep_choices(scopes)],
        }

    return ctx.cached(("form_choices", as_of.date()), choose)


def targets(ctx: AppContext, who: Identity, kpi: str | None) -> dict[str, Any]:
    scope = scope_of(ctx, who)
    return ctx.cached(
        ("targets", kpi, _scope_key(scope)),
        lambda: target_pages.targets_view(ctx.ws, ctx.store, scope, kpi, ctx.now()),
    )


def history(ctx: AppContext, who: Identity, kpi: str) -> dict[str, Any]:
    return target_pages.history_view(ctx.ws, ctx.store, scope_of(ctx, who), kpi)


def health(ctx: AppContext) -> dict[str, Any]:
    def build() -> dict[str, Any]:
        built = kpi_pages.health_view(ctx.ws)
        built["ingest"] = target_pages.ingest_view(ctx.ws)
        return built

    return ctx.cached(("health",), build)


def smart(ctx: AppContext, kpi: str | None = None) -> dict[str, Any]:
    if kpi is not None and kpi not in ctx.ws.kpis:
        raise UnknownNameError(f"unknown KPI '{kpi}'." + did_you_mean(kpi, ctx.ws.kpis))
    return ctx.cached(
        ("smart", kpi), lambda: target_pages.smart_view(ctx.ws, ctx.store, ctx.now(), kpi)
    )


def audit(ctx: AppContext, limit: int = 200) -> dict[str, Any]:
    rows = ctx.auth.audit_entries(limit)
    return {
        "title": "Audit log",
        "table": rows,
        "columns": ["at", "user", "action", "object", "detail"],
    }


def values(
    ctx: AppContext,
    who: Identity,
    kpis: list[str],
    grain: str,
    start: str | None,
    end: str | None,
    by: str | None,
    top: int | None = None,
    top_per: TopPer = "range",
) -> dict[str, Any]:
    """KPI values per period (and per member of ``by``), rep rows filtered by scope.

    ``start`` and ``end`` are periods or days, both included (the range rule of
    :mod:`onpace.query.ranges`); without them, the data's last 12 periods.
    """
    if not kpis:
        raise TargetError("name at least one KPI (kpi=revenue)")
    for name in kpis:
        if name not in ctx.ws.kpis:
            raise UnknownNameError(f"unknown KPI '{name}'." + did_you_mean(name, ctx.ws.kpis))
        if by and by not in ctx.ws.kpis[name].dimensions:
            allowed = ", ".join(ctx.ws.kpis[name].dimensions) or "none"
            raise UnknownNameError(
                f"KPI '{name}' cannot be broken down by '{by}'; its dimensions: {allowed}"
            )
    if grain not in COMPUTE_GRAINS:
        raise TargetError(f"grain {grain!r}: use one of {', '.join(COMPUTE_GRAINS)}")
    g: ComputeGrain = grain  # type: ignore[assignment]
    now = ctx.now()
    rng = ctx.cached(
        ("values-range", tuple(kpis), grain, start, end),
        lambda: ctx.ws.compute_range(kpis, g, start, end, as_of=now),
    )
    first, last = rng.start, rng.end_before
    if first.year < 1900 or last.year > 2200:
        raise TargetError("keep the range between the years 1900 and 2200")
    if g != "all" and len(periods_between(first, last, g, ctx.ws.calendar)) > MAX_PERIODS:
        raise TargetError(f"the range has more than {MAX_PERIODS} {grain}s; narrow it")
    scope = scope_of(ctx, who)

    def build() -> list[dict[str, Any]]:
        frame = ctx.ws.compute(
            kpis,
            grain=g,
            start=first,
            end_before=last,
            by=by,
            as_of=now,
            top=top,
            top_per=top_per,
        )
        out = []
        for row in frame.to_dict("records"):
            member = member_text(row[by]) if by else None
            value = row["value"]
            item = {
                "kpi": row["kpi"],
                "period": row["period"].isoformat()[:10],
                "label": row["period_label"],
                "member": member,
                "value": None if value is None or value != value else float(value),
                "note": row["note"] if isinstance(row["note"], str) else None,
            }
            if top is not None:
                item["rank"] = int(row["rank"])
            out.append(item)
        return out

    rows = ctx.cached(("values", tuple(kpis), grain, first, last, by, top, top_per), build)
    rows = scope.keep(by, rows, lambda r: r["member"])
    if scope.checks_totals:
        contributors = ctx.cached(
            ("contributors", tuple(kpis), grain, first, last, by),
            lambda: rep_contributors(ctx.ws, kpis, g, first, last, by, now),
        )
        rows = scope.hide_totals(
            rows, contributors, lambda r: (r["kpi"], date.fromisoformat(r["period"]), r["member"])
        )
    columns = ["kpi", "period", "label", "member", *(["rank"] if top is not None else [])]
    return {
        "grain": grain,
        "start": first.isoformat(),
        "end": rng.last_day.isoformat(),
        "range_note": rng.note,
        "by": by,
        "top": top,
        "table": rows,
        "columns": [*columns, "value", "note"],
    }


def _given(ctx: AppContext, fields: dict[str, Any]) -> TargetInput:
    """The target fields of a form or API body (see TargetInput.read); an unknown KPI is a 404."""
    kpi = fields.get("kpi") or ""
    if kpi not in ctx.ws.kpis:
        raise UnknownNameError(f"unknown KPI '{kpi}'." + did_you_mean(kpi, ctx.ws.kpis))
    return TargetInput.read(**fields)


def set_target(
    ctx: AppContext,
    who: Identity,
    reason: str,
    must_exist: bool | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """Set (``must_exist`` False: create, True: revise, None: either) and audit a target.

    ``fields`` are those of :meth:`onpace.targets.authoring.TargetInput.read`.
    """
    if not reason.strip():
        raise TargetError("a reason is required: say why the target is set or changed").keyed(
            "reason_required"
        )
    given = _given(ctx, fields)
    by = given.by

    def act() -> dict[str, Any]:
        target = given.build(KpiData(ctx.ws, ctx.now()))
        label = target.period.label
        existing = ctx.store.find(target.kpi, label, target.dimension, target.dimension_value)
        if must_exist is True and existing is None:
            raise UnknownNameError(
                f"there is no target for {target.kpi} {label} {by or ''} to revise; "
                "create it first".replace("  ", " ")
            )
        if must_exist is False and existing is not None:
            raise TargetError(
                f"a target for {target.kpi} {label} {by or ''} exists already; "
                "revise it instead (PUT)".replace("  ", " ")
            )
        stored = ctx.store.set_target(target, reason=reason.strip(), author=who.name)
        row = target_row(stored)
        ctx.auth.audit(
            who.name,
            "target.revise" if stored.revision > 1 else "target.set",
            stored.key,
            {"value": row["value"], "revision": stored.revision, "reason": stored.reason},
        )
        return row

    result = ctx.run(act)
    ctx.clear()
    return result


def try_target(ctx: AppContext, who: Identity, **fields: Any) -> dict[str, Any]:
    """What a proposed target would show (see :func:`target_pages.target_trial`); not stored."""
    given = _given(ctx, fields)
    return ctx.run(lambda: target_pages.target_trial(ctx.ws, ctx.store, given, ctx.now()))


def reviews(ctx: AppContext, kpi: str | None = None) -> dict[str, Any]:
    """The review schedule (every KPI: last review, next due, status), or one KPI's history."""
    from onpace.reviews.records import list_reviews
    from onpace.reviews.schedule import review_schedule

    def build() -> dict[str, Any]:
        history = list_reviews(ctx.store, kpi)
        if kpi is not None:
            return {"title": f"Reviews of {kpi}", "table": [r.as_dict() for r in history]}
        rows = review_schedule(ctx.ws.kpis, history, ctx.now().date())
        return {"title": "Reviews", "table": [r.as_dict() for r in rows]}

    return ctx.cached(("reviews", kpi), build)


def add_review(
    ctx: AppContext, who: Identity, kpi: str, decision: str, note: str
) -> dict[str, Any]:
    """Record a review by ``who``; goes to the audit log."""
    from onpace.reviews.records import add_review as record

    def act() -> dict[str, Any]:
        done = record(ctx.store, ctx.ws.kpis, kpi, decision, note, reviewer=who.name)
        ctx.auth.audit(who.name, "review.add", kpi, {"decision": decision, "note": note})
        return done.as_dict()

    result = ctx.run(act)
    ctx.clear()
    return result
