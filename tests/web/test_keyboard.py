"""The scorecard and the target form work from the keyboard alone, in a real browser.

Tab reaches every control in reading order, the focused one is visibly outlined,
Enter submits, and a skip link jumps past the navigation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.browser import add_users, chromium, ensure_chromium
from tests.web.conftest import PASSWORD, USERS, make_workspace

_FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name') || '',
          href: el.getAttribute('href') || '', text: (el.textContent || '').trim().slice(0, 40),
          outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0};
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    ensure_chromium()
    root = make_workspace(tmp_path_factory.mktemp("keys") / "ws")
    add_users(root, USERS, PASSWORD)
    from onpace.web.process import serving

    with serving(root, as_of="2024-03-20T12:00") as url:
        yield url


@pytest.fixture()
def page(server: str) -> Iterator[Any]:
    with chromium() as b:
        context = b.new_context(viewport={"width": 1440, "height": 900})
        context.set_default_timeout(120_000)
        p = context.new_page()
        p.goto(server + "/login")
        p.fill("#username", "manager")
        p.fill("#password", PASSWORD)
        p.keyboard.press("Enter")  # the login form from the keyboard too
        p.wait_for_url(server + "/scorecard")
        yield p
        context.close()


def _tab_until(page: Any, wanted: Any, limit: int = 120) -> list[dict[str, Any]]:
    """Press Tab until ``wanted(focused)``; every element focused on the way."""
    seen: list[dict[str, Any]] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED)
        seen.append(focused)
        if wanted(focused):
            return seen
    raise AssertionError(
        f"never reached; focused: {[(s['tag'], s['id'], s['text']) for s in seen]}"
    )


def test_scorecard_by_keyboard(server: str, page: Any) -> None:
    page.keyboard.press("Tab")
    first = page.evaluate(_FOCUSED)
    assert first["href"] == "#main" and first["outline"], first  # the skip link, visible
    page.keyboard.press("Enter")
    seen = _tab_until(page, lambda f: f["id"] == "grain")
    assert all(not s["href"].startswith("/kpis") for s in seen)  # skipped past the menu
    assert seen[-1]["outline"], "the focused control is outlined"
    period = _tab_until(page, lambda f: f["id"] == "period")
    assert period[-1]["outline"]
    page.keyboard.type("2024-02")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.getElementById('period-label').textContent.trim() === '2024-02'"
    )
    # 2024-02 has no target: every KPI sits in the collapsed section, opened by Enter
    summary = _tab_until(page, lambda f: f["tag"] == "summary")
    assert summary[-1]["outline"]
    assert not page.evaluate("() => document.getElementById('untargeted').open")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.getElementById('untargeted').open")
    links = _tab_until(page, lambda f: f["href"].startswith("/kpis/"))
    assert links[-1]["outline"]
    page.keyboard.press("Enter")
    page.wait_for_url("**/kpis/**")


def test_target_form_by_keyboard(server: str, page: Any) -> None:
    page.goto(server + "/targets?kpi=revenue")
    page.focus("#t-kpi")
    order = [page.evaluate(_FOCUSED)["id"]]
    for _ in range(12):
        page.keyboard.press("Tab")
        order.append(page.evaluate(_FOCUSED)["id"])
    assert order == [
        "t-kpi",
        "t-period",
        "t-value",
        "t-by",
        "t-relative",
        "t-phasing",
        "t-weights",
        "t-floor",
        "t-stretch",
        "t-new-value",
        "t-reason",
        "t-preview",
        "t-save",
    ]
    page.focus("#t-period")
    page.keyboard.type("2024-Q2")
    page.keyboard.press("Tab")
    page.keyboard.type("900")
    page.keyboard.press("Enter")  # the form's first button: preview, nothing recorded
    page.wait_for_selector("#target-preview")
    assert "900" in page.inner_text("#target-preview h2")
    assert page.locator("tr[data-target^='revenue|2024-Q2']").count() == 0
    page.focus("#t-reason")
    page.keyboard.type("plan for the quarter")
    page.focus("#t-save")
    page.keyboard.press("Enter")
    page.wait_for_selector("tr[data-target='revenue|2024-Q2|all']")
