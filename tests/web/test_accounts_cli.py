"""Managing users and tokens from the command line, while the app serves: at once, audited.

The app (tests/web/conftest.py) and the CLI work on the same state store, as a
server and an operator's shell do. Every change applies to the very next request.
"""

from __future__ import annotations

import json

from typer.testing import CliRunner

from onpace.cli.main import app
from onpace.web.security import LOGIN_CSRF_COOKIE, SESSION_COOKIE
from tests.web.conftest import PASSWORD, Site

runner = CliRunner()


def _cli(site: Site, *args: str, stdin: str | None = None) -> str:
    done = runner.invoke(app, [*args, "-w", str(site.root)], input=stdin)
    assert done.exit_code == 0, done.output
    return done.output


def _fails(site: Site, *args: str) -> str:
    done = runner.invoke(app, [*args, "-w", str(site.root)])
    assert done.exit_code != 0, done.output
    return done.output


def _audit(site: Site) -> list[tuple[str, str]]:
    return [(e["action"], e["object"]) for e in site.app.state.ctx.auth.audit_entries(50)]


def test_token_list_and_revoke_take_effect_at_once(fresh_site: Site) -> None:
    api = fresh_site.api("viewer")
    assert api.get("/api/v1/me").status_code == 200  # the token was just used
    listed = _cli(fresh_site, "token", "list", "--user", "viewer")
    assert "viewer" in listed and "tests" in listed and "onp_" not in listed
    token_id = next(
        t["id"] for t in fresh_site.app.state.ctx.auth.tokens("viewer") if not t["revoked"]
    )
    out = _cli(fresh_site, "token", "revoke", str(token_id))
    assert f"revoked token {token_id} of viewer" in out
    assert api.get("/api/v1/me").status_code == 401  # the next request, not 10 s later
    assert ("token.revoke", f"token {token_id}") in _audit(fresh_site)
    assert "yes" in _cli(fresh_site, "token", "list", "--user", "viewer")
    assert "no token 999" in _fails(fresh_site, "token", "revoke", "999")


def test_revoke_all_tokens_of_a_user(fresh_site: Site) -> None:
    auth = fresh_site.app.state.ctx.auth
    second = auth.create_token("manager", "nightly", actor="test").token
    _cli(fresh_site, "token", "revoke", "--user", "manager")
    for token in (fresh_site.tokens["manager"], second):
        response = fresh_site.client().get(
            "/api/v1/me", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 401
    assert fresh_site.api("viewer").get("/api/v1/me").status_code == 200


def test_disable_ends_sessions_and_tokens_and_enable_brings_tokens_back(fresh_site: Site) -> None:
    browser = fresh_site.login("manager")
    api = fresh_site.api("manager")
    assert browser.get("/scorecard.json").status_code == 200
    assert api.get("/api/v1/me").status_code == 200
    _cli(fresh_site, "user", "disable", "manager")
    assert browser.get("/scorecard.json").status_code == 401
    assert api.get("/api/v1/me").status_code == 401
    c = fresh_site.client()
    c.get("/login")
    login = {"username": "manager", "password": PASSWORD, "csrf": c.cookies[LOGIN_CSRF_COOKIE]}
    assert c.post("/login", data=login).status_code == 401
    users = {u["name"]: u["active"] for u in fresh_site.app.state.ctx.auth.users()}
    assert users["manager"] is False and users["viewer"] is True
    _cli(fresh_site, "user", "enable", "manager")
    assert api.get("/api/v1/me").status_code == 200
    assert ("user.disable", "manager") in _audit(fresh_site)
    assert ("user.enable", "manager") in _audit(fresh_site)


def test_set_role_applies_to_the_next_request(fresh_site: Site) -> None:
    api = fresh_site.api("viewer")
    body = {"kpi": "revenue", "period": "2024-Q1", "value": "600", "reason": "plan"}
    assert api.post("/api/v1/targets", json=body).status_code == 403
    _cli(fresh_site, "user", "set-role", "viewer", "manager")
    assert api.get("/api/v1/me").json()["role"] == "manager"
    assert api.post("/api/v1/targets", json=body).status_code == 201
    _cli(fresh_site, "user", "set-role", "viewer", "rep", "--rep-id", "r2")
    assert api.get("/api/v1/me").json() == {"name": "viewer", "role": "rep", "rep_id": "r2"}
    entry = next(
        e for e in fresh_site.app.state.ctx.auth.audit_entries(50) if e["action"] == "user.role"
    )
    assert json.loads(entry["detail"])["role"] == "rep"
    assert "role 'boss'" in _fails(fresh_site, "user", "set-role", "viewer", "boss")


def test_reset_password_ends_sessions(fresh_site: Site) -> None:
    browser = fresh_site.login("rep1")
    _cli(fresh_site, "user", "reset-password", "rep1", "--password-stdin", stdin="a new secret 2\n")
    assert SESSION_COOKIE in browser.cookies
    assert browser.get("/scorecard.json").status_code == 401
    c = fresh_site.client()
    for password, status in ((PASSWORD, 401), ("a new secret 2", 303)):
        c.get("/login")
        data = {"username": "rep1", "password": password, "csrf": c.cookies[LOGIN_CSRF_COOKIE]}
        assert c.post("/login", data=data).status_code == status
    assert ("user.password_reset", "rep1") in _audit(fresh_site)
    out = runner.invoke(
        app,
        ["user", "reset-password", "rep1", "--password-stdin", "-w", str(fresh_site.root)],
        input="short\n",
    )
    assert out.exit_code == 1 and "at least 8 characters" in out.output


def test_the_last_admin_cannot_be_disabled_or_demoted(fresh_site: Site) -> None:
    assert "only active admin" in _fails(fresh_site, "user", "disable", "admin")
    assert "only active admin" in _fails(fresh_site, "user", "set-role", "admin", "viewer")
    _cli(fresh_site, "user", "set-role", "manager", "admin")
    _cli(fresh_site, "user", "disable", "admin")  # another admin exists now
    assert "no user 'nobody'" in _fails(fresh_site, "user", "disable", "nobody")


def test_labels_are_not_markup(fresh_site: Site) -> None:
    fresh_site.app.state.ctx.auth.create_token("viewer", "[bold]nightly[/bold] [/x]", actor="t")
    assert "[bold]nightly[/bold] [/x]" in _cli(fresh_site, "token", "list")
