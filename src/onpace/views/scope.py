"""What one user may see of per-rep numbers: the row filter behind every per-rep view.

A rep sees the totals, and of any breakdown by rep only their own row. The
filter is applied by the data functions (scorecard, KPI breakdown, values,
targets, target history) before anything is rendered or returned as JSON or
CSV, so no template, URL or API parameter can show another rep's numbers.

Totals can give a colleague away too: a rep who knows their own number reads
their only teammate's off the team total by subtraction. So a total is hidden
from a rep when some other rep contributes to it and fewer than
``min_group`` reps do (``privacy.min_group_size`` in onpace.yml, default 3).
:meth:`Scope.total_visible` is that rule; :func:`rep_contributors` finds who
contributes to each total, and the data functions call both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from onpace.auth import Identity

if TYPE_CHECKING:
    from onpace.calendar import ComputeGrain
    from onpace.workspace import Workspace

# Dimensions whose members are individual reps. Team and region roll-ups are not per rep.
REP_DIMENSIONS = frozenset({"rep", "rep.rep_id", "rep.name", "rep_id"})
DEFAULT_MIN_GROUP = 3
HIDDEN_NOTE = "hidden: fewer than {n} reps contribute to this total"

T = TypeVar("T")

# (kpi, first day of the period, member of the breakdown or None) -> rep ids with data
Contributors = dict[tuple[str, date, str | None], frozenset[str]]


@dataclass(frozen=True)
class Scope:
    """``restricted``: only the rows of ``rep_id`` in per-rep views (None: no rep rows).

    ``min_group``: the fewest reps a total must draw on before a restricted
    viewer may see it, when it draws on anyone but them.
    """

    restricted: bool = False
    rep_id: str | None = None
    min_group: int = DEFAULT_MIN_GROUP

    @classmethod
    def of(cls, who: Identity, min_group: int = DEFAULT_MIN_GROUP) -> Scope:
        return cls(restricted=who.role == "rep", rep_id=who.rep_id, min_group=min_group)

    @property
    def key(self) -> tuple[bool, str | None, int]:
        """What makes two scopes see different numbers (for cache keys)."""
        return (self.restricted, self.rep_id, self.min_group)

    def allows(self, dimension: str | None, member: object) -> bool:
        """Whether a row of ``dimension`` = ``member`` may be shown."""
        if not self.restricted or dimension is None or dimension not in REP_DIMENSIONS:
            return True
        return self.rep_id is not None and member is not None and str(member) == self.rep_id

    def keep(
        self, dimension: str | None, rows: Iterable[T], member: Callable[[T], object]
    ) -> list[T]:
        return [r for r in rows if self.allows(dimension, member(r))]

    @property
    def checks_totals(self) -> bool:
        """Whether :meth:`total_visible` can ever say no (worth computing contributors)."""
        return self.restricted and self.min_group > 1

    def total_visible(self, members: Iterable[object] | None) -> bool:
        """Whether a total to which the reps ``members`` contribute may be shown.

        Visible to everyone who is not restricted; to a rep, when only they
        contribute (nothing to subtract), when no rep does (web orders), or when
        at least ``min_group`` reps do. ``None`` (the KPI cannot be split by rep,
        so no rep number of it is shown anywhere) is visible.

        >>> rep = Scope(restricted=True, rep_id="r1", min_group=3)
        >>> rep.total_visible({"r1", "r2"}), rep.total_visible({"r1", "r2", "r3"})
        (False, True)
        >>> rep.total_visible({"r1"}), rep.total_visible(set()), rep.total_visible({"r2"})
        (True, True, False)
        """
        if not self.checks_totals or members is None:
            return True
        reps = {str(m) for m in members if m is not None}
        others = reps - {self.rep_id} if self.rep_id is not None else reps
        return not others or len(reps) >= self.min_group

    def hidden_note(self) -> str:
        return HIDDEN_NOTE.format(n=self.min_group)

    def hide_totals(
        self,
        rows: Iterable[dict[str, Any]],
        contributors: Contributors,
        key: Callable[[dict[str, Any]], tuple[str, date, str | None]],
        fields: Sequence[str] = ("value",),
    ) -> list[dict[str, Any]]:
        """``rows`` with ``fields`` blanked (and the note saying why) where a total is hidden.

        ``key`` gives a row's (kpi, first day of its period, member); rows of a
        total nobody contributes to, or of a KPI not split by rep, stay as they are.
        """
        out = []
        for row in rows:
            if self.total_visible(contributors.get(key(row))):
                out.append(row)
            else:
                out.append({**row, **dict.fromkeys(fields), "note": self.hidden_note()})
        return out


UNRESTRICTED = Scope()


def rep_dimension(ws: Workspace, kpi: str) -> str | None:
    """The dimension of ``kpi`` whose members are reps, if it has one."""
    dims = ws.kpis[kpi].dimensions
    return next((d for d in ("rep", "rep_id", "rep.rep_id") if d in dims), None)


def _contributes(ws: Workspace, kpi: str) -> Callable[[Any], bool]:
    """Whether a rep's value in a total means they put rows into it.

    A sum or count of 0 is what a rep without rows gets; a rate or an average of 0
    (a rep who won none of their quotes) still weighs in the total.
    """
    from onpace.spec.kpi import SimpleKpi
    from onpace.targets.actuals import is_additive

    definition = ws.kpis[kpi]
    empty_is_zero = is_additive(kpi, ws.kpis) or (
        isinstance(definition, SimpleKpi) and definition.agg == "count_distinct"
    )

    def contributes(value: Any) -> bool:
        if value is None or value != value:
            return False
        return not (empty_is_zero and value == 0)

    return contributes


def rep_contributors(
    ws: Workspace,
    kpis: Sequence[str],
    grain: ComputeGrain,
    start: date,
    end_before: date,
    by: str | None,
    as_of: datetime,
) -> Contributors:
    """Who contributes to each total of ``kpis`` per period (and member of ``by``).

    One extra computation per KPI, broken down by rep as well as ``by``. KPIs
    that cannot be split by rep are left out (their totals stay visible; see
    :meth:`Scope.total_visible`), and so is a breakdown that is by rep already.
    """
    if by is not None and by in REP_DIMENSIONS:
        return {}
    out: Contributors = {}
    for kpi in kpis:
        rep = rep_dimension(ws, kpi)
        if rep is None or (by is not None and by not in ws.kpis[kpi].dimensions):
            continue
        dims = [rep] if by is None else [by, rep]
        frame = ws.compute(
            [kpi], grain=grain, start=start, end_before=end_before, by=dims, as_of=as_of
        )
        contributes = _contributes(ws, kpi)
        found: dict[tuple[str, date, str | None], set[str]] = {}
        members = frame[by] if by is not None else [None] * len(frame)
        for period, member, who, value in zip(
            frame["period"], members, frame[rep], frame["value"], strict=True
        ):
            key = (kpi, _day(period), None if member is None else str(member))
            reps = found.setdefault(key, set())
            if who is not None and contributes(value):
                reps.add(str(who))
        out.update({k: frozenset(v) for k, v in found.items()})
    return out


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
