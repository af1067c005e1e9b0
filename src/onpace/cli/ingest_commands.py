"""The ingest commands, ``onpace ingest`` and ``onpace quarantine``: thin, the library works."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from onpace.cli.support import (
    WorkspaceOpt,
    console,
    err_console,
    fail,
    open_workspace,
    print_issues,
)
from onpace.errors import OnpaceError, SpecError

if TYPE_CHECKING:
    from onpace.workspace import Workspace


def _print_quarantine(ws: Workspace, source: str | None, limit: int) -> None:
    from onpace.ingest.report import quarantine_rows

    total, rows = quarantine_rows(ws, source, limit)
    if not total:
        console.print("No quarantined rows.")
        return
    table = Table(title=f"Quarantined rows ({min(limit, total)} of {total:,})")
    for col in ("source", "file", "line", "reason", "row"):
        table.add_column(col, overflow="fold")
    for r in rows:  # data as plain Text: never markup, never :emoji: codes
        table.add_row(Text(r.source), Text(r.file), str(r.line), Text(r.reason), Text(r.row[:200]))
    console.print(table)


def ingest(
    workspace: WorkspaceOpt = Path("."),
    report: Annotated[
        bool, typer.Option(help="List the quarantined rows after the summary.")
    ] = False,
    limit: Annotated[int, typer.Option(help="How many quarantined rows --report lists.")] = 50,
    force: Annotated[bool, typer.Option(help="Read every source even if nothing changed.")] = False,
    allow_empty: Annotated[
        bool, typer.Option(help="Let this run empty a table that has rows.")
    ] = False,
) -> None:
    """Read every source of sources.yml, check each row, and load the warehouse atomically."""
    # the progress bar is Rich's heaviest module: imported when an ingest runs, not to list it
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from onpace.errors import IngestError
    from onpace.ingest import ingest_workspace
    from onpace.ingest.report import summary_lines

    ws = open_workspace(workspace)
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
    task = progress.add_task("ingest", total=1)

    def step(name: str, done: int, total: int) -> None:
        progress.update(task, description=name, completed=done, total=max(total, 1))

    try:
        with progress:
            result = ingest_workspace(ws, progress=step, force=force, allow_empty=allow_empty)
    except SpecError as exc:
        print_issues(exc.issues)
        raise typer.Exit(1) from exc
    except IngestError as exc:
        if exc.issues:
            print_issues(exc.issues)
            err_console.print("[red]nothing was loaded[/]")
            raise typer.Exit(1) from exc
        fail(f"{exc}; nothing was loaded")
        return
    except OnpaceError as exc:
        fail(str(exc))
        return
    for line in summary_lines(result):
        console.print(Text(line), highlight=False)
    if report:
        _print_quarantine(ws, None, limit)


def quarantine(
    workspace: WorkspaceOpt = Path("."),
    source: Annotated[str | None, typer.Option(help="Only rows of this source.")] = None,
    limit: Annotated[int, typer.Option(help="How many rows to list.")] = 50,
) -> None:
    """List the rows the last ingest quarantined, with file, line and reason."""
    ws = open_workspace(workspace)
    try:
        _print_quarantine(ws, source, limit)
    except OnpaceError as exc:
        fail(str(exc))


def register(app: typer.Typer) -> None:
    """Add the ingest commands to the main app."""
    app.command()(ingest)
    app.command()(quarantine)
