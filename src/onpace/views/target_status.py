"""The status scorecard: every targeted KPI's actual, target, attainment, pace,
projection, probability and status, grouped by the objective it serves.

One data function (:func:`status_scorecard`) serves the CLI table and, later, the
web page and its JSON. Without a period it shows the targets whose period is in
progress; ``period`` picks one (``2026-Q3``); ``by`` shows the targets set per
value of a dimension (``rep``) instead of the totals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from onpace.errors import SpecError
from onpace.objectives.tree import (
    KpiScore,
    Objectives,
    ObjectiveStatus,
    load_objectives,
    objective_groups,
)
from onpace.store import Store
from onpace.targets.actuals import KpiData
from onpace.targets.definition import Target, parse_target_period
from onpace.targets.evaluation import TargetStatus, evaluate_target
from onpace.targets.pace import Status
from onpace.workspace import Workspace

UNLINKED = "(no objective)"


@dataclass
class ScorecardGroup:
    """The rows of one objective (or of KPIs linked to none), with its roll-up."""

    name: str
    label: str
    depth: int
    attainment: float | None
    status: Status | None
    drags: list[tuple[str, float]]
    rows: list[TargetStatus] = field(default_factory=list)


@dataclass
class StatusScorecard:
    as_of: datetime
    period: str | None
    by: str | None
    groups: list[ScorecardGroup]
    rows: list[TargetStatus]

    def as_dict(self) -> dict[str, object]:
        return {
            "as_of": self.as_of.isoformat(),
            "period": self.period,
            "by": self.by,
            "groups": [
                {
                    "name": g.name,
                    "label": g.label,
                    "depth": g.depth,
                    "attainment": g.attainment,
                    "status": g.status,
                    "drags": [{"name": n, "shortfall": s} for n, s in g.drags],
                    "rows": [r.as_dict() for r in g.rows],
                }
                for g in self.groups
            ],
        }


def workspace_objectives(ws: Workspace) -> Objectives:
    """The workspace's objectives; raises :class:`SpecError` when objectives.yml is wrong."""
    objectives = load_objectives(ws.root, ws.config.objectives_file, ws.kpis)
    if any(i.level == "error" for i in objectives.issues):
        raise SpecError(objectives.issues)
    return objectives


def select_targets(
    ws: Workspace, targets: Sequence[Target], period: str | None, by: str | None, today: object
) -> list[Target]:
    """The targets a scorecard shows: of ``period`` (or in progress), totals or per ``by``."""
    label = parse_target_period(period, ws.calendar).label if period else None
    out = []
    for t in targets:
        if t.kpi not in ws.kpis or t.dimension != by:
            continue
        if label is not None and t.period.label != label:
            continue
        if label is None and not t.period.contains(today):  # type: ignore[arg-type]
            continue
        out.append(t)
    return sorted(out, key=lambda t: (t.kpi, t.period.start, -t.period.days, t.scope))


def _scores(rows: Sequence[TargetStatus]) -> dict[str, KpiScore]:
    """One score per KPI for roll-ups: its first total target (the longest, rows are
    sorted by period start and longest first)."""
    best: dict[str, TargetStatus] = {}
    for r in rows:
        if r.scope == "all" and r.kpi not in best:
            best[r.kpi] = r
    return {k: KpiScore(r.score, r.status) for k, r in best.items()}


def status_scorecard(
    ws: Workspace,
    store: Store,
    period: str | None = None,
    by: str | None = None,
    as_of: datetime | None = None,
) -> StatusScorecard:
    """Evaluate the selected targets and group them by objective."""
    moment = as_of or ws.now()
    objectives = workspace_objectives(ws)
    targets = select_targets(ws, store.current(), period, by, moment.date())
    data = KpiData(ws, moment)
    rows = [evaluate_target(data, t, ws.config.status) for t in targets]
    scores = _scores(rows) if by is None else {}
    groups: list[ScorecardGroup] = []
    linked: set[str] = set()
    for node, kpi_names in objective_groups(objectives, ws.kpis, scores, ws.config.status):
        names = set(kpi_names)
        linked |= names
        groups.append(_group(node, [r for r in rows if r.kpi in names]))
    rest = [r for r in rows if r.kpi not in linked]
    if rest:
        groups.append(
            ScorecardGroup(UNLINKED, "KPIs linked to no objective", 0, None, None, [], rest)
        )
    return StatusScorecard(moment, period, by, groups, rows)


def _group(node: ObjectiveStatus, rows: list[TargetStatus]) -> ScorecardGroup:
    return ScorecardGroup(
        node.objective.name,
        node.objective.label,
        node.depth,
        node.attainment,
        node.status,
        node.drags,
        rows,
    )
