"""The dashboard in a real browser: Playwright drives Debian's chromium against a real server.

The test starts ``onpace serve`` on a free port of 127.0.0.1 (now pinned to
2024-03-20 12:00, see conftest.py), then: a manager logs in, the scorecard draws
its charts, the manager sets a target and sees attainment change, a rep sees
only their own numbers by page and by URL, and both log out. A screenshot of
each page goes to test-artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import add_users, chromium, ensure_chromium, wait_until
from tests.web.conftest import PASSWORD, USERS, make_workspace

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    ensure_chromium()
    root = make_workspace(tmp_path_factory.mktemp("browser") / "ws")
    add_users(root, USERS, PASSWORD)
    from onpace.web.process import serving

    with serving(root, as_of="2024-03-20T12:00") as url:
        yield url


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium() as b:
        yield b


def _login(page: Any, base: str, user: str) -> None:
    page.goto(base + "/scorecard")
    assert "/login" in page.url
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_url(base + "/scorecard")


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _attainment(page: Any, kpi: str) -> str:
    """The KPI's attainment on the scorecard; "" when it has none (no target: no column)."""
    cells = page.locator(f"tr.kpi-row[data-kpi='{kpi}'] .attainment")
    return str(cells.first.inner_text()).strip() if cells.count() else ""


def _set_target(page: Any, base: str, value: str, reason: str) -> None:
    page.goto(base + "/targets")
    page.select_option("#t-kpi", "revenue")
    page.fill("#t-period", "2024-03")
    page.fill("#t-value", value)
    page.fill("#t-reason", reason)
    page.click("#t-save")
    page.wait_for_selector(".saved")


def test_manager_journey(server: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, server, "manager")
    # the scorecard draws its sparklines with vega-embed (served from the package)
    # (the KPIs without a target are collapsed, so their sparklines are drawn but hidden)
    page.wait_for_selector(".sparkline svg", timeout=20000, state="attached")
    assert page.locator(".sparkline svg").count() > 3
    _shot(page, "scorecard")

    month = server + "/scorecard?grain=month&period=2024-03"
    page.goto(month)
    assert _attainment(page, "revenue") == ""  # no target yet
    _set_target(page, server, "300", "plan for March")
    _shot(page, "targets")
    page.goto(month)
    assert _attainment(page, "revenue") == "50%"  # 150 of 300
    _set_target(page, server, "200", "market shrank")
    page.goto(month)
    assert _attainment(page, "revenue") == "75%"  # 150 of 200
    assert page.locator("tr.kpi-row[data-kpi='revenue'] .pace-marker").count() == 1
    _shot(page, "scorecard_month")

    # the period picker swaps the table with htmx, without a page load
    page.select_option("#grain", "quarter")
    wait_until(page, "document.querySelector('#period-label').textContent === '2024-Q1'", 90)

    page.goto(server + "/kpis/revenue?by=channel")
    page.wait_for_selector("#trend-chart svg", timeout=20000)
    page.wait_for_selector("#progress-chart svg", timeout=20000)
    page.wait_for_selector("#breakdown-chart svg", timeout=20000)
    assert "market shrank" in page.content()
    _shot(page, "kpi_revenue")
    for name in ("objectives", "health", "smart", "kpis"):
        page.goto(f"{server}/{name}")
        assert page.locator("h1").count() == 1
        _shot(page, name)
    page.goto(server + "/scorecard?lang=nl")
    assert "Scorekaart" in page.content()
    _shot(page, "scorecard_nl")

    page.click("#logout")
    page.wait_for_url(server + "/login")
    page.goto(server + "/scorecard")
    assert "/login" in page.url
    assert not errors, errors
    context.close()


def test_rep_sees_only_own_numbers(server: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    _login(page, server, "rep1")
    page.goto(server + "/scorecard?by=rep")
    members = {t.strip() for t in page.locator("td.member").all_text_contents()}
    assert members == {"Ann"}  # reps by name, the id on hover
    assert {page.locator("td.member").nth(0).get_attribute("title")} == {"r1"}
    _shot(page, "rep_scorecard")
    # by URL: the breakdown, the JSON twin and the API all keep only r1's rows
    page.goto(server + "/kpis/revenue?by=rep")
    rows = page.locator("#breakdown tr[data-member]")
    assert [rows.nth(i).get_attribute("data-member") for i in range(rows.count())] == ["r1"]
    _shot(page, "rep_kpi_revenue")
    card = page.request.get(server + "/scorecard.json?by=rep").json()
    assert {r["member"] for g in card["groups"] for r in g["rows"]} == {"r1"}
    values = page.request.get(
        server + "/api/v1/values?kpi=revenue&grain=quarter&start=2024-01-01&by=rep"
    ).json()
    assert {r["member"] for r in values["table"]} == {"r1"}
    # pages outside the rep's role are refused
    assert page.goto(server + "/health").status == 403
    page.goto(server + "/scorecard")
    page.click("#logout")
    page.wait_for_url(server + "/login")
    context.close()


def test_comparison_pages_draw_their_charts(server: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, server, "manager")
    # what explains revenue February against January (see test_compare_pages.py): a waterfall
    page.goto(server + "/explain/revenue?period=2024-02&vs=2024-01&by=channel")
    page.wait_for_selector("#waterfall-chart svg", timeout=20000)
    page.wait_for_selector("#members-chart svg", timeout=20000)
    store = page.locator("table.members tr[data-member='store'] td").nth(3).inner_text()
    assert store.replace("\u2212", "-").startswith("-") and "55" in store
    _shot(page, "explain_revenue")
    # the web shop funnel and its cohort table
    page.goto(server + "/funnels/web_shop?from=2024-01&to=2024-03")
    page.wait_for_selector("#funnel-chart svg", timeout=20000)
    cells = page.locator("table.funnel-cohorts tr[data-period='2024-02'] td").all_inner_texts()
    assert cells[1:4] == ["3", "2", "2"]
    _shot(page, "funnel_web_shop")
    page.select_option("#fu-by", "source")
    page.click("#fu-go")
    page.wait_for_selector("#funnel-chart svg", timeout=20000)
    # two KPIs on one chart, indexed to 100, with their lead-lag
    page.goto(server + "/compare?kpi=revenue&other=orders&index=1&from=2024-01&to=2024-03")
    page.wait_for_selector("#compare-chart svg", timeout=20000)
    assert "too short to say" in page.locator("#lead-lag-verdict").inner_text()
    _shot(page, "compare_revenue_orders")
    # the KPI page loads its explanation and related KPIs into itself with htmx
    page.goto(server + "/kpis/revenue")
    page.wait_for_selector("#kpi-compare #explain", timeout=20000)
    page.wait_for_selector("#kpi-compare #related", timeout=20000)
    page.click("#compare-link")
    page.wait_for_selector("#compare-chart svg", timeout=20000)
    assert not errors, errors
    context.close()
