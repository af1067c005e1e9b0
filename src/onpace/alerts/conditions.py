"""What each alert rule sees now: one finding per subject, its condition true or not.

The scorecard rules read the one scorecard data function
(:func:`onpace.views.scorecard.scorecard`), so an alert says what the scorecard
page says. ``condition`` is a short text naming what holds (``at risk``,
``pace below 90%``) or None when nothing does; the alert fires when it changes to
something, and is cleared when it goes back to None.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from onpace.alerts.rules import SCORECARD_KINDS, AlertConfig, Rule, parse_scope

if TYPE_CHECKING:
    from onpace.views.scorecard import Scorecard, ScorecardRow
    from onpace.workspace import Workspace

WORSE = {
    "at risk": ("at risk", "off track", "missed"),
    "off track": ("off track", "missed"),
}


@dataclass(frozen=True)
class Finding:
    """One rule on one subject (a KPI for a member in a period, or the ingest)."""

    rule: str
    subject: str
    condition: str | None
    message: str
    kpi: str | None = None
    member: str | None = None
    member_label: str | None = None
    by: str | None = None
    period: str | None = None
    row: ScorecardRow | None = None
    start: date | None = None
    end: date | None = None
    grain: str | None = None


class _Cards:
    """The scorecards the rules need, each computed once per run."""

    def __init__(self, ws: Workspace, as_of: datetime) -> None:
        self.ws, self.as_of = ws, as_of
        self.cache: dict[tuple[str, int, str | None], Scorecard] = {}

    def get(self, grain: str, back: int, by: str | None) -> Scorecard:
        key = (grain, back, by)
        if key not in self.cache:
            from onpace.views.scorecard import scorecard

            period = None
            if back:
                from onpace.calendar import period_start, shift_period

                start = period_start(self.as_of.date(), grain, self.ws.calendar)  # type: ignore[arg-type]
                before = shift_period(start, grain, -back)  # type: ignore[arg-type]
                period = _label(self.ws, grain, before)
            self.cache[key] = scorecard(
                self.ws,
                self.ws.store,
                grain=grain,
                period=period,
                by=by or "total",
                as_of=self.as_of,
                only_targets=True,
                sparkline=False,
            )
        return self.cache[key]


def _label(ws: Workspace, grain: str, start: date) -> str:
    from onpace.targets.definition import standard_period

    return standard_period(start, grain, ws.calendar).label  # type: ignore[arg-type]


def rule_kpis(ws: Workspace, rule: Rule) -> set[str] | None:
    """The KPIs a rule names (directly or through objectives); None: all with targets."""
    if not rule.kpis and not rule.objectives:
        return None
    names = set(rule.kpis)
    if rule.objectives:
        from onpace.objectives.tree import load_objectives

        links = load_objectives(ws.root, ws.config.objectives_file, ws.kpis).links(ws.kpis)
        names |= {k for k, objs in links.items() if set(objs) & set(rule.objectives)}
    return names


def evaluate(ws: Workspace, config: AlertConfig, as_of: datetime) -> list[Finding]:
    """Every rule's findings at ``as_of``."""
    cards = _Cards(ws, as_of)
    out: list[Finding] = []
    for rule in config.rules:
        if rule.when in SCORECARD_KINDS:
            out += _scorecard_findings(ws, rule, cards)
        elif rule.when == "freshness":
            out += _freshness_findings(ws, rule, as_of)
        else:
            out += _quarantine_findings(ws, rule)
    return out


def _row_condition(rule: Rule, row: ScorecardRow) -> str | None:
    if rule.when in ("status", "missed"):
        wanted = ("missed",) if rule.when == "missed" else WORSE[rule.at_least]
        return row.status if row.status in wanted else None
    value = {"pace": row.pace, "attainment": row.score, "probability": row.probability}[rule.when]
    level = rule.below if rule.below is not None else 0.0
    if value is None or value != value:
        return None
    word = {"pace": "pace", "attainment": "projected attainment", "probability": "P(target)"}
    return f"{word[rule.when]} below {level:.0%}" if value < level else None


def _scorecard_findings(ws: Workspace, rule: Rule, cards: _Cards) -> list[Finding]:
    scope = parse_scope(rule.scope)
    if scope is None:
        return []
    card = cards.get(rule.grain, 1 if rule.when == "missed" else 0, scope.by)
    kpis = rule_kpis(ws, rule)
    out: list[Finding] = []
    for row in card.rows:
        if kpis is not None and row.kpi not in kpis:
            continue
        if scope.member is not None and row.member != scope.member:
            continue
        if row.status in ("no data", "no target", "not started"):
            continue
        condition = _row_condition(rule, row)
        who = f" for {row.member_label or row.member}" if row.member is not None else ""
        subject = f"{row.kpi}|{row.member or ''}|{row.period}"
        message = f"{row.label}{who} is {condition} in {row.period}" if condition else ""
        if condition and row.explanation:
            message += f": {row.explanation}"
        out.append(
            Finding(
                rule.name,
                subject,
                condition,
                message,
                row.kpi,
                row.member,
                row.member_label,
                scope.by,
                row.period,
                row,
                card.period.start,
                card.period.end,
                card.period.grain,
            )
        )
    return out


def _freshness_findings(ws: Workspace, rule: Rule, as_of: datetime) -> list[Finding]:
    from onpace.views.kpi_pages import health_view

    kpis = rule_kpis(ws, rule)
    limit = timedelta(seconds=rule.max_age_seconds)
    out = []
    for entry in health_view(ws)["table"]:
        name = entry["kpi"]
        if (kpis is not None and name not in kpis) or not entry["data_until"]:
            continue
        until = datetime.fromisoformat(str(entry["data_until"]))
        moment = as_of.replace(tzinfo=None) if until.tzinfo is None else as_of.astimezone(UTC)
        stale = moment - until > limit
        condition = f"data older than {rule.older_than}" if stale else None
        message = (
            f"{ws.kpis[name].label}: the newest data is from {until:%Y-%m-%d %H:%M}, "
            f"older than {rule.older_than}"
            if stale
            else ""
        )
        out.append(Finding(rule.name, name, condition, message, kpi=name))
    return out


def _quarantine_findings(ws: Workspace, rule: Rule) -> list[Finding]:
    from onpace.errors import OnpaceError

    try:
        from onpace.ingest.report import last_runs

        runs = last_runs(ws, limit=1)
    except (OnpaceError, AttributeError, ValueError):
        runs = []
    if not runs:
        return []
    run = runs[0]
    read = int(run.get("rows_read") or 0)
    bad = int(run.get("rows_quarantined") or 0)
    share = bad / read if read else 0.0
    over_rows = rule.rows is not None and bad > rule.rows
    over_share = rule.share is not None and share > rule.share
    condition = f"ingest {run['run_id']}" if over_rows or over_share else None
    message = (
        f"The ingest {run['run_id']} quarantined {bad:,} of {read:,} rows ({share:.1%})"
        if condition
        else ""
    )
    return [Finding(rule.name, "ingest", condition, message)]
