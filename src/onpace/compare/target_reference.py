"""The target a KPI has for one period: set for that period, or its milestone in a longer one.

A yearly revenue target set with seasonal phasing has a milestone for every month
and quarter; explaining November against target uses November's milestone. A
rate or an average keeps the whole target in every milestone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from onpace.calendar import Grain, next_period_start, period_label
from onpace.targets.actuals import KpiData, is_additive
from onpace.targets.definition import Target, milestones


@dataclass(frozen=True)
class TargetReference:
    """A target value for one period and member, and where it comes from."""

    kpi: str
    value: float
    source: str


def _milestone_value(
    target: Target, label: str, additive: bool, data: KpiData, ws: Any
) -> float | None:
    history = data.monthly(target.kpi) if target.phasing == "seasonal" else None
    for m in milestones(target, additive, history, ws.calendar):
        if m.label == label:
            return m.value
    return None


def target_for(
    ws: Any,
    store: Any,
    kpi: str,
    grain: Grain,
    start: date,
    data: KpiData,
    dimension: str | None = None,
    member: str | None = None,
) -> TargetReference | None:
    """``kpi``'s target for the period ``start`` of ``grain`` (and member), or None."""
    label = period_label(start, grain, ws.calendar)
    end = next_period_start(start, grain)
    additive = is_additive(kpi, ws.kpis)
    candidates = [
        t
        for t in store.current(kpi)
        if t.dimension == dimension and (dimension is None or t.dimension_value == member)
    ]
    for t in candidates:
        if t.period.start == start and t.period.end == end:
            return TargetReference(kpi, t.value, f"target {t.period.label}")
    for t in sorted(candidates, key=lambda t: t.period.days):
        if t.period.start <= start and end <= t.period.end:
            value = _milestone_value(t, label, additive, data, ws)
            if value is not None:
                source = f"{label} milestone of the {t.period.label} target"
                return TargetReference(kpi, value, source)
    return None
