"""One scorecard on every surface: the same periods and scopes give identical rows.

The surfaces are the CLI (``onpace scorecard --format json``, ``onpace objectives``),
the page's JSON twin and CSV download, ``/api/v1/scorecard`` and ``/api/v1/objectives``,
and the Python API (``Workspace.scorecard``, ``Workspace.status``). They all call one
data function; this test holds them to it on the hand-checked web workspace
(tests/web/conftest.py, "now" 2024-03-20 12:00) with a year target, a month target,
rep quotas and a team target, so every rule of which target applies is exercised.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from onpace.cli.main import app as cli
from onpace.views.glance import GLANCE_KEYS
from onpace.views.serialize import json_bytes
from onpace.workspace import Workspace
from tests.web.conftest import AS_OF, Site, make_site

runner = CliRunner()

TARGETS = [
    {"kpi": "revenue", "period": "2024", "value": "3660", "reason": "budget", "phasing": "linear"},
    {"kpi": "orders", "period": "2024-03", "value": "4", "reason": "plan"},
    {"kpi": "revenue", "period": "2024-Q1", "value": "280", "by": "rep=r1", "reason": "quota"},
    {"kpi": "revenue", "period": "2024-Q1", "value": "150", "by": "rep=r2", "reason": "quota"},
    {"kpi": "revenue", "period": "2024-Q1", "value": "500", "by": "rep.team=North", "reason": "t"},
    {"kpi": "return_rate", "period": "2024-Q1", "value": "5%", "reason": "keep low"},
]

CASES: list[dict[str, str]] = [
    {},
    {"grain": "month"},
    {"grain": "month", "compare": "last_year"},
    {"grain": "month", "span": "full"},
    {"grain": "year"},
    {"grain": "month", "period": "2024-02"},
    {"grain": "quarter", "period": "2024-Q2"},
    {"grain": "custom", "start": "2024-02-10", "end": "2024-03-15"},
    {"by": "rep"},
    {"by": "rep.team"},
    {"by": "channel", "grain": "month"},
    {"by": "customer.segment"},
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    s = make_site(tmp_path_factory.mktemp("one") / "ws")
    api = s.api("manager")
    for body in TARGETS:
        response = api.post("/api/v1/targets", json=body)
        assert response.status_code == 201, response.text
    yield s
    s.app.state.ctx.store.close()


def _cli_args(params: dict[str, str]) -> list[str]:
    args: list[str] = []
    for key, value in params.items():
        if key == "span":
            args += ["--full-compare"] if value == "full" else []
        elif key in ("start", "end"):
            continue
        else:
            args += [f"--{key}", value]
    if "start" in params:  # the CLI takes a custom range as its period
        args += ["--period", f"{params['start']}..{params['end']}"]
    return args


def _python(ws: Workspace, params: dict[str, str]) -> dict[str, Any]:
    period = params.get("period")
    if "start" in params:
        period = f"{params['start']}..{params['end']}"
    card = ws.scorecard(
        period,
        grain=params.get("grain", "quarter"),
        compare=params.get("compare", "previous"),
        span=params.get("span", "same"),
        by=params.get("by"),
        as_of=AS_OF,
    )
    return card.as_dict()


@pytest.mark.parametrize("params", CASES, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()))
def test_every_surface_gives_the_same_scorecard(site: Site, params: dict[str, str]) -> None:
    api = site.api("manager").get("/api/v1/scorecard", params=params)
    assert api.status_code == 200, api.text
    page = site.login("manager").get("/scorecard.json", params=params).json()
    for key in ("partial", *GLANCE_KEYS):  # the page adds what it leads with
        page.pop(key)
    assert page == api.json()
    out = runner.invoke(
        cli,
        [
            "scorecard",
            *("-w", str(site.root), "--as-of", AS_OF.isoformat(), "--format", "json"),
            *_cli_args(params),
        ],
    )
    assert out.exit_code == 0, out.output
    assert out.stdout.rstrip("\n").encode() == api.content  # byte for byte
    ws = Workspace.open(site.root)
    try:
        assert json_bytes(_python(ws, params)) == api.content
    finally:
        ws.close()
    card = api.json()
    rows = [r for g in card["groups"] for r in g["rows"]]
    assert len(rows) == len(card["table"]) > 0
    downloaded = site.login("manager").get("/scorecard.csv", params=params).text
    table = list(csv.DictReader(io.StringIO(downloaded)))
    assert [(r["kpi"], r["member"] or None, r["status"]) for r in table] == [
        (r["kpi"], r["member"], r["status"]) for r in card["table"]
    ]


def test_a_rep_sees_the_same_rows_on_page_api_and_csv(site: Site) -> None:
    params = {"by": "rep"}
    api = site.api("rep1").get("/api/v1/scorecard", params=params).json()
    page = site.login("rep1").get("/scorecard.json", params=params).json()
    for key in ("partial", *GLANCE_KEYS):  # the page adds what it leads with
        page.pop(key)
    assert api == page
    assert {r["member"] for r in api["table"]} == {"r1"}
    # a rep's default scorecard is their own quota
    default = site.api("rep1").get("/api/v1/scorecard").json()
    assert default["by"] == "rep" and default["table"] == api["table"]
    totals = site.api("rep1").get("/api/v1/scorecard", params={"by": "total"}).json()
    assert totals["by"] is None and {r["member"] for r in totals["table"]} == {None}


def test_status_is_the_scorecard_rows_with_a_target(site: Site) -> None:
    ws = Workspace.open(site.root)
    try:
        card = ws.scorecard(by="rep", as_of=AS_OF)
        status = ws.status(by="rep", as_of=AS_OF)
        frame = ws.status(by="rep", as_of=AS_OF, output="pandas")
    finally:
        ws.close()
    assert status == [r for r in card.rows if r.target is not None]
    assert list(frame["member"]) == [r.member for r in status] == ["r1", "r2"]


def test_objectives_agree_with_the_scorecard(site: Site) -> None:
    api = site.api("manager").get("/api/v1/objectives").json()
    page = site.login("manager").get("/objectives.json").json()
    assert api == page
    out = runner.invoke(
        cli,
        ["objectives", "-w", str(site.root), "--as-of", AS_OF.isoformat(), "--format", "json"],
    )
    assert json.loads(out.stdout) == api
    card = site.api("manager").get("/api/v1/scorecard").json()
    groups = {g["name"]: g for g in card["groups"]}
    growth = api["tree"][0]
    assert growth["attainment"] == groups["growth"]["attainment"] is not None
    assert growth["status"] == groups["growth"]["status"]
    revenue = next(r for r in groups["growth"]["rows"] if r["kpi"] == "revenue")
    assert growth["kpis"][0]["score"] == revenue["score"]
    assert growth["kpis"][0]["target_source"] == "2024 phased (linear)"
