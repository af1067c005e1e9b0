"""The command line, run as a user runs it: a real workspace folder and a real DuckDB file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onpace.cli.main import app
from tests.support.demo_workspace import make_small_demo

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_small_demo(tmp_path_factory.mktemp("cli") / "demo")


def test_init_templates_pick_different_kpis(tmp_path: Path) -> None:
    for template in ("b2b", "ecommerce", "multichannel"):
        result = runner.invoke(app, ["init", str(tmp_path / template), "--template", template])
        assert result.exit_code == 0, result.output
        assert (tmp_path / template / "onpace.yml").exists()
    b2b = runner.invoke(app, ["kpi", "list", "-w", str(tmp_path / "b2b")]).output
    shop = runner.invoke(app, ["kpi", "list", "-w", str(tmp_path / "ecommerce")]).output
    assert "quote_win_rate" in b2b and "quote_win_rate" not in shop
    assert "cart_abandonment_r" in shop and "cart_abandonment_r" not in b2b


def test_init_refuses_unknown_template(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "x"), "--template", "ecomerce"])
    assert result.exit_code == 1
    assert "Did you mean 'ecommerce'" in result.output


def test_validate_ok_and_errors(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    assert runner.invoke(app, ["init", str(root)]).exit_code == 0
    ok = runner.invoke(app, ["validate", "-w", str(root)])
    assert ok.exit_code == 0 and "KPIs valid" in ok.output
    (root / "kpis" / "broken.yml").write_text(
        "kpis:\n"
        "  - name: bad_revenue\n"
        "    type: simple\n"
        "    label: Bad\n"
        "    entity: orders\n"
        "    agg: sum\n"
        "    column: amount\n"
        "    filtr: \"status = 'won'\"\n"
        "    time: ordered_at\n"
        "    unit: currency\n"
    )
    bad = runner.invoke(app, ["validate", "-w", str(root)])
    assert bad.exit_code == 1
    assert "broken.yml:8" in bad.output
    assert "Did you mean 'filter'" in bad.output


def test_compute_table_csv_json(demo_ws: Path, tmp_path: Path) -> None:
    table = runner.invoke(
        app,
        [
            "compute",
            "revenue",
            "orders",
            "-w",
            str(demo_ws),
            "--grain",
            "quarter",
            "--from",
            "2025-Q1",
            "--to",
            "2025-Q3",
            "--as-of",
            "2025-11-27",
        ],
    )
    assert table.exit_code == 0, table.output
    assert "2025-Q1" in table.output and "2025-Q3" in table.output and "2025-Q4" not in table.output
    # one row per period, each with a number in every column
    period_rows = [line for line in table.output.splitlines() if "2025-Q" in line]
    assert len(period_rows) == 3
    assert all("€" in line and "\u2013" not in line for line in period_rows)
    by_channel = runner.invoke(
        app,
        [
            "compute",
            "revenue",
            "-w",
            str(demo_ws),
            "--from",
            "2025-01",
            "--to",
            "2025-02",
            "--by",
            "channel",
            "--as-of",
            "2025-11-27",
        ],
    )
    assert by_channel.exit_code == 0, by_channel.output
    rows = [line for line in by_channel.output.splitlines() if "2025-0" in line]
    assert len(rows) == 6  # 2 months x 3 channels, each once
    out = tmp_path / "rev.json"
    js = runner.invoke(
        app,
        [
            "compute",
            "revenue",
            "-w",
            str(demo_ws),
            "--grain",
            "month",
            "--from",
            "2025-01",
            "--to",
            "2025-03",
            "--by",
            "channel",
            "--format",
            "json",
            "-o",
            str(out),
            "--as-of",
            "2025-11-27",
        ],
    )
    assert js.exit_code == 0, js.output
    records = json.loads(out.read_text())
    assert {r["period_label"] for r in records} == {"2025-01", "2025-02", "2025-03"}
    assert {r["channel"] for r in records} == {"web", "store", "sales"}
    csv = runner.invoke(
        app,
        [
            "compute",
            "orders",
            "-w",
            str(demo_ws),
            "--from",
            "2025-01",
            "--to",
            "2025-02",
            "--format",
            "csv",
            "--as-of",
            "2025-11-27",
        ],
    )
    assert csv.exit_code == 0
    lines = csv.output.strip().splitlines()
    assert lines[0] == "kpi,period,period_label,value,note"
    assert len(lines) == 3
    # the same numbers in every format
    js_total = sum(r["value"] for r in records)
    table_q1 = runner.invoke(
        app,
        [
            "compute",
            "revenue",
            "-w",
            str(demo_ws),
            "--from",
            "2025-01",
            "--to",
            "2025-03",
            "--grain",
            "quarter",
            "--format",
            "json",
            "--as-of",
            "2025-11-27",
        ],
    )
    q1 = json.loads(table_q1.output)
    assert q1[0]["value"] == pytest.approx(js_total)


def test_compute_errors_are_messages_not_tracebacks(demo_ws: Path) -> None:
    unknown = runner.invoke(app, ["compute", "revenu", "-w", str(demo_ws)])
    assert unknown.exit_code == 1 and "Did you mean 'revenue'" in unknown.output
    bad_dim = runner.invoke(app, ["compute", "revenue", "--by", "colour", "-w", str(demo_ws)])
    assert bad_dim.exit_code == 1 and "cannot be broken down by 'colour'" in bad_dim.output
    bad_grain = runner.invoke(
        app, ["compute", "revenue", "--grain", "fortnight", "-w", str(demo_ws)]
    )
    assert bad_grain.exit_code == 2
    no_ws = runner.invoke(app, ["kpi", "list", "-w", str(demo_ws / "nowhere")])
    assert no_ws.exit_code == 1 and "not an onpace workspace" in no_ws.output
    for result in (unknown, bad_dim, bad_grain, no_ws):
        assert "Traceback" not in result.output


def test_kpi_show_and_explain(demo_ws: Path) -> None:
    show = runner.invoke(app, ["kpi", "show", "return_rate", "-w", str(demo_ws)])
    assert show.exit_code == 0
    assert "count(distinct order_id) of returns" in show.output
    explain = runner.invoke(app, ["explain", "return_rate", "-w", str(demo_ws)])
    assert explain.exit_code == 0, explain.output
    assert "SELECT" in explain.output and "returns" in explain.output
    assert "LEFT OUTER JOIN" in explain.output.upper() or "LEFT JOIN" in explain.output.upper()


def test_periods_scorecard(demo_ws: Path) -> None:
    result = runner.invoke(app, ["periods", "-w", str(demo_ws), "--as-of", "2025-11-27"])
    assert result.exit_code == 0, result.output
    assert "last complete month (2025-10)" in result.output
    assert "last complete quarter (2025-Q3)" in result.output
    assert "last complete year (2024)" in result.output
