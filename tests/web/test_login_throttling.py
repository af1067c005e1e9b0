"""Brute force at the login form: per address and per user apart, backing off, never for good.

The app trusts TestClient as its proxy, so each request names its client address
in ``X-Forwarded-For``; the limiter's clock is one the test moves. With the
defaults, a user name gets 5 free failures and an address 10, then waits of
1 s, 2 s, 4 s, ... capped at 5 minutes (user) and an hour (address).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from onpace.auth.ratelimit import LoginLimiter
from onpace.web.security import LOGIN_CSRF_COOKIE
from tests.web.conftest import PASSWORD, Site, make_site


class Clock:
    now = 10_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def throttled(tmp_path: Path) -> Iterator[tuple[Site, Clock]]:
    s = make_site(tmp_path / "ws", trusted_proxies=["testclient"])
    clock = Clock()
    s.app.state.ctx.limiter = LoginLimiter(clock=clock)
    yield s, clock
    s.app.state.ctx.store.close()


def _login(site: Site, address: str, user: str, password: str) -> tuple[int, str | None]:
    c: TestClient = site.client()
    c.headers["X-Forwarded-For"] = address
    c.get("/login")
    r = c.post(
        "/login",
        data={"username": user, "password": password, "csrf": c.cookies[LOGIN_CSRF_COOKIE]},
    )
    return r.status_code, r.headers.get("retry-after")


def test_the_user_waits_longer_and_longer_after_five_failures(
    throttled: tuple[Site, Clock],
) -> None:
    site, clock = throttled
    for i in range(5):
        assert _login(site, f"10.0.0.{i}", "manager", "guess") == (401, None)
    waits = []
    for i in range(5, 9):  # from new addresses each time: the user's own count
        status, retry = _login(site, f"10.0.1.{i}", "manager", PASSWORD)
        assert status == 429  # refused without looking at the (right) password
        waits.append(int(retry or 0))
        clock.now += float(retry or 0)
        assert _login(site, f"10.0.2.{i}", "manager", "guess")[0] == 401
    assert waits == [1, 2, 4, 8]


def test_own_account_does_not_reset_the_address(throttled: tuple[Site, Clock]) -> None:
    site, clock = throttled
    victims = ["admin", "viewer", "rep3"]
    for i in range(10):  # 10 failures from one address, spread over three victims
        assert _login(site, "6.6.6.6", victims[i % 3], "guess")[0] == 401
    clock.now += 1  # the address's first wait (1 s) is over
    assert _login(site, "6.6.6.6", "rep1", PASSWORD)[0] == 303  # the attacker's own account
    assert _login(site, "6.6.6.6", "admin", "guess")[0] == 401
    # the 11th failure of the address: it waits 2 s, the login of rep1 changed nothing
    assert _login(site, "6.6.6.6", "viewer", "guess") == (429, "2")


def test_an_account_is_never_locked_out_for_good(throttled: tuple[Site, Clock]) -> None:
    site, clock = throttled
    for i in range(60):  # a botnet: 60 addresses, one guess each, all at the admin
        _login(site, f"192.0.2.{i}", "admin", "guess")
        clock.now += 0.5
    status, retry = _login(site, "203.0.113.7", "admin", PASSWORD)
    assert status == 429 and int(retry or 0) <= 300  # the cap: five minutes
    clock.now += 300
    # the admin, from their own address, is in after the wait, without anyone's help
    assert _login(site, "203.0.113.7", "admin", PASSWORD)[0] == 303
    # and their success cleared the name: a typo now is a plain 401
    assert _login(site, "203.0.113.7", "admin", "typo")[0] == 401


def test_refused_attempts_say_when_to_retry_in_the_page(throttled: tuple[Site, Clock]) -> None:
    site, _ = throttled
    for i in range(6):
        _login(site, f"10.9.0.{i}", "viewer", "guess")
    c = site.client()
    c.headers["X-Forwarded-For"] = "10.9.9.9"
    c.get("/login")
    r = c.post(
        "/login",
        data={"username": "viewer", "password": "x", "csrf": c.cookies[LOGIN_CSRF_COOKIE]},
    )
    assert r.status_code == 429 and "try again in 1 s" in r.text  # 5 counted, the 6th refused
