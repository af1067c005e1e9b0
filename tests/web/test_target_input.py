"""Bad input on every surface is a clear 4xx; trying a target records nothing.

The workspace is tests/web/conftest.py's (now 2024-03-20): teams North (Ann r1, Bob
r2) and South (Cem r3); channels web, sales, store; segments enterprise, smb, consumer.
"""

from __future__ import annotations

import pytest

from tests.web.conftest import Site


@pytest.mark.parametrize(
    ("path", "params", "status", "message"),
    [
        ("/api/v1/scorecard", {"by": "rep.tem"}, 404, "Did you mean 'rep.team'"),
        ("/api/v1/scorecard", {"by": "planet"}, 404, "no KPI can be broken down by 'planet'"),
        ("/api/v1/scorecard", {"period": "9999-Q4"}, 400, "outside the years 1900 to 2200"),
        ("/api/v1/scorecard", {"grain": "year", "period": "0001"}, 400, "outside the years"),
        (
            "/api/v1/scorecard",
            {"grain": "custom", "start": "0001-01-01", "end": "9999-12-31"},
            400,
            "outside the years",
        ),
        ("/api/v1/scorecard", {"period": "2024-Q9"}, 400, "cannot read period"),
        ("/api/v1/objectives", {"period": "9999-Q4"}, 400, "outside the years"),
        ("/scorecard.json", {"period": "9999-12", "grain": "month"}, 400, "outside the years"),
        ("/api/v1/values", {"kpi": "revenue", "by": "rep.tem"}, 404, "cannot be broken down"),
        (
            "/api/v1/values",
            {"kpi": "revenue", "grain": "day", "start": "0001-01-01", "end": "9999-12-31"},
            400,
            "1900",
        ),
        ("/api/v1/values", {"kpi": "revenue", "grain": "year", "start": "9999"}, 400, "1900"),
    ],
)
def test_bad_reads_are_a_clear_4xx(
    site: Site, path: str, params: dict[str, str], status: int, message: str
) -> None:
    response = site.api("manager").get(path, params=params)
    if path.startswith("/scorecard"):
        response = site.login("manager").get(path, params=params)
    assert response.status_code == status, response.text
    assert message in response.json()["error"]


@pytest.mark.parametrize("by", ["rep.team", "rep.region", "customer.segment", "customer.region"])
def test_dotted_breakdowns_answer(site: Site, by: str) -> None:
    api = site.api("manager")
    values = api.get("/api/v1/values", params={"kpi": "revenue", "by": by, "grain": "quarter"})
    assert values.status_code == 200, values.text
    card = api.get("/api/v1/scorecard", params={"by": by})
    assert card.status_code == 200, card.text
    assert {r["member"] for r in card.json()["table"]} - {None}


def test_team_revenue_by_hand(site: Site) -> None:
    rows = (
        site.api("manager")
        .get(
            "/api/v1/values",
            params={"kpi": "revenue", "by": "rep.team", "start": "2024-Q1", "grain": "quarter"},
        )
        .json()["table"]
    )
    got = {r["member"]: r["value"] for r in rows if r["label"] == "2024-Q1"}
    # North: r1 300 + r2 115.50; South: r3 150; no rep: o7 30 (o0 is 2023)
    assert got == {"North": pytest.approx(415.5), "South": pytest.approx(150.0), None: 30.0}


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"period": "9999-Q4"}, 400, "outside the years 1900 to 2200"),
        ({"period": "9999"}, 400, "outside the years 1900 to 2200"),
        ({"period": "0001-01-01..9999-12-31"}, 400, "outside the years"),
        ({"by": "rep.team=Nort"}, 400, "Did you mean 'North'"),
        ({"by": "channel=webshop"}, 400, "Did you mean 'web'"),
        ({"by": "planet=mars"}, 400, "cannot be broken down by 'planet'"),
        ({"by": "rep=Zed"}, 400, "no rep 'Zed'"),
        ({"kpi": "return_rate", "value": "35"}, 400, "3,500%"),
        ({"value": "10%"}, 400, "measured in currency"),
        ({"value": "300", "floor": "400"}, 400, "floor"),
    ],
)
def test_bad_targets_are_a_clear_400(
    fresh_site: Site, body: dict[str, str], status: int, message: str
) -> None:
    base = {"kpi": "revenue", "period": "2024-Q2", "value": "300", "reason": "plan"}
    response = fresh_site.api("manager").post("/api/v1/targets", json=base | body)
    assert response.status_code == status, response.text
    assert message in response.json()["error"]


def test_team_targets_work_on_every_screen(fresh_site: Site) -> None:
    api = fresh_site.api("manager")
    body = {"kpi": "revenue", "period": "2024-Q1", "value": "500", "by": "rep.team=North"}
    assert api.post("/api/v1/targets", json=body | {"reason": "team"}).status_code == 201
    new = {"kpi": "revenue", "period": "2024-Q1", "value": "90", "by": "rep.team=West"}
    made = api.post("/api/v1/targets", json=new | {"reason": "new team", "new_value": True})
    assert made.status_code == 201, made.text
    for path in ("/api/v1/smart", "/api/v1/targets", "/api/v1/objectives"):
        assert api.get(path).status_code == 200, path
    c = fresh_site.login("admin")
    for path in ("/targets", "/smart", "/objectives", "/scorecard?by=rep.team"):
        assert c.get(path).status_code == 200, path
    rows = api.get("/api/v1/scorecard", params={"by": "rep.team"}).json()["table"]
    north = next(r for r in rows if r["kpi"] == "revenue" and r["member"] == "North")
    # North so far: r1 100 + 80 + 120 = 300, r2 50 + 40.50 + 25 = 115.50
    assert north["target"] == 500 and north["value"] == pytest.approx(415.5)
    assert north["attainment"] == pytest.approx(415.5 / 500)


def test_try_and_preview_record_nothing(fresh_site: Site) -> None:
    api = fresh_site.api("manager")
    body = {"kpi": "revenue", "period": "2024-03", "value": "300", "floor": "250", "stretch": "400"}
    trial = api.post("/api/v1/targets/try", json=body)
    assert trial.status_code == 200, trial.text
    got = trial.json()
    # March so far: 150 of 300; 19 of 31 days gone
    assert got["recorded"] is False and got["status"]["attainment"] == pytest.approx(0.5)
    assert got["status"]["pace"] == pytest.approx(150 / (300 * 19 / 31))
    assert (got["target"]["floor"], got["target"]["stretch"]) == (250, 400)
    assert {f["letter"] for f in got["findings"]} == set("SMART")
    assert api.get("/api/v1/targets").json() == []
    c = fresh_site.login("manager")
    csrf = c.get("/targets").text.split('name="csrf" value="')[1].split('"')[0]
    form = {"csrf": csrf, "action": "preview"} | body
    page = c.post("/targets", data=form)
    assert page.status_code == 200 and 'id="target-preview"' in page.text
    assert api.get("/api/v1/targets").json() == []
    saved = c.post("/targets", data=form | {"action": "save", "reason": "plan"})
    assert saved.status_code == 303
    (stored,) = api.get("/api/v1/targets").json()
    assert (stored["value"], stored["floor"], stored["stretch"]) == (300, 250, 400)
    row = next(
        r
        for r in api.get("/api/v1/scorecard", params={"grain": "month"}).json()["groups"][0]["rows"]
        if r["kpi"] == "revenue"
    )
    assert (row["floor"], row["stretch"]) == (250, 400)
