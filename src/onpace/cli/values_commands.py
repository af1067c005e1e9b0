"""`onpace refresh`: bring the stored KPI values up to the data and to today."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from onpace.cli.support import WorkspaceOpt, as_of_option, console, fail, open_workspace
from onpace.errors import OnpaceError


def refresh(
    workspace: WorkspaceOpt = Path("."),
    full: Annotated[bool, typer.Option(help="Recompute every stored value.")] = False,
    status: Annotated[bool, typer.Option(help="Only say what is stored.")] = False,
    as_of: Annotated[str | None, typer.Option(help="Store the values as of this moment.")] = None,
) -> None:
    """Refresh the stored values: only what changed since the last refresh (or --full)."""
    ws = open_workspace(workspace)
    moment = as_of_option(as_of) or ws.now()
    try:
        if status:
            found = ws.values.status(ws.warehouse, moment)
            if not found.exists:
                console.print("No stored values yet: run onpace refresh (or onpace ingest).")
                return
            state = "current" if found.current else "out of date (reads compute from the data)"
            console.print(
                f"Stored values of {found.kpis} KPIs as of {found.as_of:%Y-%m-%d %H:%M}, "
                f"valid until {found.valid_until:%Y-%m-%d %H:%M}: {state}"
            )
            if found.stale_kpis:
                console.print(f"definitions changed since: {', '.join(found.stale_kpis)}")
            return
        report = ws.refresh(full=full, as_of=moment)
    except OnpaceError as exc:
        fail(str(exc))
        return
    if report.kind == "unchanged":
        console.print("Stored values are current: nothing to refresh.")
        return
    periods = ", ".join(f"{g} {n}" for g, n in report.periods.items() if n)
    console.print(
        f"Stored values refreshed ({report.kind}): {report.cells:,} cells in "
        f"{report.seconds:.1f} s" + (f"; periods recomputed: {periods}" if periods else "")
    )
    if report.rebuilt and report.kind != "full":
        console.print(f"recomputed in full: {', '.join(report.rebuilt)}")


def register(app: typer.Typer) -> None:
    """Add refresh to the main app."""
    app.command("refresh")(refresh)
