"""The onpace command line: parses arguments, calls the library, prints the result."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from onpace.cli.support import (
    WorkspaceOpt,
    as_of_option,
    compute_grain_option,
    console,
    err_console,
    fail,
    grain_option,
    open_workspace,
    print_issues,
)
from onpace.errors import OnpaceError, SpecError

if TYPE_CHECKING:
    from onpace.calendar import ComputeGrain
    from onpace.views.long_table import LongTable
    from onpace.workspace import Workspace

app = typer.Typer(
    help="onpace: sales KPIs as a percentage of their targets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
kpi_app = typer.Typer(help="List and inspect KPI definitions.", no_args_is_help=True)
app.add_typer(kpi_app, name="kpi")


def _register_command_modules() -> None:
    """Commands of other areas live in their own modules and add themselves here."""
    import importlib

    modules = (
        "onpace.cli.target_commands",
        "onpace.cli.objective_commands",
        "onpace.cli.review_commands",
        "onpace.cli.ingest_commands",
        "onpace.cli.web_commands",
        "onpace.cli.compare_commands",
        "onpace.cli.alert_commands",
        "onpace.cli.checkin_commands",
        "onpace.cli.report_commands",
        "onpace.cli.values_commands",
        "onpace.cli.store_commands",
        "onpace.cli.forecast_commands",
    )
    for module in modules:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        mod.register(app)


@app.command()
def demo(
    directory: Annotated[Path, typer.Argument(help="Where to create the demo workspace.")] = Path(
        "onpace-demo"
    ),
    orders: Annotated[int, typer.Option(help="Approximate number of orders to generate.")] = 60_000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 7,
    years: Annotated[int, typer.Option(help="Full years of history before this year.")] = 3,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the dashboard at the end.")
    ] = True,
    mail_to_dir: Annotated[
        Path | None,
        typer.Option(help="Run a local SMTP sink writing the alerts and digests here as .eml."),
    ] = None,
) -> None:
    """Create a demo workspace with generated data, print its scorecard and serve it."""
    from contextlib import nullcontext

    from onpace.demo.setup import create_demo

    sink: Any = nullcontext()
    if mail_to_dir is not None:
        from onpace.reports.mail_sink import MailSink

        sink = MailSink(mail_to_dir)
    with sink:
        port = getattr(sink, "port", None)
        with console.status(f"Generating {orders:,} orders of demo data..."):
            result = create_demo(directory, orders=orders, seed=seed, years=years, mail_port=port)
        if mail_to_dir is not None:
            _demo_mail(result.workspace, mail_to_dir)
        _demo_end(result, directory, serve)


def _demo_mail(ws: Workspace, folder: Path) -> None:
    """The demo's first alerts and digests, through the sink into ``folder``."""
    from onpace.alerts.dispatch import run_alerts
    from onpace.reports.digest_send import send_digests

    with console.status("Sending the demo's alerts and digests..."):
        fired = run_alerts(ws)
        digests = send_digests(ws)
    console.print(
        f"{fired.fired} alert(s) and {len(digests)} digest(s) written to {folder} as .eml files"
    )


def _demo_end(result: Any, directory: Path, serve: bool) -> None:
    counts = ", ".join(f"{n} {t}" for t, n in result.rows.items())
    console.print(f"[green]Demo workspace ready in[/] {directory}  ({counts})")
    _periods(result.workspace, None)
    from onpace.cli.target_commands import print_scorecard

    print_scorecard(result.workspace, only_targets=True)
    console.print(
        f"\nNext: onpace kpi list -w {directory}\n      onpace compute revenue "
        f"orders --grain quarter --by channel -w {directory}"
    )
    from onpace.cli.web_commands import demo_login

    demo_login(result.workspace, serve)


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the new workspace.")],
    template: Annotated[str, typer.Option(help="b2b, ecommerce or multichannel.")] = "multichannel",
    timezone: Annotated[str, typer.Option(help="IANA time zone of the business.")] = "UTC",
    currency: Annotated[str, typer.Option(help="ISO currency code.")] = "EUR",
    fiscal_year_start: Annotated[int, typer.Option(help="Month the fiscal year starts.")] = 1,
    force: Annotated[bool, typer.Option(help="Overwrite an existing onpace.yml.")] = False,
    from_: Annotated[
        list[Path] | None,
        typer.Option(
            "--from",
            help="Export files to propose a sources.yml for: a file, a folder or a pattern "
            "(repeat --from for several).",
        ),
    ] = None,
) -> None:
    """Create a workspace with the catalog KPIs that fit a kind of business.

    With --from, sources.yml is proposed from the export files first: when that
    fails, nothing is written.
    """
    from onpace.catalog.scaffold import create_workspace

    try:
        extra: dict[str, str] = {}
        outside: list[str] = []
        if from_:
            from onpace.ingest.confine import folders_outside
            from onpace.ingest.propose import expand_inputs, proposal_text
            from onpace.ingest.source_spec import SOURCES_FILE

            extra[SOURCES_FILE] = proposal_text(directory, list(from_))
            outside = folders_outside(directory, expand_inputs(list(from_)))
        files = create_workspace(
            directory,
            template,
            timezone=timezone,
            currency=currency,
            fiscal_year_start=fiscal_year_start,
            overwrite=force,
            extra_files=extra,
            allowed_dirs=outside,
        )
    except OnpaceError as exc:
        fail(f"{exc}; the workspace was not created")
        return
    console.print(f"[green]Created workspace[/] {directory} ({template}):")
    for f in files:
        console.print(f"  {f}")
    for line in next_steps(directory, bool(from_)):
        console.print(line, markup=False, highlight=False)


def next_steps(directory: Path, proposed: bool) -> list[str]:
    """What to do after ``onpace init``: load data, look at it, set a first target."""
    year = date.today().year
    steps = ["Next:"]
    if proposed:
        steps.append(f"  1. check the proposed mapping in {directory / 'sources.yml'}, then run:")
    else:
        steps.append(
            "  1. propose a mapping from your export files (or write sources.yml), then ingest:"
        )
        steps.append(f"       onpace init {directory} --from EXPORTS --force")
    steps.append(f"       onpace ingest -w {directory}")
    steps.append(f"  2. see where you stand: onpace serve -w {directory}   (or: onpace scorecard)")
    steps.append(
        f"  3. set a first target: onpace target set revenue {year} 1000000 "
        f'--why "budget {year}" -w {directory}'
    )
    return steps


@app.command()
def validate(
    workspace: WorkspaceOpt = Path("."),
    data: Annotated[
        bool, typer.Option("--data/--no-data", help="Also check driver trees on the data.")
    ] = True,
) -> None:
    """Check every KPI definition (and that driver trees hold on the data); exits 1 on errors."""
    ws = open_workspace(workspace, warn=False)
    issues = list(ws.issues)
    if data:
        from onpace.compare.identity import check_identities

        issues += check_identities(ws)
    print_issues(issues)
    errors = len([i for i in issues if i.level == "error"])
    warnings = len(issues) - errors
    if errors:
        err_console.print(
            f"[red]{errors} error(s)[/], {warnings} warning(s) "
            f"in {len(ws.kpis) + len({i.kpi for i in ws.errors if i.kpi})} KPIs"
        )
        raise typer.Exit(1)
    found = ws.comparisons
    console.print(
        f"[green]OK[/]: {len(ws.kpis)} KPIs valid, with {len(found.trees)} driver trees and "
        f"{len(found.funnels)} funnels; {warnings} warning(s)"
    )


@kpi_app.command("list")
def kpi_list(workspace: WorkspaceOpt = Path(".")) -> None:
    """List the workspace's KPIs."""
    from onpace.views.kpis import kpi_rows

    ws = open_workspace(workspace)
    table = Table(title=f"KPIs of {ws.config.name}")
    for col in ("name", "label", "type", "unit", "better", "area"):
        table.add_column(col)
    for row in kpi_rows(ws):
        table.add_row(
            row["name"], row["label"], row["type"], row["unit"], row["direction"], row["area"]
        )
    console.print(table)


@kpi_app.command("show")
def kpi_show(
    name: Annotated[str, typer.Argument(help="KPI name.")], workspace: WorkspaceOpt = Path(".")
) -> None:
    """Show one KPI: definition, formula, unit, direction, dimensions."""
    from onpace.views.kpis import kpi_detail

    ws = open_workspace(workspace)
    try:
        detail = kpi_detail(ws, name)
    except OnpaceError as exc:
        fail(str(exc))
        return
    console.print(f"[bold]{detail['label']}[/] ({detail['name']}, {detail['type']})")
    if detail["description"]:
        console.print(detail["description"])
    console.print(f"[cyan]formula[/]    {escape(detail['formula'])}")
    console.print(f"[cyan]unit[/]       {detail['unit']}    [cyan]better[/] {detail['direction']}")
    console.print(f"[cyan]dimensions[/] {', '.join(detail['dimensions']) or '(none)'}")
    console.print(f"[cyan]reads[/]      {', '.join(detail['entities']) or '(other KPIs)'}")
    for key in ("objective", "owner", "review_cadence"):
        if detail.get(key):
            console.print(f"[cyan]{key}[/] {detail[key]}")
    if detail["defined_at"]:
        console.print(f"[dim]defined at {detail['defined_at']}[/]")


@app.command()
def explain(
    name: Annotated[str, typer.Argument(help="KPI name.")],
    workspace: WorkspaceOpt = Path("."),
    grain: Annotated[str, typer.Option(help="day, week, month, quarter or year.")] = "month",
    by: Annotated[list[str] | None, typer.Option(help="Dimension to break down by.")] = None,
) -> None:
    """Print the SQL that computing a KPI runs on the workspace's backend."""
    from onpace.views.kpis import kpi_detail

    ws = open_workspace(workspace)
    try:
        detail = kpi_detail(ws, name)
        queries = ws.explain(name, grain_option(grain), tuple(by or ()))
    except OnpaceError as exc:
        fail(str(exc))
        return
    console.print(f"-- {name}: {detail['formula']}", highlight=False, markup=False)
    console.print(f"-- backend: {ws.warehouse.dialect}", highlight=False, markup=False)
    for title, sql in queries:
        console.print(f"\n-- {title}", highlight=False, markup=False)
        console.print(sql + ";", highlight=False, markup=False)


@app.command()
def compute(
    names: Annotated[list[str], typer.Argument(help="KPI names.")],
    workspace: WorkspaceOpt = Path("."),
    grain: Annotated[
        str, typer.Option(help="day, week, month, quarter, year, or all (one total).")
    ] = "month",
    from_: Annotated[
        str | None, typer.Option("--from", help="First period or day, included (2017-01).")
    ] = None,
    to: Annotated[
        str | None, typer.Option(help="Last period or day, included (2017-12, 2025-Q1).")
    ] = None,
    by: Annotated[list[str] | None, typer.Option(help="Dimension to break down by.")] = None,
    top: Annotated[
        int | None,
        typer.Option(help="Only the N members of --by with the highest values.", min=1),
    ] = None,
    top_per: Annotated[
        str,
        typer.Option(
            help="range: rank once on the value over the whole range (the same members in "
            "every period); period: rank each period on its own."
        ),
    ] = "range",
    format_: Annotated[
        str, typer.Option("--format", help="table, csv, json or parquet.")
    ] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
    as_of: Annotated[str | None, typer.Option(help="Take the data as of this moment.")] = None,
) -> None:
    """Compute KPIs per period (and dimension) and print or save them.

    Without --from/--to it shows the last 12 periods of the data (and says which).
    """
    from onpace.query.request import TOP_PER

    ws = open_workspace(workspace)
    g = compute_grain_option(grain)
    if format_ not in ("table", "csv", "json", "parquet"):
        fail(f"unknown format '{format_}'; use table, csv, json or parquet", 2)
    if top_per not in TOP_PER:
        fail(f"unknown --top-per '{top_per}'; use range or period", 2)
    moment = as_of_option(as_of)
    dims = list(by or ())
    stored = top is None and format_ != "parquet" and len(set(names)) == len(names)
    if stored and _print_stored(ws, list(names), g, from_, to, dims, moment, format_, output):
        return
    try:
        rng = ws.compute_range(names, g, from_, to, as_of=moment)
        frame = ws.compute(
            names,
            grain=g,
            start=rng.start,
            end_before=rng.end_before,
            by=tuple(dims),
            as_of=moment,
            top=top,
            top_per=top_per,  # type: ignore[arg-type]
        )
    except OnpaceError as exc:
        fail(str(exc))
        return
    _range_note(rng.note)
    if format_ == "table":
        from onpace.views.long_table import frame_table

        _print_table(ws, frame_table(frame, dims), list(names), dims)
        return
    out = frame.copy()
    out["period"] = out["period"].astype(str)
    if format_ == "parquet":
        if output is None:
            fail("parquet needs --output FILE", 2)
            return
        out.to_parquet(output, index=False)
    elif format_ == "csv":
        from onpace.views.value_cells import safe_frame

        text = safe_frame(out).to_csv(index=False)  # no text runs as a spreadsheet formula
        _write(text, output)
    else:
        records = json.loads(out.to_json(orient="records", date_format="iso"))
        _write(json.dumps(records, indent=2) + "\n", output)
    if output is not None:
        err_console.print(f"wrote {len(out)} rows to {output}")


def _print_stored(
    ws: Workspace,
    names: list[str],
    grain: ComputeGrain,
    start: str | None,
    end: str | None,
    dims: list[str],
    as_of: datetime | None,
    format_: str,
    output: Path | None,
) -> bool:
    """Print the answer from stored values without pandas or Ibis; False when not stored.

    Starting the query engine costs more than the rest of the command (see
    :mod:`onpace.values.direct`); what is printed is what computing would print.
    """
    from onpace.values.direct import answer_directly
    from onpace.views.long_table import LongTable, csv_text, json_text

    found = answer_directly(ws, names, grain, start, end, dims, as_of)
    if found is None:
        return False
    rows = found.rows
    members = {found.dim: rows.members} if found.dim else {}
    table = LongTable(rows.kpis, rows.periods, rows.labels, members, rows.values, rows.notes)
    if format_ == "table":
        _range_note(found.range.note)
        _print_table(ws, table, names, dims)
        return True
    text = json_text(table) if format_ == "json" else csv_text(table)
    if text is None:  # a number the frame writes by rules of its own: let it write it
        return False
    _range_note(found.range.note)
    _write(text, output)
    if output is not None:
        err_console.print(f"wrote {len(table)} rows to {output}")
    return True


def _range_note(note: str | None) -> None:
    if note:
        err_console.print(f"[dim]{escape(note)} (choose with --from/--to)[/]", highlight=False)


def _print_table(ws: Workspace, long: LongTable, names: list[str], dims: list[str]) -> None:
    """The values as a table of periods (and members), one column per KPI, and a note."""
    from onpace.views.long_table import display_table

    title, columns, rows = display_table(ws, long, names, dims)
    table = Table(title=title)
    for i, col in enumerate(columns):
        table.add_column(col, justify="left" if i < 1 + len(dims) else "right")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    first = long.first_note()
    if first is not None:
        kpi, label, note = first
        err_console.print(
            f"[dim]{long.note_count()} value(s) not computable; e.g. {kpi} {label}: {note}[/]"
        )


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


@app.command()
def periods(
    workspace: WorkspaceOpt = Path("."),
    as_of: Annotated[str | None, typer.Option(help="Take the data as of this moment.")] = None,
    kpi: Annotated[list[str] | None, typer.Option(help="Only these KPIs.")] = None,
) -> None:
    """Every KPI for the last complete month, quarter and year, against earlier periods."""
    ws = open_workspace(workspace)
    _periods(ws, as_of_option(as_of), kpi)


def _periods(ws: Workspace, as_of: datetime | None, names: list[str] | None = None) -> None:
    from onpace.store import workspace_store
    from onpace.views.formatting import format_change, format_value
    from onpace.views.periods import PERIOD_GRAINS, period_rows

    try:
        store = workspace_store(ws)
        try:
            rows = period_rows(ws, store, names, as_of=as_of)
        finally:
            store.close()
    except OnpaceError as exc:
        fail(str(exc))
        return
    currency = ws.config.currency
    for grain in PERIOD_GRAINS:
        subset = [r for r in rows if r.grain == grain]
        if not subset:
            continue
        table = Table(title=f"{ws.config.name}: last complete {grain} ({subset[0].period})")
        for col in ("area", "KPI", "value", "previous", "change", "last year", "change"):
            table.add_column(col, justify="left" if col in ("area", "KPI") else "right")
        table.add_column("status")
        for r in sorted(subset, key=lambda r: (r.area, r.label)):
            style = {True: "green", False: "red", None: "white"}[r.improved]
            table.add_row(
                r.area,
                r.label,
                format_value(r.value, r.unit, currency),
                format_value(r.previous, r.unit, currency),
                format_change(r.change_previous, r.unit),
                format_value(r.last_year, r.unit, currency),
                f"[{style}]{format_change(r.change_last_year, r.unit)}[/]",
                "" if r.status == "no target" else r.status,
            )
        console.print(table)
    skipped = [n for n in (names or ws.kpis) if n not in {r.kpi for r in rows}]
    if skipped:
        err_console.print(f"[yellow]not computable with this data:[/] {', '.join(skipped)}")


_register_command_modules()


def main() -> None:
    """Console entry point: every onpace error becomes a message and exit code 1."""
    from onpace.cli.startup import for_arguments

    try:
        for_arguments(app, sys.argv[1:])()
    except SpecError as exc:
        print_issues(exc.issues)
        sys.exit(1)
    except OnpaceError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
