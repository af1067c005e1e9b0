"""The sales team as people: names, teams and employment windows from ``salespeople``.

Screens show reps by name (ids on hover), orders without a rep as
"unassigned", and no value for a rep in a period they did not work in: a rep
hired in July has no "-100%" against last spring, and a rep who left shows no
zero after leaving. ``hired_at`` is the first day of employment, ``left_at`` the
last; either may be empty.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from onpace.errors import did_you_mean

if TYPE_CHECKING:
    from onpace.workspace import Workspace

# dimensions whose members are rep ids, and those that describe a rep's attributes
REP_ID_DIMENSIONS = frozenset({"rep", "rep_id", "rep.rep_id"})
REP_ATTRIBUTES = frozenset({"rep.name", "rep.team", "rep.region", "rep.manager"})
UNASSIGNED = "unassigned"
NO_VALUE = "(none)"


def _missing(value: Any) -> bool:
    """None, NaN, NaT and pandas' NA."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _day(value: Any) -> date | None:
    if _missing(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _text(value: Any) -> str | None:
    if _missing(value):
        return None
    return str(value)


@dataclass(frozen=True)
class Rep:
    """One salesperson and when they worked."""

    rep_id: str
    name: str | None = None
    team: str | None = None
    region: str | None = None
    manager: str | None = None
    hired_at: date | None = None
    left_at: date | None = None

    @property
    def display(self) -> str:
        return self.name or self.rep_id

    def employed_during(self, start: date, end: date) -> bool:
        """Whether the rep worked on any day of ``[start, end)``."""
        started = self.hired_at is None or self.hired_at < end
        stayed = self.left_at is None or self.left_at >= start
        return started and stayed

    def employment(self) -> str:
        """``hired 2025-07-17``, ``left 2026-08-23`` or both, for notes."""
        parts = []
        if self.hired_at is not None:
            parts.append(f"hired {self.hired_at}")
        if self.left_at is not None:
            parts.append(f"left {self.left_at}")
        return ", ".join(parts) or "no employment dates"

    def attribute(self, dimension: str) -> str | None:
        return {
            "rep.name": self.name,
            "rep.team": self.team,
            "rep.region": self.region,
            "rep.manager": self.manager,
        }.get(dimension)


@dataclass(frozen=True)
class Roster:
    """Every rep of the ``salespeople`` table, by id (empty when there is no such table)."""

    reps: dict[str, Rep] = field(default_factory=dict)

    def get(self, rep_id: str | None) -> Rep | None:
        return None if rep_id is None else self.reps.get(rep_id)

    def by_name(self, name: str) -> Rep | None:
        """The rep called ``name`` (case-insensitive), when exactly one is."""
        found = [r for r in self.reps.values() if r.name and r.name.lower() == name.lower()]
        return found[0] if len(found) == 1 else None

    def members_of(self, dimension: str, value: str) -> list[Rep]:
        """The reps whose ``dimension`` (rep.team, rep.region, ...) is ``value``."""
        return [r for r in self.reps.values() if r.attribute(dimension) == value]

    def label(self, dimension: str | None, member: str | None) -> str | None:
        """What a member is called on screen: a rep's name, "unassigned" for no rep."""
        if dimension is None:
            return None
        if member is None:
            rep_related = dimension in REP_ID_DIMENSIONS or dimension in REP_ATTRIBUTES
            return UNASSIGNED if rep_related else NO_VALUE
        if dimension in REP_ID_DIMENSIONS:
            rep = self.get(member)
            return rep.display if rep is not None else member
        return member

    def resolve(self, text: str) -> str:
        """A rep id for ``text``, which may be the id or the rep's name; raises when neither."""
        if text in self.reps:
            return text
        rep = self.by_name(text)
        if rep is not None:
            return rep.rep_id
        options = [*self.reps, *(r.name for r in self.reps.values() if r.name)]
        raise LookupError(f"no rep '{text}'." + did_you_mean(text, options))


def load_roster(ws: Workspace) -> Roster:
    """The workspace's reps; an empty roster when it has no ``salespeople`` table."""
    wh = ws.warehouse
    if not wh.has_table("salespeople"):
        return Roster()
    columns = wh.columns("salespeople")
    wanted = [
        c
        for c in ("rep_id", "name", "team", "region", "manager", "hired_at", "left_at")
        if c in columns
    ]
    if "rep_id" not in wanted:
        return Roster()
    frame = wh.table("salespeople").select(*wanted).execute()
    reps: dict[str, Rep] = {}
    for record in frame.to_dict("records"):
        rep_id = _text(record.get("rep_id"))
        if rep_id is None:
            continue
        reps[rep_id] = Rep(
            rep_id=rep_id,
            name=_text(record.get("name")),
            team=_text(record.get("team")),
            region=_text(record.get("region")),
            manager=_text(record.get("manager")),
            hired_at=_day(record.get("hired_at")),
            left_at=_day(record.get("left_at")),
        )
    return Roster(reps)


def employed_reps(roster: Roster, start: date, end: date) -> Iterable[Rep]:
    return (r for r in roster.reps.values() if r.employed_during(start, end))
