"""The parts of the review pack that are not the scorecard itself."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from onpace.errors import UnknownNameError, did_you_mean
from onpace.views.scope import Scope

if TYPE_CHECKING:
    from onpace.reviews.schedule import ReviewDue
    from onpace.targets.definition import Target
    from onpace.views.scorecard import Scorecard
    from onpace.workspace import Workspace


def objective_kpis(ws: Workspace, objective: str) -> list[str]:
    """The KPIs of ``objective`` and of the objectives below it."""
    from onpace.objectives.tree import workspace_objectives

    objectives = workspace_objectives(ws)
    for obj in objectives.all():
        if obj.name == objective:
            return sorted({k for _, o in obj.walk() for k in o.kpis} & set(ws.kpis))
    raise UnknownNameError(
        f"unknown objective '{objective}'." + did_you_mean(objective, objectives.names())
    )


def progress_charts(
    ws: Workspace, card: Scorecard, as_of: datetime, scope: Scope
) -> dict[str, dict[str, Any]]:
    """Per KPI with a total target of the period: the KPI page's progress chart data."""
    from onpace.targets.actuals import KpiData
    from onpace.views.target_pages import _progress, _total_visible

    data = KpiData(ws, as_of)
    out: dict[str, dict[str, Any]] = {}
    period = card.period
    for row in card.rows:
        if row.member is not None or row.target is None or row.kpi in out:
            continue
        current = [t for t in ws.store.current(row.kpi) if t.dimension is None]
        covering = [
            t for t in current if t.period.start <= period.start and t.period.end >= period.end
        ]
        if not covering:
            continue
        target = min(covering, key=lambda t: t.period.days)
        if _total_visible(ws, scope, target, as_of):
            out[row.kpi] = _progress(ws, data, target, as_of)
    return out


def period_revisions(ws: Workspace, card: Scorecard, names: list[str]) -> list[Target]:
    """Every revision of a target that overlaps the period, oldest first, with its reason."""
    period = card.period
    return [
        t
        for t in ws.store.history()
        if t.kpi in names and t.period.start < period.end and t.period.end > period.start
    ]


def reviews_due(ws: Workspace, names: list[str], as_of: datetime) -> list[ReviewDue]:
    from onpace.reviews.records import list_reviews
    from onpace.reviews.schedule import review_schedule

    kpis = {n: ws.kpis[n] for n in names}
    return review_schedule(kpis, list_reviews(ws.store), as_of.date())
