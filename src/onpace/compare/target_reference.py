"""The target a KPI has for one period, by the one rule every screen uses, and due to date.

Which target applies is :func:`onpace.targets.selection.applicable_targets`: the
target set for the period, else the shortest longer one phased down (a seasonal
2026 revenue target seen in November gives November's share), else, for sums and
counts, the targets one level down added up. An explanation against target
therefore uses the same number as the scorecard.

A period still in progress is compared with the part of its target due by now,
the denominator of the scorecard's pace: November two weeks in is measured
against half of November's target, not all of it, so the gap says how far the
KPI is behind, not how much of the month is left. A rate or an average keeps its
whole target.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from onpace.calendar import Grain
from onpace.targets.actuals import KpiData, is_additive
from onpace.targets.definition import share_to_date, standard_period
from onpace.targets.roster import Roster, load_roster
from onpace.targets.selection import AppliedTarget, applicable_targets

if TYPE_CHECKING:
    from onpace.store.state_store import Store
    from onpace.workspace import Workspace


@dataclass(frozen=True)
class TargetReference:
    """A target value for one period and member, and where it comes from."""

    kpi: str
    value: float
    source: str


def target_for(
    ws: Workspace,
    store: Store,
    kpi: str,
    grain: Grain,
    start: date,
    data: KpiData,
    dimension: str | None = None,
    member: str | None = None,
) -> TargetReference | None:
    """``kpi``'s target for the period ``start`` of ``grain`` (and member), or None.

    For the period in progress, a sum's or a count's target is cut to the part due
    by ``data.as_of`` by the target's own phasing.
    """
    period = standard_period(start, grain, ws.calendar)
    additive = is_additive(kpi, ws.kpis)
    roster = load_roster(ws) if dimension is not None else Roster()
    applied = applicable_targets(
        store.current(kpi),
        period,
        dimension,
        lambda k: is_additive(k, ws.kpis),
        data.monthly,
        roster,
        [kpi],
    ).get((kpi, member))
    if applied is None:
        return None
    target = applied.target
    source = _source(applied, period.label)
    today = data.as_of.date()
    if additive and target.period.start < today < target.period.end:
        history = data.monthly(kpi, dimension, member) if target.phasing == "seasonal" else None
        share = share_to_date(target, today, history)
        due = f"part due by {today.isoformat()} ({share:.0%}) of the {source}"
        return TargetReference(kpi, target.value * share, due)
    return TargetReference(kpi, target.value, source)


def _source(applied: AppliedTarget, label: str) -> str:
    """Where the target comes from, read after "the target is the"."""
    if applied.origin == "own":
        return f"{label} target"
    if applied.origin == "phased" and applied.parts:
        parent = applied.parts[0]
        return f"{label} share of the {parent.period.label} target ({parent.phasing} phasing)"
    return f"{label} target, the {applied.source}"
