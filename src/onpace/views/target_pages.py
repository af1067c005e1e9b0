"""Data functions of the pages built on targets: KPI progress, targets, objectives, SMART.

Like :mod:`onpace.views.kpi_pages`, each returns plain JSON-ready data with a ``table``
for the CSV download, and takes a :class:`~onpace.views.scope.Scope` wherever rows
can belong to a rep.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from onpace.calendar import period_start
from onpace.errors import OnpaceError, SpecError
from onpace.objectives.tree import Objective, Objectives, workspace_objectives
from onpace.query.plain import as_number
from onpace.store import Store
from onpace.targets.actuals import KpiData, is_additive
from onpace.targets.authoring import TargetInput
from onpace.targets.definition import Target, milestones, standard_period
from onpace.targets.evaluation import evaluate_target
from onpace.targets.roster import Roster
from onpace.targets.selection import applicable_targets
from onpace.targets.smart import LETTERS, smart_check
from onpace.views import charts
from onpace.views.scope import UNRESTRICTED, Scope, rep_contributors
from onpace.views.scorecard import TOTAL, Scorecard, scorecard
from onpace.workspace import Workspace


def target_row(t: Target) -> dict[str, Any]:
    """One target (revision) as plain data."""
    return {
        "kpi": t.kpi,
        "period": t.period.label,
        "start": t.period.start.isoformat(),
        "end": t.period.end.isoformat(),
        "dimension": t.dimension,
        "dimension_value": t.dimension_value,
        "scope": t.scope,
        "value": as_number(t.value),
        "basis": t.basis,
        "change_kind": t.change_kind,
        "change": t.change,
        "baseline": t.baseline,
        "baseline_period": t.baseline_period,
        "baseline_value": t.baseline_value,
        "phasing": t.phasing,
        "weights": list(t.weights),
        "floor": as_number(t.floor),
        "stretch": as_number(t.stretch),
        "revision": t.revision,
        "action": t.action,
        "author": t.author,
        "created_at": t.created_at.isoformat(timespec="seconds") if t.created_at else None,
        "reason": t.reason,
    }


def _visible(scope: Scope, targets: Sequence[Target]) -> list[Target]:
    return [t for t in targets if scope.allows(t.dimension, t.dimension_value)]


def targets_view(
    ws: Workspace, store: Store, scope: Scope, kpi: str | None = None, as_of: datetime | None = None
) -> dict[str, Any]:
    """The current targets, each with its monthly (and quarterly) milestones."""
    data = KpiData(ws, as_of or ws.now())
    rows = []
    current = _visible(scope, store.current(kpi))
    for t in sorted(current, key=lambda t: (t.kpi, t.period.start, t.scope)):
        row = target_row(t)
        row["unit"] = ws.kpis[t.kpi].unit if t.kpi in ws.kpis else "ratio"
        row["milestones"] = []
        if t.kpi in ws.kpis:
            try:
                history = data.monthly(t.kpi, t.dimension, t.dimension_value)
                phases = milestones(t, is_additive(t.kpi, ws.kpis), history, ws.calendar)
            except OnpaceError:
                phases = []
            row["milestones"] = [
                {
                    "label": m.label,
                    "grain": m.grain,
                    "share": m.share,
                    "value": m.value,
                    "cumulative": m.cumulative,
                }
                for m in phases
            ]
        rows.append(row)
    return {
        "title": "Targets",
        "table": rows,
        "columns": [
            "kpi",
            "period",
            "scope",
            "value",
            "basis",
            "baseline_period",
            "phasing",
            "revision",
            "author",
            "created_at",
            "reason",
        ],
        "kpis": [{"name": k.name, "label": k.label, "unit": k.unit} for k in ws.kpis.values()],
        "dimensions": sorted({d for k in ws.kpis.values() for d in k.dimensions}),
    }


def history_view(ws: Workspace, store: Store, scope: Scope, kpi: str) -> dict[str, Any]:
    """Every revision of a KPI's targets, oldest first, with who, when and why."""
    rows = [target_row(t) for t in _visible(scope, store.history(kpi))]
    return {
        "title": f"Target history of {kpi}",
        "table": rows,
        "columns": [
            "created_at",
            "author",
            "period",
            "scope",
            "revision",
            "action",
            "value",
            "reason",
        ],
    }


def kpi_targets(
    ws: Workspace,
    store: Store,
    scope: Scope,
    name: str,
    trend: list[dict[str, Any]],
    grain: str,
    as_of: datetime,
) -> dict[str, Any]:
    """The target parts of the KPI page: the target line on the trend, progress, history.

    ``progress`` follows the current total target through its period: the actual
    (cumulative for sums and counts), the phased pace line (the target due by each
    month's end), the full target, and the projection to the period's end with
    its interval.
    """
    data = KpiData(ws, as_of)
    current = [t for t in store.current(name) if t.dimension is None]
    if grain in ("month", "quarter", "year"):
        for row in trend:
            start = datetime.fromisoformat(row["period"]).date()
            period = standard_period(start, grain, ws.calendar)  # type: ignore[arg-type]
            hit = applicable_targets(
                current,
                period,
                None,
                lambda k: is_additive(k, ws.kpis),
                data.monthly,
                Roster(),
                [name],
            ).get((name, None))
            row["target"] = hit.target.value if hit else None
            row["floor"] = hit.target.floor if hit else None
            row["stretch"] = hit.target.stretch if hit else None
    today = as_of.date()
    running = [t for t in current if t.period.contains(today)]
    progress = None
    if running:
        target = max(running, key=lambda t: t.period.days)
        if _total_visible(ws, scope, target, as_of):
            progress = _progress(ws, data, target, as_of)
    return {
        "progress": progress,
        "history": history_view(ws, store, scope, name)["table"],
    }


def _total_visible(ws: Workspace, scope: Scope, target: Target, as_of: datetime) -> bool:
    """Whether the viewer may see the total of the target's period so far (see Scope)."""
    if not scope.checks_totals:
        return True
    period = target.period
    found = rep_contributors(ws, [target.kpi], "all", period.start, period.end, None, as_of)
    return scope.total_visible(found.get((target.kpi, period.start, None)))


def _start_projection(rows: list[dict[str, Any]]) -> None:
    """Start the projection (and its interval) at the last actual point, so the dashed
    line carries on where the actual ends, whatever that point is: today's value so
    far, a month's rate, or the 0 a running total starts from on the period's first day."""
    last = next((r for r in reversed(rows) if r.get("value") is not None), None)
    if last is not None:
        last.update(projection=last["value"], low=last["value"], high=last["value"])


def _progress(ws: Workspace, data: KpiData, target: Target, as_of: datetime) -> dict[str, Any]:
    """Points along the target's period, dated by the day they describe.

    Sums and counts run cumulatively from 0 at the period's start: the actual at
    each month's end and today, the phased target due by then (the pace line),
    and the projection from today's actual to the period's end with its interval.
    Rates and averages show each month's value against the flat target.
    """
    kpi = ws.kpis[target.kpi]
    additive = is_additive(target.kpi, ws.kpis)
    history = data.monthly(target.kpi)
    status = evaluate_target(data, target, ws.config.status)
    today = as_of.date()
    period = target.period
    rows: list[dict[str, Any]] = []

    levels = {"floor": target.floor, "stretch": target.stretch}

    def point(day: date, **values: float | None) -> None:
        rows.append(
            {
                "period": day.isoformat(),
                "label": day.isoformat(),
                "target": target.value,
                **levels,
                **values,
            }
        )

    phases = [m for m in milestones(target, additive, history, ws.calendar) if m.grain == "month"]
    if additive:
        point(period.start, value=0.0, pace=0.0)
        running = 0.0
        for m in phases:
            if m.end <= today:
                running += history.get(period_start(m.start, "month")) or 0.0
                point(m.end, value=running, pace=m.cumulative)
        if period.start < today < period.end:
            point(today, value=status.actual, pace=status.target_to_date)
    else:
        for m in phases:
            month = period_start(m.start, "month")
            if month <= today:
                point(m.start, value=history.get(month), pace=target.value)
        if period.start < today < period.end:
            point(today, value=status.actual)
    if status.projection is not None and today < period.end:
        _start_projection(rows)
        point(
            period.end,
            value=None,
            pace=target.value if additive else None,
            projection=status.projection,
            low=status.low,
            high=status.high,
        )
    return {
        "target": target_row(target),
        "status": status.as_dict(),
        "method": status.forecast.summary if status.forecast else None,
        "rows": rows,
        "chart": charts.trend_chart(rows, kpi.unit, date_format="%d %b"),
        "cumulative": additive,
    }


def objectives_view(
    ws: Workspace,
    store: Store,
    as_of: datetime | None = None,
    grain: str = "quarter",
    period: str | None = None,
    scope: Scope = UNRESTRICTED,
) -> dict[str, Any]:
    """The objective tree of one period (default: the quarter in progress).

    Built from the scorecard of the same period (its totals, seen with ``scope``), so
    an objective's roll-up, its KPIs' scores and statuses are the scorecard's, on
    every screen, and a total hidden from a rep there is hidden here too (its
    attainment times its target would give it away).
    """
    try:
        objectives = workspace_objectives(ws)
    except SpecError as exc:
        return {
            "title": "Objectives",
            "problem": "; ".join(str(i) for i in exc.issues),
            "tree": [],
            "table": [],
            "columns": [],
        }
    card = scorecard(
        ws, store, scope, grain=grain, period=period, by=TOTAL, as_of=as_of, sparkline=False
    )
    return objective_tree(card, objectives)


def objective_tree(card: Scorecard, objectives: Any) -> dict[str, Any]:
    """The objectives of ``card`` as a tree with each KPI's weight, target and status."""
    groups = {g.name: g for g in card.groups}
    table: list[dict[str, Any]] = []

    def node(obj: Objective, depth: int) -> dict[str, Any]:
        g = groups.get(obj.name)
        total = sum(obj.kpis.values()) or 1.0
        kpis = []
        for name, weight in obj.kpis.items():
            rows = [r for r in (g.rows if g else []) if r.kpi == name and r.member is None]
            first = rows[0] if rows else None
            kpis.append(
                {
                    "kpi": name,
                    "label": first.label if first else name,
                    "weight": weight / total,
                    "period": first.period if first and first.target is not None else None,
                    "target_source": first.target_source if first else None,
                    "attainment": first.attainment if first else None,
                    "score": first.score if first else None,
                    "status": first.status if first else "no target",
                    "explanation": first.explanation if first else "",
                }
            )
        out = {
            "name": obj.name,
            "label": obj.label,
            "horizon": obj.horizon,
            "owner": obj.owner,
            "depth": depth,
            "attainment": g.attainment if g else None,
            "status": g.status if g else "no data",
            "explanation": g.explanation if g else "",
            "drags": g.drags if g else [],
            "kpis": kpis,
            "children": [node(c, depth + 1) for c in obj.objectives],
        }
        table.append(
            {
                "objective": obj.name,
                "label": obj.label,
                "depth": depth,
                "attainment": out["attainment"],
                "status": out["status"],
                "explanation": out["explanation"],
                "kpis": ", ".join(str(k["kpi"]) for k in kpis),
            }
        )
        return out

    tree = [node(root, 0) for root in objectives.roots]
    return {
        "title": "Objectives",
        "problem": card.objectives_problem,
        "as_of": card.as_of.isoformat(timespec="seconds"),
        "period": card.period.label,
        "grain": card.period.grain,
        "tree": tree,
        "table": table,
        "columns": ["objective", "label", "depth", "attainment", "status", "explanation", "kpis"],
    }


def smart_view(
    ws: Workspace, store: Store, as_of: datetime | None = None, kpi: str | None = None
) -> dict[str, Any]:
    """The SMART check: one row per KPI with a level per letter, and every finding."""
    try:
        objectives = workspace_objectives(ws)
    except SpecError as exc:
        return {
            "title": "SMART check",
            "problem": "; ".join(str(i) for i in exc.issues),
            "kpis": [],
            "table": [],
            "columns": [],
            "letters": list(LETTERS),
        }
    report = smart_check(ws, store.current(), objectives, as_of, [kpi] if kpi else None)
    findings = [f.as_dict() for f in report.findings]
    names = list(dict.fromkeys(f.kpi for f in report.findings if f.kpi))
    summary: list[dict[str, str | None]] = []
    for name in names:
        by_letter = report.for_kpi(name)
        levels: dict[str, str | None] = {
            x: by_letter[x].level if x in by_letter else None for x in LETTERS
        }
        summary.append({"kpi": name, **levels})
    return {
        "title": "SMART check",
        "problem": None,
        "letters": list(LETTERS),
        "kpis": summary,
        "findings": findings,
        "table": findings,
        "columns": ["kpi", "objective", "letter", "level", "message", "evidence", "fix"],
        "errors": len(report.errors),
        "warnings": sum(f.level == "warning" for f in report.findings),
    }


TRIAL_COLUMNS = ["kpi", "letter", "level", "message", "evidence", "fix"]


def target_trial(
    ws: Workspace, store: Store, given: TargetInput, as_of: datetime | None = None
) -> dict[str, Any]:
    """What a proposed target would show, without recording it.

    The target is built and checked exactly as ``onpace target set`` would (the
    period, the value's unit, the member against the data), then evaluated: its
    attainment, pace, projection, probability and status, its milestones, and the
    SMART findings of its KPI with the proposal in place of the target it would
    revise. Nothing is written to the store.
    """
    moment = as_of or ws.now()
    data = KpiData(ws, moment)
    target = given.build(data)
    status = evaluate_target(data, target, ws.config.status)
    others = [t for t in store.current() if t.key != target.key]
    try:
        objectives = workspace_objectives(ws)
    except SpecError:
        objectives = Objectives()
    report = smart_check(ws, [*others, target], objectives, moment, [target.kpi])
    findings = [f.as_dict() for f in report.findings if f.kpi == target.kpi]
    additive = is_additive(target.kpi, ws.kpis)
    history = data.monthly(target.kpi, target.dimension, target.dimension_value)
    phases = milestones(target, additive, history, ws.calendar)
    replaces = next((t for t in store.current(target.kpi) if t.key == target.key), None)
    return {
        "title": "Try a target",
        "recorded": False,
        "as_of": moment.isoformat(timespec="seconds"),
        "target": {**target_row(target), "unit": ws.kpis[target.kpi].unit},
        "replaces": target_row(replaces) if replaces else None,
        "status": status.as_dict(),
        "milestones": [
            {"label": m.label, "grain": m.grain, "share": m.share, "value": m.value} for m in phases
        ],
        "findings": findings,
        "table": findings,
        "columns": TRIAL_COLUMNS,
    }


def ingest_view(ws: Workspace) -> dict[str, Any]:
    """The last ingests (from the ingest ledger) and rows in quarantine, when there are any.

    A workspace whose warehouse is not DuckDB, or that was never ingested (the demo
    writes its tables directly), has no ledger: ``runs`` is empty then and the
    table status of :func:`onpace.views.kpi_pages.health_view` is what there is to show.
    """
    runs: list[dict[str, Any]] = []
    quarantined = 0
    try:
        from onpace.ingest.report import last_runs, quarantine_rows

        runs = [{k: _plain(v) for k, v in r.items()} for r in last_runs(ws, limit=20)]
        quarantined, _ = quarantine_rows(ws, limit=0)
    except (ImportError, OnpaceError, AttributeError, TypeError, ValueError):
        runs, quarantined = [], 0
    return {"runs": runs, "quarantined": quarantined}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if hasattr(value, "item"):
        return value.item()
    return value


__all__ = [
    "history_view",
    "ingest_view",
    "kpi_targets",
    "objectives_view",
    "smart_view",
    "target_row",
    "target_trial",
    "targets_view",
]
