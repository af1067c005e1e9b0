"""`onpace checkin` and `onpace checkins`: the owner's comment and confidence on a KPI."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from onpace.cli.support import WorkspaceOpt, console, fail, open_workspace
from onpace.errors import OnpaceError


def checkin(
    kpi: Annotated[str | None, typer.Argument(help="The KPI (or use --objective).")] = None,
    period: Annotated[str, typer.Option(help="The period, e.g. 2026-Q4 or 2026-11.")] = "",
    confidence: Annotated[
        str, typer.Option(help="1 to 10, or 'on track', 'at risk', 'off track'.")
    ] = "",
    comment: Annotated[str, typer.Option(help="What you see and what you will do.")] = "",
    objective: Annotated[str | None, typer.Option(help="Check in on an objective.")] = None,
    author: Annotated[str | None, typer.Option(help="Who checks in (default: you).")] = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Record a check-in: a comment and a confidence on a KPI or objective for a period."""
    from onpace.reviews.checkins import add_checkin

    ws = open_workspace(workspace)
    if not period:
        fail("give the period: --period 2026-Q4", 2)
    try:
        done = add_checkin(ws, period, comment, confidence, kpi, objective, author)
    except (OnpaceError, LookupError) as exc:
        fail(str(exc))
    console.print(
        f"check-in on {done.subject} for {done.period} recorded: {done.confidence} by {done.author}"
    )


def checkins(
    workspace: WorkspaceOpt = Path("."),
    kpi: Annotated[str | None, typer.Option(help="Only this KPI.")] = None,
    period: Annotated[str | None, typer.Option(help="Only this period.")] = None,
    format_: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """The check-ins, oldest first."""
    from onpace.reviews.checkins import list_checkins

    ws = open_workspace(workspace)
    found = list_checkins(ws.store, kpi, period)
    if format_ == "json":
        sys.stdout.write(json.dumps([c.as_dict() for c in found], indent=2) + "\n")
        return
    table = Table("at", "on", "period", "confidence", "by", "comment")
    for c in found:
        table.add_row(
            c.at.isoformat(timespec="minutes"),
            c.subject,
            c.period,
            c.confidence,
            escape(c.author),
            escape(c.comment),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("checkin")(checkin)
    app.command("checkins")(checkins)
