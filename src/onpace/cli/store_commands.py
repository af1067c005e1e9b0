"""Commands that keep a workspace's state safe: backup, restore, store check and store forget."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from onpace.cli.support import WorkspaceOpt, console, err_console, fail, open_workspace
from onpace.errors import OnpaceError

store_app = typer.Typer(
    help="Check the state store and the warehouse; accept a lost one.", no_args_is_help=True
)


def backup(
    archive: Annotated[
        Path | None,
        typer.Argument(help="Archive to write (default: onpace-backup-<folder>-<time>.tar.gz)."),
    ] = None,
    with_data: Annotated[
        bool, typer.Option("--with-data", help="Also the source files, not only definitions.")
    ] = False,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Back up the warehouse, the state store and the config as one archive (safe while serving)."""
    from onpace.store.backup import backup as make_backup
    from onpace.store.backup import default_archive

    ws = open_workspace(workspace)
    target = archive or default_archive(ws)
    try:
        done = make_backup(ws, target, with_data=with_data)
    except OnpaceError as exc:
        fail(escape(str(exc)))
    rows = sum(done.state_rows.values())
    console.print(
        f"wrote {escape(str(done.archive))}: {rows} state rows, "
        f"warehouse {escape(done.warehouse or 'not included')}, {len(done.config)} config files",
        highlight=False,
    )
    for note in done.notes:
        err_console.print(f"[yellow]note:[/] {escape(note)}", highlight=False)


def restore(
    archive: Annotated[Path, typer.Argument(help="An archive made by onpace backup.")],
    replace_warehouse: Annotated[
        bool,
        typer.Option("--replace-warehouse", help="Replace a whole warehouse with the backup's."),
    ] = False,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Restore a backup into a new folder, or what is lost into the workspace it came from."""
    from onpace.store.backup import restore as put_back

    try:
        done = put_back(archive, workspace, replace_warehouse=replace_warehouse)
    except OnpaceError as exc:
        fail(escape(str(exc)))
    rows = sum(done.state_rows.values())
    console.print(
        f"restored into {escape(str(done.root))}: {rows} state rows, "
        f"{'the warehouse, ' if done.warehouse else ''}{len(done.written)} config files",
        highlight=False,
    )
    for kept in done.kept:
        err_console.print(f"[yellow]kept:[/] {escape(kept)}", highlight=False)


@store_app.command("check")
def check(workspace: WorkspaceOpt = Path(".")) -> None:
    """Open the state store and the warehouse and ask each a question; exit 1 if one fails."""
    from onpace.store import workspace_store
    from onpace.store.health import StoreHealth, warehouse_health

    ws = open_workspace(workspace)
    found: list[StoreHealth] = []
    try:
        from onpace.store.health import state_health

        found.append(state_health(workspace_store(ws)))
    except OnpaceError as exc:
        found.append(StoreHealth("state", "missing", str(exc)))
    try:
        found.append(warehouse_health(ws.warehouse))
    except OnpaceError as exc:
        found.append(StoreHealth("warehouse", "damaged", str(exc)))
    for health in found:
        colour = "green" if health.ok else "red"
        console.print(
            f"{health.store}: [{colour}]{health.condition}[/] {escape(health.detail)}",
            highlight=False,
        )
    if not all(h.ok for h in found):
        raise typer.Exit(1)


@store_app.command("forget")
def forget(
    store: Annotated[str, typer.Argument(help="state or warehouse.")],
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Accept that a lost state store or warehouse starts again empty (after no backup helps)."""
    from onpace.query.warehouse import duckdb_files
    from onpace.store import store_url
    from onpace.store.presence import forget as drop
    from onpace.store.presence import state_key, warehouse_key

    ws = open_workspace(workspace)
    if store == "state":
        dropped = drop(ws.root, state_key(store_url(ws.config.state_url, ws.root), ws.root))
    elif store == "warehouse":
        files = duckdb_files(ws.config.warehouse, ws.root)
        dropped = drop(files.path.parent, warehouse_key(files.path))
    else:
        fail(f"forget what? '{escape(store)}' is neither 'state' nor 'warehouse'", 2)
    if dropped:
        console.print(f"the {store} starts again empty when next opened", highlight=False)
    else:
        console.print(f"nothing to forget: no {store} was recorded for this workspace")


def register(app: typer.Typer) -> None:
    app.command()(backup)
    app.command()(restore)
    app.add_typer(store_app, name="store")
