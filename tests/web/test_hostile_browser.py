"""Hostile data stays text: every page and chart in a real browser, with attacks in every field.

The workspace of :mod:`tests.support.hostile_data` is ingested from CSV files whose
every dimension value carries a payload (closing ``</script>``, attribute
break-outs, an htmx element that calls the API, line separators, template
syntax, ``javascript:`` links), and so do the workspace name, a KPI's label,
description and owner, the objectives, target reasons and members, review notes
and a failed login's user name. ``onpace serve`` serves it; chromium opens every
page as an admin and as a rep, hovers the charts for their tooltips, and checks:

- no payload ran: ``window.__pwned`` stayed unset and no dialog opened;
- no payload became an element (nothing carries ``data-injected``);
- no Content-Security-Policy violation (which is also how we know the charts and
  htmx run without ``eval``), no script error, and every chart drew;
- the payloads are on the page, as text.

The sweep runs twice: with the CSP enforced, and with the CSP bypassed, so that
the escaping itself is proven and not only the policy that backs it up.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.support.browser import add_users, chromium, ensure_chromium, wait_until
from tests.support.hostile_data import (
    HOSTILE_KPI,
    PAYLOADS,
    hostile,
    hostile_rep,
    write_hostile_workspace,
)
from tests.web.conftest import PASSWORD

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || ''));
});
"""

CHANNEL_WEB = str(hostile("web", "channel"))
TEAM_NORTH = str(hostile("North", "team"))


def _cli(*args: str) -> None:
    from onpace.cli.main import app

    done = CliRunner().invoke(app, list(args))
    assert done.exit_code == 0, done.output


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    ensure_chromium()
    root = write_hostile_workspace(tmp_path_factory.mktemp("hostile") / "ws")
    add_users(root, {"admin": ("admin", None), "rep1": ("rep", hostile_rep("r1"))}, PASSWORD)
    w = str(root)
    _cli("target", "set", "revenue", "2024-Q1", "600", "--why", "Plan " + PAYLOADS[0], "-w", w)
    _cli("target", "set", "revenue", "2024-03", "250", "--why", PAYLOADS[2], "-w", w)
    _cli(
        "target", "set", "revenue", "2024-Q1", "100", "--by", f"channel={CHANNEL_WEB}",
        "--why", PAYLOADS[1], "-w", w,
    )  # fmt: skip
    _cli(
        "target", "set", "revenue", "2024-Q1", "300", "--by", f"rep={hostile_rep('r1')}",
        "--why", PAYLOADS[4], "-w", w,
    )  # fmt: skip
    _cli("review", "revenue", "--note", "Reviewed " + PAYLOADS[0] + PAYLOADS[3], "-w", w)
    _cli("token", "create", "rep1", "--label", "Label " + PAYLOADS[2] + PAYLOADS[3], "-w", w)
    from onpace.web.process import serving

    with serving(root, as_of="2024-03-20T12:00") as url:
        yield url


@pytest.fixture(scope="module")
def browser(hostile_server: str) -> Iterator[Any]:
    with chromium() as b:
        yield b


class Watched:
    """A logged-in page that records dialogs, script errors and CSP violations."""

    def __init__(self, browser: Any, base: str, user: str, bypass_csp: bool) -> None:
        self.base = base
        self.context = browser.new_context(
            viewport={"width": 1400, "height": 900}, bypass_csp=bypass_csp
        )
        self.context.add_init_script(WATCH)
        self.page = self.context.new_page()
        self.page.set_default_timeout(180_000)  # a page computes its KPIs on first open
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.goto(base + "/login")
        self.page.fill("#username", user)
        self.page.fill("#password", PASSWORD)
        self.page.click("#login")
        self.page.wait_for_url(base + "/scorecard")

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def visit(self, path: str) -> str:
        """Open ``path``, let charts and htmx settle, hover the charts; the page's text."""
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        self.page.wait_for_load_state("networkidle")
        drawn = "document.querySelectorAll('[data-vega] svg').length"
        charts = self.page.locator("[data-vega]").count()
        if charts:
            wait_until(self.page, f"{drawn} >= {charts}", timeout=15.0, fail=False)
        self.page.wait_for_timeout(150)  # an injected hx-trigger=load would have fired
        self.check(path)
        assert self.page.evaluate(drawn) >= charts, f"{path}: not every chart drew"
        self._hover_marks(path)
        text: str = self.page.inner_text("body")
        return text

    def _hover_marks(self, path: str) -> None:
        marks = self.page.locator(
            "[data-vega] svg path, [data-vega] svg rect, [data-vega] svg circle"
        )
        for i in range(min(marks.count(), 12)):
            box = marks.nth(i).bounding_box()
            if box and box["width"] > 0 and box["height"] > 0:
                self.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                self.page.wait_for_timeout(30)
        self.check(f"{path} (tooltips)")

    def check(self, where: str) -> None:
        state = self.page.evaluate(
            "() => ({pwned: window.__pwned === undefined ? null : String(window.__pwned),"
            " injected: document.querySelectorAll('[data-injected]').length,"
            " csp: window.__csp || []})"
        )
        assert state["pwned"] is None, f"{where}: a payload ran ({state['pwned']})"
        assert state["injected"] == 0, f"{where}: a payload became an element"
        assert not self.dialogs, f"{where}: a dialog opened: {self.dialogs}"
        assert not state["csp"], f"{where}: CSP violations: {state['csp']}"
        assert not self.errors, f"{where}: script errors: {self.errors}"


def _admin_paths() -> list[str]:
    paths = [
        "/scorecard",
        "/scorecard?grain=month&period=2024-03",
        "/scorecard?grain=year&compare=last_year",
        "/scorecard?grain=custom&start=2024-01-01&end=2024-03-20",
        "/kpis",
        "/kpis/hostile_revenue",
        "/kpis/revenue?grain=quarter",
        "/objectives",
        "/targets",
        "/targets?kpi=revenue",
        "/reviews",
        "/health",
        "/smart",
        "/audit",
        "/admin/users",
        "/admin/tokens",
        "/funnels",
        "/related/revenue",
        "/trees/revenue?period=2024-03",
        "/compare?kpi=revenue&other=orders",
        "/compare?kpi=hostile_revenue",
    ]
    # explanations of a change and comparisons, by every dimension that carries a payload
    for by in ("channel", "rep", "rep.team", "customer.segment"):
        paths.append(f"/explain/revenue?period=2024-03&vs=2024-02&by={by}")
        paths.append(f"/compare?kpi=revenue&by={by}")
    for funnel, by in (("web_shop", "source"), ("quotes", "rep.team"), ("inquiries", "campaign")):
        paths.append(f"/funnels/{funnel}?by={by}")
    for by in ("channel", "rep", "rep.team", "rep.region", "customer.segment", "customer.region"):
        paths.append(f"/kpis/revenue?by={by}")
    paths += ["/scorecard?by=channel", "/scorecard?by=rep"]
    for by in HOSTILE_KPI["kpis"][0]["dimensions"]:  # type: ignore[index]
        paths.append(f"/kpis/hostile_revenue?by={by}")
    for kpi, by in (
        ("inbound_requests", "source"),
        ("inbound_requests", "campaign"),
        ("website_visits", "medium"),
        ("returns", "reason"),
        ("complaints", "category"),
        ("operating_costs", "category"),
        ("active_customers", "country"),
        ("active_customers", "segment"),
    ):
        paths.append(f"/kpis/{kpi}?by={by}")
    return paths


def _failed_login(browser: Any, base: str) -> None:
    """A failed login with a hostile user name: it goes to the audit log the admin reads."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("#username", PAYLOADS[2][:100])
    page.fill("#password", "wrong password")
    page.click("#login")
    page.wait_for_load_state()
    context.close()


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["csp", "no-csp"])
def test_admin_pages_keep_hostile_data_as_text(
    hostile_server: str, browser: Any, bypass_csp: bool
) -> None:
    _failed_login(browser, hostile_server)
    w = Watched(browser, hostile_server, "admin", bypass_csp)
    w.check("login")
    # htmx runs without eval: hx-on, hx-vars, js: values and trigger filters are off
    assert w.page.evaluate("htmx.config.allowEval") is False
    assert w.page.evaluate("htmx.config.allowScriptTags") is False
    seen = ""
    for path in _admin_paths():
        seen += w.visit(path)
    # the page made it through htmx too: the picker swaps the table in place
    w.visit("/scorecard")
    w.page.select_option("#grain", "month")
    wait_until(w.page, "document.querySelector('#period-label').textContent === '2024-03'", 90)
    w.check("htmx swap")
    # the payloads are shown, as text
    shown = (CHANNEL_WEB, TEAM_NORTH, hostile_rep("r2"), "Plan " + PAYLOADS[0], "Label ")
    for text in shown:
        assert text.strip() in seen, text
    assert HOSTILE_KPI["kpis"][0]["label"] in seen  # type: ignore[index]
    w.context.close()


def test_rep_pages_keep_hostile_data_as_text(hostile_server: str, browser: Any) -> None:
    w = Watched(browser, hostile_server, "rep1", bypass_csp=False)
    seen = ""
    for path in (
        "/scorecard?by=rep",
        "/kpis/revenue?by=rep",
        "/kpis/hostile_revenue?by=rep",
        "/targets",
        "/targets?kpi=revenue",
        "/objectives",
        "/reviews",
        "/explain/revenue?period=2024-03&vs=2024-02&by=rep",
        "/compare?kpi=revenue&by=rep",
        "/funnels/quotes?by=rep",
    ):
        seen += w.visit(path)
    assert hostile_rep("r1").strip() in seen  # the rep's own id, shown as text
    assert hostile_rep("r2").strip() not in seen  # and no one else's
    w.context.close()


def test_hostile_values_are_escaped_in_the_html(hostile_server: str) -> None:
    """Without a browser: the HTML never holds a payload's markup unescaped."""
    import httpx

    with httpx.Client(base_url=hostile_server, follow_redirects=False) as c:
        form = c.get("/login")
        csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
        done = c.post(
            "/login",
            data={"username": "admin", "password": PASSWORD, "csrf": csrf, "next": "/"},
        )
        assert done.status_code == 303
        for path in ("/kpis/revenue?by=channel", "/scorecard", "/kpis/hostile_revenue?by=rep"):
            html = c.get(path).text
            for bad in ("<img src=x", "<svg data", "<div data-injected", "<b data-injected"):
                assert bad not in html, (path, bad)
            scripts = html.split('<script type="application/json">')[1:]
            assert scripts, path
            for script in scripts:
                body = script.split("</script>")[0]
                for bad in ("<", ">", "&", "\u2028", "\u2029"):
                    assert bad not in body, (path, bad)
