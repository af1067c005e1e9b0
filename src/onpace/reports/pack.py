"""The review pack of one period: everything the review meeting looks at, as plain data.

:func:`review_pack` gathers the scorecard by objective (the one scorecard data
function, so the pack's numbers are the page's), the breakdown by rep (or another
dimension), a progress chart per KPI with its target, pace and projection, the
target revisions of the period with their reasons, the check-ins, the SMART
findings and the reviews due. The writers (:mod:`onpace.reports.pack_html`,
:mod:`onpace.reports.pack_pdf`, :mod:`onpace.reports.pack_xlsx`) only lay it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from onpace.views.scope import UNRESTRICTED, Scope

if TYPE_CHECKING:
    from onpace.reviews.checkins import CheckIn
    from onpace.reviews.schedule import ReviewDue
    from onpace.targets.definition import Target
    from onpace.targets.smart import Finding
    from onpace.views.scorecard import Scorecard
    from onpace.workspace import Workspace


@dataclass
class ReviewPack:
    """The parts of the pack; ``progress`` maps a KPI to its progress chart data."""

    title: str
    period: str
    as_of: datetime
    card: Scorecard
    breakdown: Scorecard | None
    progress: dict[str, dict[str, Any]] = field(default_factory=dict)
    revisions: list[Target] = field(default_factory=list)
    checkins: list[CheckIn] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    reviews: list[ReviewDue] = field(default_factory=list)
    currency: str = "EUR"


def review_pack(
    ws: Workspace,
    period: str | None = None,
    objective: str | None = None,
    by: str | None = "rep",
    as_of: datetime | None = None,
    scope: Scope = UNRESTRICTED,
) -> ReviewPack:
    """The pack of ``period`` (default: the quarter in progress), of one objective if asked."""
    from onpace.reports.pack_parts import (
        objective_kpis,
        period_revisions,
        progress_charts,
        reviews_due,
    )
    from onpace.reviews.checkins import list_checkins
    from onpace.views.scorecard import scorecard

    moment = as_of or ws.now()
    kpis = objective_kpis(ws, objective) if objective else None
    card = scorecard(ws, ws.store, scope, period=period, as_of=moment, kpis=kpis, by="total")
    if scope.restricted and card.by is None:
        card = scorecard(ws, ws.store, scope, period=period, as_of=moment, kpis=kpis)
    breakdown = None
    if by and by != "total":
        breakdown = scorecard(
            ws, ws.store, scope, period=period, as_of=moment, kpis=kpis, by=by, sparkline=False
        )
    names = sorted({r.kpi for r in card.rows})
    label = card.period.label
    checkins = [
        c
        for c in list_checkins(ws.store, period=label)
        if (c.kpi in names) or (c.objective is not None and objective in (None, c.objective))
    ]
    findings = [
        f for f in ws.check(names or None, moment).findings if f.kpi in names or f.kpi is None
    ]
    title = f"Review pack {label}" + (f": {objective}" if objective else "")
    return ReviewPack(
        title=title,
        period=label,
        as_of=moment,
        card=card,
        breakdown=breakdown,
        progress=progress_charts(ws, card, moment, scope),
        revisions=[
            t
            for t in period_revisions(ws, card, names)
            if scope.allows(t.dimension, t.dimension_value)
        ],
        checkins=checkins,
        findings=findings,
        reviews=reviews_due(ws, names, moment),
        currency=ws.config.currency,
    )
