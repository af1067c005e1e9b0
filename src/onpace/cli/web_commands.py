"""Commands of the web app: ``onpace serve``, ``onpace user add/list``, ``onpace token create``.

Passwords are read from a prompt or from standard input (``--password-stdin``),
never from an argument, so they stay out of shell history and process lists.
"""

from __future__ import annotations

import secrets
import socket
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
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

if TYPE_CHECKING:
    from onpace.auth import Auth
    from onpace.workspace import Workspace

user_app = typer.Typer(help="Manage the users of the web app.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for scripts.", no_args_is_help=True)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _auth(ws: Workspace) -> Auth:
    from onpace.auth import Auth
    from onpace.store import workspace_store

    try:
        return Auth(workspace_store(ws).engine)
    except OnpaceError as exc:
        fail(str(exc))


def _actor() -> str:
    from onpace.store.state_store import current_user

    return f"cli:{current_user()}"


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="User name to log in with.")],
    role: Annotated[str, typer.Option(help="admin, manager, rep or viewer.")],
    rep_id: Annotated[
        str | None, typer.Option("--rep-id", help="For reps: their rep_id in the sales data.")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Add a user; the password is asked for (or read from stdin with --password-stdin)."""
    from onpace.errors import AuthError

    ws = open_workspace(workspace)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        _auth(ws).add_user(name, role, password, rep_id=rep_id, actor=_actor())
    except AuthError as exc:
        fail(str(exc))
    console.print(f"[green]added[/] {name} ({role}{', rep ' + rep_id if rep_id else ''})")


@user_app.command("list")
def user_list(workspace: WorkspaceOpt = Path(".")) -> None:
    """The users and their roles."""
    ws = open_workspace(workspace)
    table = Table(title="Users")
    for col in ("name", "role", "rep_id", "active"):
        table.add_column(col)
    for u in _auth(ws).users():
        table.add_row(u["name"], u["role"], u["rep_id"] or "", "yes" if u["active"] else "no")
    console.print(table)


@token_app.command("create")
def token_create(
    user: Annotated[str, typer.Argument(help="The user the token acts as.")],
    label: Annotated[str, typer.Option(help="What the token is for.")] = "",
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Create an API token; it is printed once and stored only as a hash."""
    from onpace.errors import AuthError

    ws = open_workspace(workspace)
    try:
        made = _auth(ws).create_token(user, label, actor=_actor())
    except AuthError as exc:
        fail(str(exc))
        return
    err_console.print(f"token for {user} (shown once; send it as 'Authorization: Bearer ...'):")
    sys.stdout.write(made.token + "\n")


def serve(
    workspace: WorkspaceOpt = Path("."),
    host: Annotated[str, typer.Option(help="Address to listen on.")] = DEFAULT_HOST,
    port: Annotated[int, typer.Option(help="Port to listen on.")] = DEFAULT_PORT,
    ssl_certfile: Annotated[
        Path | None, typer.Option(help="TLS certificate (PEM): serve HTTPS, cookies Secure.")
    ] = None,
    ssl_keyfile: Annotated[Path | None, typer.Option(help="TLS private key (PEM).")] = None,
    proxy_headers: Annotated[
        bool,
        typer.Option(help="Trust X-Forwarded-Proto/-For from a reverse proxy on 127.0.0.1."),
    ] = False,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(help="Also trust the forwarded headers of this proxy address (repeat)."),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option(help="Pin 'now' to this moment (ISO date): demos, reviews.")
    ] = None,
) -> None:
    """Serve the dashboard and the REST API (127.0.0.1 only, unless --host says otherwise)."""
    ws = open_workspace(workspace)
    proxies = [*(["127.0.0.1"] if proxy_headers else []), *(trusted_proxy or [])]
    _serve(ws, host, port, ssl_certfile, ssl_keyfile, proxies, as_of_option(as_of))


def _serve(
    ws: Workspace,
    host: str,
    port: int,
    ssl_certfile: Path | None = None,
    ssl_keyfile: Path | None = None,
    trusted_proxies: list[str] | None = None,
    as_of: datetime | None = None,
) -> None:

    from onpace.web.app import create_app

    if not port_is_free(host, port):
        fail(f"port {port} on {host} is in use (another onpace serve?); choose one with --port")
        return
    try:
        app = create_app(ws, as_of=as_of, warm=True, trusted_proxies=trusted_proxies or ())
    except OnpaceError as exc:
        fail(str(exc))
        return
    _log_server_errors()
    scheme = "https" if ssl_certfile else "http"
    err_console.print(f"onpace serving {ws.config.name} on {scheme}://{host}:{port}/")
    from onpace.alerts.scheduler import start_scheduler

    scheduler = start_scheduler(ws, as_of)  # alerts and digests on their schedule
    try:
        _run_uvicorn(app, host, port, ssl_certfile, ssl_keyfile, proxy_headers)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)


def _run_uvicorn(
    app: object,
    host: str,
    port: int,
    ssl_certfile: Path | None,
    ssl_keyfile: Path | None,
    proxy_headers: bool,
) -> None:
    import uvicorn

    uvicorn.run(
        app,  # type: ignore[arg-type]
        host=host,
        port=port,
        ssl_certfile=str(ssl_certfile) if ssl_certfile else None,
        ssl_keyfile=str(ssl_keyfile) if ssl_keyfile else None,
        proxy_headers=False,  # the app reads forwarded headers of trusted proxies itself
        log_level="warning",
    )


def _log_server_errors() -> None:
    """Server errors (with their id) and warnings of the app go to stderr with a time."""
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("onpace")
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)


def port_is_free(host: str, port: int) -> bool:
    """Whether nothing listens on ``host:port`` yet (checked before starting a server)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def demo_login(ws: Workspace, serve_it: bool, port: int = DEFAULT_PORT) -> None:
    """The end of ``onpace demo``: an admin with a random password, then the dashboard.

    The demo takes the first free port from ``port`` on, so a second demo (or
    another program on 8000) does not stop it.
    """
    if serve_it:
        port = next((p for p in range(port, port + 20) if port_is_free(DEFAULT_HOST, p)), port)
    password = secrets.token_urlsafe(12)
    auth = _auth(ws)
    if any(u["name"] == "admin" for u in auth.users()):
        name = f"admin-{secrets.token_hex(3)}"
    else:
        name = "admin"
    auth.add_user(name, "admin", password, actor=_actor())
    url = f"http://{DEFAULT_HOST}:{port}/"
    console.print(
        f"\nDashboard: {url}\n  log in as [bold]{name}[/] with password [bold]{password}[/]"
        f"\n  (serve it again later with: onpace serve -w {ws.root})"
    )
    if serve_it:
        _serve(ws, DEFAULT_HOST, port)


def register(app: typer.Typer) -> None:
    """Add serve, user and token to the main app."""
    app.command("serve")(serve)
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")
