"""Shared pieces of the command line: consoles, options, error printing, argument parsing.

Every command module (cli.py and its siblings) uses these, so that errors look the
same everywhere and no command prints a traceback for a user mistake.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from onpace.calendar import COMPUTE_GRAINS, GRAINS, ComputeGrain, Grain
from onpace.errors import OnpaceError, SpecError, SpecIssue

if TYPE_CHECKING:
    from onpace.workspace import Workspace

# Piped output gets a wide, fixed width so tables do not wrap into unreadable columns.
console = Console(width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 160)

WorkspaceOpt = Annotated[
    Path, typer.Option("--workspace", "-w", help="Workspace folder.", envvar="ONPACE_WORKSPACE")
]


def fail(message: str, code: int = 1) -> NoReturn:
    # the message often quotes data (a file's value, a sheet name): never markup or emoji
    err_console.print(Text.assemble(("error:", "bold red"), " ", message), highlight=False)
    raise typer.Exit(code)


def open_workspace(path: Path, warn: bool = True) -> Workspace:
    """The workspace at ``path``; a broken onpace.yml exits 1 with every issue printed.

    KPIs with definition errors are left out; ``warn`` says so in one line.
    """
    from onpace.workspace import Workspace

    try:
        ws = Workspace.open(path)
    except SpecError as exc:
        print_issues(exc.issues)
        raise typer.Exit(1) from exc
    except OnpaceError as exc:
        fail(str(exc))
    if warn and ws.errors:
        err_console.print(
            f"[yellow]{len(ws.errors)} definition error(s); the KPIs affected are left out. "
            "Run 'onpace validate' for details.[/]"
        )
    return ws


def print_issues(issues: list[SpecIssue]) -> None:
    for issue in issues:
        colour = "red" if issue.level == "error" else "yellow"
        where = f"{issue.file}:{issue.line}" if issue.file else "<spec>"
        err_console.print(
            Text.assemble(
                (where, "bold"),
                " ",
                (issue.level, colour),
                " ",
                (issue.field, "cyan"),
                ": ",
                issue.message,
                f"\n    fix: {issue.fix}" if issue.fix else "",
            ),
            highlight=False,
        )


def grain_option(value: str) -> Grain:
    if value not in GRAINS:
        fail(f"unknown grain '{value}'; use one of {', '.join(GRAINS)}", 2)
    return value  # type: ignore[return-value]


def compute_grain_option(value: str) -> ComputeGrain:
    """A calendar grain, or ``all`` for one total over the whole range."""
    if value not in COMPUTE_GRAINS:
        fail(f"unknown grain '{value}'; use one of {', '.join(COMPUTE_GRAINS)}", 2)
    return value  # type: ignore[return-value]


def as_of_option(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        fail(f"--as-of {value!r} is not an ISO date or time such as 2026-10-31", 2)
        raise
