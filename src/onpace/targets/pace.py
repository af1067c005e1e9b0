"""Attainment, pace and status: how far a KPI is from its target, now and at the end.

Attainment is ``actual / target`` for KPIs where higher is better. Where lower is
better (return rate, complaints, sales cycle) it is inverted as ``target / actual``:
a 4% return rate against a 5% target is 125%, a 10% rate is 50%. That inversion
keeps "100% = exactly on target" and "above 100% = better than target" for every
KPI, so a roll-up can average them; it is undefined at an actual of 0, which for a
lower-is-better KPI means the target is beaten outright. Inverted attainment is
therefore capped at :data:`BEATEN_ATTAINMENT` (200%, also its value at an actual
of 0), which keeps roll-ups finite.
Rates and averages are compared as they are (a 20% rate against a 25% target is
80%), never summed over sub-periods.

Pace holds the actual-to-date against the phased target-to-date, for the period in
progress. Status knows where the period is: *not started* before it, *too early*
in its first part (``status.too_early``, default 20% of it: a few days say little
about a month), then *on track*, *at risk* or *off track* from the projected
attainment against the workspace's thresholds, and *achieved* or *missed*, final,
once it is over.
"""

from __future__ import annotations

import math
from typing import Literal, get_args

from onpace.spec.workspace_config import StatusThresholds

Status = Literal[
    "not started",
    "too early",
    "on track",
    "at risk",
    "off track",
    "achieved",
    "missed",
    "no data",
    "no target",
]
STATUSES: tuple[Status, ...] = get_args(Status)
# statuses that judge a target: the running ones from the projection, the final ones
RUNNING: tuple[Status, ...] = ("on track", "at risk", "off track")
FINAL: tuple[Status, ...] = ("achieved", "missed")
ASSESSED: tuple[Status, ...] = RUNNING + FINAL
BEATEN_ATTAINMENT = 2.0


def _missing(x: float | None) -> bool:
    return x is None or math.isnan(x)


def attainment(actual: float | None, target: float | None, direction: str) -> float | None:
    """``actual / target`` (higher is better) or ``target / actual`` (lower is better).

    >>> attainment(90, 100, "higher")
    0.9
    >>> attainment(0.04, 0.05, "lower")
    1.25

    None when either is missing, or when a higher-is-better target is 0 (there is
    no fraction of nothing). A lower-is-better actual of 0 beats any target that
    is not negative: :data:`BEATEN_ATTAINMENT`.
    """
    if _missing(actual) or _missing(target):
        return None
    assert actual is not None and target is not None
    if direction == "lower":
        if actual == 0:
            return BEATEN_ATTAINMENT if target >= 0 else 0.0
        if target == 0:
            return 0.0 if actual > 0 else None
        return min(target / actual, BEATEN_ATTAINMENT) if actual > 0 else None
    if target == 0:
        return None
    return actual / target


def pace(
    actual_to_date: float | None, target_to_date: float | None, direction: str
) -> float | None:
    """Attainment of the target due so far; None before the period has anything due."""
    if _missing(target_to_date) or (target_to_date == 0 and direction == "higher"):
        return None
    return attainment(actual_to_date, target_to_date, direction)


def reached(value: float | None, target: float, direction: str) -> bool | None:
    """Whether ``value`` meets ``target`` the KPI's good way."""
    if _missing(value):
        return None
    assert value is not None
    return value >= target if direction == "higher" else value <= target


def status(score: float | None, thresholds: StatusThresholds) -> Status:
    """on track at or above ``on_track``, at risk at or above ``at_risk``, else off track."""
    if _missing(score):
        return "no data"
    assert score is not None
    if score >= thresholds.on_track:
        return "on track"
    if score >= thresholds.at_risk:
        return "at risk"
    return "off track"


def band(score: float | None, thresholds: StatusThresholds) -> str:
    """Which band of the thresholds ``score`` is in, in words: "at risk between 90% and 98%"."""
    if _missing(score):
        return "no score"
    assert score is not None
    if score >= thresholds.on_track:
        return f"on track at {thresholds.on_track:.0%} or more"
    if score >= thresholds.at_risk:
        return f"at risk between {thresholds.at_risk:.0%} and {thresholds.on_track:.0%}"
    return f"off track below {thresholds.at_risk:.0%}"


def final_status(actual: float | None, target: float, direction: str) -> Status:
    """``achieved`` or ``missed`` once the period is over (``no data`` without an actual)."""
    hit = reached(actual, target, direction)
    if hit is None:
        return "no data"
    return "achieved" if hit else "missed"
