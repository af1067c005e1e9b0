"""``onpace user``, ``onpace token``, ``onpace serve`` and the end of ``onpace demo``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from onpace.cli.main import app
from onpace.web.app import create_app
from tests.web.conftest import make_workspace

runner = CliRunner()


def test_user_add_token_create_and_use(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    w = ["-w", str(root)]
    added = runner.invoke(
        app,
        ["user", "add", "ann", "--role", "rep", "--rep-id", "r1", "--password-stdin", *w],
        input="a long password\n",
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["user", "list", *w]).output
    assert "ann" in listed and "rep" in listed and "r1" in listed
    made = runner.invoke(app, ["token", "create", "ann", *w])
    assert made.exit_code == 0
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("onp_")
    client = TestClient(create_app(root))
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me == {"name": "ann", "role": "rep", "rep_id": "r1"}


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--role", "viewer"], "short\n", "at least 8 characters"),
        (["--role", "boss"], "long enough\n", "role 'boss'"),
    ],
)
def test_user_add_refuses_bad_input(
    tmp_path: Path, args: list[str], stdin: str, message: str
) -> None:
    root = make_workspace(tmp_path / "ws")
    result = runner.invoke(
        app, ["user", "add", "bob", *args, "--password-stdin", "-w", str(root)], input=stdin
    )
    assert result.exit_code == 1 and message in result.output


def test_password_is_never_an_argument() -> None:
    result = runner.invoke(app, ["user", "add", "--help"])
    assert "--password-stdin" in result.output
    assert not re.search(r"--password(?!-stdin)", result.output)


def test_token_for_unknown_user(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    result = runner.invoke(app, ["token", "create", "ghost", "-w", str(root)])
    assert result.exit_code == 1 and "no user 'ghost'" in result.output


def test_serve_listens_on_loopback_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_workspace(tmp_path / "ws")
    seen: dict[str, Any] = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: seen.update(kw))
    assert runner.invoke(app, ["serve", "-w", str(root)]).exit_code == 0
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8000


def test_demo_prints_how_to_log_in(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    result = runner.invoke(
        app, ["demo", str(root), "--orders", "2000", "--years", "1", "--no-serve"]
    )
    assert result.exit_code == 0, result.output
    found = re.search(r"log in as (\S+) with password (\S+)", result.output)
    assert found and "http://127.0.0.1:8000/" in result.output
    client = TestClient(create_app(root), follow_redirects=False)
    client.get("/login")
    r = client.post(
        "/login",
        data={
            "username": found.group(1),
            "password": found.group(2),
            "csrf": client.cookies["onpace_login_csrf"],
        },
    )
    assert r.status_code == 303 and client.get("/scorecard").status_code == 200


def test_serve_refuses_a_port_in_use(tmp_path: Path) -> None:
    import socket as socket_module

    from onpace.cli.web_commands import port_is_free

    root = make_workspace(tmp_path / "ws")
    with socket_module.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert not port_is_free("127.0.0.1", port)
        result = CliRunner().invoke(app, ["serve", "-w", str(root), "--port", str(port)])
    assert result.exit_code == 1
    assert f"port {port} on 127.0.0.1 is in use" in result.output
    assert port_is_free("127.0.0.1", port)
