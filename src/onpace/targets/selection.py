"""Which target applies to a period: the one rule every screen, table and check uses.

For a KPI, a period and a scope (the total, or one member of a dimension):

1. the target set for exactly that period and scope;
2. else the shortest longer target of that scope that covers the period, phased
   down with its own phasing (a seasonal 2026 revenue target seen in December
   gives December's seasonal share): shown as ``2026 phased (seasonal)``;
3. else, for sums and counts, the targets one level down added up: rep quotas
   roll up to their team (or region, or manager), and team targets (or, without
   any, rep quotas) to the total, shown as ``sum of 3 rep quotas``. Where the
   levels disagree, :mod:`onpace.targets.allocation` says by how much.

A retired target no longer applies (the store leaves it out of ``current``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from onpace.targets.definition import Target, TargetPeriod, phase_down
from onpace.targets.roster import REP_ATTRIBUTES, REP_ID_DIMENSIONS, Roster

Origin = Literal["own", "phased", "rolled up"]
History = Callable[[str, str | None, str | None], Mapping[date, float]]
Key = tuple[str, str | None]  # (KPI, member)


@dataclass(frozen=True)
class AppliedTarget:
    """A target as it applies to one period and scope, and where it comes from.

    ``target`` is the stored target (``own``), its part for the period
    (``phased``), or the sum of the targets below (``rolled up``); ``parts`` are the
    stored targets it was made from.
    """

    target: Target
    origin: Origin
    source: str
    parts: tuple[Target, ...] = ()


def _phasing_word(t: Target) -> str:
    return "weights" if t.phasing == "weights" else t.phasing


def own_or_phased(
    current: Iterable[Target],
    period: TargetPeriod,
    dimension: str | None,
    additive: Callable[[str], bool],
    history: History,
    kpis: Iterable[str] | None = None,
) -> dict[Key, AppliedTarget]:
    """Rules 1 and 2 for every (KPI, member) of ``dimension`` that has a target."""
    wanted = None if kpis is None else set(kpis)
    exact: dict[Key, Target] = {}
    longer: dict[Key, list[Target]] = {}
    for t in current:
        if t.dimension != dimension or (wanted is not None and t.kpi not in wanted):
            continue
        key = (t.kpi, t.dimension_value)
        if t.period.same_span(period):
            exact[key] = t
        elif t.period.covers(period) and t.period.days > period.days:
            longer.setdefault(key, []).append(t)
    out: dict[Key, AppliedTarget] = {
        key: AppliedTarget(t, "own", t.period.label, (t,)) for key, t in exact.items()
    }
    for key, options in longer.items():
        if key in out:
            continue
        parent = min(options, key=lambda t: (t.period.days, t.period.start))
        shape = history(parent.kpi, dimension, key[1]) if parent.phasing == "seasonal" else {}
        part = phase_down(parent, period, additive(parent.kpi), shape)
        source = f"{parent.period.label} phased ({_phasing_word(parent)})"
        out[key] = AppliedTarget(part, "phased", source, (parent,))
    return out


def summed(
    kpi: str,
    period: TargetPeriod,
    dimension: str | None,
    member: str | None,
    below: Sequence[AppliedTarget],
    what: str,
) -> AppliedTarget:
    """A target for (``dimension`` = ``member``) that is the sum of the targets ``below``."""
    parts = tuple(p for a in below for p in a.parts)

    def total(values: Sequence[float | None]) -> float | None:
        return None if any(v is None for v in values) else sum(v or 0.0 for v in values)

    target = Target(
        kpi=kpi,
        period=period,
        value=sum(a.target.value for a in below),
        dimension=dimension,
        dimension_value=member,
        floor=total([a.target.floor for a in below]),
        stretch=total([a.target.stretch for a in below]),
    )
    words = what if len(below) != 1 else what.removesuffix("s")
    return AppliedTarget(target, "rolled up", f"sum of {len(below)} {words}", parts)


def _rep_level(
    levels: Callable[[str | None], dict[Key, AppliedTarget]],
    rep_dims: Sequence[str],
) -> tuple[str | None, dict[Key, AppliedTarget]]:
    for dim in rep_dims:
        found = levels(dim)
        if found:
            return dim, found
    return None, {}


def rolled_up(
    level: dict[Key, AppliedTarget],
    dimension: str | None,
    period: TargetPeriod,
    levels: Callable[[str | None], dict[Key, AppliedTarget]],
    roster: Roster,
    additive: Callable[[str], bool],
    rep_dims: Sequence[str],
) -> dict[Key, AppliedTarget]:
    """Rule 3: ``level`` completed with sums of the level below, where it has no target."""
    out = dict(level)
    if dimension in REP_ATTRIBUTES:
        _, reps = _rep_level(levels, rep_dims)
        groups: dict[Key, list[AppliedTarget]] = {}
        for (kpi, rep_id), applied in reps.items():
            rep = roster.get(rep_id)
            value = rep.attribute(dimension) if rep is not None else None
            if value is not None and additive(kpi):
                groups.setdefault((kpi, value), []).append(applied)
        for key, group in groups.items():
            if key not in out:
                out[key] = summed(key[0], period, dimension, key[1], group, "rep quotas")
        return out
    if dimension is not None:
        return out
    source, what = levels("rep.team"), "team targets"
    if source:  # teams with a target of their own, and the others from their reps' quotas
        source = rolled_up(source, "rep.team", period, levels, roster, additive, rep_dims)
    else:
        _, source = _rep_level(levels, rep_dims)
        what = "rep quotas"
    below: dict[str, list[AppliedTarget]] = {}
    for (kpi, _member), applied in source.items():
        if additive(kpi):
            below.setdefault(kpi, []).append(applied)
    for kpi, parts in below.items():
        if (kpi, None) not in out:
            out[(kpi, None)] = summed(kpi, period, None, None, parts, what)
    return out


def applicable_targets(
    current: Sequence[Target],
    period: TargetPeriod,
    dimension: str | None,
    additive: Callable[[str], bool],
    history: History,
    roster: Roster,
    kpis: Iterable[str] | None = None,
) -> dict[Key, AppliedTarget]:
    """The target of every (KPI, member of ``dimension``) in ``period``, by rules 1 to 3."""
    wanted = None if kpis is None else list(kpis)
    cache: dict[str | None, dict[Key, AppliedTarget]] = {}

    def levels(dim: str | None) -> dict[Key, AppliedTarget]:
        if dim not in cache:
            cache[dim] = own_or_phased(current, period, dim, additive, history, wanted)
        return cache[dim]

    rep_dims = sorted({t.dimension for t in current if t.dimension in REP_ID_DIMENSIONS})
    if dimension in REP_ID_DIMENSIONS or (
        dimension is not None and dimension not in REP_ATTRIBUTES
    ):
        return levels(dimension)
    return rolled_up(levels(dimension), dimension, period, levels, roster, additive, rep_dims)
