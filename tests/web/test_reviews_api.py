"""Reviews through the API: managers record them, everyone who reads sees the schedule."""

from __future__ import annotations

from web.conftest import Site


def test_manager_records_a_review_and_the_schedule_shows_it(fresh_site: Site) -> None:
    manager = fresh_site.api("manager")
    before = {r["kpi"]: r for r in manager.get("/api/v1/reviews").json()}
    assert before["revenue"]["last_review"] is None
    posted = manager.post(
        "/api/v1/reviews",
        json={"kpi": "revenue", "decision": "revise", "note": "plan cut after the price war"},
    )
    assert posted.status_code == 201, posted.text
    assert posted.json()["reviewer"] == "manager" and posted.json()["decision"] == "revise"
    viewer = fresh_site.api("viewer")
    after = {r["kpi"]: r for r in viewer.get("/api/v1/reviews").json()}
    assert after["revenue"]["last_decision"] == "revise"
    assert after["revenue"]["last_review"] is not None
    history = viewer.get("/api/v1/reviews", params={"kpi": "revenue"}).json()
    assert [h["note"] for h in history] == ["plan cut after the price war"]
    audit = fresh_site.api("admin").get("/api/v1/audit").json()
    assert any(e.get("action") == "review.add" for e in audit), audit[:3]


def test_bad_reviews_get_clear_errors(fresh_site: Site) -> None:
    manager = fresh_site.api("manager")
    unknown = manager.post("/api/v1/reviews", json={"kpi": "revenu", "note": "x"})
    assert unknown.status_code in (400, 404) and "revenue" in unknown.text
    bad = manager.post("/api/v1/reviews", json={"kpi": "revenue", "decision": "drop", "note": "x"})
    assert bad.status_code == 422
    empty = manager.post("/api/v1/reviews", json={"kpi": "revenue", "note": ""})
    assert empty.status_code == 422
    assert (
        fresh_site.api("viewer")
        .post("/api/v1/reviews", json={"kpi": "revenue", "note": "x"})
        .status_code
        == 403
    )
