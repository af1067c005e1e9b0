"""What explains a change of a KPI: by driver (its tree) and by member (a dimension).

``explain_change(ws, "revenue", "2026-11", "2025-11", by="channel")`` answers two
questions a sales manager asks when a number moves:

- *through which driver?* The KPI's driver tree (``revenue = buying customers x
  orders per buying customer x average order value``) is evaluated in both
  periods and its change split exactly over the drivers
  (:mod:`onpace.compare.attribution`).
- *where?* The KPI per member of a dimension (channels, reps, segments): each
  member's own change for amounts, a mix effect and a rate effect for rates
  (:mod:`onpace.compare.mix_rate`).

Against a target (``vs="target"``) the same is done for the gap between actual
and target: drivers are held against their own targets where they have one.
Every split adds up to the change; what a tree or the members cannot account
for (rounding, customers counted in two channels) is a line of its own.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from onpace.calendar import (
    Calendar,
    Grain,
    parse_period,
    period_label,
    period_start,
    same_period_last_year,
    shift_period,
)
from onpace.compare.attribution import METHODS, Method, attribute
from onpace.compare.formula import TreeFormula
from onpace.compare.loading import Comparisons
from onpace.compare.mix_rate import MemberPart, additive_members, mix_rate_members
from onpace.compare.models import DriverTree
from onpace.compare.target_reference import target_for
from onpace.compare.values import Member, Value, adds_up, period_values, volume_kpi
from onpace.errors import AttributionError, UnknownNameError, did_you_mean
from onpace.targets.actuals import KpiData, is_additive

if TYPE_CHECKING:
    from onpace.store import Store
    from onpace.workspace import Workspace

Against = Literal["period", "target"]
TOLERANCE = 1e-6
MAX_DEPTH = 4


@dataclass(frozen=True)
class DriverPart:
    """One driver's part of the change: its values in both periods and its share."""

    kpi: str
    label: str
    unit: str
    power: int
    before: float
    after: float
    part: float
    reference: str = ""

    @property
    def change(self) -> float | None:
        return self.after / self.before - 1 if self.before else None


@dataclass
class MemberView:
    """The change by member of one dimension."""

    dimension: str
    kind: Literal["additive", "rate"]
    parts: list[MemberPart]
    unexplained: float
    unexplained_reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        rows = [asdict(p) for p in sorted(self.parts, key=lambda p: -abs(p.change))]
        return {
            "dimension": self.dimension,
            "kind": self.kind,
            "rows": rows,
            "mix": math.fsum(p.mix or 0.0 for p in self.parts) if self.kind == "rate" else None,
            "rate": math.fsum(p.rate or 0.0 for p in self.parts) if self.kind == "rate" else None,
            "unexplained": self.unexplained,
            "unexplained_reason": self.unexplained_reason,
        }


@dataclass
class Explanation:
    """The change of one KPI between two periods (or against its target), explained."""

    kpi: str
    label: str
    unit: str
    grain: Grain
    period: str
    vs: str
    against: Against
    method: Method
    before: float
    after: float
    tree: DriverTree | None = None
    formula: TreeFormula | None = None
    drivers: list[DriverPart] = field(default_factory=list)
    tree_gap: float = 0.0
    tree_gap_reason: str = ""
    members: MemberView | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def change(self) -> float:
        return self.after - self.before

    @property
    def relative_change(self) -> float | None:
        return self.after / self.before - 1 if self.before else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kpi": self.kpi,
            "label": self.label,
            "unit": self.unit,
            "grain": self.grain,
            "period": self.period,
            "vs": self.vs,
            "against": self.against,
            "method": self.method,
            "before": self.before,
            "after": self.after,
            "change": self.change,
            "relative_change": self.relative_change,
            "tree": None
            if self.tree is None or self.formula is None
            else {
                "name": self.tree.name,
                "label": self.tree.label,
                "formula": self.formula.text,
                "kind": self.formula.kind,
            },
            "drivers": [{**asdict(d), "change": d.change} for d in self.drivers],
            "tree_gap": self.tree_gap,
            "tree_gap_reason": self.tree_gap_reason,
            "members": self.members.as_dict() if self.members else None,
            "notes": list(self.notes),
        }


# -- periods -------------------------------------------------------------------


def resolve_period(label: str | None, cal: Calendar, as_of: datetime) -> tuple[Grain, date]:
    """A period label, or the last complete month when None."""
    if label is None:
        this_month = period_start(as_of.date(), "month", cal)
        return "month", shift_period(this_month, "month", -1)
    try:
        return parse_period(label, cal)
    except ValueError as exc:
        raise UnknownNameError(str(exc)) from exc


def resolve_vs(
    vs: str | None, grain: Grain, start: date, cal: Calendar
) -> tuple[Against, date | None]:
    """``target``, ``previous``, ``last_year`` (the default) or a period of the same grain."""
    if vs is None or vs == "last_year":
        return "period", same_period_last_year(start, grain)
    if vs == "previous":
        return "period", shift_period(start, grain, -1)
    if vs == "target":
        return "target", None
    try:
        other_grain, other = parse_period(vs, cal)
    except ValueError as exc:
        raise UnknownNameError(f"{exc}; or use --vs last_year, previous or target") from exc
    if other_grain != grain:
        raise UnknownNameError(f"compare a {grain} with a {grain}: {vs!r} is a {other_grain}")
    if other == start:
        raise UnknownNameError(f"--vs {vs} is the period itself; choose another period")
    return "period", other


# -- trees ---------------------------------------------------------------------


def expanded_formula(comparisons: Comparisons, tree: DriverTree, depth: int) -> TreeFormula:
    """The tree's formula with drivers replaced by their own default trees, ``depth`` levels.

    A driver is replaced only when its tree has the same shape (a product inside a
    product, a sum inside a sum), so the result stays exactly attributable.
    """
    formula = comparisons.formula(tree)
    seen = {tree.kpi}
    for _ in range(max(0, min(depth, MAX_DEPTH) - 1)):
        changed = False
        for term in formula.terms:
            if term.kpi in seen:
                continue
            seen.add(term.kpi)
            inner_trees = comparisons.trees_of(term.kpi)
            if not inner_trees:
                continue
            inner = comparisons.formula(inner_trees[0])
            if any(k in seen for k in inner.kpis):
                continue
            merged = formula.substitute(term.kpi, inner)
            if merged is not None:
                formula = merged
                changed = True
        if not changed:
            break
    return formula


def _number(values: dict[Member, Value], kpi: str, side: str, label: str) -> float:
    found = values.get(None)
    if found is None or found.value is None:
        reason = found.note if found and found.note else "no data"
        raise AttributionError(f"{kpi} has no value in {label} ({reason})")
    return found.value


# -- the explanation -------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    ws: Workspace
    grain: Grain
    after_start: date
    before_start: date | None
    as_of: datetime
    method: Method

    def label(self, start: date) -> str:
        return period_label(start, self.grain, self.ws.calendar)


def _drivers(
    ctx: _Context, formula: TreeFormula, before: dict[str, float], after: dict[str, float]
) -> list[DriverPart]:
    parts = attribute(formula, before, after, ctx.method)
    out = []
    for term in formula.terms:
        spec = ctx.ws.kpis[term.kpi]
        out.append(
            DriverPart(
                term.kpi,
                spec.label,
                spec.unit,
                term.power,
                before[term.kpi],
                after[term.kpi],
                parts[term.kpi],
            )
        )
    return out


def _member_view(
    ctx: _Context, kpi: str, by: str, total_before: float, total_after: float
) -> MemberView:
    ws = ctx.ws
    spec = ws.kpis[kpi]
    assert ctx.before_start is not None
    if adds_up(spec) or is_additive(kpi, ws.kpis):
        before = period_values(ws, [kpi], ctx.grain, ctx.before_start, ctx.as_of, by)[kpi]
        after = period_values(ws, [kpi], ctx.grain, ctx.after_start, ctx.as_of, by)[kpi]
        parts = additive_members(
            {m: v.value for m, v in before.items()}, {m: v.value for m, v in after.items()}
        )
        parts = [p for p in parts if p.before is not None or p.after is not None]
        explained = math.fsum(p.change for p in parts)
        gap = (total_after - total_before) - explained
        reason = ""
        if abs(gap) > _tolerance(total_before, total_after):
            reason = (
                f"the members of {by} do not add up to the total: a distinct count counts "
                f"once what several members share"
            )
        return MemberView(by, "additive", parts, gap if reason else 0.0, reason)
    volume = volume_kpi(spec, ws.kpis)
    if volume is None:
        raise AttributionError(
            f"'{kpi}' is neither an amount that adds up over {by} nor a rate or average "
            "weighted by a volume, so its change cannot be split by member"
        )
    extra = {volume.name: volume} if not isinstance(volume, str) else {}
    volume_name = volume if isinstance(volume, str) else volume.name
    names = [kpi, volume_name]

    def sides(start: date) -> dict[Member, tuple[float, float | None]]:
        got = period_values(ws, names, ctx.grain, start, ctx.as_of, by, extra)
        out: dict[Member, tuple[float, float | None]] = {}
        for member, vol in got[volume_name].items():
            rate = got[kpi].get(member, Value(None)).value
            out[member] = (vol.value or 0.0, rate)
        return out

    split = mix_rate_members(sides(ctx.before_start), sides(ctx.after_start))
    explained = split.total_after - split.total_before
    gap = (total_after - total_before) - explained
    reason = ""
    if abs(gap) > _tolerance(total_before, total_after):
        reason = (
            f"the members' volumes overlap (one customer or order under several members of "
            f"{by}), so their weighted rates do not give the total exactly"
        )
    return MemberView(by, "rate", split.parts, gap if reason else 0.0, reason)


def _tolerance(a: float, b: float) -> float:
    return TOLERANCE * max(abs(a), abs(b), 1.0)


def _baselines(
    ctx: _Context, formula: TreeFormula, names: list[str], refs: dict[str, float]
) -> tuple[dict[str, float], str]:
    """Where drivers without a target start from: a year earlier, else the period before,
    else their actual value; the first of these where every one of them has a usable value."""
    starts = (
        ("a year earlier", same_period_last_year(ctx.after_start, ctx.grain)),
        ("the period before", shift_period(ctx.after_start, ctx.grain, -1)),
        ("their actual value", ctx.after_start),
    )
    for word, start in starts:
        got = period_values(ctx.ws, names, ctx.grain, start, ctx.as_of)
        values = {n: got[n].get(None, Value(None)).value for n in names}
        if any(v is None for v in values.values()):
            continue
        base = {**refs, **{k: v for k, v in values.items() if v is not None}}
        try:
            planned = formula.evaluate(base)
        except ZeroDivisionError:
            continue
        if formula.kind == "sum" or planned > 0:
            return base, word
    raise AttributionError(
        f"{', '.join(names)}: no target, and no usable value to start from, so the target "
        "cannot be traced to them; set targets on them"
    )


def _driver_targets(
    ctx: _Context,
    formula: TreeFormula,
    target: float,
    store: Store,
    data: KpiData,
) -> tuple[dict[str, float], dict[str, str], list[str]]:
    """Reference values of the drivers: their own targets, the rest share what is left."""
    refs: dict[str, float] = {}
    sources: dict[str, str] = {}
    notes: list[str] = []
    for term in formula.terms:
        found = target_for(ctx.ws, store, term.kpi, ctx.grain, ctx.after_start, data)
        if found is not None:
            refs[term.kpi] = found.value
            sources[term.kpi] = found.source
    open_terms = [t for t in formula.terms if t.kpi not in refs]
    if not open_terms:
        return refs, sources, notes
    values, start_word = _baselines(ctx, formula, [t.kpi for t in open_terms], refs)
    planned = formula.evaluate(values)
    m = len(open_terms)
    if formula.kind == "sum":
        step = (target - planned) / m
        for t in open_terms:
            refs[t.kpi] = values[t.kpi] + t.power * step
    else:
        if planned <= 0 or target <= 0:
            raise AttributionError(
                "the drivers without a target cannot be scaled to the target (a value is 0 or "
                "negative); set targets on them"
            )
        factor = (target / planned) ** (1 / m)
        for t in open_terms:
            refs[t.kpi] = values[t.kpi] * factor**t.power
    names = ", ".join(t.kpi for t in open_terms)
    notes.append(
        f"{names} {'has no target of its own' if m == 1 else 'have no targets of their own'}: "
        "the part of the target not covered by the other drivers is spread evenly over "
        + ("it" if m == 1 else "them")
        + f", starting from {start_word}"
    )
    for t in open_terms:
        sources[t.kpi] = "implied by the target"
    return refs, sources, notes


def explain_change(
    ws: Workspace,
    kpi: str,
    period: str | None = None,
    vs: str | None = None,
    by: str | None = None,
    tree: str | None = None,
    method: str = "shapley",
    depth: int = 1,
    as_of: datetime | None = None,
    store: Store | None = None,
) -> Explanation:
    """Explain ``kpi``'s change from ``vs`` (a period, ``last_year``, ``previous`` or
    ``target``) to ``period`` by its drivers, and by the members of ``by`` if given."""
    if kpi not in ws.kpis:
        raise UnknownNameError(f"unknown KPI '{kpi}'." + did_you_mean(kpi, ws.kpis))
    if method not in METHODS:
        raise AttributionError(f"unknown method {method!r}; use " + " or ".join(METHODS))
    spec = ws.kpis[kpi]
    if by is not None and by not in spec.dimensions:
        raise UnknownNameError(
            f"KPI '{kpi}' cannot be broken down by '{by}'."
            + did_you_mean(by, spec.dimensions)
            + (f" Its dimensions: {', '.join(spec.dimensions)}" if spec.dimensions else "")
        )
    as_of = as_of or ws.now()
    grain, after_start = resolve_period(period, ws.calendar, as_of)
    against, before_start = resolve_vs(vs, grain, after_start, ws.calendar)
    comparisons: Comparisons = ws.comparisons
    chosen = None
    if tree is not None or by is None:
        chosen = comparisons.tree(kpi, tree)
    elif comparisons.trees_of(kpi):
        chosen = comparisons.trees_of(kpi)[0]
    formula = expanded_formula(comparisons, chosen, depth) if chosen else None
    ctx = _Context(ws, grain, after_start, before_start, as_of, method)  # type: ignore[arg-type]
    names = [kpi, *(formula.kpis if formula else ())]
    after_values = period_values(ws, names, grain, after_start, as_of)
    label_after = ctx.label(after_start)
    notes: list[str] = []
    if after_start >= period_start(as_of.date(), grain, ws.calendar):
        notes.append(f"{label_after} is still in progress: its values are to date")
    after = {n: _number(after_values[n], n, "after", label_after) for n in names}
    if against == "period":
        assert before_start is not None
        label_before = ctx.label(before_start)
        before_values = period_values(ws, names, grain, before_start, as_of)
        before = {n: _number(before_values[n], n, "before", label_before) for n in names}
        sources: dict[str, str] = {}
    else:
        label_before = "target"
        if store is None:
            raise AttributionError("explaining a gap to target needs the state store")
        data = KpiData(ws, as_of)
        root = target_for(ws, store, kpi, grain, after_start, data)
        if root is None:
            raise AttributionError(
                f"{kpi} has no target for {label_after}; set one with: onpace target set "
                f"{kpi} {label_after} VALUE"
            )
        before = {kpi: root.value}
        sources = {kpi: root.source}
        notes.append(f"the target is the {root.source}")
        if formula is not None:
            refs, driver_sources, more = _driver_targets(ctx, formula, root.value, store, data)
            before.update(refs)
            sources.update(driver_sources)
            notes.extend(more)
    result = Explanation(
        kpi,
        spec.label,
        spec.unit,
        grain,
        label_after,
        label_before,
        against,
        method,  # type: ignore[arg-type]
        before[kpi],
        after[kpi],
        tree=chosen,
        formula=formula,
        notes=notes,
    )
    if formula is not None:
        result.drivers = [
            DriverPart(**{**asdict(d), "reference": sources.get(d.kpi, "")})
            for d in _drivers(ctx, formula, before, after)
        ]
        explained = math.fsum(d.part for d in result.drivers)
        gap = result.change - explained
        if abs(gap) > _tolerance(result.before, result.after):
            result.tree_gap = gap
            result.tree_gap_reason = (
                "the drivers' targets do not multiply to the KPI's target"
                if against == "target"
                else "the tree's identity does not hold exactly on these values "
                "(run onpace validate)"
            )
    if by is not None:
        if against == "target":
            assert store is not None  # a gap to target was refused above without a store
            result.members = _member_targets(ctx, kpi, by, result, store)
        else:
            result.members = _member_view(ctx, kpi, by, result.before, result.after)
    return result


def _member_targets(
    ctx: _Context, kpi: str, by: str, result: Explanation, store: Store
) -> MemberView:
    """The gap to target by member, for amounts: member targets, the rest by last year's share."""
    ws = ctx.ws
    if not (adds_up(ws.kpis[kpi]) or is_additive(kpi, ws.kpis)):
        raise AttributionError(
            f"a target of the rate '{kpi}' is not split over members; explain the gap by "
            "driver, or compare two periods by member"
        )
    data = KpiData(ws, ctx.as_of)
    after = period_values(ws, [kpi], ctx.grain, ctx.after_start, ctx.as_of, by)[kpi]
    base_start = same_period_last_year(ctx.after_start, ctx.grain)
    base = period_values(ws, [kpi], ctx.grain, base_start, ctx.as_of, by)[kpi]
    members = list(dict.fromkeys([*after, *base]))
    refs: dict[Member, float | None] = {}
    for m in members:
        found = target_for(ws, store, kpi, ctx.grain, ctx.after_start, data, by, m)
        if found is not None:
            refs[m] = found.value
    rest = result.before - math.fsum(v for v in refs.values() if v is not None)
    open_members = [m for m in members if m not in refs]
    weights = {m: max(base.get(m, Value(None)).value or 0.0, 0.0) for m in open_members}
    total = math.fsum(weights.values())
    for m in open_members:
        share = weights[m] / total if total > 0 else 1 / len(open_members)
        refs[m] = rest * share
    parts = additive_members(refs, {m: v.value for m, v in after.items()})
    gap = result.change - math.fsum(p.change for p in parts)
    reason = ""
    if abs(gap) > _tolerance(result.before, result.after):
        reason = f"the members of {by} do not add up to the total"
    result.notes.append(
        f"members without a target of their own share the rest of the target by their "
        f"share of {period_label(base_start, ctx.grain, ws.calendar)}"
    )
    return MemberView(by, "additive", parts, gap if reason else 0.0, reason)
