"""Reviews through the API: managers record them, everyone who reads sees the schedule."""

from __future__ import annotations

from tests.web.conftest import Site


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


def test_review_page_form_for_managers_only(fresh_site: Site) -> None:
    manager = fresh_site.login("manager")
    page = manager.get("/reviews")
    assert page.status_code == 200 and 'id="review-form"' in page.text
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    done = manager.post(
        "/reviews",
        data={
            "csrf": csrf,
            "kpi": "orders",
            "decision": "revise",
            "note": "quarterly plan changed",
        },
    )
    assert done.status_code == 303 and done.headers["location"].startswith("/reviews?saved=")
    after = manager.get("/reviews.json").json()
    orders = next(r for r in after["table"] if r["kpi"] == "orders")
    assert orders["last_decision"] == "revise"
    empty = manager.post("/reviews", data={"csrf": csrf, "kpi": "orders", "note": " "})
    assert empty.status_code == 400 and "needs a note" in empty.text
    no_token = manager.post("/reviews", data={"kpi": "orders", "note": "x"})
    assert no_token.status_code == 403  # CSRF protection on the form
    rep = fresh_site.login("rep1")
    assert 'id="review-form"' not in rep.get("/reviews").text
    nl = manager.get("/reviews?lang=nl")
    assert "Evaluaties" in nl.text and "bijstellen" in nl.text
