"""One target, evaluated as of a moment: actual, attainment, pace, projection and status.

This is where the pieces meet: the KPI's value in the target's period so far
(:mod:`onpace.targets.actuals`), the phased target-to-date (:mod:`.definition`),
attainment and pace (:mod:`.pace`) and the projection to the end of the period
(:mod:`.projection`: the period so far and the KPI's own history).

The status knows where the period is. Before it starts: *not started* (the
projection is shown). In its first part (``status.too_early`` of it, default
20%): *too early*, with pace and projection but no alarm. While it runs: *on
track*, *at risk* or *off track* from the projected attainment (the pace when
there is too little history to project). Once it is over: *achieved* or
*missed*, final. ``explanation`` says in one line why.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Literal

from onpace.calendar import add_months
from onpace.errors import TargetError
from onpace.spec.workspace_config import StatusSettings, StatusThresholds
from onpace.targets.actuals import KpiData, is_additive
from onpace.targets.definition import Target, month_shares, share_to_date
from onpace.targets.forecast import Projection
from onpace.targets.pace import Status, attainment, band, final_status, pace, status
from onpace.targets.projection import project_target

State = Literal["future", "in progress", "complete"]
Level = Literal["below floor", "floor to target", "target to stretch", "stretch reached"]


@dataclass(frozen=True)
class TargetStatus:
    """Everything the scorecard shows for one target.

    ``attainment`` is the actual so far against the whole target; ``pace`` the
    actual against the target due so far; ``score`` what the status is judged on
    (projected attainment while the period runs, final attainment once it is
    over). ``floor`` and ``stretch`` are the optional levels beside the target, and
    ``level`` where the projection (or the final value) lies among them.
    """

    kpi: str
    label: str
    unit: str
    direction: str
    period: str
    scope: str
    state: State
    target: float
    actual: float | None
    attainment: float | None
    target_to_date: float | None
    pace: float | None
    projection: float | None
    low: float | None
    high: float | None
    probability: float | None
    score: float | None
    status: Status
    method: str
    phasing: str
    note: str | None = None
    elapsed: float = 0.0
    floor: float | None = None
    stretch: float | None = None
    level: Level | None = None
    explanation: str = ""
    forecast: Projection | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def period_state(target: Target, today: date) -> State:
    if today < target.period.start:
        return "future"
    if today >= target.period.end:
        return "complete"
    return "in progress"


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.0%}"


def judge(
    state: State,
    elapsed: float,
    score: float | None,
    actual: float | None,
    target: Target,
    direction: str,
    thresholds: StatusThresholds,
) -> Status:
    """The status for where the period is (see the module docstring)."""
    if state == "future":
        return "not started"
    if state == "complete":
        return final_status(actual, target.value, direction)
    if elapsed < thresholds.too_early:
        return "too early"
    return status(score, thresholds)


def level_of(value: float | None, target: Target, direction: str) -> Level | None:
    """Where ``value`` lies among floor, target and stretch (None without either level)."""
    if value is None or (target.floor is None and target.stretch is None):
        return None
    sign = 1.0 if direction == "higher" else -1.0
    if target.floor is not None and sign * (value - target.floor) < 0:
        return "below floor"
    if sign * (value - target.value) < 0:
        return "floor to target"
    if target.stretch is not None and sign * (value - target.stretch) >= 0:
        return "stretch reached"
    return "target to stretch"


def explain(s: TargetStatus, thresholds: StatusThresholds, projected: float | None) -> str:
    """One line that says why ``s`` has its status ("projected 94% of target; at risk ...")."""
    if s.status == "no data":
        return s.note or "no value for the period yet"
    if s.status == "not started":
        text = f"starts {s.period}"
        if projected is not None:
            text += f"; projected {_pct(projected)} of target"
            if s.probability is not None:
                text += f", probability {_pct(s.probability)}"
    elif s.status == "too early":
        text = (
            f"{_pct(s.elapsed)} of the period gone, too early to tell "
            f"(under {_pct(thresholds.too_early)}); pace {_pct(s.pace)}, "
            f"projected {_pct(projected)}"
        )
    elif s.status in ("achieved", "missed"):
        text = f"ended at {_pct(s.attainment)} of target: {s.status}"
    elif projected is not None:
        text = f"projected {_pct(projected)} of target; {band(s.score, thresholds)}"
    else:
        text = (
            f"pace {_pct(s.score)} of the target due so far (no projection: {s.method}); "
            f"{band(s.score, thresholds)}"
        )
    if s.level is not None:
        text += f"; {'ended' if s.state == 'complete' else 'projected'} {s.level}"
    return text


def evaluate_target(data: KpiData, target: Target, settings: StatusSettings) -> TargetStatus:
    """The status of ``target`` as of ``data.as_of``."""
    kpi = data.check(target.kpi, target.dimension)
    direction = kpi.direction
    today = data.as_of.date()
    state = period_state(target, today)
    thresholds = settings.for_kpi(target.kpi)
    blank = TargetStatus(
        kpi=target.kpi,
        label=kpi.label,
        unit=kpi.unit,
        direction=direction,
        period=target.period.label,
        scope=target.scope,
        state=state,
        target=target.value,
        actual=None,
        attainment=None,
        target_to_date=None,
        pace=None,
        projection=None,
        low=None,
        high=None,
        probability=None,
        score=None,
        status="no data",
        method="",
        phasing=target.phasing,
        elapsed=target.period.elapsed(today),
        floor=target.floor,
        stretch=target.stretch,
    )
    missing = data.missing(target.kpi)
    if missing:
        lacks = "the data lacks " + ", ".join(missing)
        return replace(blank, note=lacks, explanation=lacks)
    additive = is_additive(target.kpi, data.ws.kpis)
    note: str | None = None
    try:
        actual = data.value(target.kpi, target.period, target.dimension, target.dimension_value)
    except TargetError as exc:
        actual, note = None, str(exc)
    if actual is None and state != "future" and additive and note is None:
        actual = 0.0  # no rows in the period: nothing was sold, counted or spent
    history = data.monthly(
        target.kpi,
        target.dimension,
        target.dimension_value,
        until=min(today, add_months(target.period.end, -1)),
    )
    _, phasing = month_shares(target, history)
    to_date = None
    current_pace = None
    if state == "in progress":
        share = share_to_date(target, today, history) if additive else 1.0
        to_date = target.value * share
        current_pace = pace(actual, to_date, direction)
    projection = project_target(data, target, additive, actual, history, direction)
    projected = attainment(projection.value, target.value, direction)
    final = attainment(actual, target.value, direction)
    score = final if state == "complete" else projected
    if score is None and state != "complete":
        score = current_pace
    judged = replace(
        blank,
        actual=actual,
        attainment=final,
        target_to_date=to_date,
        pace=current_pace,
        projection=projection.value,
        low=projection.low,
        high=projection.high,
        probability=projection.probability,
        score=score,
        status=judge(state, blank.elapsed, score, actual, target, direction, thresholds),
        method=projection.method,
        forecast=projection,
        phasing=phasing,
        note=note,
        level=level_of(projection.value, target, direction),
    )
    return replace(judged, explanation=explain(judged, thresholds, projected))
