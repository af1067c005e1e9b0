"""A rep cannot read a colleague's number off a total of too few reps.

The data (tests/web/conftest.py), revenue in 2024-Q1 as of 2024-03-20 12:00:

- per rep: r1 300 (o1 100, o3 80, o5 120), r2 115.50 (o2 50, o6 40.50, o11 25),
  r3 150 (o8 60, o9 90); o7 (web, 30) has no rep. Total 595.50, from 3 reps.
- teams: North = r1 + r2 = 415.50 (two reps), South = r3 = 150 (one rep).
- channels: sales = r1 100 + 120, r3 60 = 280 (two reps); web = r2 50 + 40.50 and
  o7 30 = 120.50 (one rep); store = r1 80, r2 25, r3 90 = 195 (three reps).
- months: January r1 + r2, February r1 + r2 (+ o7), March r3 only.

With the default smallest group of 3, rep1 may see the total (3 reps), store (3)
and nothing else of the above: North is r1 and r2 (rep1 would subtract 300 and read
r2's 115.50), South and web are one colleague each. rep3 may see South (only
themselves). Managers see every total.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from onpace.views.scope import HIDDEN_NOTE
from tests.web.conftest import Site, make_site

HIDDEN = HIDDEN_NOTE.format(n=3)
Q1 = {"kpi": "revenue", "grain": "quarter", "start": "2024-01-01", "end": "2024-03-31"}


def _values(site: Site, user: str, by: str | None) -> dict[str | None, tuple[float | None, str]]:
    params = {**Q1, **({"by": by} if by else {})}
    table = site.api(user).get("/api/v1/values", params=params).json()["table"]
    return {r["member"]: (r["value"], r["note"] or "") for r in table}


def test_team_totals_of_two_reps_are_hidden_from_a_rep(site: Site) -> None:
    rep1 = _values(site, "rep1", "rep.team")
    assert rep1["North"] == (None, HIDDEN)  # r1 + r2: r1 would read r2's number
    assert rep1["South"] == (None, HIDDEN)  # r3 alone
    assert rep1[None] == (30.0, "")  # o7 has no rep: no one's number to read
    rep3 = _values(site, "rep3", "rep.team")
    assert rep3["South"] == (150.0, "")  # only rep3 themselves
    assert rep3["North"] == (None, HIDDEN)
    manager = _values(site, "manager", "rep.team")
    assert manager["North"] == (pytest.approx(415.5), "")
    assert manager["South"] == (150.0, "")


def test_channel_totals_need_three_reps(site: Site) -> None:
    rep1 = _values(site, "rep1", "channel")
    assert rep1["sales"] == (None, HIDDEN)  # r1 and r3
    assert rep1["web"] == (None, HIDDEN)  # r2 (and o7 without a rep)
    assert rep1["store"] == (195.0, "")  # r1, r2 and r3
    viewer = _values(site, "viewer", "channel")
    assert viewer["sales"] == (280.0, "") and viewer["web"] == (pytest.approx(120.5), "")


def test_the_company_total_of_three_reps_stays_visible(site: Site) -> None:
    assert _values(site, "rep1", None)[None] == (pytest.approx(595.5), "")


def test_kpi_page_hides_small_totals_in_trend_and_breakdown(site: Site) -> None:
    page = site.api("rep1").get("/kpis/revenue.json", params={"by": "channel"}).json()
    months = {r["label"]: (r["value"], r["note"]) for r in page["trend"]}
    assert months["2024-01"] == (None, HIDDEN)  # r1 + r2
    assert months["2024-03"] == (None, HIDDEN)  # r3 alone
    # February, the breakdown's month: sales r1 only (own), web r2 + o7, store r2
    rows = {r["member"]: r["value"] for r in page["breakdown"]["rows"]}
    assert rows == {"sales": 120.0, "web": None, "store": None}
    manager = site.api("manager").get("/kpis/revenue.json", params={"by": "channel"}).json()
    assert {r["label"]: r["value"] for r in manager["trend"]}["2024-01"] == 230.0
    html = site.login("rep1").get("/kpis/revenue", params={"by": "channel"}).text
    assert "40,50" not in html and "40.50" not in html and "65.5" not in html


def test_progress_towards_a_target_is_hidden_with_its_total(fresh_site: Site) -> None:
    body = {"kpi": "revenue", "period": "2024-03", "value": "300", "reason": "plan"}
    assert fresh_site.api("manager").post("/api/v1/targets", json=body).status_code == 201
    # March so far is r3's 150 alone: rep3 sees it, rep1 does not
    assert fresh_site.api("rep3").get("/kpis/revenue.json").json()["progress"] is not None
    assert fresh_site.api("rep1").get("/kpis/revenue.json").json()["progress"] is None
    assert fresh_site.api("manager").get("/kpis/revenue.json").json()["progress"] is not None


@pytest.fixture
def strict_site(tmp_path: Path) -> Iterator[Site]:
    """min_group_size 4 in onpace.yml: the company total of 3 reps is hidden too."""
    s = make_site(tmp_path / "ws", "privacy:\n  min_group_size: 4\n")
    yield s
    s.app.state.ctx.store.close()


def test_the_smallest_group_is_set_in_onpace_yml(strict_site: Site) -> None:
    hidden = HIDDEN_NOTE.format(n=4)
    assert _values(strict_site, "rep1", None)[None] == (None, hidden)
    assert _values(strict_site, "rep1", "channel")["store"] == (None, hidden)
    assert _values(strict_site, "manager", None)[None] == (pytest.approx(595.5), "")


def _card(site: Site, user: str, **params: str) -> dict[str | None, dict[str, object]]:
    card = site.api(user).get("/api/v1/scorecard", params=params).json()
    return {r["member"]: r for g in card["groups"] for r in g["rows"] if r["kpi"] == "revenue"}


def test_scorecard_hides_small_totals_from_a_rep(site: Site) -> None:
    teams = _card(site, "rep1", by="rep.team")
    for team in ("North", "South"):
        row = teams[team]
        assert (row["value"], row["status"], row["note"]) == (None, "hidden", HIDDEN)
        assert row["attainment"] is None and row["projection"] is None
    channels = _card(site, "rep1", by="channel")
    assert channels["sales"]["value"] is None and channels["web"]["value"] is None
    assert channels["store"]["value"] == 195.0
    manager = _card(site, "manager", by="rep.team")
    assert manager["North"]["value"] == pytest.approx(415.5) and manager["North"]["note"] != HIDDEN


def test_scorecard_total_and_sparkline_of_a_rep(site: Site) -> None:
    quarter = _card(site, "rep1", by="total")[None]
    assert quarter["value"] == pytest.approx(595.5)  # three reps: visible
    month = _card(site, "rep1", by="total", grain="month", period="2024-03")[None]
    assert (month["value"], month["status"]) == (None, "hidden")  # March: r3 alone
    february = _card(site, "rep1", by="total", grain="month", period="2024-02")[None]
    assert february["value"] is None  # r1 and r2
    assert february["compare_value"] is None  # January: r1 and r2 too
    # the quarter's sparkline: 2023 quarters come from o0 (no rep), 2024-Q1 from 3 reps
    assert quarter["sparkline"][-1] == pytest.approx(595.5)
    manager = _card(site, "manager", by="total", grain="month", period="2024-03")[None]
    assert manager["value"] == 150.0
    html = site.login("rep1").get("/scorecard", params={"by": "rep.team"}).text
    assert "415" not in html and "hidden (too few reps)" in html


def test_explaining_a_change_hides_what_adds_up_to_a_small_total(site: Site) -> None:
    # February against January: r1 -60 (180 to 120), r2 +15.50, r3 0, o7 (no rep) +30;
    # both months' totals come from r1 and r2 alone
    params = {"kpi": "revenue", "period": "2024-02", "vs": "previous", "by": "rep"}
    rep = site.api("rep1").get("/api/v1/explain-change", params=params)
    assert rep.status_code in (400, 403) and HIDDEN in rep.text  # refused, with why
    assert "230" not in rep.text and "215" not in rep.text
    page = site.login("rep1").get("/explain/revenue", params=params).text
    assert "230" not in page and "215" not in page
    manager = site.api("manager").get("/api/v1/explain-change", params=params).json()
    assert (manager["before"], manager["change"]) == (230.0, -14.5)
    members = {m["member"]: m["change"] for m in manager["members"]["rows"]}
    assert members == {"r1": -60.0, "r2": 15.5, "r3": 0.0, None: 30.0}


def _objective_kpis(node: dict[str, object]) -> list[dict[str, object]]:
    found = [k for k in node.get("kpis", []) if isinstance(k, dict)]  # type: ignore[union-attr]
    for child in node.get("children", []) or []:  # type: ignore[union-attr]
        found += _objective_kpis(child)
    return found


def test_objectives_hide_the_attainment_of_a_small_total(fresh_site: Site) -> None:
    """Attainment times the target is the total: hidden wherever the total is."""
    body = {"kpi": "revenue", "period": "2024-03", "value": "300", "reason": "plan"}
    assert fresh_site.api("manager").post("/api/v1/targets", json=body).status_code == 201
    params = {"grain": "month", "period": "2024-03"}

    def revenue(user: str) -> list[dict[str, object]]:
        tree = fresh_site.api(user).get("/api/v1/objectives", params=params).json()["tree"]
        found = [k for node in tree for k in _objective_kpis(node) if k["kpi"] == "revenue"]
        assert found, tree
        return found

    assert {k["attainment"] for k in revenue("manager")} == {0.5}  # March: r3's 150 of 300
    assert {k["attainment"] for k in revenue("rep3")} == {0.5}  # only rep3 themselves
    assert {k["attainment"] for k in revenue("rep1")} == {None}  # r3 alone: a colleague's
    page = fresh_site.api("rep1").get("/objectives.json", params=params).json()
    assert "0.5" not in str([r for r in page["table"] if "revenue" in str(r)])
