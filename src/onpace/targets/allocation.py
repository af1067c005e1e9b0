"""Do the quotas add up? The targets of a dimension's members against the target above.

For each period in which members of a dimension have targets of their own (rep
quotas for 2026-Q4, channel targets for 2026), their targets are added up and
held against the target above them as it applies to that period (set for it, or
phased down from a longer one; see :mod:`onpace.targets.selection`): rep quotas
against their team's target and, where no team has one, against the total; team
targets and any other dimension's targets against the total. A team (or region)
without a target of its own counts with the sum of its reps' quotas, as the
scorecard shows it (one rule for which target applies). A gap of more than
:data:`TOLERANCE` of the target above is reported: *under-allocated* when the
members' targets fall short (part of the target is nobody's), *over-allocated*
when they exceed it (the plan counts on more than the total asks). Only sums and
counts add up; a rate's members are not summed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from onpace.targets.definition import Target, TargetPeriod
from onpace.targets.roster import REP_ATTRIBUTES, REP_ID_DIMENSIONS, Roster
from onpace.targets.selection import AppliedTarget, History, applicable_targets, own_or_phased

TOLERANCE = 0.005
_WORDS = {
    "rep.team": "team targets",
    "rep.region": "region targets",
    "rep.manager": "manager targets",
}
Kind = Literal["under", "over", "balanced"]


@dataclass(frozen=True)
class Allocation:
    """The members' targets of one period against the target above them."""

    kpi: str
    period: str
    parent: str
    parent_value: float
    parent_source: str
    children: str
    count: int
    total: float
    rolled_up: int = 0

    @property
    def gap(self) -> float:
        """What the target above asks beyond the members' targets (negative: over)."""
        return self.parent_value - self.total

    @property
    def share(self) -> float | None:
        return self.gap / self.parent_value if self.parent_value else None

    @property
    def kind(self) -> Kind:
        share = self.share
        if share is None:
            return "balanced" if self.total == 0 else "over"
        if abs(share) <= TOLERANCE:
            return "balanced"
        return "under" if share > 0 else "over"

    def message(self) -> str:
        """``rep quotas for 2026-Q4 add up to 365,100: 864,628 (70%) short of ...``."""
        above = "the total target" if self.parent == "all" else f"the {self.parent} target"
        words = self.children if self.count != 1 else _singular(self.children)
        if self.rolled_up:
            words += f" ({self.rolled_up} summed from rep quotas)"
        verb = "is" if self.count == 1 else "add up to"
        head = f"{self.count} {words} for {self.period} {verb} {_n(self.total)}"
        if self.kind == "balanced":
            return f"{head}, matching {above} ({_n(self.parent_value)})"
        share = f" ({abs(self.share):.0%})" if self.share is not None else ""
        side = "short of" if self.kind == "under" else "more than"
        return (
            f"{head}: {_n(abs(self.gap))}{share} {side} {above} of {_n(self.parent_value)} "
            f"({self.parent_source}), {self.kind}-allocated"
        )


def _singular(words: str) -> str:
    """``rep quotas`` -> ``rep quota``, ``team targets`` -> ``team target``."""
    return words.replace("quotas", "quota", 1).replace("targets", "target", 1)


def _n(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def _check(
    kpi: str,
    period: TargetPeriod,
    scope: str,
    parent: AppliedTarget | None,
    members: Sequence[AppliedTarget],
    children: str,
) -> Allocation | None:
    if parent is None or not members:
        return None
    return Allocation(
        kpi=kpi,
        period=period.label,
        parent=scope,
        parent_value=parent.target.value,
        parent_source=parent.source,
        children=children,
        count=len(members),
        total=sum(m.target.value for m in members),
        rolled_up=sum(1 for m in members if m.origin == "rolled up"),
    )


def allocations(
    current: Sequence[Target],
    kpi: str,
    additive: Callable[[str], bool],
    history: History,
    roster: Roster,
) -> list[Allocation]:
    """Every check of ``kpi``'s member targets against the targets above them."""
    if not additive(kpi):
        return []
    mine = [t for t in current if t.kpi == kpi]
    spans: dict[tuple[str, object, object], tuple[str, TargetPeriod]] = {}
    for t in mine:
        if t.dimension is not None:
            spans.setdefault((t.dimension, t.period.start, t.period.end), (t.dimension, t.period))
    out: list[Allocation | None] = []
    for dim, period in sorted(spans.values(), key=lambda dp: (dp[1].start, -dp[1].days, dp[0])):
        if dim in REP_ATTRIBUTES:  # teams without a target count with their reps' quotas
            members = applicable_targets(mine, period, dim, additive, history, roster, [kpi])
        else:
            members = own_or_phased(mine, period, dim, additive, history, [kpi])
        total = own_or_phased(mine, period, None, additive, history, [kpi]).get((kpi, None))
        words = "rep quotas" if dim in REP_ID_DIMENSIONS else _WORDS.get(dim, f"{dim} targets")
        if dim in REP_ID_DIMENSIONS:
            teams = own_or_phased(mine, period, "rep.team", additive, history, [kpi])
            for (_, team), parent in sorted(teams.items(), key=lambda kv: str(kv[0][1])):
                reps = [
                    a
                    for (_, rep_id), a in members.items()
                    if (rep := roster.get(rep_id)) is not None and rep.team == team
                ]
                out.append(_check(kpi, period, f"rep.team={team}", parent, reps, words))
            if teams:
                continue
        out.append(_check(kpi, period, "all", total, list(members.values()), words))
    return [a for a in out if a is not None]
