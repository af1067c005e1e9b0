"""The scorecard page leads with a summary and tiles; each viewer pins and hides KPIs.

March 2024 is in progress (19 of 31 days by the 20th). Revenue so far is 150 (see
conftest.py): against a target of 200 its pace is 150 / (200 * 19/31) = 1.22, on track;
against 2000 it is 0.12, off track.
"""

from __future__ import annotations

import re

from tests.web.conftest import Site


def _csrf(html: str) -> str:
    return html.split('name="csrf" value="')[1].split('"')[0]


def _target(c: object, csrf: str, kpi: str, value: str) -> None:
    form = {"csrf": csrf, "kpi": kpi, "period": "2024-03", "value": value, "reason": "plan"}
    assert c.post("/targets", data=form).status_code == 303  # type: ignore[attr-defined]


def test_summary_tiles_and_untargeted_section(fresh_site: Site) -> None:
    c = fresh_site.login("manager")
    csrf = _csrf(c.get("/targets").text)
    # 150 of revenue so far is past a target of 100 (a sum cannot fall): on track
    # whatever the projection; 2 orders so far (o8, o9) cannot come near 2000: off track
    _target(c, csrf, "revenue", "100")
    _target(c, csrf, "orders", "2000")
    card = c.get("/scorecard.json", params={"grain": "month"}).json()
    assert card["summary"] == [
        {"status": "on track", "count": 1},
        {"status": "off track", "count": 1},
    ]
    assert [t["kpi"] for t in card["tiles"]] == ["revenue", "orders"]
    html = c.get("/scorecard", params={"grain": "month"}).text
    summary = re.sub(r"<[^>]+>", "", html.split('id="summary">')[1].split("</p>")[0])
    assert " ".join(summary.split()) == "1 on track, 1 off track"
    assert 'class="bar s-on-track"' in html and 'class="bar s-off-track"' in html
    # KPIs without a target sit in their own collapsed section
    section = html.split('<details class="untargeted"')[1].split("</details>")[0]
    assert 'data-kpi="revenue"' not in section and 'data-kpi="average_order_value"' in section
    assert len(card["untargeted"]) == len(fresh_site.app.state.ctx.ws.kpis) - 2
    dutch = c.get("/scorecard", params={"grain": "month", "lang": "nl"}).text
    assert "op koers" in dutch and "KPI&#39;s zonder doel" in dutch


def test_pin_and_hide_are_per_user_audited_and_need_csrf(fresh_site: Site) -> None:
    c = fresh_site.login("manager")
    csrf = _csrf(c.get("/targets").text)
    _target(c, csrf, "revenue", "200")
    _target(c, csrf, "orders", "2000")
    back = "/scorecard?grain=month"
    refused = c.post("/scorecard/preferences", data={"kpi": "orders", "choice": "pin"})
    assert refused.status_code == 403
    done = c.post(
        "/scorecard/preferences",
        data={"csrf": csrf, "kpi": "orders", "choice": "pin", "back": back},
    )
    assert done.status_code == 303 and done.headers["location"] == back
    c.post(
        "/scorecard/preferences",
        data={"csrf": csrf, "kpi": "average_order_value", "choice": "hide"},
    )
    card = c.get("/scorecard.json", params={"grain": "month"}).json()
    assert [t["kpi"] for t in card["tiles"]] == ["orders", "revenue"]
    assert "average_order_value" not in {r["kpi"] for r in card["untargeted"]}
    assert card["hidden"][0]["kpi"] == "average_order_value"
    assert "average_order_value" in {
        r["kpi"] for r in card["table"]
    }  # the download keeps every number
    # another user's scorecard is untouched
    other = fresh_site.login("viewer").get("/scorecard.json", params={"grain": "month"}).json()
    assert [t["kpi"] for t in other["tiles"]] == ["revenue", "orders"] and not other["hidden"]
    # clear brings it back; an unknown KPI or choice is refused in words
    c.post(
        "/scorecard/preferences",
        data={"csrf": csrf, "kpi": "average_order_value", "choice": "clear"},
    )
    assert not c.get("/scorecard.json").json()["hidden"]
    assert (
        c.post("/scorecard/preferences", data={"csrf": csrf, "kpi": "nope", "choice": "pin"})
    ).status_code == 404
    bad = c.post(
        "/scorecard/preferences", data={"csrf": csrf, "kpi": "average_order_value", "choice": "x"}
    )
    assert bad.status_code == 400 and "use pin, hide or clear" in bad.text
    actions = [e["action"] for e in fresh_site.app.state.ctx.auth.audit_entries()]
    assert {"scorecard.pin", "scorecard.hide", "scorecard.clear"} <= set(actions)
    # a redirect back never leaves the scorecard
    away = c.post(
        "/scorecard/preferences",
        data={
            "csrf": csrf,
            "kpi": "average_order_value",
            "choice": "clear",
            "back": "https://evil.example/",
        },
    )
    assert away.headers["location"] == "/scorecard"
