"""Trace a KPI's target down its driver tree: which drivers must move, and by how much.

For every driver the trace shows its actual value in the period, its own target
if it has one, and the value it would have to reach for the KPI to make its
target *if the other drivers stayed where they are*: ``target / (the others'
product)`` in a product, ``target - (the others' sum)`` in a sum. A driver with a
tree of its own is traced further, against its own target or, without one,
against the value its parent needs from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from onpace.calendar import Grain, period_label, period_start
from onpace.compare.formula import TreeFormula
from onpace.compare.target_reference import target_for
from onpace.compare.values import period_values
from onpace.targets.actuals import KpiData

if TYPE_CHECKING:
    from onpace.store import Store
    from onpace.workspace import Workspace

MAX_LEVELS = 3


@dataclass
class TraceNode:
    """One KPI in the trace."""

    kpi: str
    label: str
    unit: str
    actual: float | None
    target: float | None = None
    target_source: str = ""
    needed: float | None = None
    formula: str = ""
    children: list[TraceNode] = field(default_factory=list)

    @property
    def needed_change(self) -> float | None:
        if self.needed is None or not self.actual:
            return None
        return self.needed / self.actual - 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "kpi": self.kpi,
            "label": self.label,
            "unit": self.unit,
            "actual": self.actual,
            "target": self.target,
            "target_source": self.target_source,
            "needed": self.needed,
            "needed_change": self.needed_change,
            "formula": self.formula,
            "children": [c.as_dict() for c in self.children],
        }


def needed_alone(
    formula: TreeFormula, values: dict[str, float | None], target: float, kpi: str
) -> float | None:
    """What ``kpi`` must be for ``formula`` to reach ``target`` with the others unchanged."""
    others = [t for t in formula.terms if t.kpi != kpi]
    power = next(t.power for t in formula.terms if t.kpi == kpi)
    if any(values.get(t.kpi) is None for t in others):
        return None
    if formula.kind == "sum":
        rest = sum(t.power * (values[t.kpi] or 0.0) for t in others)
        return (target - rest) * power
    product = 1.0
    for t in others:
        v = values[t.kpi] or 0.0
        if v == 0 and t.power < 0:
            return None
        product = product * v if t.power > 0 else product / v
    if product == 0:
        return None
    needed = target / product
    if power > 0:
        return needed
    return 1 / needed if needed else None


@dataclass(frozen=True)
class _Trace:
    ws: Workspace
    store: Store
    data: KpiData
    grain: Grain
    start: date
    values: dict[str, float | None]


def _node(t: _Trace, kpi: str, goal: float | None, level: int, seen: frozenset[str]) -> TraceNode:
    spec = t.ws.kpis[kpi]
    node = TraceNode(kpi, spec.label, spec.unit, t.values.get(kpi))
    own = target_for(t.ws, t.store, kpi, t.grain, t.start, t.data)
    if own is not None:
        node.target, node.target_source = own.value, own.source
    trees = t.ws.comparisons.trees_of(kpi)
    if not trees or level >= MAX_LEVELS:
        return node
    formula = t.ws.comparisons.formula(trees[0])
    node.formula = formula.text
    aim = node.target if node.target is not None else goal
    for term in formula.terms:
        if term.kpi in seen:
            continue
        needed = needed_alone(formula, t.values, aim, term.kpi) if aim is not None else None
        child = _node(t, term.kpi, needed, level + 1, seen | {term.kpi})
        child.needed = needed
        node.children.append(child)
    return node


def _names(ws: Workspace, kpi: str, level: int, seen: set[str]) -> None:
    seen.add(kpi)
    trees = ws.comparisons.trees_of(kpi)
    if trees and level < MAX_LEVELS:
        for name in ws.comparisons.formula(trees[0]).kpis:
            if name not in seen:
                _names(ws, name, level + 1, seen)


def trace_tree(
    ws: Workspace,
    store: Store,
    kpi: str,
    grain: Grain,
    start: date,
    as_of: datetime | None = None,
) -> tuple[TraceNode, list[str]]:
    """The trace of ``kpi``'s target in the period ``start`` of ``grain``, and notes."""
    ws.comparisons.tree(kpi)  # a clear error when the KPI has no tree
    as_of = as_of or ws.now()
    names: set[str] = set()
    _names(ws, kpi, 0, names)
    got = period_values(ws, sorted(names), grain, start, as_of)
    values = {n: v.value if (v := got[n].get(None)) is not None else None for n in names}
    trace = _Trace(ws, store, KpiData(ws, as_of), grain, start, values)
    root = _node(trace, kpi, None, 0, frozenset({kpi}))
    notes = []
    label = period_label(start, grain, ws.calendar)
    if start >= period_start(as_of.date(), grain, ws.calendar):
        notes.append(
            f"{label} is in progress: actual values are to date, targets are for all of it"
        )
    if root.target is None:
        notes.append(f"{kpi} has no target for {label}: set one to see what its drivers must reach")
    return root, notes
