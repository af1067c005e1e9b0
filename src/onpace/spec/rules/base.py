"""What every rule is given and how it reports: the KPIs, where each was written, issues.

A rule is a function of a :class:`RuleContext` that yields :class:`SpecIssue` objects.
It never raises for a bad definition and never stops at the first problem: each rule
reports everything it finds, and :func:`onpace.spec.validate.validate_kpis` runs them
all, so ``onpace validate`` lists every fix in one pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from onpace.errors import IssueOwner, SpecIssue
from onpace.spec.kpi import AnyKpi
from onpace.spec.loader import KpiSource

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class RuleContext:
    """The KPIs under validation (by name, in file order) and where each was written."""

    kpis: Mapping[str, AnyKpi]
    sources: Mapping[str, KpiSource]

    def issue(
        self,
        kpi: str,
        field: Loc,
        message: str,
        fix: str = "",
        level: Literal["error", "warning"] = "error",
    ) -> SpecIssue:
        """An issue of KPI ``kpi`` at ``field`` (a path inside the KPI), with its line."""
        source = self.sources.get(kpi)
        dotted = ".".join(str(f) for f in field)
        return SpecIssue(
            level,
            source.file if source else None,
            source.line(*field) if source else None,
            f"{kpi}.{dotted}" if dotted else kpi,
            message,
            fix,
            owner=IssueOwner("kpi", kpi),
        )


Rule = Callable[[RuleContext], Iterable[SpecIssue]]
