"""On a small demo: the comparisons answer alike from the CLI, the API and the pages.

Explain-change of revenue and gross profit between two months, the web shop and quote
funnels, and the related-KPIs list; every split adds up to its change, the funnel's
counts never grow from one step to the next, and the three interfaces agree.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from onpace.cli.main import app as cli
from onpace.demo.setup import create_demo
from onpace.web.app import create_app

runner = CliRunner()
AS_OF = "2025-11-27T12:00"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("compare-demo") / "demo"
    create_demo(root, orders=3000, seed=3, years=2, today=date(2025, 11, 27))
    return root


@pytest.fixture(scope="module")
def api(demo: Path) -> Iterator[TestClient]:
    site = create_app(demo, as_of=datetime.fromisoformat(AS_OF))
    auth = site.state.ctx.auth
    auth.add_user("reader", "viewer", "correct horse 1", actor="test")
    client = TestClient(site)
    client.headers["Authorization"] = (
        f"Bearer {auth.create_token('reader', 't', actor='test').token}"
    )
    yield client
    site.state.ctx.store.close()


def _cli(*args: str) -> Any:
    result = runner.invoke(cli, [*args, "--format", "json", "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("kpi", ["revenue", "gross_profit"])
def test_explain_change_between_two_months(demo: Path, api: TestClient, kpi: str) -> None:
    args = ["--period", "2025-10", "--vs", "2024-10", "--by", "channel"]
    from_cli = _cli("explain-change", kpi, "-w", str(demo), *args)
    params = {"kpi": kpi, "period": "2025-10", "vs": "2024-10", "by": "channel"}
    from_api = api.get("/api/v1/explain-change", params=params).json()
    assert from_cli == from_api
    change = from_api["after"] - from_api["before"]
    assert change != 0
    drivers = math.fsum(d["part"] for d in from_api["drivers"]) + from_api["tree_gap"]
    assert drivers == pytest.approx(change, rel=1e-9)
    assert from_api["tree_gap"] == 0  # the catalog identities hold on the demo
    members = from_api["members"]
    assert math.fsum(r["change"] for r in members["rows"]) + members[
        "unexplained"
    ] == pytest.approx(change, rel=1e-9)
    page = api.get(f"/explain/{kpi}", params=params)
    assert page.status_code == 200 and "waterfall-chart" in page.text
    # the depth-2 gross profit tree is the four-factor identity, still exact
    if kpi == "gross_profit":
        deep = api.get("/api/v1/explain-change", params={**params, "depth": 2}).json()
        assert len(deep["drivers"]) == 4
        assert math.fsum(d["part"] for d in deep["drivers"]) == pytest.approx(change, rel=1e-9)


@pytest.mark.parametrize("name", ["web_shop", "quotes"])
def test_funnels(demo: Path, api: TestClient, name: str) -> None:
    from_cli = _cli("funnel", name, "-w", str(demo), "--from", "2025-01", "--to", "2025-10")
    from_api = api.get(
        f"/api/v1/funnels/{name}", params={"start": "2025-01-01", "end": "2025-10-31"}
    ).json()
    assert from_cli == from_api
    (total,) = from_api["total"]
    counts = [s["count"] for s in total["steps"]]
    assert counts[0] > 0 and counts == sorted(counts, reverse=True)
    cohorts = from_api["cohorts"]
    assert len(cohorts) == 10
    for k in range(3):  # the cohorts add up to the total
        assert sum(r["steps"][k]["count"] for r in cohorts) == counts[k]
    page = api.get(f"/funnels/{name}", params={"from": "2025-01", "to": "2025-10"})
    assert page.status_code == 200 and "funnel-chart" in page.text


def test_related_kpis(demo: Path, api: TestClient) -> None:
    from_cli = _cli("related", "revenue", "-w", str(demo))
    from_api = api.get("/api/v1/related", params={"kpi": "revenue"}).json()
    assert from_cli == from_api
    assert from_api, "revenue has related KPIs on the demo"
    for r in from_api:
        assert r["low"] <= r["r"] <= r["high"]
        assert r["low"] > 0 or r["high"] < 0  # only clear relations are listed
    page = api.get("/related/revenue")
    assert page.status_code == 200 and 'class="related"' in page.text


def test_validate_checks_the_trees_on_the_data(demo: Path) -> None:
    result = runner.invoke(cli, ["validate", "-w", str(demo)])
    assert result.exit_code == 0, result.output
    assert "7 driver trees and 3 funnels" in result.output
