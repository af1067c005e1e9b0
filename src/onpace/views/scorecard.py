"""The scorecard page's data: every KPI in a chosen period, its target and status, by objective.

For a month, quarter, year or custom range (default: the quarter in progress) each
KPI gets its value so far, the value of the period it is compared with (the
previous one or the same one last year), the sparkline of the last 12 periods and,
when a target covers the period, the target, attainment, pace, projection,
probability and status. A target set for exactly the period is used as is; a
longer one (a year target seen in a quarter) is phased down to the period with
its own phasing, so the annual budget shows up in every month of the year.

With ``by`` (``rep``) the rows are per member of that dimension; the
:class:`~onpace.views.scope.Scope` then keeps only the rows a user may see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any, Literal

from onpace.calendar import Grain, next_period_start, period_start, shift_period
from onpace.errors import OnpaceError, SpecError, TargetError
from onpace.objectives.tree import KpiScore, Objectives, objective_groups
from onpace.query.plain import as_number
from onpace.store import Store
from onpace.targets.actuals import KpiData, is_additive
from onpace.targets.definition import (
    Target,
    TargetPeriod,
    baseline_period,
    month_shares,
    month_slices,
    parse_target_period,
    standard_period,
)
from onpace.targets.evaluation import TargetStatus, evaluate_target
from onpace.views import charts
from onpace.views.formatting import change
from onpace.views.scope import Scope
from onpace.views.target_status import UNLINKED, workspace_objectives
from onpace.workspace import Workspace

PickGrain = Literal["month", "quarter", "year", "custom"]
PICK_GRAINS: tuple[str, ...] = ("month", "quarter", "year", "custom")
COMPARES: tuple[str, ...] = ("previous", "last_year")
SPARK_PERIODS = 12

COLUMNS = [
    "objective",
    "kpi",
    "label",
    "member",
    "period",
    "value",
    "compare_value",
    "change",
    "target",
    "target_source",
    "attainment",
    "pace",
    "projection",
    "low",
    "high",
    "probability",
    "score",
    "status",
    "note",
]


def pick_period(
    ws: Workspace,
    grain: str,
    period: str | None,
    start: str | None,
    end: str | None,
    today: date,
) -> TargetPeriod:
    """The period the scorecard shows; a clear :class:`TargetError` for anything unreadable."""
    if grain not in PICK_GRAINS:
        raise TargetError(f"grain {grain!r}: use one of {', '.join(PICK_GRAINS)}")
    cal = ws.calendar
    if grain == "custom":
        if not start or not end:
            raise TargetError("a custom period needs a start and an end date (YYYY-MM-DD)")
        return parse_target_period(f"{start}..{end}", cal)
    if period:
        picked = parse_target_period(period, cal)
        if picked.grain == "custom":
            return picked
        if picked.grain not in ("month", "quarter", "year"):
            raise TargetError(f"period {period!r}: pick a month, quarter, year or date range")
        if picked.grain != grain:  # switching grain keeps the date: 2024-03 -> 2024-Q1
            g0: Grain = grain  # type: ignore[assignment]
            return standard_period(period_start(picked.start, g0, cal), g0, cal)
        return picked
    g: Grain = grain  # type: ignore[assignment]
    return standard_period(period_start(today, g, cal), g, cal)


def _phased(target: Target, period: TargetPeriod, additive: bool, data: KpiData) -> Target:
    """``target`` (longer than ``period``) cut down to ``period`` by its own phasing."""
    history = data.monthly(target.kpi, target.dimension, target.dimension_value)
    shares, _ = month_shares(target, history)
    slices = month_slices(target.period)
    inside = [
        (s, share)
        for s, share in zip(slices, shares, strict=True)
        if s.start >= period.start and s.end <= period.end
    ]
    total = sum(share for _, share in inside)
    value = target.value * total if additive else target.value
    phasing = target.phasing
    weights: tuple[float, ...] = ()
    if phasing == "weights":
        weights = tuple(100 * share / total for _, share in inside) if total else ()
        if not weights:
            phasing = "linear"
    return replace(
        target,
        period=period,
        value=value,
        phasing=phasing,
        weights=weights,
        basis="absolute",
        baseline=None,
        baseline_period=None,
        baseline_value=None,
        change=None,
        change_kind=None,
    )


def targets_for(
    ws: Workspace,
    current: Sequence[Target],
    period: TargetPeriod,
    by: str | None,
    data: KpiData,
) -> dict[tuple[str, str | None], tuple[Target, str]]:
    """(KPI, member) -> the target for ``period`` and where it comes from."""
    out: dict[tuple[str, str | None], tuple[Target, str]] = {}
    longer: list[Target] = []
    for t in current:
        if t.kpi not in ws.kpis or t.dimension != by:
            continue
        if t.period.label == period.label:
            out[(t.kpi, t.dimension_value)] = (t, t.period.label)
        elif (
            t.period.start <= period.start
            and period.end <= t.period.end
            and t.period.days > period.days
        ):
            longer.append(t)
    for t in sorted(longer, key=lambda t: t.period.days):
        key = (t.kpi, t.dimension_value)
        if key in out:
            continue
        try:
            derived = _phased(t, period, is_additive(t.kpi, ws.kpis), data)
        except OnpaceError:
            continue
        out[key] = (derived, f"{t.period.label} phased")
    return out


Values = dict[tuple[str, str | None], float | None]


def _values(
    ws: Workspace,
    names: list[str],
    period: TargetPeriod,
    compare: TargetPeriod,
    by: str | None,
    as_of: datetime,
) -> tuple[Values, Values, dict[tuple[str, str | None], list[float | None]]]:
    """Per (KPI, member): the period's value, the comparison's, and the sparkline points."""
    if not names:
        return {}, {}, {}
    custom = period.grain == "custom"
    grain: Grain = "month" if custom else period.grain  # type: ignore[assignment]
    last = period_start(period.start, grain, ws.calendar)
    spark_dates = [shift_period(last, grain, -i) for i in range(SPARK_PERIODS - 1, -1, -1)]
    first = spark_dates[0] if custom else min(spark_dates[0], compare.start)
    end = next_period_start(last, grain) if custom else period.end
    frame = ws.compute(names, grain=grain, start=first, end_before=end, by=by, as_of=as_of)
    by_period: dict[tuple[str, str | None, date], float | None] = {}
    for row in frame.itertuples(index=False):
        member = str(getattr(row, by)) if by else None
        by_period[(row.kpi, member, _day(row.period))] = as_number(row.value)
    keys = {(k, m) for k, m, _ in by_period}
    spark = {key: [by_period.get((*key, d)) for d in spark_dates] for key in keys}
    if not custom:
        now = {key: by_period.get((*key, period.start)) for key in keys}
        before = {key: by_period.get((*key, compare.start)) for key in keys}
        return now, before, spark
    additive = [n for n in names if is_additive(n, ws.kpis)]
    return (
        _custom_sums(ws, additive, period, by, as_of),
        _custom_sums(ws, additive, compare, by, as_of),
        spark,
    )


def _custom_sums(
    ws: Workspace, names: list[str], rng: TargetPeriod, by: str | None, as_of: datetime
) -> Values:
    """Additive KPIs summed over the days of a custom range (rates cannot be summed)."""
    if not names:
        return {}
    days = ws.compute(names, grain="day", start=rng.start, end_before=rng.end, by=by, as_of=as_of)
    sums: Values = {}
    for row in days.itertuples(index=False):
        member = str(getattr(row, by)) if by else None
        v = as_number(row.value)
        sums[(row.kpi, member)] = (sums.get((row.kpi, member)) or 0.0) + (v or 0.0)
    return sums


def _day(value: Any) -> date:
    return value if type(value) is date else value.date()  # type: ignore[no-any-return]


def _row(
    kpi: str,
    ws: Workspace,
    member: str | None,
    period: TargetPeriod,
    now: Values,
    before: Values,
    spark: dict[tuple[str, str | None], list[float | None]],
    status: TargetStatus | None,
    source: str | None,
    missing: list[str],
    with_sparkline: bool,
) -> dict[str, Any]:
    spec = ws.kpis[kpi]
    value = now.get((kpi, member))
    compare_value = before.get((kpi, member))
    note = None
    if missing:
        note = "the data lacks " + ", ".join(missing)
    elif period.grain == "custom" and not is_additive(kpi, ws.kpis):
        note = "a rate or average has no value over a custom range; pick a month, quarter or year"
    if status is not None and status.actual is not None:
        value = status.actual
    row: dict[str, Any] = {
        "kpi": kpi,
        "label": spec.label,
        "unit": spec.unit,
        "direction": spec.direction,
        "member": member,
        "period": period.label,
        "value": value,
        "compare_value": compare_value,
        "change": change(value, compare_value, spec.unit),
        "target": None,
        "target_source": None,
        "attainment": None,
        "target_to_date": None,
        "pace": None,
        "pace_marker": None,
        "projection": None,
        "low": None,
        "high": None,
        "probability": None,
        "score": None,
        "state": None,
        "status": "no data" if missing else "no target",
        "note": note,
    }
    if status is not None:
        marker = None
        if status.target_to_date is not None and status.target:
            marker = status.target_to_date / status.target
        row.update(
            target=status.target,
            target_source=source,
            attainment=status.attainment,
            target_to_date=status.target_to_date,
            pace=status.pace,
            pace_marker=marker,
            projection=status.projection,
            low=status.low,
            high=status.high,
            probability=status.probability,
            score=status.score,
            state=status.state,
            status=status.status,
            note=status.note or note,
        )
    if with_sparkline:
        points = spark.get((kpi, member), [None] * SPARK_PERIODS)
        row["sparkline"] = points
        row["sparkline_chart"] = (
            charts.sparkline(points) if any(p is not None for p in points) else None
        )
    return row


def _objectives(ws: Workspace) -> tuple[Objectives, str | None]:
    try:
        return workspace_objectives(ws), None
    except SpecError as exc:
        return Objectives(), "; ".join(str(i) for i in exc.issues)


def scorecard_view(
    ws: Workspace,
    store: Store,
    scope: Scope,
    grain: str = "quarter",
    period: str | None = None,
    start: str | None = None,
    end: str | None = None,
    compare: str = "previous",
    by: str | None = None,
    as_of: datetime | None = None,
) -> dict[str, Any]:
    """The scorecard as plain data (see the module docstring)."""
    if compare not in COMPARES:
        raise TargetError(f"compare {compare!r}: use previous or last_year")
    moment = as_of or ws.now()
    picked = pick_period(ws, grain, period, start, end, moment.date())
    against = baseline_period(picked, compare, ws.calendar)  # type: ignore[arg-type]
    data = KpiData(ws, moment)
    session = ws.session()
    names = list(ws.kpis) if by is None else [n for n in ws.kpis if by in ws.kpis[n].dimensions]
    missing = {n: session.missing_data(n) for n in names}
    computable = [n for n in names if not missing[n]]
    now, before, spark = _values(ws, computable, picked, against, by, moment)
    targets = targets_for(ws, store.current(), picked, by, data)
    members: dict[str, list[str | None]] = {n: [None] for n in names}
    if by is not None:
        found: dict[str, set[str | None]] = {n: set() for n in names}
        for kpi, member in now:
            found[kpi].add(member)
        for kpi, member in targets:
            if kpi in found:
                found[kpi].add(member)
        members = {n: sorted(found[n], key=lambda m: (m is None, str(m))) for n in names}
    rows: list[dict[str, Any]] = []
    for name in names:
        for member in scope.keep(by, members[name], lambda m: m):
            hit = targets.get((name, member))
            status = None
            if hit is not None:
                status = evaluate_target(data, hit[0], ws.config.status)
            rows.append(
                _row(
                    name,
                    ws,
                    member,
                    picked,
                    now,
                    before,
                    spark,
                    status,
                    hit[1] if hit else None,
                    missing[name],
                    with_sparkline=by is None,
                )
            )
    objectives, problem = _objectives(ws)
    groups = _groups(ws, objectives, rows, by)
    table = []
    for g in groups:
        for r in g["rows"]:
            table.append({"objective": g["name"], **{c: r.get(c) for c in COLUMNS[1:]}})
    return {
        "title": "Scorecard",
        "as_of": moment.isoformat(timespec="seconds"),
        "grain": picked.grain,
        "period": picked.label,
        "start": picked.start.isoformat(),
        "end": picked.end.isoformat(),
        "compare": compare,
        "compare_period": against.label,
        "by": by,
        "objectives_problem": problem,
        "groups": groups,
        "table": table,
        "columns": COLUMNS,
    }


def _groups(
    ws: Workspace, objectives: Objectives, rows: list[dict[str, Any]], by: str | None
) -> list[dict[str, Any]]:
    scores = {
        r["kpi"]: KpiScore(r["score"], r["status"])
        for r in rows
        if r["member"] is None and r["target"] is not None
    }
    groups: list[dict[str, Any]] = []
    linked: set[str] = set()
    for node, order in objective_groups(objectives, ws.kpis, scores, ws.config.status):
        linked |= set(order)
        groups.append(
            {
                "name": node.objective.name,
                "label": node.objective.label,
                "depth": node.depth,
                "attainment": node.attainment if by is None else None,
                "status": node.status if by is None else None,
                "drags": [{"name": n, "shortfall": s} for n, s in node.drags] if by is None else [],
                "rows": [r for k in order for r in rows if r["kpi"] == k],
            }
        )
    rest = [r for r in rows if r["kpi"] not in linked]
    if rest:
        groups.append(
            {
                "name": UNLINKED,
                "label": "KPIs linked to no objective",
                "depth": 0,
                "attainment": None,
                "status": None,
                "drags": [],
                "rows": sorted(rest, key=lambda r: (ws.kpis[r["kpi"]].area, r["kpi"])),
            }
        )
    return groups
