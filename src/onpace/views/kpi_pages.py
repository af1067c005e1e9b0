"""Data functions behind the web pages: each returns plain, JSON-ready data.

A page renders the dict with a template, its JSON twin returns the same dict, and
its CSV download writes the dict's ``table``. Keeping the numbers here, and not in
templates, means the page, the API and the CLI can never disagree.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from onpace.calendar import Grain, next_period_start, period_label, period_start, shift_period
from onpace.errors import MissingDataError, UnknownNameError
from onpace.model.entities import ENTITIES, LOADED_ENTITIES
from onpace.query.plain import as_number
from onpace.spec.kpi import kpi_entities
from onpace.targets.actuals import is_additive, member_text
from onpace.targets.roster import REP_ID_DIMENSIONS, Roster, load_roster
from onpace.views import charts
from onpace.views.comparison import pick_period
from onpace.views.kpis import kpi_detail, kpi_rows
from onpace.views.scope import UNRESTRICTED, Scope, rep_contributors
from onpace.workspace import Workspace


def kpis_view(ws: Workspace) -> dict[str, Any]:
    """The KPI list page."""
    rows = kpi_rows(ws)
    return {
        "title": "KPIs",
        "table": rows,
        "columns": ["name", "label", "type", "unit", "direction", "area"],
    }


def kpi_view(
    ws: Workspace,
    name: str,
    grain: Grain = "month",
    periods: int = 24,
    by: str | None = None,
    as_of: datetime | None = None,
    scope: Scope = UNRESTRICTED,
    period: str | None = None,
) -> dict[str, Any]:
    """The KPI detail page: definition, trend, and a breakdown by one dimension.

    The breakdown is of ``period`` (any period of ``grain``; by default the last
    complete one), as a leaderboard: each member's rank and share of the total;
    orders without a rep are "unassigned".

    The breakdown keeps only the rows ``scope`` allows (a rep sees their own row),
    and totals too few reps contribute to are hidden from a rep (see
    :meth:`~onpace.views.scope.Scope.total_visible`), in the trend and the breakdown.
    """
    detail = kpi_detail(ws, name)
    if by and by not in detail["dimensions"]:
        allowed = ", ".join(detail["dimensions"]) or "none"
        raise UnknownNameError(
            f"KPI '{name}' cannot be broken down by '{by}'; its dimensions: {allowed}"
        )
    as_of = as_of or ws.now()
    missing = ws.session().missing_data(name)
    if missing:  # an empty workspace: say what is missing instead of failing
        return {
            "title": detail["label"],
            "kpi": detail,
            "grain": grain,
            "missing": missing,
            "trend": [],
            "trend_chart": None,
            "table": [],
            "columns": ["label", "value", "part", "projection", "note"],
            "breakdown": None,
        }
    start, end = ws.default_range(grain, periods, as_of=as_of)
    frame = ws.compute([name], grain=grain, start=start, end_before=end, as_of=as_of)
    trend = [
        {
            "period": r.period.isoformat(),
            "label": r.period_label,
            "value": as_number(r.value),
            "note": r.note,
        }
        for r in frame.itertuples(index=False)
    ]
    if scope.checks_totals:
        contributors = rep_contributors(ws, [name], grain, start, end, None, as_of)
        trend = scope.hide_totals(trend, contributors, lambda r: (name, _day(r["period"]), None))
    _mark_in_progress(ws, name, trend, grain, as_of)
    out: dict[str, Any] = {
        "missing": [],
        "title": detail["label"],
        "kpi": detail,
        "grain": grain,
        "trend": trend,
        "trend_chart": charts.trend_chart(trend, detail["unit"]),
        "table": trend,
        "columns": ["label", "value", "part", "projection", "note"],
        "breakdown": None,
    }
    if by:
        out["breakdown"] = _breakdown(ws, name, detail["unit"], grain, by, as_of, scope, period)
    return out


def _breakdown(
    ws: Workspace,
    name: str,
    unit: str,
    grain: Grain,
    by: str,
    as_of: datetime,
    scope: Scope,
    period: str | None,
) -> dict[str, Any]:
    """One period's value per member of ``by``, ranked, with the periods to pick from."""
    current = period_start(as_of.date(), grain, ws.calendar)
    choices = [shift_period(current, grain, -i) for i in range(0, 13)]
    if period:
        first = pick_period(ws.calendar, grain, period, None, None, as_of.date()).start
    else:
        first = shift_period(current, grain, -1)
    after = next_period_start(first, grain)
    part = ws.compute([name], grain=grain, start=first, end_before=after, by=by, as_of=as_of)
    roster = load_roster(ws)
    members: list[dict[str, Any]] = [
        {"member": member, "member_label": roster.label(by, member), "value": as_number(v)}
        for member, v in ((member_text(m), v) for m, v in zip(part[by], part["value"], strict=True))
        if scope.allows(by, member) and _at_work(roster, by, member, first, after, v)
    ]
    if scope.checks_totals:
        contributors = rep_contributors(ws, [name], grain, first, after, by, as_of)
        members = scope.hide_totals(members, contributors, lambda m: (name, first, m["member"]))
    members.sort(key=lambda m: (m["value"] is None, -(m["value"] or 0.0)))
    total = sum(m["value"] or 0.0 for m in members) if is_additive(name, ws.kpis) else None
    for rank, m in enumerate(members, start=1):
        m["rank"] = rank if m["value"] is not None else None
        m["share"] = (m["value"] / total) if total and m["value"] is not None else None
    label = part["period_label"].iloc[0] if len(part) else period_label(first, grain, ws.calendar)
    chart_rows = [{**m, "member": m["member_label"]} for m in members]
    return {
        "dimension": by,
        "period": label,
        "periods": [
            {"value": period_label(d, grain, ws.calendar), "to_date": d == current} for d in choices
        ],
        "to_date": first == current,
        "rows": members,
        "chart": charts.breakdown_chart(chart_rows, unit, by),
    }


def _at_work(roster: Roster, by: str, member: str | None, start: date, end: date, v: Any) -> bool:
    """False for a rep who did not work in ``[start, end)`` and has nothing in it."""
    rep = roster.get(member) if by in REP_ID_DIMENSIONS else None
    return rep is None or rep.employed_during(start, end) or bool(as_number(v))


def _mark_in_progress(
    ws: Workspace, name: str, trend: list[dict[str, Any]], grain: Grain, as_of: datetime
) -> None:
    """Mark the period in progress ``to date`` and project an additive KPI to its end.

    Its value covers the days so far, so a month just started is not a drop to
    zero. The projection is the run rate (value so far over the share of the period
    elapsed), drawn from the last complete period to the projected total; rates and
    averages get no run-rate projection (their value so far is already a rate).
    """
    current = period_start(as_of.date(), grain, ws.calendar)
    for row in trend:
        row["part"] = "to date" if _day(row["period"]) == current else "complete"
        row.setdefault("projection", None)
    live = [i for i, r in enumerate(trend) if r["part"] == "to date"]
    if not live or not is_additive(name, ws.kpis):
        return
    i = live[0]
    end = next_period_start(current, grain)
    started = datetime.combine(current, datetime.min.time())
    elapsed = (as_of.replace(tzinfo=None) - started) / (
        datetime.combine(end, datetime.min.time()) - started
    )
    value = trend[i]["value"]
    if value is None or elapsed <= 0:
        return
    trend[i]["projection"] = value / min(elapsed, 1.0)
    if i > 0 and trend[i - 1]["value"] is not None:
        trend[i - 1]["projection"] = trend[i - 1]["value"]  # the dashed line starts here


def _day(iso: str) -> date:
    return date.fromisoformat(iso[:10])


def _entity_time_column(entity: str) -> str:
    ent = ENTITIES[entity]
    for col in ent.columns:
        if col.kind in ("timestamp", "date") and col.required:
            return col.name
    return ""


def health_view(ws: Workspace) -> dict[str, Any]:
    """Data health: rows and freshness of every table, and what each KPI lacks."""
    wh = ws.warehouse
    tables = []
    latest: dict[str, str | None] = {}
    for entity in LOADED_ENTITIES:
        row: dict[str, Any] = {
            "table": entity,
            "rows": None,
            "first": None,
            "last": None,
            "status": "missing",
        }
        if wh.has_table(entity):
            t = wh.table(entity)
            time_col = _entity_time_column(entity)
            aggs = {"rows": t.count()}
            if time_col and time_col in t.columns:
                aggs["first"] = t[time_col].min()
                aggs["last"] = t[time_col].max()
            result = t.aggregate(**aggs).execute().iloc[0]
            row["rows"] = int(result["rows"])
            for key in ("first", "last"):
                if key in result and result[key] is not None and str(result[key]) != "NaT":
                    row[key] = str(result[key])[:19]
            row["status"] = "ok" if row["rows"] else "empty"
        latest[entity] = row["last"]
        tables.append(row)
    session = ws.session()
    kpis = []
    for name, kpi in ws.kpis.items():
        try:
            missing = session.missing_data(name)
        except MissingDataError as exc:  # pragma: no cover - missing_data reports, not raises
            missing = [str(exc)]
        entities = [("orders" if e == "customer_spells" else e) for e in kpi_entities(kpi)]
        dates = [d for e in entities if (d := latest.get(e))]
        kpis.append(
            {
                "kpi": name,
                "label": kpi.label,
                "missing": "; ".join(missing),
                "data_until": min(dates) if dates else None,
            }
        )
    return {
        "title": "Data health",
        "tables": tables,
        "table": kpis,
        "columns": ["kpi", "label", "data_until", "missing"],
    }
