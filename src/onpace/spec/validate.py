"""Check KPI definitions against the sales data model and against each other.

The rules live in :mod:`onpace.spec.rules`, one module each, and run in the order
listed there. They collect issues instead of stopping at the first, so
``onpace validate`` shows everything that needs fixing in one pass. Each issue says
the file, line and field, the KPI it belongs to, what is wrong and how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from onpace.errors import SpecIssue
from onpace.spec.kpi import AnyKpi
from onpace.spec.loader import KpiSource
from onpace.spec.rules import RULES, Rule, RuleContext


def validate_kpis(
    kpis: list[AnyKpi], sources: Mapping[str, KpiSource], rules: Iterable[Rule] = RULES
) -> list[SpecIssue]:
    """Every issue in ``kpis``, checked by ``rules``; ordered by KPI, then by line."""
    ctx = RuleContext({k.name: k for k in kpis}, sources)
    issues = [issue for rule in rules for issue in rule(ctx)]
    position = {name: i for i, name in enumerate(ctx.kpis)}
    return sorted(
        issues,
        key=lambda i: (position.get(i.kpi or "", len(position)), i.line or 0),
    )
