"""The comparison screens' data for pages and API alike, cached and scoped per user.

Like :mod:`onpace.web.cached_views`, every entry is keyed by the parameters, the
data version and the user's scope, and computed under the app's lock.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from onpace.auth import Identity
from onpace.views import compare_pages
from onpace.views.scope import Scope
from onpace.web.context import AppContext


def _scope(ctx: AppContext, who: Identity) -> tuple[Scope, tuple[bool, str | None, int]]:
    scope = Scope.of(who, ctx.ws.config.privacy.min_group_size)
    return scope, scope.key


def explain(
    ctx: AppContext,
    who: Identity,
    kpi: str,
    period: str | None = None,
    vs: str | None = None,
    by: str | None = None,
    tree: str | None = None,
    method: str = "shapley",
    depth: int = 1,
) -> dict[str, Any]:
    scope, key = _scope(ctx, who)
    return ctx.cached(
        ("explain", kpi, period, vs, by, tree, method, depth, key),
        lambda: compare_pages.explain_view(
            ctx.ws, ctx.store, kpi, period, vs, by, tree, method, depth, ctx.now(), scope
        ),
    )


def funnels(ctx: AppContext) -> dict[str, Any]:
    return compare_pages.funnels_view(ctx.ws)


def funnel(
    ctx: AppContext,
    who: Identity,
    name: str,
    grain: str = "month",
    start: str | date | None = None,
    end: str | date | None = None,
    by: str | None = None,
) -> dict[str, Any]:
    scope, key = _scope(ctx, who)
    return ctx.cached(
        ("funnel", name, grain, start, end, by, key),
        lambda: compare_pages.funnel_view(ctx.ws, name, grain, start, end, by, ctx.now(), scope),
    )


def related(
    ctx: AppContext, kpi: str, grain: str = "month", lags: int = 3, change: str | None = None
) -> dict[str, Any]:
    def build() -> dict[str, Any]:
        # every KPI page's list reads the same series: compute them once per grain and change
        series = ctx.cached(
            ("related series", grain, change),
            lambda: compare_pages.related_series(ctx.ws, grain, change, ctx.now()),
        )
        return compare_pages.related_view(ctx.ws, kpi, grain, lags, change, ctx.now(), series)

    return ctx.cached(("related", kpi, grain, lags, change), build)


def lead_lag(
    ctx: AppContext,
    kpis: list[str],
    grain: str = "month",
    lags: int = 3,
    change: str | None = None,
    start: str | date | None = None,
    end: str | date | None = None,
) -> dict[str, Any]:
    return ctx.cached(
        ("lead_lag", tuple(kpis), grain, lags, change, start, end),
        lambda: compare_pages.lead_lag_view(
            ctx.ws, kpis, grain, lags, change, start, end, ctx.now()
        ),
    )


def compare(
    ctx: AppContext,
    who: Identity,
    kpi: str,
    other: str | None = None,
    grain: str = "month",
    start: str | date | None = None,
    end: str | date | None = None,
    indexed: bool = False,
    vs: str | None = None,
    by: str | None = None,
    members: list[str] | None = None,
) -> dict[str, Any]:
    scope, key = _scope(ctx, who)
    return ctx.cached(
        ("compare", kpi, other, grain, start, end, indexed, vs, by, tuple(members or ()), key),
        lambda: compare_pages.compare_view(
            ctx.ws, kpi, other, grain, start, end, indexed, vs, by, members, ctx.now(), scope
        ),
    )


def tree(ctx: AppContext, who: Identity, kpi: str, period: str | None = None) -> dict[str, Any]:
    scope, key = _scope(ctx, who)
    return ctx.cached(
        ("tree", kpi, period, key),
        lambda: compare_pages.tree_view(ctx.ws, ctx.store, kpi, period, ctx.now(), scope),
    )
