"""Login, sessions, tokens, CSRF, rate limiting, the audit log and rep isolation."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from onpace.auth import Auth
from onpace.errors import AuthError
from onpace.web.security import LOGIN_CSRF_COOKIE, SESSION_COOKIE
from tests.web.conftest import PASSWORD, Site


def _csrf(html: str) -> str:
    return html.split('name="csrf" value="')[1].split('"')[0]


def test_passwords_and_tokens_are_stored_hashed(site: Site) -> None:
    engine = site.app.state.ctx.store.engine
    with engine.connect() as con:
        stored = con.execute(text("SELECT password_hash FROM users WHERE name='rep1'")).scalar()
        hashes = {r[0] for r in con.execute(text("SELECT token_hash FROM api_tokens"))}
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    token = site.tokens["rep1"]
    assert token not in hashes
    assert hashlib.sha256(token.encode()).hexdigest() in hashes


def test_session_cookie_flags(site: Site) -> None:
    c = site.client()
    c.get("/login")
    r = c.post(
        "/login",
        data={"username": "viewer", "password": PASSWORD, "csrf": c.cookies[LOGIN_CSRF_COOKIE]},
    )
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    s = site.client(https=True)
    s.get("/login")
    r = s.post(
        "/login",
        data={"username": "viewer", "password": PASSWORD, "csrf": s.cookies[LOGIN_CSRF_COOKIE]},
    )
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE))
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_wrong_password_and_unknown_user_look_the_same(site: Site) -> None:
    for user, password in (("viewer", "wrong password"), ("nobody", PASSWORD)):
        c = site.client()
        c.get("/login")
        r = c.post(
            "/login",
            data={"username": user, "password": password, "csrf": c.cookies[LOGIN_CSRF_COOKIE]},
        )
        assert r.status_code == 401 and "Wrong user name or password" in r.text
        assert SESSION_COOKIE not in c.cookies


def test_login_form_needs_its_csrf_token(site: Site) -> None:
    c = site.client()
    c.get("/login")
    r = c.post("/login", data={"username": "viewer", "password": PASSWORD, "csrf": "forged"})
    assert r.status_code == 403 and SESSION_COOKIE not in c.cookies


def test_writes_need_the_csrf_token(fresh_site: Site) -> None:
    c = fresh_site.login("manager")
    form = {"kpi": "revenue", "period": "2024-03", "value": "300", "reason": "plan"}
    assert c.post("/targets", data=form).status_code == 403
    assert c.post("/targets", data={**form, "csrf": "wrong"}).status_code == 403
    body = {**form}
    assert c.post("/api/v1/targets", json=body).status_code == 403  # session without header
    csrf = _csrf(c.get("/targets").text)
    r = c.post("/api/v1/targets", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201
    assert c.post("/logout", data={}).status_code == 403


def test_logout_ends_the_session(fresh_site: Site) -> None:
    c = fresh_site.login("viewer")
    raw = c.cookies[SESSION_COOKIE]
    csrf = _csrf(c.get("/scorecard").text)
    assert c.post("/logout", data={"csrf": csrf}).headers["location"] == "/login"
    again = fresh_site.client()
    again.cookies.set(SESSION_COOKIE, raw)
    assert again.get("/scorecard").status_code == 303


def test_every_write_is_audited_and_the_log_is_append_only(fresh_site: Site) -> None:
    c = fresh_site.api("manager")
    body = {"kpi": "revenue", "period": "2024-03", "value": "300", "reason": "plan"}
    assert c.post("/api/v1/targets", json=body).status_code == 201
    assert (
        c.put("/api/v1/targets", json={**body, "value": "250", "reason": "less"}).status_code == 200
    )
    log = fresh_site.api("admin").get("/api/v1/audit").json()
    writes = [
        (e["user"], e["action"], e["object"]) for e in log if e["action"].startswith("target")
    ]
    assert writes == [
        ("manager", "target.revise", "revenue|2024-03|="),
        ("manager", "target.set", "revenue|2024-03|="),
    ]
    assert all(e["at"] for e in log)
    assert {"user.add", "token.create"} <= {e["action"] for e in log}
    engine = fresh_site.app.state.ctx.store.engine
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as con:
        con.execute(text("UPDATE audit_log SET user = 'someone else'"))
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as con:
        con.execute(text("DELETE FROM audit_log"))


def test_create_refuses_existing_and_revise_refuses_missing(fresh_site: Site) -> None:
    c = fresh_site.api("manager")
    body = {"kpi": "revenue", "period": "2024-03", "value": "300", "reason": "plan"}
    assert c.put("/api/v1/targets", json=body).status_code == 404
    assert c.post("/api/v1/targets", json=body).status_code == 201
    again = c.post("/api/v1/targets", json=body)
    assert again.status_code == 400 and "exists already" in again.json()["error"]


def test_user_rules(fresh_site: Site) -> None:
    auth: Auth = fresh_site.app.state.ctx.auth
    with pytest.raises(AuthError, match="exists already"):
        auth.add_user("admin", "admin", PASSWORD)
    with pytest.raises(AuthError, match="role 'boss'"):
        auth.add_user("x", "boss", PASSWORD)
    with pytest.raises(AuthError, match="at least 8"):
        auth.add_user("x", "viewer", "short")
    with pytest.raises(AuthError, match="user name"):
        auth.add_user("no spaces", "viewer", PASSWORD)
    assert auth.token_identity("onp_not-a-token") is None
    assert auth.token_identity("garbage") is None


# a rep sees only their own rows, by page, by JSON, by CSV, by API and by URL


def test_rep_sees_only_own_rows_in_scorecard(site: Site) -> None:
    c = site.login("rep1")
    card = c.get("/scorecard.json", params={"by": "rep"}).json()
    members = {r["member"] for g in card["groups"] for r in g["rows"]}
    assert members == {"r1"}
    revenue = next(r for g in card["groups"] for r in g["rows"] if r["kpi"] == "revenue")
    assert revenue["value"] == pytest.approx(300.0)  # Q1: o1 100 + o3 80 + o5 120
    html = c.get("/scorecard", params={"by": "rep"}).text
    assert 'data-member="r1"' in html and 'data-member="r2"' not in html
    assert "115,5" not in html and "115.5" not in html  # r2's quarter
    csv_text = c.get("/scorecard.csv", params={"by": "rep"}).text
    assert ",r2," not in csv_text and ",r3," not in csv_text and ",r1," in csv_text
    manager = site.login("manager").get("/scorecard.json", params={"by": "rep"}).json()
    assert {"r1", "r2", "r3"} <= {r["member"] for g in manager["groups"] for r in g["rows"]}


def test_rep_sees_only_own_rows_in_breakdowns_and_values(site: Site) -> None:
    kpi = site.api("rep1").get("/kpis/revenue.json", params={"by": "rep"}).json()
    # February 2024 (the last complete month): r1 sold o5 120; r2 65.50 is not shown
    assert [(m["member"], m["value"]) for m in kpi["breakdown"]["rows"]] == [("r1", 120.0)]
    c = site.api("rep3")
    values = c.get(
        "/api/v1/values",
        params={"kpi": "revenue", "grain": "quarter", "start": "2024-01-01", "by": "rep"},
    ).json()
    assert {(r["member"], r["value"]) for r in values["table"]} == {("r3", 150.0)}
    # team and channel roll-ups are not per rep: those stay visible
    teams = c.get(
        "/api/v1/values", params={"kpi": "revenue", "grain": "quarter", "by": "channel"}
    ).json()
    assert len({r["member"] for r in teams["table"]}) == 3


def test_rep_cannot_see_other_reps_targets(fresh_site: Site) -> None:
    m = fresh_site.api("manager")
    for rep, value in (("r1", "400"), ("r2", "500")):
        body = {
            "kpi": "revenue",
            "period": "2024-Q1",
            "value": value,
            "reason": f"quota {rep}",
            "by": f"rep={rep}",
        }
        assert m.post("/api/v1/targets", json=body).status_code == 201
    rep = fresh_site.api("rep1")
    assert [t["scope"] for t in rep.get("/api/v1/targets").json()] == ["rep=r1"]
    history = rep.get("/api/v1/targets/history", params={"kpi": "revenue"}).json()
    assert [h["reason"] for h in history] == ["quota r1"]
    page = fresh_site.login("rep1").get("/targets").text
    assert "quota r2" not in page and "quota r1" in page
    card = rep.get("/api/v1/scorecard", params={"by": "rep"}).json()
    row = next(r for g in card["groups"] for r in g["rows"] if r["kpi"] == "revenue")
    assert (row["member"], row["target"], row["attainment"]) == ("r1", 400, pytest.approx(0.75))
    # a rep without a rep id sees no per-rep rows at all
    auth = fresh_site.app.state.ctx.auth
    auth.add_user("rep0", "rep", PASSWORD, actor="test")
    token = auth.create_token("rep0").token
    c = fresh_site.client()
    c.headers["Authorization"] = f"Bearer {token}"
    assert c.get("/api/v1/targets").json() == []


def test_security_headers(site: Site) -> None:
    response = site.client().get("/login")
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_login_redirect_stays_on_site(site: Site) -> None:
    c = site.client()
    c.get("/login")
    r = c.post(
        "/login",
        data={
            "username": "viewer",
            "password": PASSWORD,
            "csrf": c.cookies[LOGIN_CSRF_COOKIE],
            "next": "https://evil.example/",
        },
    )
    assert r.headers["location"] == "/scorecard"
