"""`onpace review` and `onpace reviews`: record KPI reviews and see which are due."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from onpace.cli.support import WorkspaceOpt, console, fail, open_workspace
from onpace.errors import OnpaceError

STATUS_STYLE = {
    "overdue": "red",
    "never reviewed": "yellow",
    "due soon": "yellow",
    "ok": "green",
    "no cadence": "dim",
}


def review(
    kpi: Annotated[str, typer.Argument(help="The KPI reviewed.")],
    note: Annotated[str, typer.Option("--note", help="What was looked at and why.")],
    workspace: WorkspaceOpt = Path("."),
    decision: Annotated[str, typer.Option(help="keep, revise or retire.")] = "keep",
    reviewer: Annotated[str | None, typer.Option(help="Who reviewed (default: you).")] = None,
) -> None:
    """Record that a KPI and its targets were reviewed, with the decision and a note."""
    from onpace.reviews.records import add_review
    from onpace.store import workspace_store

    ws = open_workspace(workspace)
    store = workspace_store(ws)
    try:
        done = add_review(store, ws.kpis, kpi, decision, note, reviewer)
    except OnpaceError as exc:
        fail(str(exc))
        return
    finally:
        store.close()
    console.print(f"review of {kpi} recorded: {done.decision} by {done.reviewer}")


def reviews(
    workspace: WorkspaceOpt = Path("."),
    kpi: Annotated[str | None, typer.Option(help="History of one KPI's reviews.")] = None,
    due: Annotated[bool, typer.Option("--due", help="Only KPIs overdue or due soon.")] = False,
    format_: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """Which KPIs are due for review on their cadence (or one KPI's review history)."""
    from onpace.reviews.records import list_reviews
    from onpace.reviews.schedule import review_schedule
    from onpace.store import workspace_store

    ws = open_workspace(workspace)
    store = workspace_store(ws)
    try:
        history = list_reviews(store, kpi)
    finally:
        store.close()
    if kpi is not None:
        if format_ == "json":
            sys.stdout.write(json.dumps([r.as_dict() for r in history], indent=2) + "\n")
            return
        table = Table(title=f"Reviews of {kpi}")
        for col in ("when", "who", "decision", "note"):
            table.add_column(col)
        for r in history:
            table.add_row(f"{r.reviewed_at:%Y-%m-%d %H:%M}", r.reviewer, r.decision, r.note)
        console.print(table)
        return
    rows = review_schedule(ws.kpis, history, ws.now().date())
    if due:
        rows = [r for r in rows if r.status in ("overdue", "due soon", "never reviewed")]
    if format_ == "json":
        sys.stdout.write(json.dumps([r.as_dict() for r in rows], indent=2) + "\n")
        return
    table = Table(title=f"Review schedule of {ws.config.name}")
    for col in ("KPI", "cadence", "owner", "last review", "decision", "next due", "status"):
        table.add_column(col)
    for due_row in rows:
        style = STATUS_STYLE[due_row.status]
        table.add_row(
            due_row.kpi,
            due_row.cadence or "",
            due_row.owner or "",
            str(due_row.last_review or ""),
            due_row.last_decision or "",
            str(due_row.due or ""),
            f"[{style}]{due_row.status}[/]",
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add `onpace review` and `onpace reviews` to the main app."""
    app.command("review")(review)
    app.command("reviews")(reviews)
