"""Commands that compare KPIs: explain-change, funnel, trees, lead-lag, related, compare."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from onpace.cli.support import (
    WorkspaceOpt,
    as_of_option,
    console,
    err_console,
    fail,
    open_workspace,
)
from onpace.errors import OnpaceError
from onpace.views.formatting import MISSING, format_duration, format_value

if TYPE_CHECKING:
    from onpace.workspace import Workspace

FormatOpt = Annotated[str, typer.Option("--format", help="table or json.")]
AsOfOpt = Annotated[str | None, typer.Option(help="Take the data as of this moment.")]


def _json(data: Any) -> None:
    from onpace.web.render import json_bytes

    sys.stdout.write(json.dumps(json.loads(json_bytes(data)), indent=2) + "\n")


def _check_format(value: str) -> None:
    if value not in ("table", "json"):
        fail(f"unknown format '{value}'; use table or json", 2)


def _signed(value: float | None, unit: str, currency: str) -> str:
    if value is None:
        return MISSING
    text = format_value(abs(value), unit, currency)
    if unit == "percent":
        text = f"{abs(value) * 100:.2f} pp"
    return ("+" if value >= 0 else "-") + text


def _pct(value: float | None) -> str:
    return MISSING if value is None else f"{value * 100:+.1f}%"


def _share(value: float | None) -> str:
    return MISSING if value is None else f"{value * 100:.1f}%"


def _store(ws: Workspace) -> Any:
    from onpace.store import workspace_store

    return workspace_store(ws)


# -- explain-change -------------------------------------------------------------------


def _print_explanation(d: dict[str, Any], currency: str) -> None:
    unit = d["unit"]
    change = d["change"]
    before, after = (
        format_value(d["before"], unit, currency),
        format_value(d["after"], unit, currency),
    )
    console.print(
        f"[bold]{escape(d['label'])}[/] {d['period']} against {d['vs']}: {before} -> {after} "
        f"({_signed(change, unit, currency)}"
        + (f", {_pct(d['relative_change'])}" if d["relative_change"] is not None else "")
        + ")",
        highlight=False,
    )
    if d["drivers"]:
        tree = d["tree"]
        console.print(
            f"\nBy driver ({escape(tree['formula'])}; {d['method']} split):", highlight=False
        )
        table = Table()
        for col in ("driver", d["vs"], d["period"], "change", "part of the change", "share"):
            table.add_column(col, justify="left" if col == "driver" else "right")
        for x in d["drivers"]:
            table.add_row(
                x["label"],
                format_value(x["before"], x["unit"], currency),
                format_value(x["after"], x["unit"], currency),
                _pct(x["change"]),
                _signed(x["part"], unit, currency),
                _share(x["part"] / change) if change else MISSING,
            )
        if d["tree_gap"]:
            table.add_row(
                "(not explained by the tree)",
                "",
                "",
                "",
                _signed(d["tree_gap"], unit, currency),
                "",
            )
        table.add_row("[bold]total[/]", "", "", "", _signed(change, unit, currency), "")
        console.print(table)
        if d["tree_gap_reason"]:
            err_console.print(f"[yellow]{d['tree_gap_reason']}[/]")
    members = d["members"]
    if members:
        rate = members["kind"] == "rate"
        console.print(
            f"\nBy {members['dimension']}"
            + (" (mix: share of the volume; rate: the member's own rate):" if rate else ":"),
            highlight=False,
        )
        table = Table()
        columns = [members["dimension"], d["vs"], d["period"], "change"]
        if rate:
            columns += ["mix effect", "rate effect", "share before", "share after"]
        for i, col in enumerate(columns):
            table.add_column(col, justify="left" if i == 0 else "right")
        for r in members["rows"]:
            row = [
                "(none)" if r["member"] is None else str(r["member"]),
                format_value(r["before"], unit, currency),
                format_value(r["after"], unit, currency),
                _signed(r["change"], unit, currency),
            ]
            if rate:
                row += [
                    _signed(r["mix"], unit, currency),
                    _signed(r["rate"], unit, currency),
                    _share(r["volume_before"]),
                    _share(r["volume_after"]),
                ]
            table.add_row(*row)
        if members["unexplained"]:
            table.add_row(
                "(overlap between members)", "", "", _signed(members["unexplained"], unit, currency)
            )
        if not rate:
            table.add_row("[bold]total[/]", "", "", _signed(change, unit, currency))
        else:
            table.add_row(
                "[bold]total[/]",
                "",
                "",
                _signed(change, unit, currency),
                _signed(members["mix"], unit, currency),
                _signed(members["rate"], unit, currency),
            )
        console.print(table)
        if members["unexplained_reason"]:
            err_console.print(f"[yellow]{members['unexplained_reason']}[/]")
    for note in d["notes"]:
        err_console.print(f"[dim]{escape(note)}[/]")


def explain_change(
    kpi: Annotated[str, typer.Argument(help="The KPI whose change to explain.")],
    workspace: WorkspaceOpt = Path("."),
    period: Annotated[
        str | None, typer.Option(help="The period to explain (default: last complete month).")
    ] = None,
    vs: Annotated[
        str | None,
        typer.Option(help="Against: a period (2025-11), last_year (default), previous or target."),
    ] = None,
    by: Annotated[
        str | None, typer.Option(help="Also split by the members of a dimension.")
    ] = None,
    tree: Annotated[
        str | None, typer.Option(help="Which of the KPI's trees (default: default).")
    ] = None,
    method: Annotated[
        str, typer.Option(help="shapley (default) or lmdi, for products.")
    ] = "shapley",
    depth: Annotated[int, typer.Option(help="Expand drivers' own trees this many levels.")] = 1,
    as_of: AsOfOpt = None,
    format_: FormatOpt = "table",
) -> None:
    """What explains a change of a KPI: by driver (its tree) and by member of a dimension."""
    from onpace.views.compare_pages import explain_view

    _check_format(format_)
    ws = open_workspace(workspace)
    store = _store(ws) if vs == "target" else None
    try:
        built = explain_view(
            ws, store, kpi, period, vs, by, tree, method, depth, as_of_option(as_of)
        )
    except OnpaceError as exc:
        fail(str(exc))
        return
    finally:
        if store is not None:
            store.close()
    if format_ == "json":
        _json(built["explanation"])
        return
    _print_explanation(built["explanation"], ws.config.currency)


# -- funnels --------------------------------------------------------------------------


def _funnel_step_table(row: dict[str, Any]) -> Table:
    table = Table()
    for col in ("step", "count", "of the step before", "of the first step", "median time"):
        table.add_column(col, justify="left" if col == "step" else "right")
    for s in row["steps"]:
        table.add_row(
            s["label"],
            f"{s['count']:,}",
            _share(s["step_conversion"]),
            _share(s["overall_conversion"]),
            format_duration(s["median_days"]),
        )
    return table


def _funnel_period_table(built: dict[str, Any], view: str) -> Table:
    steps = built["funnel"]["steps"]
    rows = built["cohorts"] if view == "cohort" else built["events"]
    title = "by cohort (the period of the first step)" if view == "cohort" else "by event period"
    table = Table(title=f"{built['title']}, {title}")
    table.add_column("period")
    if built["by"]:
        table.add_column(built["by"])
    for s in steps:
        table.add_column(s["label"], justify="right")
    for s in steps[1:]:
        table.add_column(f"-> {s['label']}", justify="right")
    if view == "cohort":
        table.add_column("overall", justify="right")
        table.add_column("complete")
    for r in rows:
        cells = [r["label"]]
        if built["by"]:
            cells.append("(none)" if r["member"] is None else str(r["member"]))
        cells += [f"{s['count']:,}" for s in r["steps"]]
        cells += [_share(s["step_conversion"]) for s in r["steps"][1:]]
        if view == "cohort":
            cells.append(_share(r["steps"][-1]["overall_conversion"]))
            cells.append("yes" if r["complete"] else "[yellow]maturing[/]")
        table.add_row(*cells)
    return table


def funnel(
    name: Annotated[str | None, typer.Argument(help="The funnel (none: list them).")] = None,
    workspace: WorkspaceOpt = Path("."),
    grain: Annotated[str, typer.Option(help="day, week, month, quarter or year.")] = "month",
    from_: Annotated[str | None, typer.Option("--from", help="First period.")] = None,
    to: Annotated[str | None, typer.Option(help="Last period (included).")] = None,
    by: Annotated[str | None, typer.Option(help="A dimension of the first step.")] = None,
    view: Annotated[str, typer.Option(help="cohort, event or both.")] = "cohort",
    as_of: AsOfOpt = None,
    format_: FormatOpt = "table",
) -> None:
    """A funnel per period: counts per step, step and overall conversion, time between steps."""
    from onpace.views.compare_pages import funnel_view, funnels_view

    _check_format(format_)
    if view not in ("cohort", "event", "both"):
        fail(f"unknown view '{view}'; use cohort, event or both", 2)
    ws = open_workspace(workspace)
    if name is None:
        listed = funnels_view(ws)
        if format_ == "json":
            _json(listed["table"])
            return
        table = Table(title=f"Funnels of {ws.config.name}")
        for col in ("name", "label", "steps", "dimensions"):
            table.add_column(col)
        for r in listed["table"]:
            table.add_row(r["name"], r["label"], r["steps"], r["dimensions"])
        console.print(table)
        return
    try:
        built = funnel_view(ws, name, grain, from_, to, by, as_of_option(as_of))
    except OnpaceError as exc:
        fail(str(exc))
        return
    if format_ == "json":
        _json({k: v for k, v in built.items() if k not in ("chart", "table", "columns")})
        return
    console.print(
        f"[bold]{escape(built['title'])}[/]: {built['start']} to {built['end']} (end excluded)",
        highlight=False,
    )
    for row in built["total"]:
        if built["by"]:
            console.print(f"\n{built['by']} = {row['member']}", highlight=False)
        console.print(_funnel_step_table(row))
    for v in ("cohort", "event"):
        if view in (v, "both"):
            console.print(_funnel_period_table(built, v))


# -- trees ----------------------------------------------------------------------------


def trees(
    kpi: Annotated[
        str | None, typer.Argument(help="Trace this KPI's target down its tree.")
    ] = None,
    workspace: WorkspaceOpt = Path("."),
    period: Annotated[
        str | None, typer.Option(help="The target's period (default: this month).")
    ] = None,
    as_of: AsOfOpt = None,
    format_: FormatOpt = "table",
) -> None:
    """List the driver trees, or trace a KPI's target to the drivers that must move."""
    from onpace.views.compare_pages import tree_view

    _check_format(format_)
    ws = open_workspace(workspace)
    if kpi is None:
        rows = [
            {
                "kpi": t.kpi,
                "tree": t.name,
                "formula": ws.comparisons.formula(t).text,
                "label": t.label,
            }
            for t in ws.comparisons.trees.values()
        ]
        if format_ == "json":
            _json(rows)
            return
        table = Table(title=f"Driver trees of {ws.config.name}")
        for col in ("KPI", "tree", "formula", "label"):
            table.add_column(col)
        for r in rows:
            table.add_row(r["kpi"], r["tree"], r["formula"], r["label"])
        console.print(table)
        return
    store = _store(ws)
    try:
        built = tree_view(ws, store, kpi, period, as_of_option(as_of))
    except OnpaceError as exc:
        fail(str(exc))
        return
    finally:
        store.close()
    if format_ == "json":
        _json({k: v for k, v in built.items() if k not in ("table", "columns")})
        return
    currency = ws.config.currency
    table = Table(title=f"{built['title']} ({built['period']})")
    for col in ("KPI", "actual", "own target", "needed alone", "change needed"):
        table.add_column(col, justify="left" if col == "KPI" else "right")
    for r in built["table"]:
        table.add_row(
            "  " * r["level"] + r["label"],
            format_value(r["actual"], r["unit"], currency),
            format_value(r["target"], r["unit"], currency),
            format_value(r["needed"], r["unit"], currency),
            _pct(r["needed_change"]),
        )
    console.print(table)
    err_console.print(
        "[dim]needed alone: what the driver must reach for its parent's target when the "
        "other drivers stay where they are[/]"
    )
    for note in built["notes"]:
        err_console.print(f"[dim]{escape(note)}[/]")


# -- lead-lag and related -------------------------------------------------------------


def _r(value: float | None) -> str:
    return MISSING if value is None else f"{value:+.2f}"


def lead_lag(
    kpis: Annotated[list[str], typer.Argument(help="Two or more KPIs.")],
    workspace: WorkspaceOpt = Path("."),
    grain: Annotated[str, typer.Option(help="week, month or quarter.")] = "month",
    lags: Annotated[int, typer.Option(help="Largest lag, in periods.")] = 3,
    change: Annotated[
        str | None, typer.Option(help="previous, last_year or level (default by grain).")
    ] = None,
    from_: Annotated[str | None, typer.Option("--from", help="First period.")] = None,
    to: Annotated[str | None, typer.Option(help="Last period (included).")] = None,
    as_of: AsOfOpt = None,
    format_: FormatOpt = "table",
) -> None:
    """Which KPI leads which: correlations of their changes at lags 0..N, with intervals."""
    from onpace.views.compare_pages import lead_lag_view

    _check_format(format_)
    ws = open_workspace(workspace)
    try:
        built = lead_lag_view(ws, kpis, grain, lags, change, from_, to, as_of_option(as_of))
    except OnpaceError as exc:
        fail(str(exc))
        return
    if format_ == "json":
        _json({k: v for k, v in built.items() if k not in ("chart", "table", "columns")})
        return
    for pair in built["pairs"]:
        table = Table(title=f"{pair['a']} and {pair['b']} ({built['periods']} {grain}s)")
        for col in ("leads", "by", "pairs", "r", "95% interval"):
            table.add_column(col, justify="left" if col == "leads" else "right")
        for lag in pair["lags"]:
            interval = (
                f"{lag['low']:+.2f} .. {lag['high']:+.2f}" if lag["low"] is not None else MISSING
            )
            table.add_row(lag["leader"], str(lag["lag"]), str(lag["n"]), _r(lag["r"]), interval)
        console.print(table)
        console.print(pair["verdict"], highlight=False)


def related(
    kpi: Annotated[str, typer.Argument(help="The KPI.")],
    workspace: WorkspaceOpt = Path("."),
    grain: Annotated[str, typer.Option(help="week, month or quarter.")] = "month",
    lags: Annotated[int, typer.Option(help="Largest lag, in periods.")] = 3,
    change: Annotated[
        str | None, typer.Option(help="previous, last_year or level (default by grain).")
    ] = None,
    as_of: AsOfOpt = None,
    format_: FormatOpt = "table",
) -> None:
    """The KPIs whose changes clearly move with this one's, first or after it."""
    from onpace.views.compare_pages import related_view

    _check_format(format_)
    ws = open_workspace(workspace)
    try:
        built = related_view(ws, kpi, grain, lags, change, as_of_option(as_of))
    except OnpaceError as exc:
        fail(str(exc))
        return
    if format_ == "json":
        _json(built["table"])
        return
    table = Table(title=f"{built['title']} ({built['periods']} {grain}s)")
    for col in ("KPI", "r", "interval", "lag", "what it says", "by definition"):
        table.add_column(col, justify="right" if col in ("r", "lag") else "left")
    for r in built["table"]:
        table.add_row(
            r["label"],
            _r(r["r"]),
            f"{r['low']:+.2f} .. {r['high']:+.2f}",
            str(r["lag"]),
            r["verdict"],
            r["relation"],
        )
    console.print(table)
    if not built["table"]:
        console.print("no KPI moves clearly with it")


# -- compare ----------------------------------------------------------------------------


def compare(
    kpi: Annotated[str, typer.Argument(help="The KPI.")],
    other: Annotated[str | None, typer.Argument(help="Another KPI to put beside it.")] = None,
    workspace: WorkspaceOpt = Path("."),
    vs: Annotated[str | None, typer.Option(help="last_year or previous: itself earlier.")] = None,
    by: Annotated[str | None, typer.Option(help="One series per member of a dimension.")] = None,
    member: Annotated[list[str] | None, typer.Option(help="Members to show (with --by).")] = None,
    index: Annotated[bool, typer.Option("--index", help="Index every series to 100.")] = False,
    grain: Annotated[str, typer.Option(help="day, week, month, quarter or year.")] = "month",
    from_: Annotated[str | None, typer.Option("--from", help="First period.")] = None,
    to: Annotated[str | None, typer.Option(help="Last period (included).")] = None,
    as_of: AsOfOpt = None,
    format_: FormatOpt = "table",
) -> None:
    """A KPI side by side with another KPI, with itself earlier, or per member."""
    from onpace.views.compare_pages import compare_view

    _check_format(format_)
    ws = open_workspace(workspace)
    try:
        built = compare_view(
            ws, kpi, other, grain, from_, to, index, vs, by, member, as_of_option(as_of)
        )
    except OnpaceError as exc:
        fail(str(exc))
        return
    if format_ == "json":
        _json({k: v for k, v in built.items() if k not in ("chart", "columns")})
        return
    table = Table(title=built["title"] + (" (indexed, first period = 100)" if index else ""))
    table.add_column("period")
    for s in built["series"]:
        table.add_column(s["title"], justify="right")
    for row in built["table"]:
        cells = [row["label"]]
        for s, unit in zip(built["series"], built["units"], strict=False):
            value = row.get(s["key"])
            cells.append(
                MISSING
                if value is None
                else f"{value:,.1f}"
                if index
                else format_value(value, unit, ws.config.currency)
            )
        table.add_row(*cells)
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add the comparison commands to the main app."""
    app.command("explain-change")(explain_change)
    app.command("funnel")(funnel)
    app.command("trees")(trees)
    app.command("lead-lag")(lead_lag)
    app.command("related")(related)
    app.command("compare")(compare)
