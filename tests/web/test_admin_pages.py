"""Admin pages for users and tokens: list, add, disable, role, reset, create, revoke.

Each change is a form POST with the session's CSRF token, by an admin only,
audited, and in force on the next request.
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from onpace.web.security import LOGIN_CSRF_COOKIE
from tests.web.conftest import PASSWORD, USERS, Site, csrf_of


def _post(c: TestClient, path: str, **form: str) -> tuple[int, str]:
    token = csrf_of(c.get("/admin/users").text)
    r = c.post(path, data={"csrf": token, **form})
    return r.status_code, r.text


def _can_log_in(site: Site, user: str, password: str) -> bool:
    c = site.client()
    c.get("/login")
    data = {"username": user, "password": password, "csrf": c.cookies[LOGIN_CSRF_COOKIE]}
    return c.post("/login", data=data).status_code == 303


def _audit(site: Site) -> list[tuple[str, str, str]]:
    return [(e["user"], e["action"], e["object"]) for e in site.app.state.ctx.auth.audit_entries()]


def test_only_admins_see_and_use_the_admin_pages(fresh_site: Site) -> None:
    for user in ("manager", "viewer", "rep1"):
        c = fresh_site.login(user)
        assert c.get("/admin/users").status_code == 403
        assert c.get("/admin/tokens.json").status_code == 403
        assert 'href="/admin/users"' not in c.get("/scorecard").text
        csrf = csrf_of(c.get("/scorecard").text)
        r = c.post("/admin/users/viewer/active", data={"csrf": csrf, "active": "0"})
        assert r.status_code == 403
    admin = fresh_site.login("admin")
    assert 'href="/admin/users"' in admin.get("/scorecard").text
    users = admin.get("/admin/users.json").json()["table"]
    assert {u["name"] for u in users} == {"admin", "manager", "rep1", "rep3", "viewer"}
    assert all(set(u) == {"name", "role", "rep_id", "active"} for u in users)  # no hash


def test_the_rep_id_is_picked_from_the_datas_reps(site: Site) -> None:
    page = site.login("admin").get("/admin/users").text
    block = re.search(r'<datalist id="u-reps">(.*?)</datalist>', page, re.S)
    assert block and 'id="u-rep" list="u-reps"' in page
    options = dict(re.findall(r'<option value="([^"]+)">([^<]*)</option>', block.group(1)))
    assert options == {"r1": "Ann (r1)", "r2": "Bob (r2)", "r3": "Cem (r3)"}
    # each user's row offers the same list to change a rep id with
    assert page.count('list="u-reps"') == 1 + len(USERS)


def test_every_change_needs_the_csrf_token(fresh_site: Site) -> None:
    admin = fresh_site.login("admin")
    for path, form in (
        ("/admin/users", {"name": "eve", "role": "viewer", "password": "long enough 1"}),
        ("/admin/users/viewer/active", {"active": "0"}),
        ("/admin/users/viewer/role", {"role": "admin"}),
        ("/admin/users/viewer/password", {"password": "long enough 1"}),
        ("/admin/tokens", {"user": "viewer"}),
        ("/admin/tokens/1/revoke", {}),
    ):
        assert admin.post(path, data={"csrf": "forged", **form}).status_code == 403, path
    assert fresh_site.api("viewer").get("/api/v1/me").json()["role"] == "viewer"


def test_add_disable_enable_role_and_reset(fresh_site: Site) -> None:
    admin = fresh_site.login("admin")
    status, _ = _post(
        admin, "/admin/users", name="eve", role="rep", rep_id="r2", password="eve's password"
    )
    assert status == 303 and _can_log_in(fresh_site, "eve", "eve's password")
    viewer_api = fresh_site.api("viewer")
    viewer_browser = fresh_site.login("viewer")
    assert _post(admin, "/admin/users/viewer/active", active="0")[0] == 303
    assert viewer_api.get("/api/v1/me").status_code == 401  # at once
    assert viewer_browser.get("/scorecard.json").status_code == 401
    assert _post(admin, "/admin/users/viewer/active", active="1")[0] == 303
    assert _post(admin, "/admin/users/viewer/role", role="manager", rep_id="")[0] == 303
    assert viewer_api.get("/api/v1/me").json()["role"] == "manager"
    assert _post(admin, "/admin/users/viewer/password", password="another one 9")[0] == 303
    assert not _can_log_in(fresh_site, "viewer", PASSWORD)
    assert _can_log_in(fresh_site, "viewer", "another one 9")
    done = _audit(fresh_site)
    for action, obj in (
        ("user.add", "eve"),
        ("user.disable", "viewer"),
        ("user.enable", "viewer"),
        ("user.role", "viewer"),
        ("user.password_reset", "viewer"),
    ):
        assert ("admin", action, obj) in done, (action, obj)


def test_mistakes_are_shown_and_change_nothing(fresh_site: Site) -> None:
    admin = fresh_site.login("admin")
    status, page = _post(admin, "/admin/users", name="x y", role="viewer", password="long one 1")
    assert status == 400 and "user name" in page
    status, page = _post(admin, "/admin/users/admin/active", active="0")
    assert status == 400 and "only active admin" in page
    status, page = _post(admin, "/admin/users/rep1/password", password="short")
    assert status == 400 and "at least 8 characters" in page
    assert _can_log_in(fresh_site, "rep1", PASSWORD)


def test_tokens_are_shown_once_and_revoked_at_once(fresh_site: Site) -> None:
    admin = fresh_site.login("admin")
    status, page = _post(admin, "/admin/tokens", user="rep3", label="nightly <export>")
    assert status == 201
    token = re.search(r"<code>(onp_[A-Za-z0-9_-]+)</code>", page)
    assert token and "nightly &lt;export&gt;" in page
    listed = admin.get("/admin/tokens.json").json()
    assert token.group(1) not in str(listed)
    mine = [t for t in listed["table"] if t["label"] == "nightly <export>"]
    assert len(mine) == 1 and mine[0]["user"] == "rep3" and not mine[0]["revoked"]
    api = fresh_site.client()
    api.headers["Authorization"] = f"Bearer {token.group(1)}"
    assert api.get("/api/v1/me").json()["name"] == "rep3"
    assert _post(admin, f"/admin/tokens/{mine[0]['id']}/revoke")[0] == 303
    assert api.get("/api/v1/me").status_code == 401
    assert ("admin", "token.revoke", f"token {mine[0]['id']}") in _audit(fresh_site)
    assert _post(admin, "/admin/tokens/9999/revoke")[0] == 400


def test_the_admin_pages_speak_dutch(fresh_site: Site) -> None:
    admin = fresh_site.login("admin")
    admin.get("/admin/users?lang=nl")  # the language sticks (cookie)
    page = admin.get("/admin/users").text
    assert "Beheerder" in page and "Verkoper" in page and ">admin</option>" not in page
    status, page = _post(admin, "/admin/users/rep1/password", password="short")
    assert status == 400 and "Het wachtwoord moet minstens 8 tekens hebben." in page
    status, page = _post(admin, "/admin/users/admin/active", active="0")
    assert "admin is de enige actieve beheerder" in page
    status, page = _post(admin, "/admin/users/nobody/role", role="viewer")
    assert status == 400 and "Er is geen gebruiker &#39;nobody&#39;." in page
    assert "onpace user" not in page  # no command-line hints on a page
    r = admin.post(
        "/admin/users",
        data={"csrf": csrf_of(page), "name": "eve", "role": "rep", "password": "eve's password"},
    )
    assert r.status_code == 303
    shown = admin.get(r.headers["location"]).text
    assert "eve toegevoegd als Verkoper." in shown
    english = fresh_site.login("admin")
    assert _post(english, "/admin/tokens/9999/revoke")[1].count("There is no token 9999.") == 1
