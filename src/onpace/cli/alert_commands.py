"""`onpace alerts ...`: check alerts.yml, run the rules (for cron), snooze, see the history."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from onpace.cli.support import (
    WorkspaceOpt,
    as_of_option,
    console,
    fail,
    open_workspace,
    print_issues,
)
from onpace.errors import OnpaceError, SpecError

alerts_app = typer.Typer(help="Alert rules (alerts.yml): run, check, snooze.", no_args_is_help=True)

AsOf = Annotated[str | None, typer.Option(help="Evaluate as of this moment (ISO date or time).")]


@alerts_app.command("check")
def check(workspace: WorkspaceOpt = Path(".")) -> None:
    """Validate alerts.yml against the workspace: every problem with file, line and a fix."""
    from onpace.alerts.rules import load_alerts

    ws = open_workspace(workspace)
    config = load_alerts(ws)
    if config.file is None:
        console.print("no alerts.yml in this workspace")
        return
    print_issues(config.issues)
    if any(i.level == "error" for i in config.issues):
        raise typer.Exit(1)
    console.print(f"{len(config.rules)} alert rule(s) ok")


@alerts_app.command("run")
def run(
    workspace: WorkspaceOpt = Path("."),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would be sent; send and record nothing.")
    ] = False,
    as_of: AsOf = None,
    format_: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """Evaluate every rule; send the alerts whose condition changed (for cron)."""
    from onpace.alerts.dispatch import run_alerts

    ws = open_workspace(workspace)
    try:
        result = run_alerts(ws, as_of_option(as_of), dry_run=dry_run)
    except SpecError as exc:
        print_issues(exc.issues)
        raise typer.Exit(1) from exc
    except OnpaceError as exc:
        fail(str(exc))
    if format_ == "json":
        out = {
            "as_of": result.as_of.isoformat(),
            "dry_run": dry_run,
            "fired": result.fired,
            "cleared": result.cleared,
            "unchanged": result.unchanged,
            "snoozed": result.snoozed,
            "sent": [s.as_dict() for s in result.sent],
        }
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
    else:
        verb = "would send" if dry_run else "sent"
        table = Table("rule", "channel", "to", "message", "result")
        for s in result.sent:
            outcome = "dry run" if s.ok is None else ("ok" if s.ok else f"FAILED: {s.error}")
            table.add_row(s.rule, s.channel, escape(s.address), escape(s.title), escape(outcome))
        if result.sent:
            console.print(table)
        console.print(
            f"{result.fired} fired, {result.cleared} cleared, {result.unchanged} unchanged, "
            f"{result.snoozed} snoozed; {verb} {len(result.sent)} message(s)"
        )
    if result.failed:
        raise typer.Exit(3)


@alerts_app.command("snooze")
def snooze(
    rule: Annotated[str, typer.Argument(help="The rule to keep quiet.")],
    why: Annotated[str, typer.Option("--why", help="Why it is snoozed.")],
    workspace: WorkspaceOpt = Path("."),
    days: Annotated[float, typer.Option(help="For how many days.")] = 7.0,
    kpi: Annotated[str | None, typer.Option(help="Only for this KPI.")] = None,
) -> None:
    """Snooze a rule (or one KPI of it) for some days; it fires again after, if it still holds."""
    from onpace.alerts.history import snooze as add_snooze
    from onpace.alerts.rules import workspace_alerts

    ws = open_workspace(workspace)
    try:
        workspace_alerts(ws).rule(rule)
        if kpi is not None and kpi not in ws.kpis:
            from onpace.errors import did_you_mean

            fail(f"unknown KPI '{kpi}'." + did_you_mean(kpi, ws.kpis))
        until = ws.now() + timedelta(days=days)
        add_snooze(ws.store, rule, until, why, kpi)
    except OnpaceError as exc:
        fail(str(exc))
    what = f"{rule} for {kpi}" if kpi else rule
    console.print(f"{what} snoozed until {until:%Y-%m-%d %H:%M}")


@alerts_app.command("history")
def history(
    workspace: WorkspaceOpt = Path("."),
    limit: Annotated[int, typer.Option(help="How many events.")] = 50,
    format_: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """The alerts that fired or cleared, newest first, with their deliveries."""
    from onpace.alerts.history import events

    ws = open_workspace(workspace)
    found = events(ws.store, limit)
    if format_ == "json":
        sys.stdout.write(json.dumps(found, indent=2) + "\n")
        return
    table = Table("at", "rule", "event", "message", "deliveries")
    for e in found:
        sent = ", ".join(
            f"{d['channel']}:{d['recipient']} {'ok' if d['ok'] else 'FAILED'}"
            for d in e["deliveries"]
        )
        table.add_row(e["at"], e["rule"], e["event"], escape(e["message"]), escape(sent))
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(alerts_app, name="alerts")
