"""Data functions behind the comparison screens: explain a change, funnels, related KPIs,
lead-lag, two KPIs side by side and a target traced down its tree.

Each returns one plain, JSON-ready dict that the CLI prints, the API returns and a
page renders, with its ``table`` (and ``columns``) for the CSV download. A rep
sees totals, and of a breakdown by rep only their own row: the others are folded
into one "other members" row, so every split still adds up.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from onpace.calendar import GRAINS, Grain, next_period_start, period_start, periods_between
from onpace.compare.explain import explain_change, resolve_period
from onpace.compare.funnels import FunnelRow, compute_funnel
from onpace.compare.lead_lag import CHANGES, Change, LeadLag
from onpace.compare.related import pair_lead_lag, related_kpis, workspace_series
from onpace.compare.series import Series, kpi_series
from onpace.compare.trace import trace_tree
from onpace.errors import UnknownNameError, did_you_mean
from onpace.views import compare_charts, compare_scope
from onpace.views.scope import UNRESTRICTED, Scope

if TYPE_CHECKING:
    from onpace.store import Store
    from onpace.workspace import Workspace

OTHERS = "(other members)"
MAX_LAGS = 24
MAX_SERIES = 8


def _grain(value: str, allowed: tuple[str, ...] = GRAINS) -> Grain:
    if value not in allowed:
        raise UnknownNameError(f"unknown grain '{value}'." + did_you_mean(value, allowed))
    return value  # type: ignore[return-value]


def _kpi(ws: Workspace, name: str) -> Any:
    if name not in ws.kpis:
        raise UnknownNameError(f"unknown KPI '{name}'." + did_you_mean(name, ws.kpis))
    return ws.kpis[name]


# -- what explains a change --------------------------------------------------------


def _fold_hidden(rows: list[dict[str, Any]], dimension: str, scope: Scope) -> list[dict[str, Any]]:
    """Rows the scope may see, the others summed into one row."""
    shown = [r for r in rows if scope.allows(dimension, r["member"])]
    hidden = [r for r in rows if not scope.allows(dimension, r["member"])]
    if not hidden:
        return shown
    folded: dict[str, Any] = {k: None for k in rows[0]}
    folded["member"] = OTHERS
    if not compare_scope.fold_visible(scope, hidden):
        return [*shown, {**folded, "note": scope.hidden_note()}]
    folded["change"] = math.fsum(r["change"] for r in hidden)
    for key in ("mix", "rate"):
        if any(r[key] is not None for r in hidden):
            folded[key] = math.fsum(r[key] or 0.0 for r in hidden)
    return [*shown, folded]


def _explain_table(d: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {
            "part": "total",
            "name": d["kpi"],
            "before": d["before"],
            "after": d["after"],
            "change": d["change"],
            "mix": None,
            "rate": None,
        }
    ]
    for x in d["drivers"]:
        rows.append(
            {
                "part": "driver",
                "name": x["kpi"],
                "before": x["before"],
                "after": x["after"],
                "change": x["part"],
                "mix": None,
                "rate": None,
            }
        )
    if d["tree_gap"]:
        rows.append(
            {
                "part": "driver",
                "name": "(not explained by the tree)",
                "before": None,
                "after": None,
                "change": d["tree_gap"],
                "mix": None,
                "rate": None,
            }
        )
    members = d["members"]
    if members:
        for r in members["rows"]:
            rows.append(
                {
                    "part": f"member of {members['dimension']}",
                    "name": r["member"],
                    "before": r["before"],
                    "after": r["after"],
                    "change": r["change"],
                    "mix": r["mix"],
                    "rate": r["rate"],
                }
            )
        if members["unexplained"]:
            rows.append(
                {
                    "part": f"member of {members['dimension']}",
                    "name": "(overlap between members)",
                    "before": None,
                    "after": None,
                    "change": members["unexplained"],
                    "mix": None,
                    "rate": None,
                }
            )
    return rows


def explain_form(ws: Workspace, kpi: str) -> dict[str, Any]:
    """What the explain page offers for ``kpi``: its trees and dimensions, and no result yet."""
    spec = _kpi(ws, kpi)
    return {
        "title": f"What explains {spec.label}",
        "kpi": {"name": kpi, "label": spec.label, "unit": spec.unit},
        "explanation": None,
        "waterfall": None,
        "members_chart": None,
        "trees": [
            {"name": t.name, "label": t.label, "formula": ws.comparisons.formula(t).text}
            for t in ws.comparisons.trees_of(kpi)
        ],
        "dimensions": list(spec.dimensions),
        "table": [],
        "columns": ["part", "name", "before", "after", "change", "mix", "rate"],
    }


def explain_view(
    ws: Workspace,
    store: Store | None,
    kpi: str,
    period: str | None = None,
    vs: str | None = None,
    by: str | None = None,
    tree: str | None = None,
    method: str = "shapley",
    depth: int = 1,
    as_of: datetime | None = None,
    scope: Scope = UNRESTRICTED,
) -> dict[str, Any]:
    """What explains ``kpi``'s change: the explanation, its waterfall and member chart."""
    spec = _kpi(ws, kpi)
    as_of = as_of or ws.now()
    explanation = explain_change(ws, kpi, period, vs, by, tree, method, depth, as_of, store)
    d = compare_scope.explanation(ws, scope, explanation.as_dict(), as_of)
    if d["members"]:
        d["members"]["rows"] = _fold_hidden(d["members"]["rows"], d["members"]["dimension"], scope)
    out: dict[str, Any] = {
        **explain_form(ws, kpi),
        "title": f"What explains {spec.label}: {d['period']} against {d['vs']}",
        "explanation": d,
        "error": None,
        "params": {
            "kpi": kpi,
            "period": d["period"],
            "vs": vs or "last_year",
            "by": by,
            "tree": tree or (d["tree"] or {}).get("name"),
            "method": method,
            "depth": depth,
        },
    }
    if d["drivers"]:
        parts = [(x["label"], x["part"]) for x in d["drivers"]]
        if d["tree_gap"]:
            parts.append(("not explained", d["tree_gap"]))
        out["waterfall"] = compare_charts.waterfall_chart(
            (d["vs"], d["before"]), parts, (d["period"], d["after"]), spec.unit
        )
    elif d["members"]:
        parts = [(str(r["member"]), r["change"]) for r in d["members"]["rows"]]
        if d["members"]["unexplained"]:
            parts.append(("overlap", d["members"]["unexplained"]))
        out["waterfall"] = compare_charts.waterfall_chart(
            (d["vs"], d["before"]), parts, (d["period"], d["after"]), spec.unit
        )
    if d["members"]:
        out["members_chart"] = compare_charts.member_effects_chart(
            d["members"]["rows"],
            spec.unit,
            d["members"]["dimension"],
            d["members"]["kind"] == "rate",
        )
    out["table"] = _explain_table(d)
    out["columns"] = ["part", "name", "before", "after", "change", "mix", "rate"]
    return out


# -- funnels ------------------------------------------------------------------------


def _funnel_rows(rows: list[FunnelRow]) -> list[dict[str, Any]]:
    return [{**asdict(r), "steps": [asdict(s) for s in r.steps]} for r in rows]


def funnels_view(ws: Workspace) -> dict[str, Any]:
    """Every funnel of the workspace with its steps."""
    table = []
    for f in ws.comparisons.funnels.values():
        table.append(
            {
                "name": f.name,
                "label": f.label,
                "description": f.description,
                "steps": " -> ".join(s.title for s in f.steps),
                "dimensions": ", ".join(f.dimensions),
            }
        )
    return {"title": "Funnels", "table": table, "columns": ["name", "label", "steps", "dimensions"]}


def _bounds(
    ws: Workspace, grain: Grain, start: str | date | None, end: str | date | None
) -> tuple[date | None, date | None]:
    from onpace.calendar import parse_period

    def read(value: str | date | None, last: bool) -> date | None:
        if value is None:
            return None
        if isinstance(value, date):
            first = period_start(value, grain, ws.calendar)
            return next_period_start(first, grain) if last else first
        try:
            g, first = parse_period(value, ws.calendar)
        except ValueError as exc:
            raise UnknownNameError(str(exc)) from exc
        return next_period_start(first, g) if last else first

    return read(start, False), read(end, True)


def funnel_view(
    ws: Workspace,
    name: str,
    grain: str = "month",
    start: str | date | None = None,
    end: str | date | None = None,
    by: str | None = None,
    as_of: datetime | None = None,
    scope: Scope = UNRESTRICTED,
) -> dict[str, Any]:
    """One funnel: its chart, the total, the cohort table and the event-period table."""
    as_of = as_of or ws.now()
    g = _grain(grain, ("day", "week", "month", "quarter", "year"))
    first, last = _bounds(ws, g, start, end)
    result = compute_funnel(ws, name, g, first, last, by, as_of)
    f = result.funnel
    keep = [
        (rows, [r for r in rows if scope.allows(by, r.member)])
        for rows in (result.total, result.cohorts, result.events)
    ]
    total, cohorts, events = (kept for _, kept in keep)
    out: dict[str, Any] = {
        "title": f.label,
        "funnel": {
            "name": f.name,
            "label": f.label,
            "description": f.description,
            "dimensions": list(f.dimensions),
            "steps": [
                {
                    "name": s.name,
                    "label": s.title,
                    "entity": s.entity,
                    "window_days": f.window_of(i) if i else None,
                }
                for i, s in enumerate(f.steps)
            ],
        },
        "grain": g,
        "start": result.start.isoformat(),
        "end": result.end.isoformat(),
        "by": by,
        "total": _funnel_rows(total),
        "cohorts": _funnel_rows(cohorts),
        "events": _funnel_rows(events),
        "chart": None,
    }
    out = compare_scope.funnel_rows(ws, scope, out, f, as_of)
    totals = [r for r in out["total"] if r["steps"][0]["count"] is not None]
    if by is None and totals:
        out["chart"] = compare_charts.funnel_chart(totals[0]["steps"])
    elif totals:
        conversions = [
            {"member": r["member"], "conversion": r["steps"][-1]["overall_conversion"]}
            for r in totals
        ]
        out["chart"] = compare_charts.conversion_by_member_chart(conversions, by or "")
    table = []
    for view, key in (("cohort", "cohorts"), ("event", "events")):
        for r in out[key]:
            for s in r["steps"]:
                table.append(
                    {
                        "view": view,
                        "period": r["label"],
                        "member": r["member"],
                        "step": s["step"],
                        "count": s["count"],
                        "step_conversion": s["step_conversion"],
                        "overall_conversion": s["overall_conversion"],
                        "median_days": s["median_days"],
                        "complete": r["complete"],
                    }
                )
    out["table"] = table
    out["columns"] = [
        "view",
        "period",
        "member",
        "step",
        "count",
        "step_conversion",
        "overall_conversion",
        "median_days",
        "complete",
    ]
    return out


# -- lead-lag and related KPIs ------------------------------------------------------


def _change(value: str | None) -> Change | None:
    if value is None:
        return None
    if value not in CHANGES:
        raise UnknownNameError(f"unknown change '{value}'." + did_you_mean(value, CHANGES))
    return value  # type: ignore[return-value]


def _lags(max_lag: int) -> int:
    if not 0 <= max_lag <= MAX_LAGS:
        raise UnknownNameError(f"lags must be between 0 and {MAX_LAGS}, not {max_lag}")
    return max_lag


def _pair(result: LeadLag) -> dict[str, Any]:
    lags = []
    for r in result.lags:
        row = asdict(r)
        row["offset"] = r.lag if r.leader == result.a else -r.lag
        lags.append(row)
    lags.sort(key=lambda r: r["offset"])
    return {
        "a": result.a,
        "b": result.b,
        "verdict": result.verdict,
        "warning": result.warning,
        "best": asdict(result.best) if result.best else None,
        "lags": lags,
    }


def lead_lag_view(
    ws: Workspace,
    kpis: list[str],
    grain: str = "month",
    max_lag: int = 3,
    change: str | None = None,
    start: str | date | None = None,
    end: str | date | None = None,
    as_of: datetime | None = None,
) -> dict[str, Any]:
    """Which of several KPIs leads which: every pair, each lag, with intervals."""
    names = list(dict.fromkeys(kpis))
    if len(names) < 2:
        raise UnknownNameError("name at least two different KPIs to see which leads which")
    if len(names) > MAX_SERIES:
        raise UnknownNameError(f"compare at most {MAX_SERIES} KPIs at once")
    for n in names:
        _kpi(ws, n)
    g = _grain(grain)
    first, last = _bounds(ws, g, start, end)
    results, periods = pair_lead_lag(
        ws, names, g, _lags(max_lag), _change(change), first, last, as_of
    )
    pairs = [_pair(r) for r in results]
    table = [
        {
            "leader": lag["leader"],
            "follower": lag["follower"],
            "lag": lag["lag"],
            "n": lag["n"],
            "r": lag["r"],
            "low": lag["low"],
            "high": lag["high"],
        }
        for p in pairs
        for lag in p["lags"]
    ]
    return {
        "title": "Which KPI leads which",
        "grain": g,
        "periods": periods,
        "change": change,
        "pairs": pairs,
        "chart": compare_charts.lag_chart(pairs[0]["lags"], g)
        if pairs and any(lag["r"] is not None for lag in pairs[0]["lags"])
        else None,
        "table": table,
        "columns": ["leader", "follower", "lag", "n", "r", "low", "high"],
    }


def related_series(
    ws: Workspace, grain: str = "month", change: str | None = None, as_of: datetime | None = None
) -> Series:
    """The series every related list of ``grain`` is computed from."""
    return workspace_series(
        ws, _grain(grain, ("week", "month", "quarter")), _change(change), None, as_of
    )


def related_view(
    ws: Workspace,
    kpi: str,
    grain: str = "month",
    max_lag: int = 3,
    change: str | None = None,
    as_of: datetime | None = None,
    series: Series | None = None,
) -> dict[str, Any]:
    """The KPI page's "related KPIs": clear lead-lag relations, strongest first.

    ``series`` are the workspace's KPI series for ``grain`` and ``change`` when already at
    hand (:func:`related_series`).
    """
    spec = _kpi(ws, kpi)
    g = _grain(grain, ("week", "month", "quarter"))
    found, periods = related_kpis(
        ws, kpi, g, _lags(max_lag), _change(change), as_of=as_of, series=series
    )
    table = []
    for r in found:
        best = r.result.best
        assert best is not None
        table.append(
            {
                "kpi": r.kpi,
                "label": r.label,
                "leader": best.leader,
                "lag": best.lag,
                "r": best.r,
                "low": best.low,
                "high": best.high,
                "n": best.n,
                "verdict": r.result.verdict,
                "relation": r.relation,
            }
        )
    return {
        "title": f"KPIs related to {spec.label}",
        "kpi": kpi,
        "grain": g,
        "periods": periods,
        "table": table,
        "columns": [
            "kpi",
            "label",
            "leader",
            "lag",
            "r",
            "low",
            "high",
            "n",
            "verdict",
            "relation",
        ],
    }


# -- side by side ---------------------------------------------------------------------


def _index(values: list[float | None]) -> list[float | None]:
    base = next((v for v in values if v not in (None, 0)), None)
    return [None if v is None or base is None else v / base * 100 for v in values]


def compare_view(
    ws: Workspace,
    kpi: str,
    other: str | None = None,
    grain: str = "month",
    start: str | date | None = None,
    end: str | date | None = None,
    indexed: bool = False,
    vs: str | None = None,
    by: str | None = None,
    members: list[str] | None = None,
    as_of: datetime | None = None,
    scope: Scope = UNRESTRICTED,
) -> dict[str, Any]:
    """A KPI beside another KPI, beside itself a year (or period) earlier, or per member."""
    spec = _kpi(ws, kpi)
    g = _grain(grain)
    as_of = as_of or ws.now()
    first, last = _bounds(ws, g, start, end)
    default_first, default_last = ws.default_range(g, 12, as_of=as_of)
    first, last = first or default_first, last or default_last
    if len(periods_between(first, last, g, ws.calendar)) > 400:
        raise UnknownNameError("the range has more than 400 periods; narrow it")
    modes = sum(x is not None for x in (other, vs, by))
    if modes > 1:
        raise UnknownNameError("compare with one thing at a time: another KPI, vs, or by")
    series: list[tuple[str, str]] = []
    columns: dict[str, tuple[str, str | None, int]] = {}
    units = [spec.unit]
    if other is not None:
        other_spec = _kpi(ws, other)
        got = kpi_series(ws, [kpi, other], g, first, last, as_of)
        series = [(kpi, spec.label), (other, other_spec.label)]
        units.append(other_spec.unit)
        values = got.values
        columns = {kpi: (kpi, None, 0), other: (other, None, 0)}
        title = f"{spec.label} and {other_spec.label}"
    elif vs is not None:
        shift = {
            "last_year": {"week": -52, "day": -364, "month": -12, "quarter": -4, "year": -1}[g],
            "previous": -1,
        }.get(vs)
        if shift is None:
            raise UnknownNameError(f"--vs {vs!r}: use last_year or previous")
        from onpace.calendar import shift_period

        now = kpi_series(ws, [kpi], g, first, last, as_of)
        then = kpi_series(
            ws, [kpi], g, shift_period(first, g, shift), shift_period(last, g, shift), as_of
        )
        got = now
        earlier = then.values[kpi][: len(now.periods)]
        earlier += [None] * (len(now.periods) - len(earlier))
        values = {"now": now.values[kpi], "then": earlier}
        columns = {"now": (kpi, None, 0), "then": (kpi, None, -shift)}
        word = "a year earlier" if vs == "last_year" else "the period before"
        series = [("now", spec.label), ("then", f"{spec.label}, {word}")]
        units.append(spec.unit)
        title = f"{spec.label} against {word}"
    elif by is not None:
        if by not in spec.dimensions:
            raise UnknownNameError(
                f"KPI '{kpi}' cannot be broken down by '{by}'." + did_you_mean(by, spec.dimensions)
            )
        got = kpi_series(ws, [kpi], g, first, last, as_of, by)
        allowed = {
            m: v for m, v in got.values.items() if scope.allows(by, None if m == "(none)" else m)
        }
        chosen = members or sorted(allowed, key=lambda m: -sum(v or 0.0 for v in allowed[m]))[:5]
        unknown = [m for m in chosen if m not in allowed]
        if unknown:
            raise UnknownNameError(
                f"no member {unknown[0]!r} of {by}." + did_you_mean(unknown[0], allowed)
            )
        values = {m: allowed[m] for m in chosen[:MAX_SERIES]}
        columns = {m: (kpi, None if m == "(none)" else m, 0) for m in values}
        series = [(m, m) for m in values]
        units = [spec.unit] * len(series)
        title = f"{spec.label} by {by}"
    else:
        raise UnknownNameError(
            "say what to compare with: another KPI, vs last_year, or by a dimension"
        )
    # hidden totals go before indexing: an index would give their ratios away
    values = compare_scope.series_values(ws, scope, values, columns, got.periods, g, by, as_of)
    shown = {k: (_index(v) if indexed else v) for k, v in values.items()}
    rows = []
    for i, (p, label) in enumerate(zip(got.periods, got.labels, strict=True)):
        row: dict[str, Any] = {"period": p.isoformat(), "label": label}
        for key, _ in series:
            row[key] = shown[key][i] if i < len(shown[key]) else None
        rows.append(row)
    return {
        "title": title,
        "kpi": kpi,
        "other": other,
        "vs": vs,
        "by": by,
        "grain": g,
        "indexed": indexed,
        "series": [{"key": k, "title": t} for k, t in series],
        "units": units,
        "chart": compare_charts.pair_chart(rows, series, units, indexed),
        "table": rows,
        "columns": ["label", *(k for k, _ in series)],
    }


# -- a target traced down the tree ---------------------------------------------------


def _flatten(node: dict[str, Any], level: int, out: list[dict[str, Any]]) -> None:
    out.append({**{k: v for k, v in node.items() if k != "children"}, "level": level})
    for child in node["children"]:
        _flatten(child, level + 1, out)


def tree_view(
    ws: Workspace,
    store: Store,
    kpi: str,
    period: str | None = None,
    as_of: datetime | None = None,
    scope: Scope = UNRESTRICTED,
) -> dict[str, Any]:
    """A KPI's tree with actuals, own targets and what each driver would need alone."""
    spec = _kpi(ws, kpi)
    as_of = as_of or ws.now()
    if period is None:
        grain: Grain = "month"
        start = period_start(as_of.date(), "month", ws.calendar)
    else:
        grain, start = resolve_period(period, ws.calendar, as_of)
    root, notes = trace_tree(ws, store, kpi, grain, start, as_of)
    tree = compare_scope.trace(ws, scope, root.as_dict(), grain, start, as_of)
    table: list[dict[str, Any]] = []
    _flatten(tree, 0, table)
    from onpace.calendar import period_label

    return {
        "title": f"{spec.label}: drivers and targets",
        "kpi": kpi,
        "period": period_label(start, grain, ws.calendar),
        "tree": tree,
        "notes": notes,
        "table": table,
        "columns": [
            "level",
            "kpi",
            "label",
            "actual",
            "target",
            "target_source",
            "needed",
            "needed_change",
        ],
    }
