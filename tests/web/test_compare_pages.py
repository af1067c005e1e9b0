"""The comparison pages, their JSON and CSV twins and the API, on the hand-checked web data.

Numbers (tests/support/sales_data.py, as of 2024-03-20 12:00):

Revenue February against January 2024, by driver (buying customers x orders per
buying customer x average order value):
    January:  3 customers (c1 c2 c3) x 3/3 orders = 1 x 230/3 = 76.667 -> 230
    February: 2 customers (c1 c4; o7 is a guest) x 4/2 = 2 x 215.5/4 = 53.875 -> 215.5
By channel: sales 100 -> 120, web 50 -> 70.50 (o6 40.50 + o7 30), store 80 -> 25.

The web shop funnel (visits -> carts within a day -> orders within 7 days):
    January: s1 s2 s3; carts k1 (s2) and k2 (s3); order o2 from k2: 3 / 2 / 1
    February: s4 s5 s6; carts k3 (s5) and k4 (s6); orders o6 and o7: 3 / 2 / 2
    March to the 20th: s7 only (s8 and s9 come later): 1 / 0 / 0
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from onpace.views.scope import HIDDEN_NOTE
from tests.web.conftest import Site, make_site

HIDDEN = HIDDEN_NOTE.format(n=3)

B0, O0, A0 = 3.0, 1.0, 230 / 3
B1, O1, A1 = 2.0, 2.0, 215.5 / 4


def _f(b: float, o: float, a: float) -> float:
    return b * o * a


# Shapley parts by hand: each driver's average effect over the orders of moving the drivers
SHAPLEY_B = (
    (_f(B1, O0, A0) - _f(B0, O0, A0)) / 3
    + (_f(B1, O1, A0) - _f(B0, O1, A0)) / 6
    + (_f(B1, O0, A1) - _f(B0, O0, A1)) / 6
    + (_f(B1, O1, A1) - _f(B0, O1, A1)) / 3
)
SHAPLEY_O = (
    (_f(B0, O1, A0) - _f(B0, O0, A0)) / 3
    + (_f(B1, O1, A0) - _f(B1, O0, A0)) / 6
    + (_f(B0, O1, A1) - _f(B0, O0, A1)) / 6
    + (_f(B1, O1, A1) - _f(B1, O0, A1)) / 3
)
SHAPLEY_A = -14.5 - SHAPLEY_B - SHAPLEY_O


def test_explain_change_page_json_and_csv(site: Site) -> None:
    c = site.login("viewer")
    params = {"period": "2024-02", "vs": "2024-01", "by": "channel"}
    data = c.get("/explain/revenue.json", params=params).json()
    e = data["explanation"]
    assert (e["before"], e["after"], e["change"]) == pytest.approx((230.0, 215.5, -14.5))
    parts = {d["kpi"]: d for d in e["drivers"]}
    assert parts["buying_customers"]["before"] == 3 and parts["buying_customers"]["after"] == 2
    assert parts["orders_per_buying_customer"]["after"] == pytest.approx(2.0)
    assert parts["buying_customers"]["part"] == pytest.approx(SHAPLEY_B)
    assert parts["orders_per_buying_customer"]["part"] == pytest.approx(SHAPLEY_O)
    assert parts["average_order_value"]["part"] == pytest.approx(SHAPLEY_A)
    # written out: -76.667/3 - 153.333/6 - 53.875/6 - 107.75/3 = -96.007
    assert pytest.approx(-96.00694, abs=1e-4) == SHAPLEY_B
    assert sum(d["part"] for d in e["drivers"]) == pytest.approx(-14.5)
    assert e["tree_gap"] == 0
    members = {r["member"]: r["change"] for r in e["members"]["rows"]}
    assert members == pytest.approx({"sales": 20.0, "web": 20.5, "store": -55.0})
    assert data["waterfall"]["mark"]["type"] == "bar"
    page = c.get("/explain/revenue", params=params)
    assert page.status_code == 200
    assert "waterfall-chart" in page.text and 'data-driver="buying_customers"' in page.text
    rows = list(csv.DictReader(io.StringIO(c.get("/explain/revenue.csv", params=params).text)))
    assert [r["name"] for r in rows][:4] == [
        "revenue",
        "buying_customers",
        "orders_per_buying_customer",
        "average_order_value",
    ]
    assert float(rows[0]["change"]) == pytest.approx(-14.5)


def test_explain_rate_by_member_mix_and_rate(site: Site) -> None:
    # average order value by channel, February against January:
    #   sales  1 order 100 -> 1 order 120     web 1 x 50 -> 2 x 35.25     store 1 x 80 -> 1 x 25
    # shares of orders 1/3 each -> 1/4, 1/2, 1/4; totals 76.667 -> 53.875
    data = site.api("viewer").get(
        "/api/v1/explain-change",
        params={
            "kpi": "average_order_value",
            "period": "2024-02",
            "vs": "previous",
            "by": "channel",
        },
    )
    assert data.status_code == 200, data.text
    e = data.json()
    rows = {r["member"]: r for r in e["members"]["rows"]}
    mean_total = (230 / 3 + 53.875) / 2
    assert rows["web"]["rate"] == pytest.approx((1 / 3 + 1 / 2) / 2 * (35.25 - 50))
    assert rows["web"]["mix"] == pytest.approx((1 / 2 - 1 / 3) * ((50 + 35.25) / 2 - mean_total))
    assert rows["store"]["rate"] == pytest.approx((1 / 3 + 1 / 4) / 2 * (25 - 80))
    total = sum(r["mix"] + r["rate"] for r in rows.values())
    assert total == pytest.approx(53.875 - 230 / 3)


def test_explain_errors_are_shown_not_crashed(site: Site) -> None:
    c = site.login("viewer")
    # a year before there were no orders, so orders per buying customer has no value
    page = c.get("/explain/revenue", params={"period": "2024-02"})
    assert page.status_code == 200 and 'id="explain-error"' in page.text
    assert "no value" in page.text
    assert c.get("/explain/nope").status_code == 404
    api = site.api("viewer")
    bad = api.get("/api/v1/explain-change", params={"kpi": "revenue", "period": "2024-02"})
    assert bad.status_code == 400 and "no value" in bad.json()["error"]
    bad = api.get("/api/v1/explain-change", params={"kpi": "revenue", "vs": "2024-Q1"})
    assert bad.status_code == 404 and "compare a month with a month" in bad.json()["error"]
    no_tree = c.get("/explain/orders")
    assert no_tree.status_code == 200 and "no driver tree" in no_tree.text


def test_funnel_page_by_hand(site: Site) -> None:
    c = site.login("viewer")
    data = c.get("/funnels/web_shop.json", params={"from": "2024-01", "to": "2024-03"}).json()
    counts = {r["label"]: [s["count"] for s in r["steps"]] for r in data["cohorts"]}
    assert counts == {"2024-01": [3, 2, 1], "2024-02": [3, 2, 2], "2024-03": [1, 0, 0]}
    assert [s["count"] for s in data["total"][0]["steps"]] == [7, 4, 3]
    jan = data["cohorts"][0]["steps"]
    assert jan[1]["median_days"] == pytest.approx(5 / 1440)  # 5 minutes, twice
    page = c.get("/funnels/web_shop", params={"from": "2024-01", "to": "2024-03"})
    assert page.status_code == 200 and "funnel-chart" in page.text
    assert 'data-period="2024-02"' in page.text
    listing = c.get("/funnels.json").json()["table"]
    assert {f["name"] for f in listing} == {"web_shop", "quotes", "inquiries"}
    api = site.api("viewer").get(
        "/api/v1/funnels/web_shop", params={"start": "2024-01-01", "end": "2024-03-31"}
    )
    assert api.status_code == 200
    assert [s["count"] for s in api.json()["total"][0]["steps"]] == [7, 4, 3]
    assert site.api("viewer").get("/api/v1/funnels/nope").status_code == 404


def test_quote_funnel_keeps_every_path(site: Site) -> None:
    """Leads -> quotes of the same customer (90 days) -> those quotes won (180 days).

    January leads: l1 (c1: quote q1 Jan 3 won on Jan 4), l2 (c2: q2 lost, q6 won on Mar 2),
    l3 (c3: q4 open, q8 lost): 3 leads, 3 reached a quote, 2 a won quote. Lead to quote
    15 h, 40 h and 22 days 14 h (median 40 h); quote to won 1 and 52 days (median 26.5).
    """
    data = (
        site.api("viewer")
        .get("/api/v1/funnels/quotes", params={"start": "2024-01-01", "end": "2024-03-31"})
        .json()
    )
    counts = {r["label"]: [s["count"] for s in r["steps"]] for r in data["cohorts"]}
    assert counts == {"2024-01": [3, 3, 2], "2024-02": [3, 3, 0], "2024-03": [2, 0, 0]}
    jan = data["cohorts"][0]["steps"]
    assert jan[1]["median_days"] == pytest.approx(40 / 24)
    assert jan[2]["median_days"] == pytest.approx(26.5)
    assert not data["cohorts"][0]["complete"]  # 270 days of windows have not passed


def test_compare_and_related_pages(site: Site) -> None:
    c = site.login("viewer")
    data = c.get(
        "/compare.json",
        params={
            "kpi": "revenue",
            "other": "orders",
            "index": "1",
            "from": "2024-01",
            "to": "2024-03",
        },
    ).json()
    by_label = {r["label"]: r for r in data["table"]}
    # indexed to January: revenue 230 -> 215.5 -> 150; orders 3 -> 4 -> 2
    assert by_label["2024-02"]["revenue"] == pytest.approx(215.5 / 230 * 100)
    assert by_label["2024-03"]["orders"] == pytest.approx(2 / 3 * 100)
    page = c.get("/compare", params={"kpi": "revenue", "other": "orders"})
    assert page.status_code == 200 and "compare-chart" in page.text
    assert "too short to say" in page.text  # the test data has a few months only
    members = c.get(
        "/compare.json",
        params={"kpi": "revenue", "by": "channel", "from": "2024-01", "to": "2024-02"},
    ).json()
    assert {s["key"] for s in members["series"]} == {"sales", "web", "store"}
    related = c.get("/related/revenue.json").json()
    assert related["kpi"] == "revenue" and related["table"] == []  # too short to relate
    assert "no-related" in c.get("/related/revenue").text
    kpi_page = c.get("/kpis/revenue")
    assert (
        'hx-get="/explain/revenue"' in kpi_page.text
        and 'hx-get="/related/revenue"' in kpi_page.text
    )


def test_tree_trace_against_targets(fresh_site: Site) -> None:
    admin = fresh_site.api("admin")
    body = {"kpi": "revenue", "period": "2024-02", "value": "300", "reason": "plan"}
    assert admin.post("/api/v1/targets", json=body).status_code == 201
    trace = admin.get("/api/v1/trees/revenue", params={"period": "2024-02"}).json()
    root = trace["tree"]
    assert root["target"] == 300 and root["actual"] == pytest.approx(215.5)
    children = {c["kpi"]: c for c in root["children"]}
    # with 2 orders per customer at 53.875 each, 300 needs 300 / (2 x 53.875) customers
    assert children["buying_customers"]["needed"] == pytest.approx(300 / (2 * 53.875))
    assert children["average_order_value"]["needed"] == pytest.approx(300 / 4)
    # against the target: 215.5 - 300 = -84.5, split over drivers with no targets of their own
    gap = admin.get(
        "/api/v1/explain-change", params={"kpi": "revenue", "period": "2024-02", "vs": "target"}
    ).json()
    assert gap["before"] == 300 and gap["change"] == pytest.approx(-84.5)
    assert sum(d["part"] for d in gap["drivers"]) + gap["tree_gap"] == pytest.approx(-84.5)


def test_rep_sees_only_their_own_rep_row(tmp_path: Path) -> None:
    """With the privacy rule off (smallest group 1), a rep's breakdown by rep is their row
    and the others folded into one, so the split still adds up."""
    site = make_site(tmp_path / "ws", "privacy:\n  min_group_size: 1\n")
    e = (
        site.api("rep1")
        .get(
            "/api/v1/explain-change",
            params={"kpi": "revenue", "period": "2024-02", "vs": "previous", "by": "rep"},
        )
        .json()
    )
    members = {r["member"]: r["change"] for r in e["members"]["rows"]}
    # r1: 100 + 80 -> 120 (-60); the others folded: r2 50 -> 65.5 (+15.5), guest 0 -> 30
    assert set(members) == {"r1", "(other members)"}
    assert members["r1"] == pytest.approx(-60.0)
    assert sum(members.values()) == pytest.approx(-14.5)
    site.app.state.ctx.store.close()


def test_totals_of_too_few_reps_are_hidden_from_a_rep(site: Site) -> None:
    """The default smallest group is 3 reps (see tests/web/test_small_totals.py).

    Revenue in January and February comes from r1 and r2 only, in March from r3 only:
    rep1 would read a colleague's number off each month, but not off the quarter (3 reps).
    """
    rep = site.api("rep1")
    refused = rep.get(
        "/api/v1/explain-change", params={"kpi": "revenue", "period": "2024-02", "vs": "previous"}
    )
    assert refused.status_code == 400 and HIDDEN in refused.json()["error"]
    page = site.login("rep1").get(
        "/explain/revenue", params={"period": "2024-02", "vs": "previous"}
    )
    assert page.status_code == 200 and HIDDEN in page.text
    assert (
        site.api("manager")
        .get(
            "/api/v1/explain-change",
            params={"kpi": "revenue", "period": "2024-02", "vs": "previous"},
        )
        .status_code
        == 200
    )
    # the quotes funnel by lead: January leads of r1 and r2, February of r1, r2 and r3,
    # March of r3 (and one without a rep): only February and the whole range are shown
    funnel = rep.get(
        "/api/v1/funnels/quotes", params={"start": "2024-01-01", "end": "2024-03-31"}
    ).json()
    counts = {r["label"]: [s["count"] for s in r["steps"]] for r in funnel["cohorts"]}
    assert counts == {"2024-01": [None] * 3, "2024-02": [3, 3, 0], "2024-03": [None] * 3}
    assert [s["count"] for s in funnel["total"][0]["steps"]] == [8, 6, 2]
    by_source = rep.get("/api/v1/funnels/quotes", params={"by": "source"})
    assert by_source.status_code == 400 and "own row" in by_source.json()["error"]
    # side by side: the months are hidden, the quarter is not
    months = rep.get(
        "/api/v1/compare",
        params={"kpi": "revenue", "other": "orders", "start": "2024-01-01", "end": "2024-03-31"},
    ).json()["table"]
    assert [(r["revenue"], r["orders"]) for r in months] == [(None, None)] * 3
    quarter = rep.get(
        "/api/v1/compare",
        params={
            "kpi": "revenue",
            "vs": "previous",
            "grain": "quarter",
            "start": "2024-01-01",
            "end": "2024-03-31",
        },
    ).json()["table"]
    assert quarter[0]["now"] == pytest.approx(230 + 215.5 + 150)
    trace = rep.get("/api/v1/trees/revenue", params={"period": "2024-02"}).json()["tree"]
    assert trace["actual"] is None and HIDDEN in trace["note"]
    assert all(c["needed"] is None for c in trace["children"])
