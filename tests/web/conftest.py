"""A small, hand-checkable workspace served by the web app, with one user per role.

The data is tests/conftest.py's ``SALES_DATA``; the app's "now" is pinned to
2024-03-20 12:00, so March 2024 is in progress. Hand-computed revenue (orders
not cancelled, ordered before the as-of moment):

- 2024-01: o1 100 + o2 50 + o3 80 = 230 (o4 200 is cancelled)
- 2024-02: o5 120 + o6 40.50 + o7 30 + o11 25 = 215.50
- 2024-03 to the 20th: o8 60 + o9 90 = 150 (o10 is on the 28th)
- 2024-Q1 by rep: r1 100 + 80 + 120 = 300; r2 50 + 40.50 + 25 = 115.50; r3 60 + 90 = 150
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from onpace.web.app import create_app
from onpace.web.security import LOGIN_CSRF_COOKIE
from tests.support.sales_data import SALES_DATA
from tests.support.sales_workspace import sales_workspace

AS_OF = datetime(2024, 3, 20, 12, 0)
PASSWORD = "correct horse 1"
USERS = {
    "admin": ("admin", None),
    "manager": ("manager", None),
    "rep1": ("rep", "r1"),
    "rep3": ("rep", "r3"),
    "viewer": ("viewer", None),
}
OBJECTIVES = """\
objectives:
  - name: growth
    label: {en: Grow sales, nl: Meer verkopen}
    description: {en: Sell more each year., nl: Elk jaar meer verkopen.}
    kpis: {revenue: 1}
    objectives:
      - name: more_orders
        label: More orders
        kpis: {orders: 1}
  - name: loyal
    label: Loyal customers
    kpis: {return_rate: 1}
"""


def make_workspace(root: Path, data: Mapping[str, pd.DataFrame] = SALES_DATA) -> Path:
    sales_workspace(root, data)
    (root / "objectives.yml").write_text(OBJECTIVES, encoding="utf-8")
    return root


def csrf_of(page: str) -> str:
    """The CSRF token of the session, from a page's form."""
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, "no CSRF field on the page"
    return match.group(1)


# Targets on KPIs and periods with data, so scorecard tiles, bars and sparklines and
# the KPI pages' progress charts are drawn: (kpi, period, value, scope).
TARGETS = (
    ("revenue", "2024-Q1", "700", None),
    ("revenue", "2024-03", "300", None),
    ("orders", "2024-Q1", "12", None),
    ("return_rate", "2024-Q1", "10%", None),
    ("revenue", "2024-Q1", "350", "rep=r1"),
)


def add_targets(root: Path, targets: Sequence[tuple[str, str, str, str | None]] = TARGETS) -> None:
    """Set ``targets`` in the workspace's state store, as the target form would."""
    from onpace.targets.actuals import KpiData
    from onpace.targets.authoring import TargetInput
    from onpace.workspace import Workspace

    ws = Workspace.open(root)
    try:
        data = KpiData(ws, AS_OF)
        for kpi, period, value, by in targets:
            target = TargetInput.read(kpi=kpi, period=period, value=value, by=by).build(data)
            ws.store.set_target(target, reason="plan", author="admin")
    finally:
        ws.close()


@dataclass
class Site:
    """One app on a fresh workspace, with a logged-out client factory and API tokens."""

    root: Path
    app: FastAPI
    tokens: dict[str, str]

    def client(self, https: bool = False) -> TestClient:
        base = "https://testserver" if https else "http://testserver"
        return TestClient(self.app, base_url=base, follow_redirects=False)

    def login(self, user: str, https: bool = False) -> TestClient:
        c = self.client(https)
        c.get("/login")
        response = c.post(
            "/login",
            data={
                "username": user,
                "password": PASSWORD,
                "csrf": c.cookies.get(LOGIN_CSRF_COOKIE) or "",
                "next": "/scorecard",
            },
        )
        assert response.status_code == 303, response.text
        return c

    def api(self, user: str) -> TestClient:
        c = self.client()
        c.headers["Authorization"] = f"Bearer {self.tokens[user]}"
        return c


def make_site(
    root: Path,
    settings: str = "",
    data: Mapping[str, pd.DataFrame] = SALES_DATA,
    trusted_proxies: Sequence[str] = (),
) -> Site:
    """The app on a fresh workspace; ``settings`` is YAML added to its onpace.yml.

    ``trusted_proxies=["testclient"]`` lets a test set the client address with
    ``X-Forwarded-For`` (TestClient's own address is ``testclient``).
    """
    make_workspace(root, data)
    if settings:
        with (root / "onpace.yml").open("a", encoding="utf-8") as f:
            f.write(settings)
    app = create_app(root, as_of=AS_OF, trusted_proxies=trusted_proxies)
    auth = app.state.ctx.auth
    tokens = {}
    for name, (role, rep) in USERS.items():
        auth.add_user(name, role, PASSWORD, rep_id=rep, actor="test")
        tokens[name] = auth.create_token(name, "tests", actor="test").token
    return Site(root, app, tokens)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Shared by a module's read-only tests."""
    s = make_site(tmp_path_factory.mktemp("web") / "ws")
    yield s
    s.app.state.ctx.store.close()


@pytest.fixture
def fresh_site(tmp_path: Path) -> Iterator[Site]:
    """A site of its own, for tests that write."""
    s = make_site(tmp_path / "ws")
    yield s
    s.app.state.ctx.store.close()
