"""The SMART check: one finding per KPI and letter, with the evidence and the fix.

- **Specific**: a description, the unit and direction set explicitly, one time
  column, filters that do not mix ``and`` with ``or`` without parentheses.
- **Measurable**: the data the KPI needs exists and has values in its target
  periods; the target is a number.
- **Achievable**: the growth a target needs on the same period last year, beside
  the growth of that period in each past year and the forecast's, and the
  probability of reaching it. Below ``status.unrealistic_below`` (default 10%) it
  is unrealistic (an error: the classic mistake of a growth target far above
  what the last years support); above ``status.unambitious_above`` (95%) it is
  unambitious (a warning). The error needs a calibrated probability: one read
  from the projection's own backtest errors on enough past periods
  (:mod:`onpace.targets.intervals`); below that it is a warning.
- **Relevant**: the KPI serves an objective; KPIs without objectives and
  objectives without KPIs are listed.
- **Time-bound**: a target with a period and a deadline still ahead, and a
  review cadence no longer than the target's period.

Error-level findings make ``onpace check`` exit non-zero, so it can gate the CI
of a workspace.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from onpace.errors import TargetError
from onpace.objectives.tree import Objectives
from onpace.spec.kpi import AnyKpi, RatioKpi
from onpace.targets.actuals import KpiData, is_additive
from onpace.targets.allocation import Allocation, allocations
from onpace.targets.definition import Target, TargetPeriod, baseline_period
from onpace.targets.evaluation import evaluate_target, period_state
from onpace.targets.roster import load_roster
from onpace.workspace import Workspace

Letter = Literal["S", "M", "A", "R", "T"]
Level = Literal["ok", "warning", "error"]
LETTERS: tuple[Letter, ...] = ("S", "M", "A", "R", "T")
CADENCE_DAYS = {"weekly": 7, "monthly": 31, "quarterly": 92, "yearly": 366}
PAST_YEARS = 3


@dataclass(frozen=True)
class Finding:
    """One SMART finding. ``kpi`` is None for findings about an objective or a whole file."""

    kpi: str | None
    letter: Letter
    level: Level
    message: str
    evidence: str = ""
    fix: str = ""
    objective: str | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class SmartReport:
    findings: list[Finding]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    def for_kpi(self, kpi: str) -> dict[Letter, Finding]:
        return {f.letter: f for f in self.findings if f.kpi == kpi}


def _filters(kpi: AnyKpi) -> list[str]:
    texts = [getattr(kpi, "filter", None)]
    for side in ("numerator", "denominator", "base", "conversion"):
        part = getattr(kpi, side, None)
        if part is not None:
            texts.append(part.filter)
    return [t for t in texts if t]


def _mixes_and_or(text: str) -> bool:
    bare = re.sub(r"\([^()]*\)", "", text.lower())
    while bare != (bare := re.sub(r"\([^()]*\)", "", bare)):
        pass
    no_between = re.sub(r"\bbetween\b\s+\S+\s+and\b", "", bare)
    return bool(re.search(r"\band\b", no_between) and re.search(r"\bor\b", no_between))


def specific(ws: Workspace, name: str, kpi: AnyKpi) -> Finding:
    problems, fixes = [], []
    for issue in ws.issues:
        if issue.kpi == name and issue.level == "warning":
            problems.append(issue.message)
            fixes.append(issue.fix)
    if not kpi.description.strip():
        problems.append("no description")
        fixes.append("say in one sentence what is counted and what is left out (description:)")
    if "direction" not in kpi.model_fields_set:
        problems.append("direction is not set (higher is assumed)")
        fixes.append("add direction: higher or direction: lower")
    # order.ordered_at (through a relation) and ordered_at name the same event
    if isinstance(kpi, RatioKpi) and (
        kpi.numerator.time.split(".")[-1] != kpi.denominator.time.split(".")[-1]
    ):
        problems.append(f"two time columns ({kpi.numerator.time} and {kpi.denominator.time})")
        fixes.append("place numerator and denominator in periods by the same event")
    for text in _filters(kpi):
        if _mixes_and_or(text):
            problems.append(f"filter {text!r} mixes and/or without parentheses")
            fixes.append("add parentheses so the filter reads one way only")
    evidence = f"unit {kpi.unit}, {kpi.direction} is better, type {kpi.type}"
    if problems:
        return Finding(name, "S", "warning", "; ".join(problems), evidence, "; ".join(fixes))
    return Finding(name, "S", "ok", "one definition, unit and direction set", evidence)


def measurable(data: KpiData, name: str, targets: Sequence[Target]) -> Finding:
    missing = data.missing(name)
    if missing:
        level: Level = "error" if targets else "warning"
        return Finding(
            name,
            "M",
            level,
            "the data it needs is missing",
            ", ".join(missing),
            "load the missing table or columns (see docs/data-model.md)",
        )
    bad = [t for t in targets if not math.isfinite(t.value)]
    if bad:
        return Finding(
            name,
            "M",
            "error",
            "a target is not a number",
            ", ".join(t.period.label for t in bad),
            "set the target again with a number: onpace target set",
        )
    if not targets:
        return Finding(
            name,
            "M",
            "warning",
            "no target to measure it against",
            "",
            f"onpace target set {name} PERIOD VALUE --why '...'",
        )
    empty = []
    today = data.as_of.date()
    for t in targets:
        if period_state(t, today) == "future":
            continue
        try:
            value = data.value(name, t.period, t.dimension, t.dimension_value)
        except TargetError as exc:
            return Finding(name, "M", "error", str(exc), t.period.label, "use a standard period")
        if value is None:
            empty.append(f"{t.period.label} ({t.scope})")
    if empty:
        return Finding(
            name,
            "M",
            "warning",
            "no values in the target period so far",
            ", ".join(empty),
            "check that the data for the period has been loaded",
        )
    return Finding(name, "M", "ok", "computable, with values in its target periods")


def _growth(new: float | None, old: float | None, unit: str) -> float | None:
    if new is None or old is None:
        return None
    if unit == "percent":
        return new - old
    if old == 0:
        return None
    return new / old - 1


def _fmt_growth(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    return f"{value * 100:+.1f} pp" if unit == "percent" else f"{value * 100:+.1f}%"


def _shift_years(period: TargetPeriod, years: int, ws: Workspace) -> TargetPeriod:
    out = period
    for _ in range(years):
        out = baseline_period(out, "last_year", ws.calendar)
    return out


def achievable(ws: Workspace, data: KpiData, name: str, targets: Sequence[Target]) -> Finding:
    settings = ws.config.status
    today = data.as_of.date()
    open_targets = [t for t in targets if period_state(t, today) != "complete"]
    if not open_targets:
        return Finding(
            name,
            "A",
            "ok" if targets else "warning",
            "no open target to assess" if targets else "no target to assess",
            "",
            "" if targets else f"onpace target set {name} PERIOD VALUE --why '...'",
        )
    kpi = ws.kpis[name]
    worst: Level = "ok"
    lines, fixes = [], []
    for t in open_targets:
        try:
            status = evaluate_target(data, t, settings)
            last = _shift_years(t.period, 1, ws)
            ly = data.value(name, last, t.dimension, t.dimension_value)
            past = []
            for back in range(1, PAST_YEARS + 1):
                newer_p = _shift_years(t.period, back, ws)
                if newer_p.end > today:
                    continue
                newer = data.value(name, newer_p, t.dimension, t.dimension_value)
                older_p = _shift_years(t.period, back + 1, ws)
                older = data.value(name, older_p, t.dimension, t.dimension_value)
                change = _growth(newer, older, kpi.unit)
                if change is not None:
                    past.append(f"{newer_p.label} {_fmt_growth(change, kpi.unit)}")
        except TargetError as exc:
            lines.append(f"{t.period.label} ({t.scope}): {exc}")
            worst = "warning" if worst == "ok" else worst
            continue
        needed = _growth(t.value, ly, kpi.unit)
        forecast = _growth(status.projection, ly, kpi.unit)
        p = status.probability
        calibrated = status.forecast is not None and status.forecast.calibrated
        verdict = "probability unknown (too little history)"
        if p is not None:
            verdict = f"probability {p:.0%}"
            if p < settings.unrealistic_below and calibrated:
                worst = "error"
                verdict += f": unrealistic (below {settings.unrealistic_below:.0%})"
                fixes.append(
                    f"lower the {t.period.label} target towards the forecast or give the "
                    "plan that makes it reachable, then set it again with --why"
                )
            elif p < settings.unrealistic_below:
                worst = "warning" if worst == "ok" else worst
                verdict += (
                    ": probably unrealistic, but the probability rests on too little "
                    "history to be calibrated"
                )
                fixes.append(
                    f"check the {t.period.label} target against the forecast; with more "
                    "history onpace can say how likely it is"
                )
            elif p > settings.unambitious_above:
                worst = "warning" if worst == "ok" else worst
                verdict += f": unambitious (above {settings.unambitious_above:.0%})"
                fixes.append(f"consider raising the {t.period.label} target")
        lines.append(
            f"{t.period.label} ({t.scope}): needs {_fmt_growth(needed, kpi.unit)} on last year; "
            f"past years {', '.join(past) or 'n/a'}; forecast {_fmt_growth(forecast, kpi.unit)}; "
            f"{verdict}"
        )
    message = {
        "ok": "the targets are within reach of what history supports",
        "warning": "a target may not stretch the team, or could not be assessed",
        "error": "a target is unrealistic against history and the forecast",
    }[worst]
    return Finding(name, "A", worst, message, "\n".join(lines), "; ".join(fixes))


def allocated(finding: Finding, checks: Sequence[Allocation]) -> Finding:
    """The Achievable finding with the allocation of member targets: a gap is a warning.

    Rep quotas that fall short of the total (or their team's target) leave part of
    the target to nobody; quotas above it count on more than the plan asks.
    """
    if not checks:
        return finding
    gaps = [c for c in checks if c.kind != "balanced"]
    evidence = "\n".join(
        [*([finding.evidence] if finding.evidence else []), *(c.message() for c in checks)]
    )
    if not gaps:
        return replace(finding, evidence=evidence)
    kinds = sorted({c.kind for c in gaps})
    message = f"member targets are {' and '.join(k + '-allocated' for k in kinds)}"
    fix = "share the gap out over the member targets, or change the target above them"
    return replace(
        finding,
        level="warning" if finding.level == "ok" else finding.level,
        message=message if finding.level == "ok" else f"{finding.message}; {message}",
        evidence=evidence,
        fix="; ".join(f for f in (finding.fix, fix) if f),
    )


def relevant(
    objectives: Objectives, links: dict[str, list[str]], name: str, kpi: AnyKpi
) -> Finding:
    if kpi.objective and kpi.objective not in objectives.names():
        return Finding(
            name,
            "R",
            "error",
            f"its objective '{kpi.objective}' does not exist",
            f"objective: {kpi.objective}",
            f"add it to {objectives.file or 'objectives.yml'} or fix the name",
        )
    linked = links.get(name, [])
    if linked:
        return Finding(name, "R", "ok", "serves " + ", ".join(linked))
    return Finding(
        name,
        "R",
        "warning",
        "linked to no objective",
        "",
        "list it under an objective's kpis: in objectives.yml, or drop it if nothing depends on it",
    )


def time_bound(name: str, kpi: AnyKpi, targets: Sequence[Target], today: object) -> Finding:
    problems, fixes = [], []
    if not targets:
        problems.append("no target, so no period and no deadline")
        fixes.append(f"onpace target set {name} PERIOD VALUE --why '...'")
    elif all(t.period.end <= today for t in targets):  # type: ignore[operator]
        last = max(t.period.end for t in targets)
        problems.append(f"every target's deadline has passed (the last ended {last})")
        fixes.append("set the target of the next period")
    if kpi.review_cadence is None:
        problems.append("no review cadence")
        fixes.append("add review_cadence: weekly, monthly, quarterly or yearly")
    elif targets:
        shortest = min(t.period.days for t in targets)
        if CADENCE_DAYS[kpi.review_cadence] > shortest:
            problems.append(
                f"reviewed {kpi.review_cadence}, less often than its shortest target period "
                f"({shortest} days)"
            )
            fixes.append("review it at least once per target period")
    deadlines = ", ".join(
        f"{t.period.label} by {t.period.end - timedelta(days=1)}" for t in targets[:3]
    )
    if problems:
        return Finding(name, "T", "warning", "; ".join(problems), deadlines, "; ".join(fixes))
    return Finding(name, "T", "ok", f"deadlines set, reviewed {kpi.review_cadence}", deadlines)


def smart_check(
    ws: Workspace,
    targets: Sequence[Target],
    objectives: Objectives,
    as_of: datetime | None = None,
    names: Sequence[str] | None = None,
) -> SmartReport:
    """Every finding for ``names`` (default: every KPI), plus objectives without KPIs."""
    moment = as_of or ws.now()
    data = KpiData(ws, moment)
    roster = load_roster(ws)
    links = objectives.links(ws.kpis)
    findings: list[Finding] = []
    for issue in objectives.issues:
        findings.append(Finding(None, "R", issue.level, issue.message, str(issue), issue.fix))
    if names is None:  # a KPI file that cannot be read at all belongs to no KPI
        for issue in ws.errors:
            if issue.owner is None:
                fix = issue.fix or "fix the file: onpace validate"
                findings.append(Finding(None, "S", "error", issue.message, str(issue), fix))
    broken = sorted({i.kpi for i in ws.errors if i.kpi})
    for name in names or [*ws.kpis, *broken]:
        if name not in ws.kpis:
            issues = [str(i) for i in ws.errors if i.kpi == name]
            if not issues:
                continue
            findings.append(
                Finding(
                    name,
                    "S",
                    "error",
                    "the definition is invalid",
                    "\n".join(issues),
                    "fix the definition: onpace validate",
                )
            )
            continue
        kpi = ws.kpis[name]
        own = [t for t in targets if t.kpi == name]
        findings.append(specific(ws, name, kpi))
        findings.append(measurable(data, name, own))
        if data.missing(name):
            findings.append(Finding(name, "A", "warning", "cannot be assessed without its data"))
        else:
            checks = allocations(
                targets, name, lambda k: is_additive(k, ws.kpis), data.monthly, roster
            )
            findings.append(allocated(achievable(ws, data, name, own), checks))
        findings.append(relevant(objectives, links, name, kpi))
        findings.append(time_bound(name, kpi, own, moment.date()))
    for obj in objectives.all():
        subtree = [o for _, o in obj.walk()]
        has_kpi = any(o.kpis for o in subtree) or any(obj.name in v for v in links.values())
        if not has_kpi:
            findings.append(
                Finding(
                    None,
                    "R",
                    "warning",
                    f"objective '{obj.name}' has no KPI",
                    obj.label,
                    "add the KPIs that measure it under kpis:",
                    objective=obj.name,
                )
            )
    return SmartReport(findings)
