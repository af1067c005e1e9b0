"""Rule: derived KPIs do not refer to each other in a loop (a -> b -> a).

Self-references are reported by :mod:`onpace.spec.rules.derived_formulas`; a loop
through several KPIs is reported once, at the KPI it was found from.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from onpace.errors import SpecIssue
from onpace.spec.kpi import AnyKpi, derived_references
from onpace.spec.rules.base import RuleContext


def reference_loops(kpis: Mapping[str, AnyKpi]) -> Iterator[list[str]]:
    """Each loop of derived references, as the names along it (first name repeated last)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []

    def visit(name: str) -> Iterator[list[str]]:
        state[name] = 1
        stack.append(name)
        for ref in derived_references(kpis[name]):
            if ref not in kpis or ref == name:
                continue
            if state.get(ref) == 1:
                yield [*stack[stack.index(ref) :], ref]
            elif ref not in state:
                yield from visit(ref)
        stack.pop()
        state[name] = 2

    for name in kpis:
        if name not in state:
            yield from visit(name)


def no_loops(ctx: RuleContext) -> Iterator[SpecIssue]:
    """Report every loop with the path it takes."""
    for loop in reference_loops(ctx.kpis):
        yield ctx.issue(
            loop[0],
            ("expr",),
            "derived KPIs refer to each other in a loop: " + " -> ".join(loop),
            "break the loop: one of them must not use the other",
        )
