"""Pages and their JSON and CSV twins, with numbers worked out by hand (see conftest.py)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tests.web.conftest import Site


def _rows(card: dict[str, Any]) -> dict[tuple[str, str | None], dict[str, Any]]:
    return {(r["kpi"], r["member"]): r for g in card["groups"] for r in g["rows"]}


def test_scorecard_values_and_comparisons_by_hand(site: Site) -> None:
    c = site.login("viewer")
    card = c.get("/scorecard.json", params={"grain": "month"}).json()
    assert card["period"] == "2024-03" and card["compare_period"] == "2024-02"
    revenue = _rows(card)[("revenue", None)]
    assert revenue["value"] == pytest.approx(150.0)
    # like for like: the newest row before now is lead l7 at 09:00 on the 20th, so
    # February is read up to the 20th 09:00: o5 120 + o6 40.50 (o7 is at 17:00)
    assert card["compare_until"] == "2024-02-20T09:00"
    assert card["compare_label"] == "2024-02 up to 2024-02-20 09:00 (same span)"
    assert revenue["compare_value"] == pytest.approx(160.5)
    assert revenue["change"] == pytest.approx(150 / 160.5 - 1)
    assert revenue["status"] == "no target"
    full = c.get("/scorecard.json", params={"grain": "month", "span": "full"}).json()
    assert full["compare_until"] is None and full["compare_label"] == "2024-02"
    assert _rows(full)[("revenue", None)]["compare_value"] == pytest.approx(215.5)
    # the sparkline ends with the last 3 months: Jan, Feb, Mar (to date)
    assert revenue["sparkline"][-3:] == pytest.approx([230.0, 215.5, 150.0])
    assert revenue["sparkline_chart"]["mark"]["type"] == "line"
    quarter = c.get("/scorecard.json", params={"grain": "quarter", "compare": "last_year"}).json()
    assert quarter["period"] == "2024-Q1" and quarter["compare_period"] == "2023-Q1"
    q = _rows(quarter)[("revenue", None)]
    assert q["value"] == pytest.approx(230 + 215.5 + 150)
    assert q["compare_value"] == pytest.approx(115.0)  # o0, 2023-01-15


def test_scorecard_groups_by_objective(site: Site) -> None:
    card = site.login("viewer").get("/scorecard.json").json()
    names = [g["name"] for g in card["groups"]]
    assert names[:3] == ["growth", "more_orders", "loyal"]
    assert [r["kpi"] for r in card["groups"][0]["rows"]] == ["revenue"]
    assert card["groups"][-1]["name"] == "(no objective)"
    every = {r["kpi"] for g in card["groups"] for r in g["rows"]}
    assert len(every) == len(site.app.state.ctx.ws.kpis)


def test_custom_range_sums_days_and_refuses_rates(site: Site) -> None:
    card = (
        site.login("viewer")
        .get(
            "/scorecard.json",
            params={"grain": "custom", "start": "2024-02-01", "end": "2024-03-05"},
        )
        .json()
    )
    rows = _rows(card)
    # February 215.50 + March 1-5: o8 60 (2 March) = 275.50; compared with the 34 days before
    assert rows[("revenue", None)]["value"] == pytest.approx(275.5)
    assert rows[("revenue", None)]["compare_value"] == pytest.approx(100 + 50 + 80)
    assert rows[("return_rate", None)]["value"] is None
    assert "custom range" in rows[("return_rate", None)]["note"]


def test_manager_sets_target_and_attainment_follows(fresh_site: Site) -> None:
    c = fresh_site.login("manager")
    page = c.get("/targets")
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    form = {"csrf": csrf, "kpi": "revenue", "period": "2024-03", "value": "300", "reason": "plan"}
    assert c.post("/targets", data=form).status_code == 303
    row = _rows(c.get("/scorecard.json", params={"grain": "month"}).json())[("revenue", None)]
    assert row["target"] == 300 and row["attainment"] == pytest.approx(150 / 300)
    # 19 of 31 days have passed by the 20th: linear pace target 300 * 19/31
    assert row["target_to_date"] == pytest.approx(300 * 19 / 31)
    assert row["pace"] == pytest.approx(150 / (300 * 19 / 31))
    # revise with a reason: the new value counts, the history keeps both
    form |= {"value": "200", "reason": "market shrank"}
    assert c.post("/targets", data=form).status_code == 303
    row = _rows(c.get("/scorecard.json", params={"grain": "month"}).json())[("revenue", None)]
    assert row["attainment"] == pytest.approx(150 / 200)
    history = c.get("/kpis/revenue.json").json()["history"]
    assert [(h["value"], h["reason"], h["author"]) for h in history] == [
        (300, "plan", "manager"),
        (200, "market shrank", "manager"),
    ]
    html = c.get("/scorecard", params={"grain": "month"}).text
    assert "75%" in html and "market shrank" not in html


def test_year_target_is_phased_into_the_month(fresh_site: Site) -> None:
    c = fresh_site.api("manager")
    body = {"kpi": "revenue", "period": "2024", "value": "3660", "reason": "budget"}
    assert c.post("/api/v1/targets", json=body).status_code == 201
    row = _rows(c.get("/api/v1/scorecard", params={"grain": "month"}).json())[("revenue", None)]
    # linear by days: March has 31 of 2024's 366 days
    assert row["target"] == pytest.approx(3660 * 31 / 366)
    assert row["target_source"] == "2024 phased (linear)" and row["target_origin"] == "phased"
    targets = c.get("/api/v1/targets").json()
    months = [m for m in targets[0]["milestones"] if m["grain"] == "month"]
    assert len(months) == 12 and months[1]["value"] == pytest.approx(3660 * 29 / 366)


def test_target_form_requires_a_reason_and_shows_the_error(fresh_site: Site) -> None:
    c = fresh_site.login("manager")
    csrf = c.get("/targets").text.split('name="csrf" value="')[1].split('"')[0]
    bad = c.post(
        "/targets",
        data={"csrf": csrf, "kpi": "revenue", "period": "2024-03", "value": "300", "reason": " "},
    )
    assert bad.status_code == 400 and "reason is required" in bad.text
    bad = c.post(
        "/targets",
        data={"csrf": csrf, "kpi": "revenue", "period": "2024-13", "value": "300", "reason": "x"},
    )
    assert bad.status_code == 400 and "2024-13" in bad.text


def test_csv_twin_has_the_table(site: Site) -> None:
    c = site.login("viewer")
    response = c.get("/scorecard.csv", params={"grain": "month"})
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    revenue = next(r for r in rows if r["kpi"] == "revenue")
    assert float(revenue["value"]) == pytest.approx(150.0) and revenue["objective"] == "growth"
    kpis = list(csv.DictReader(io.StringIO(c.get("/kpis.csv").text)))
    assert len(kpis) == len(site.app.state.ctx.ws.kpis)


def test_every_page_renders_for_an_admin(site: Site) -> None:
    c = site.login("admin")
    for path in (
        "/scorecard",
        "/kpis",
        "/kpis/revenue",
        "/objectives",
        "/targets",
        "/health",
        "/smart",
        "/audit",
    ):
        response = c.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        assert "<h1>" in response.text


def test_dutch_interface_and_number_format(site: Site) -> None:
    c = site.login("viewer")
    html = c.get("/scorecard", params={"grain": "month", "lang": "nl"}).text
    assert "Scorekaart" in html and "€\xa0150,00" in html
    assert c.cookies.get("onpace_lang") == "nl"
    html = c.get("/scorecard", params={"grain": "month", "lang": "en"}).text
    assert "Scorecard" in html and "€150.00" in html


def test_htmx_request_gets_only_the_table(site: Site) -> None:
    c = site.login("viewer")
    part = c.get("/scorecard", params={"grain": "month"}, headers={"HX-Request": "true"}).text
    assert part.lstrip().startswith('<div id="scorecard-body">') and "<html" not in part


def test_kpi_detail_breakdown_and_definition(site: Site) -> None:
    c = site.login("manager")
    kpi = c.get("/kpis/revenue.json", params={"by": "channel", "grain": "quarter"}).json()
    assert kpi["kpi"]["formula"].startswith("sum(amount) of orders")
    # the breakdown is of the last complete quarter, 2023-Q4: nothing was sold then
    assert kpi["breakdown"]["dimension"] == "channel"
    month = c.get("/kpis/revenue.json", params={"by": "channel"}).json()["breakdown"]
    # February 2024: sales o5 120; web o6 40.50 + o7 30 = 70.50; store o11 25
    assert [(m["member"], m["value"]) for m in month["rows"]] == [
        ("sales", 120.0),
        ("web", 70.5),
        ("store", 25.0),
    ]


def test_bad_input_is_a_clear_error_never_a_500(site: Site) -> None:
    c = site.login("viewer")
    assert c.get("/kpis/revenu").status_code == 404
    assert "Did you mean 'revenue'" in c.get("/kpis/revenu.json").json()["error"]
    bad = c.get("/scorecard.json", params={"grain": "fortnight"})
    assert bad.status_code == 400 and "fortnight" in bad.json()["error"]
    assert c.get("/scorecard.json", params={"period": "2024-Q9"}).status_code == 400
    assert c.get("/scorecard.json", params={"by": "planet"}).status_code == 404
    assert c.get("/kpis/revenue.json", params={"by": "planet"}).status_code == 404


def test_health_and_smart_pages(site: Site) -> None:
    c = site.login("viewer")
    health = c.get("/health.json").json()
    orders = next(t for t in health["tables"] if t["table"] == "orders")
    assert orders["rows"] == 12 and orders["status"] == "ok"
    assert health["ingest"] == {"runs": [], "quarantined": 0}
    smart = c.get("/smart.json", params={"kpi": "revenue"}).json()
    assert {f["letter"] for f in smart["findings"]} == {"S", "M", "A", "R", "T"}


def test_objectives_tree(site: Site) -> None:
    tree = site.login("viewer").get("/objectives.json").json()["tree"]
    assert [o["name"] for o in tree] == ["growth", "loyal"]
    assert tree[0]["children"][0]["name"] == "more_orders"
    assert tree[0]["kpis"][0] == {
        "kpi": "revenue",
        "label": "Revenue",
        "weight": 1.0,
        "period": None,
        "target_source": None,
        "attainment": None,
        "score": None,
        "status": "no target",
        "explanation": "no target applies to 2024-Q1",
    }


def test_kpi_page_says_how_the_projection_was_made(fresh_site: Site) -> None:
    c = fresh_site.login("manager")
    page = c.get("/targets")
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    form = {"csrf": csrf, "kpi": "revenue", "period": "2024-03", "value": "300", "reason": "plan"}
    assert c.post("/targets", data=form).status_code == 303
    progress = c.get("/kpis/revenue.json").json()["progress"]
    forecast = progress["status"]["forecast"]
    from onpace.targets.candidates import METHOD_LABELS

    assert progress["method"].startswith(f"method: {METHOD_LABELS[forecast['method']]}")
    assert forecast["value"] == pytest.approx(progress["status"]["projection"])
    html = c.get("/kpis/revenue").text
    assert 'id="projection-method"' in html and "method: " in html
