"""KPI pages that tell the truth, checked by hand on conftest.py's data (now 2024-03-20 12:00).

- March is in progress: 150 so far, over 19.5 of 31 days, so its run-rate projection
  is 150 / (19.5 / 31) = 238.46; it is marked "to date", never a drop.
- February by rep: r1 120 (o5), r2 40.50 + 25 = 65.50 (o6, o11), and o7's 30 has no
  rep: "unassigned". Total 215.50. January: r1 100 + 80 = 180, r2 50.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from onpace.cli.main import app as cli
from onpace.spec.kpi import SimpleKpi
from onpace.targets.actuals import KpiData
from onpace.views import target_pages
from onpace.web.app import create_app
from onpace.workspace import Workspace
from tests.web.conftest import AS_OF, PASSWORD, Site, add_targets, make_workspace


def test_period_in_progress_is_to_date_with_its_projection(site: Site) -> None:
    kpi = site.login("manager").get("/kpis/revenue.json").json()
    march = kpi["trend"][-1]
    assert march["label"] == "2024-03" and march["part"] == "to date"
    assert march["value"] == pytest.approx(150.0)
    assert march["projection"] == pytest.approx(150 / (19.5 / 31))
    february = kpi["trend"][-2]
    assert february["part"] == "complete" and february["projection"] == pytest.approx(215.5)
    layers = kpi["trend_chart"]["layer"]
    legend = layers[-2]["encoding"]["color"]
    assert legend["legend"]["orient"] == "bottom"
    assert {"actual", "to date", "projection"} <= set(legend["scale"]["domain"])
    axis = layers[-2]["encoding"]["y"]["axis"]["format"]
    assert axis == "$,~f"  # the locale's currency on the axis, trailing zeros trimmed


def test_breakdown_is_a_leaderboard_with_its_own_period(site: Site) -> None:
    c = site.login("manager")
    kpi = c.get("/kpis/revenue.json", params={"by": "rep"}).json()
    board = kpi["breakdown"]
    assert board["period"] == "2024-02"  # the last complete month by default
    rows = [(r["member_label"], r["value"], r["rank"]) for r in board["rows"]]
    assert rows == [("Ann", 120.0, 1), ("Bob", 65.5, 2), ("unassigned", 30.0, 3)]
    assert board["rows"][0]["share"] == pytest.approx(120 / 215.5)
    assert "None" not in c.get("/kpis/revenue", params={"by": "rep"}).text
    january = c.get("/kpis/revenue.json", params={"by": "rep", "period": "2024-01"}).json()
    values = {r["member"]: r["value"] for r in january["breakdown"]["rows"]}
    assert values == {"r1": 180.0, "r2": 50.0, "r3": 0.0}  # r3 sold nothing in January
    assert "2024-03" in [p["value"] for p in board["periods"]]


def test_a_month_period_is_never_shown_as_a_quarter(site: Site) -> None:
    card = (
        site.login("viewer")
        .get("/scorecard.json", params={"grain": "quarter", "period": "2024-03"})
        .json()
    )
    assert card["grain"] == "month" and card["period"] == "2024-03"


def test_kpi_labels_per_language() -> None:
    kpi = SimpleKpi.model_validate(
        {
            "name": "revenue",
            "type": "simple",
            "label": {"en": "Revenue", "nl": "Omzet"},
            "description": {"en": "Sales", "nl": "Verkoop"},
            "unit": "currency",
            "entity": "orders",
            "agg": "sum",
            "column": "amount",
            "time": "ordered_at",
        }
    )
    assert (kpi.label, kpi.label_in("nl"), kpi.label_in("de")) == ("Revenue", "Omzet", "Revenue")
    assert kpi.description_in("nl") == "Verkoop"
    with pytest.raises(ValueError, match="a text per language"):
        SimpleKpi.model_validate({**kpi.model_dump(), "label": {"nl": " "}})


def test_dutch_pages_use_dutch_kpi_labels(site: Site) -> None:
    c = site.login("viewer")
    assert ">Omzet</a>" in c.get("/scorecard", params={"lang": "nl"}).text
    assert "<h1>Omzet <small>" in c.get("/kpis/revenue", params={"lang": "nl"}).text
    assert ">Revenue</a>" in c.get("/scorecard", params={"lang": "en"}).text


def test_an_empty_workspace_says_what_to_do_next(tmp_path: Path) -> None:
    root = tmp_path / "new"
    done = CliRunner().invoke(cli, ["init", str(root)])
    assert done.exit_code == 0, done.output
    assert f"onpace ingest -w {root}" in done.output and "onpace target set" in done.output
    app = create_app(root, as_of=AS_OF)
    app.state.ctx.auth.add_user("boss", "admin", PASSWORD, actor="test")
    site = Site(root, app, {})
    c = site.login("boss")
    page = c.get("/scorecard")
    assert page.status_code == 200 and 'id="onboarding"' in page.text
    assert "onpace ingest" in page.text and 'href="/targets"' in page.text
    kpi = c.get("/kpis/revenue")
    assert (
        kpi.status_code == 200
        and 'id="onboarding"' in kpi.text
        and "table &#39;orders&#39;" in kpi.text
    )
    assert "Nog geen verkoopgegevens" in c.get("/scorecard", params={"lang": "nl"}).text
    app.state.ctx.store.close()


def _lines(chart: dict[str, Any]) -> dict[str, list[tuple[str, float]]]:
    """Each drawn series of a progress chart's line layer: its (date, value) points in order."""
    layer = next(x for x in chart["layer"] if x["mark"]["type"] == "line")
    out: dict[str, list[tuple[str, float]]] = {}
    for p in (layer.get("data") or chart["data"])["values"]:
        out.setdefault(p["line"], []).append((p["period"], p["value"]))
    return {k: sorted(v) for k, v in out.items()}


@pytest.mark.parametrize(
    ("kpi", "period", "value", "as_of"),
    [
        ("return_rate", "2024-Q1", "10%", datetime(2024, 3, 20, 12)),  # a rate, mid-period
        ("revenue", "2024-Q1", "700", datetime(2024, 3, 20, 12)),  # a running total
        ("return_rate", "2024-03", "10%", datetime(2024, 3, 20, 12)),  # a month's rate
        ("revenue", "2024-Q1", "700", datetime(2024, 1, 1, 12)),  # the period's first day
        ("return_rate", "2024-Q1", "10%", datetime(2024, 3, 1, 12)),  # a month's first day
    ],
)
def test_the_projection_starts_where_the_actual_ends(
    tmp_path: Path, kpi: str, period: str, value: str, as_of: datetime
) -> None:
    root = make_workspace(tmp_path / "ws")
    add_targets(root, [(kpi, period, value, None)])
    ws = Workspace.open(root)
    try:
        target = next(t for t in ws.store.current(kpi) if t.period.label == period)
        progress = target_pages._progress(ws, KpiData(ws, as_of), target, as_of)
    finally:
        ws.close()
    lines = _lines(progress["chart"])
    assert lines["projection"][-1][0] == target.period.end.isoformat()
    assert len(lines["projection"]) == 2, lines["projection"]
    assert lines["projection"][0] == lines["actual"][-1]  # no gap: same day, same value
    assert lines["actual"][-1][0] <= as_of.date().isoformat()


def test_a_rate_is_charted_as_rates_to_date(fresh_site: Site) -> None:
    """return_rate Q1 at 10%, now 2024-03-20, by the order's month: January o1 and o2
    returned of o1-o3 (o4 cancelled): 2/3; February none of o5, o6, o7, o11: 0; March
    so far o9 of o8, o9: 1/2; the quarter so far 3 of 9 orders: 1/3, where the
    projection starts."""
    add_targets(fresh_site.root, [("return_rate", "2024-Q1", "10%", None)])
    fresh_site.app.state.ctx.clear()
    progress = fresh_site.login("manager").get("/kpis/return_rate.json").json()["progress"]
    lines = _lines(progress["chart"])
    assert lines["actual"] == [
        ("2024-01-01", pytest.approx(2 / 3)),
        ("2024-02-01", 0.0),
        ("2024-03-01", pytest.approx(1 / 2)),
        ("2024-03-20", pytest.approx(1 / 3)),
    ]
    assert lines["projection"][0] == ("2024-03-20", pytest.approx(1 / 3))
    assert all(v == pytest.approx(0.1) for _, v in lines["target"])
