"""A failing alert channel is reported on the data-health page."""

from __future__ import annotations

from datetime import UTC, datetime

from onpace.alerts.history import record_delivery, record_event
from onpace.store import open_store, store_url
from tests.web.conftest import Site


def test_a_failing_channel_shows_on_the_health_page(site: Site) -> None:
    store = open_store(store_url(None, site.root))
    try:
        event = record_event(store, "slipping", "orders||2025-Q4", "fired", "at risk", "m",
                             datetime(2025, 10, 25))  # fmt: skip
        record_delivery(store, event, "email", "ann", "ann@example.com", True, 1, "")
        record_delivery(store, event, "slack", "slack", "https://hooks.slack.com/...", False, 3,
                        "DeliveryError: https://hooks.slack.com/x answered HTTP 500")  # fmt: skip
    finally:
        store.close()
    c = site.login("viewer")
    channels = {ch["channel"]: ch for ch in c.get("/health.json").json()["channels"]}
    assert channels["email"]["status"] == "ok"
    assert channels["slack"]["status"] == "failing"
    assert channels["slack"]["failed_deliveries"] == 1
    page = c.get("/health").text
    assert "Alert channels" in page and "HTTP 500" in page


def test_checkins_show_on_the_kpi_page(fresh_site: Site) -> None:
    from onpace.reviews.checkins import add_checkin
    from onpace.workspace import Workspace

    ws = Workspace.open(fresh_site.root)
    when = datetime(2024, 3, 10, 9, 0, tzinfo=UTC)
    add_checkin(ws, "2024-Q1", "two deals <b>slipped</b>", "at risk", "revenue", None, "ann", when)
    ws.close()
    c = fresh_site.login("viewer")
    data = c.get("/kpis/revenue.json").json()
    assert [(x["confidence"], x["author"]) for x in data["checkins"]] == [("at risk", "ann")]
    page = c.get("/kpis/revenue").text
    assert "Check-ins" in page and "two deals &lt;b&gt;slipped&lt;/b&gt;" in page
    # the check-in is an annotation on the trend chart at its date
    [note] = [n for n in data["notes"] if n["kind"] == "check-in"]
    assert note["date"] == "2024-03-10"
    assert note["text"] == "check-in 2024-Q1 (at risk) by ann: two deals <b>slipped</b>"
    rules = [
        layer
        for layer in data["trend_chart"]["layer"]
        if layer.get("mark", {}).get("type") == "rule"
    ]
    assert rules and rules[0]["data"]["values"][-1]["text"] == note["text"]
    assert c.get("/kpis/revenue.json").json()["trend_chart"] == data["trend_chart"]  # kept
    # a second check-in, while the page's values are still cached, is drawn at once
    ws = Workspace.open(fresh_site.root)
    later = datetime(2024, 3, 12, 9, 0, tzinfo=UTC)
    add_checkin(ws, "2024-Q1", "one deal back", "on track", "revenue", None, "ann", later)
    ws.close()
    again = c.get("/kpis/revenue.json").json()
    [rule] = [x for x in again["trend_chart"]["layer"] if x.get("mark", {}).get("type") == "rule"]
    texts = [v["text"] for v in rule["data"]["values"]]
    assert texts[-2:] == [note["text"], "check-in 2024-Q1 (on track) by ann: one deal back"]


def test_the_review_pack_downloads_in_the_viewers_scope(site: Site) -> None:
    from io import BytesIO

    from openpyxl import load_workbook  # type: ignore[import-untyped]

    manager = site.login("manager").get("/scorecard/pack.xlsx", params={"period": "2024-Q1"})
    assert manager.status_code == 200
    assert (
        manager.headers["content-disposition"] == 'attachment; filename="review-pack-2024-Q1.xlsx"'
    )
    book = load_workbook(BytesIO(manager.content))
    reps_seen = {r[3] for r in book["Breakdown"].iter_rows(min_row=2, values_only=True)}
    card = site.login("manager").get("/scorecard.json", params={"period": "2024-Q1"}).json()
    kpis = {r["kpi"] for g in card["groups"] for r in g["rows"]}
    assert {r[1] for r in book["Scorecard"].iter_rows(min_row=2, values_only=True)} == kpis
    assert len(reps_seen) > 1
    rep = site.login("rep1").get("/scorecard/pack.xlsx", params={"period": "2024-Q1"})
    rep_book = load_workbook(BytesIO(rep.content))
    members = {r[3] for r in rep_book["Scorecard"].iter_rows(min_row=2, values_only=True)}
    own = site.login("rep1").get("/scorecard.json", params={"period": "2024-Q1"}).json()
    labels = {r["member_label"] or r["member"] or "" for g in own["groups"] for r in g["rows"]}
    assert members == labels and len(members - {""}) == 1  # the rep's own row, nobody else's
    assert {m for m in reps_seen if m} - members  # the manager saw other reps
    quotas = {r[2] for r in rep_book["Target revisions"].iter_rows(min_row=2, values_only=True)}
    assert quotas <= {"all", "rep=r1", "rep_id=r1"}  # never a colleague's quota
    assert site.login("viewer").get("/scorecard/pack.doc").status_code == 404
