"""What the target form offers to pick: scopes and periods taken from the data.

A manager should not have to know that Ann is ``rep=R03`` or that the quarter is
written ``2026-Q3``: the form lists every rep by name, every team, segment and
channel that occurs in the KPIs' data, and the periods around today, and still
accepts a value typed by hand (a rep who starts next month).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from onpace.calendar import add_months, period_start
from onpace.errors import OnpaceError
from onpace.targets.actuals import KpiData
from onpace.targets.definition import standard_period
from onpace.targets.roster import REP_ID_DIMENSIONS, load_roster

if TYPE_CHECKING:
    from onpace.workspace import Workspace

MAX_MEMBERS = 200  # per dimension: a picker, not a dump of the customer table


@dataclass(frozen=True)
class Choice:
    """One option: what the form sends (``rep=r1``) and what the reader sees (``Ann``)."""

    value: str
    label: str
    group: str


def scope_choices(ws: Workspace, as_of: datetime) -> list[Choice]:
    """Every ``dimension=value`` a target can be set for, from the KPIs' data.

    A dimension's values are read from the first KPI that allows it; reps are named
    (``Ann (r1)``), the rest are shown as they occur. Dimensions whose data cannot be
    read are left out rather than failing the form.
    """
    data = KpiData(ws, as_of)
    roster = load_roster(ws)
    first_kpi: dict[str, str] = {}
    for name, kpi in ws.kpis.items():
        for dimension in kpi.dimensions:
            first_kpi.setdefault(dimension, name)
    out: list[Choice] = []
    for dimension, source in sorted(first_kpi.items()):
        try:
            members = sorted(data.members(source, dimension))[:MAX_MEMBERS]
        except OnpaceError:
            continue
        for member in members:
            label = member
            if dimension in REP_ID_DIMENSIONS:
                rep = roster.get(member)
                label = f"{rep.display} ({member})" if rep is not None else member
            out.append(Choice(f"{dimension}={member}", label, dimension))
    return out


def period_choices(ws: Workspace, as_of: datetime) -> list[Choice]:
    """This and the next three months, this and the next two quarters, this year and
    the next, then last year and the quarter before (for a target set late)."""
    today = as_of.date()
    cal = ws.calendar
    out: list[Choice] = []

    def add(grain: str, months: int, count: int) -> None:
        first = period_start(today, grain, cal)  # type: ignore[arg-type]
        for i in range(count):
            period = standard_period(add_months(first, months * i), grain, cal)  # type: ignore[arg-type]
            out.append(Choice(period.label, period.label, grain))

    add("month", 1, 4)
    add("quarter", 3, 3)
    add("year", 12, 2)
    for grain, months in (("quarter", -3), ("year", -12)):
        first = period_start(today, grain, cal)  # type: ignore[arg-type]
        period = standard_period(add_months(first, months), grain, cal)  # type: ignore[arg-type]
        out.append(Choice(period.label, period.label, grain))
    return out


def rep_choices(scopes: list[Choice]) -> list[Choice]:
    """The reps among ``scopes`` (from :func:`scope_choices`), once each, by their id:
    what a user's rep id is picked from (``r1``, shown as ``Ann (r1)``)."""
    seen: dict[str, Choice] = {}
    for choice in scopes:
        if choice.group in REP_ID_DIMENSIONS:
            member = choice.value.partition("=")[2]
            seen.setdefault(member, Choice(member, choice.label, "rep"))
    return list(seen.values())
