"""`onpace backtest` on a small demo workspace: every method scored, the pace, the notes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onpace.cli.main import app
from tests.support.demo_workspace import make_small_demo

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_small_demo(tmp_path_factory.mktemp("backtest") / "demo")


def test_backtest_json_scores_every_method_and_the_pace(demo: Path) -> None:
    code, out = invoke(
        "backtest",
        "revenue",
        "return_rate",
        "--pace",
        "--format",
        "json",
        "-w",
        str(demo),
        "--as-of",
        "2025-11-27",
    )
    assert code == 0, out
    revenue, rate = json.loads(out)
    methods = {m["method"]: m for m in revenue["forecast"]["methods"]}
    assert set(methods) == {
        "seasonal_naive",
        "growth_seasonal_naive",
        "theta",
        "ets",
        "mean",
        "onpace",
    }
    # 34 whole months (January 2023 to October 2025): origins from month 24 on, h = 1..3
    assert revenue["forecast"]["origins"] == 10
    assert methods["seasonal_naive"]["forecasts"] == 10 + 9 + 8
    for m in methods.values():
        assert m["mase"] > 0 and 0 <= m["coverage"] <= 1 and 0 <= m["brier"] <= 1
        assert set(m["coverage_by_horizon"]) == {"1", "2", "3"}
    # onpace is the method chosen at each origin: where one method was always chosen, its scores
    chosen = revenue["forecast"]["chosen"]
    if len(chosen) == 1:
        (only,) = chosen
        assert methods["onpace"]["mase"] == pytest.approx(methods[only]["mase"])
    pace = {m["method"]: m for m in revenue["pace"]["methods"]}
    assert {"onpace", "run_rate", "weekday_run_rate", "model", "seasonal_naive_days"} <= set(pace)
    assert set(pace["onpace"]["error"]) == {"0.25", "0.5", "0.75"}
    assert all(0 <= v < 1 for v in pace["onpace"]["error"].values())
    # a rule without a distribution is calibrated on its own earlier errors; the model alone
    # (a part of onpace, not a baseline) is not scored
    run_rate = pace["run_rate"]
    assert 0 <= run_rate["coverage"]["0.5"] <= 1 and 0 <= run_rate["brier"]["0.5"] <= 1
    assert pace["model"]["coverage"]["0.5"] is None
    assert sum(r["count"] for r in revenue["pace"]["reliability"]) > 0
    # a rate is backtested as a series but has no pace: the note says why
    assert rate["forecast"] is not None and rate["pace"] is None
    assert "not the sum of its days" in rate["note"]


def test_backtest_table_and_bad_input(demo: Path) -> None:
    code, out = invoke("backtest", "orders", "--pace", "-w", str(demo), "--as-of", "2025-11-27")
    assert code == 0, out
    assert "Forecast backtest" in out and "onpace (mostly" in out
    assert "Pace: error of the period total" in out and "Reliability" in out
    code, out = invoke("backtest", "revenu", "-w", str(demo))
    assert code == 1 and "Did you mean 'revenue'" in out
    code, out = invoke("backtest", "revenue", "--grain", "hour", "-w", str(demo))
    assert code == 1 and "month, week or day" in out
    code, out = invoke(
        "backtest", "revenue", "--grain", "day", "--pace", "-w", str(demo), "--as-of", "2025-11-27"
    )
    assert code == 0 and "use --grain month or week" in out


def test_a_won_quotes_target_shows_the_pipeline_beside_the_series(demo: Path) -> None:
    from datetime import datetime

    from onpace.spec.workspace_config import StatusSettings
    from onpace.targets.actuals import KpiData
    from onpace.targets.definition import Target, parse_target_period
    from onpace.targets.evaluation import evaluate_target
    from onpace.workspace import Workspace

    ws = Workspace.open(demo)
    data = KpiData(ws, datetime(2025, 11, 20))
    status = evaluate_target(
        data, Target("quotes_won", parse_target_period("2025-11"), 40.0), StatusSettings()
    )
    forecast = status.forecast
    assert forecast is not None and status.actual is not None
    assert forecast.pipeline is not None and forecast.pipeline >= status.actual
    assert forecast.pipeline_weight in (0.0, 0.25, 0.5, 0.75, 1.0)
    assert forecast.series_value is not None
    # the projection is the backtested blend of the time series' projection and the pipeline's
    weight = forecast.pipeline_weight
    expected = (1 - weight) * forecast.series_value + weight * forecast.pipeline
    assert status.projection == pytest.approx(expected)
    # revenue does not count quotes: no pipeline line
    revenue = evaluate_target(
        data, Target("revenue", parse_target_period("2025-11"), 1.0), StatusSettings()
    )
    assert revenue.forecast is not None and revenue.forecast.pipeline is None
