"""Every page, at 1440 and 390 px, in English and Dutch, as admin, manager and rep.

One server for the module; each role logs in once per width and visits every page
it may see in both languages. On each page: nothing is wider than the viewport,
no English interface string is left on a Dutch page, and axe-core finds no serious
or critical violation (checked as admin, who sees every page). A full-page
screenshot of each goes to test-artifacts/every-page/ (or $ONPACE_ARTIFACTS).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import add_users, chromium, ensure_chromium, wait_until
from tests.support.page_checks import accessibility, overflow, split_words, untranslated
from tests.web.conftest import PASSWORD, USERS, add_targets, make_workspace

ARTIFACTS = Path(
    os.environ.get("ONPACE_ARTIFACTS")
    or Path(__file__).resolve().parents[2] / "test-artifacts" / "every-page"
)
WIDTHS = {"desktop": 1440, "phone": 390}
ROLES = ("admin", "manager", "rep1")
PAGES = {
    "scorecard": "/scorecard",
    "scorecard_month": "/scorecard?grain=month&period=2024-03",
    "scorecard_by_rep": "/scorecard?by=rep",
    "kpis": "/kpis",
    "kpi_revenue": "/kpis/revenue?by=channel",
    "kpi_return_rate": "/kpis/return_rate",
    "objectives": "/objectives",
    "targets": "/targets",
    "reviews": "/reviews",
    "funnels": "/funnels",
    "funnel_web_shop": "/funnels/web_shop?from=2024-01&to=2024-03",
    "compare": "/compare?kpi=revenue&other=orders&index=1&from=2024-01&to=2024-03",
    "explain_revenue": "/explain/revenue?period=2024-02&vs=2024-01&by=channel",
    "health": "/health",
    "smart": "/smart",
    "audit": "/audit",
    "alerts": "/alerts",
    "admin_users": "/admin/users",
    "admin_tokens": "/admin/tokens",
    "admin_objectives": "/admin/objectives",
    "not_found": "/kpis/no_such_kpi",
}
ADMIN_ONLY = {"audit", "admin_users", "admin_tokens", "admin_objectives"}
REP_REFUSED = {"health", "smart", "alerts", *ADMIN_ONLY}
MANAGER_REFUSED = ADMIN_ONLY


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    ensure_chromium()
    root = make_workspace(tmp_path_factory.mktemp("every") / "ws")
    add_targets(root)  # so the scorecard's tiles, bars and sparklines are on the pages
    add_users(root, USERS, PASSWORD)
    from onpace.web.process import serving

    with serving(root, as_of="2024-03-20T12:00") as url:
        yield url


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with chromium() as b:
        yield b


def _pages_for(user: str) -> dict[str, str]:
    refused = REP_REFUSED if user.startswith("rep") else MANAGER_REFUSED
    if user == "admin":
        refused = set()
    return {name: path for name, path in PAGES.items() if name not in refused}


def _with_lang(path: str, lang: str) -> str:
    return path + ("&" if "?" in path else "?") + "lang=" + lang


def _wait_for_charts(page: Any) -> None:
    """Every chart drawn (or failed visibly), so the width and axe see the final page."""
    wait_until(
        page,
        "[...document.querySelectorAll('[data-vega]')]"
        ".every(el => el.querySelector('svg') || el.textContent.startsWith('chart error'))",
        timeout=120,
    )


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("user", ROLES)
def test_every_page_fits_speaks_dutch_and_passes_axe(
    server: str, browser: Any, user: str, width: str
) -> None:
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900})
    context.set_default_timeout(120_000)  # a busy machine, not a slow page
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server + "/login")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_url(server + "/scorecard")
    problems: list[str] = []
    for lang in ("en", "nl"):
        for name, path in _pages_for(user).items():
            response = page.goto(server + _with_lang(path, lang))
            expected = 404 if name == "not_found" else 200
            if response is None or response.status != expected:
                problems.append(f"{name} {lang}: HTTP {response and response.status}")
                continue
            _wait_for_charts(page)
            where = f"{name} {lang} {width}"
            problems += [f"{where} too wide: {p}" for p in overflow(page)]
            problems += [f"{where} split in a table: {w!r}" for w in split_words(page)]
            problems += [f"{where} untranslated: {t!r}" for t in untranslated(page, lang)]
            if user == "admin":  # the role that sees every page; the others see a subset
                problems += [f"{where} axe: {v}" for v in accessibility(page)]
            page.screenshot(
                path=str(ARTIFACTS / f"{name}-{lang}-{width}-{user}.png"), full_page=True
            )
    context.close()
    assert not errors, errors
    assert not problems, "\n".join(problems)


def test_the_checks_can_fail(browser: Any) -> None:
    """Each check finds what it is for on a page made to fail it."""
    bad = (
        '<html lang="nl"><body style="margin:0"><div style="width: 800px">breed</div>'
        '<img src="data:,"><p>Log out</p>'
        '<p style="color:#ccc;background:#fff">grijs</p>'
        '<table><tr><td style="width:30px;max-width:30px;overflow-wrap:anywhere">'
        "Omzetcijfers</td><td>\u20ac\u00a0300,00</td></tr></table></body></html>"
    )
    # the module's browser: a second Playwright would start inside the first one's loop
    page = browser.new_page(viewport={"width": 390, "height": 600})
    try:
        page.set_content(bad)
        assert overflow(page)[0] == "page 800 px wide in a 390 px viewport"
        assert untranslated(page, "nl") == ["Log out"]
        assert split_words(page) == ["Omzetcijfers"]  # the amount fits on its line
        found = " ".join(accessibility(page))
        assert "critical image-alt" in found and "serious color-contrast" in found
        page.set_content(
            '<html lang="en"><head><title>ok</title></head>'
            "<body><main><p>Log out</p></main></body></html>"
        )
        assert overflow(page) == [] and untranslated(page, "en") == []
        assert split_words(page) == []
        assert accessibility(page) == []
    finally:
        page.close()
