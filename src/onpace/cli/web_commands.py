"""Commands of the web app: ``onpace serve``, ``onpace user ...``, ``onpace token ...``.

Passwords are read from a prompt or from standard input (``--password-stdin``),
never from an argument, so they stay out of shell history and process lists.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
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

if TYPE_CHECKING:
    from onpace.auth import Auth
    from onpace.workspace import Workspace

user_app = typer.Typer(help="Manage the users of the web app.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for scripts.", no_args_is_help=True)

RepIdOpt = Annotated[
    str | None, typer.Option("--rep-id", help="For reps: their rep_id in the sales data.")
]
PasswordStdinOpt = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input.")
]

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
    rep_id: RepIdOpt = None,
    password_stdin: PasswordStdinOpt = False,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Add a user; the password is asked for (or read from stdin with --password-stdin)."""
    from onpace.errors import AuthError

    ws = open_workspace(workspace)
    password = _read_password(password_stdin)
    try:
        _auth(ws).add_user(name, role, password, rep_id=rep_id, actor=_actor())
    except AuthError as exc:
        fail(str(exc))
    rep = f", rep {escape(rep_id)}" if rep_id else ""
    console.print(f"[green]added[/] {escape(name)} ({escape(role)}{rep})")


@user_app.command("list")
def user_list(workspace: WorkspaceOpt = Path(".")) -> None:
    """The users and their roles."""
    ws = open_workspace(workspace)
    table = Table(title="Users")
    for col in ("name", "role", "rep_id", "active"):
        table.add_column(col)
    for u in _auth(ws).users():
        active = "yes" if u["active"] else "no"
        table.add_row(escape(u["name"]), u["role"], escape(u["rep_id"] or ""), active)
    console.print(table)


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def _change(workspace: Path, action: Callable[[Auth], object], done: str) -> None:
    """Run one account change; an AuthError becomes the message and exit 1."""
    from onpace.errors import AuthError

    ws = open_workspace(workspace)
    try:
        action(_auth(ws))
    except AuthError as exc:
        fail(str(exc))
    console.print(done, highlight=False)


def _activation(active: bool) -> Callable[..., None]:
    """``onpace user enable`` and ``onpace user disable``: one command, two directions."""
    verb = "enabled" if active else "disabled"

    def command(
        name: Annotated[str, typer.Argument(help="The user.")],
        workspace: WorkspaceOpt = Path("."),
    ) -> None:
        _change(workspace, lambda a: a.set_active(name, active, _actor()), f"{verb} {escape(name)}")

    command.__doc__ = (
        "Enable a disabled user again (their tokens work again unless revoked)."
        if active
        else "Disable a user: their sessions end and their tokens stop working, at once."
    )
    return command


user_app.command("disable")(_activation(False))
user_app.command("enable")(_activation(True))


@user_app.command("set-role")
def user_set_role(
    name: Annotated[str, typer.Argument(help="The user.")],
    role: Annotated[str, typer.Argument(help="admin, manager, rep or viewer.")],
    rep_id: RepIdOpt = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Give a user another role (and rep id); it applies to their next request."""
    _change(
        workspace,
        lambda a: a.set_role(name, role, rep_id, _actor()),
        f"{escape(name)} is now {escape(role)}" + (f", rep {escape(rep_id)}" if rep_id else ""),
    )


@user_app.command("reset-password")
def user_reset_password(
    name: Annotated[str, typer.Argument(help="The user.")],
    password_stdin: PasswordStdinOpt = False,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Set a new password (asked for, or from stdin); the user's sessions end."""
    password = _read_password(password_stdin)
    _change(
        workspace,
        lambda a: a.reset_password(name, password, _actor()),
        f"new password set for {escape(name)}; their sessions ended",
    )


@token_app.command("list")
def token_list(
    user: Annotated[str | None, typer.Option(help="Only this user's tokens.")] = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """The API tokens: id, user, label, created, revoked (never the secret)."""
    ws = open_workspace(workspace)
    table = Table(title="API tokens")
    for col in ("id", "user", "label", "created", "revoked"):
        table.add_column(col)
    for t in _auth(ws).tokens(user):
        table.add_row(
            str(t["id"]),
            escape(t["user"]),
            escape(t["label"]),
            t["created_at"],
            "yes" if t["revoked"] else "no",
        )
    console.print(table)


@token_app.command("revoke")
def token_revoke(
    ids: Annotated[list[int] | None, typer.Argument(help="Token ids (onpace token list).")] = None,
    user: Annotated[str | None, typer.Option(help="Revoke every token of this user.")] = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Revoke tokens by id, or all of a user's: they stop working at once."""
    from onpace.errors import AuthError

    if not ids and not user:
        fail("name the token ids to revoke, or --user NAME for all of a user's tokens", 2)
    ws = open_workspace(workspace)
    auth = _auth(ws)
    try:
        chosen = list(ids or [])
        if user:
            mine = [t["id"] for t in auth.tokens(user) if not t["revoked"]]
            if not mine and not chosen:
                fail(f"{user} has no token to revoke")
            chosen += mine
        for token_id in chosen:
            done = auth.revoke_token(token_id, _actor())
            console.print(
                f"revoked token {done['id']} of {escape(done['user'])} ({escape(done['label'])})",
                highlight=False,
            )
    except AuthError as exc:
        fail(str(exc))


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
    scheduler = app_scheduler(app, as_of)  # alerts and digests on their schedule
    try:
        _run_uvicorn(app, host, port, ssl_certfile, ssl_keyfile)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)


def app_scheduler(app: Any, as_of: datetime | None = None, first_in: float | None = None) -> Any:
    """The scheduler of ``app``'s alerts and digests, ticking under the app's lock."""
    from onpace.alerts.scheduler import FIRST_TICK_SECONDS, start_scheduler

    ctx = app.state.ctx
    wait = FIRST_TICK_SECONDS if first_in is None else first_in
    return start_scheduler(ctx.ws, as_of, ctx.run, wait)


def _run_uvicorn(
    app: object,
    host: str,
    port: int,
    ssl_certfile: Path | None,
    ssl_keyfile: Path | None,
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
    import socket

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
    import secrets

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
