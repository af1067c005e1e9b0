"""`onpace backtest`: how well each forecasting method did on the workspace's own KPIs."""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from onpace.cli.support import WorkspaceOpt, as_of_option, console, fail, open_workspace
from onpace.errors import OnpaceError

if TYPE_CHECKING:
    from onpace.targets.backtest import ReliabilityRow
    from onpace.targets.kpi_backtest import KpiBacktest


RELIABILITY = (
    "Reliability of onpace's P(reach), {}: targets 5% and 10% either side of the"
    " forecast, set before the outcome"
)


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def forecast_table(results: list[KpiBacktest]) -> Table:
    table = Table(title="Forecast backtest (rolling origin; errors out of sample)")
    columns = ("KPI", "method", "MASE", "sMAPE", "80% coverage", "by horizon", "80% width")
    for col in (*columns, "Brier", "Brier ex ante", "n"):
        table.add_column(col, justify="left" if col in ("KPI", "method") else "right")
    for r in results:
        if r.forecast is None:
            continue
        chosen = max(r.forecast.chosen, key=r.forecast.chosen.__getitem__, default="")
        for i, m in enumerate(r.forecast.methods):
            name = m.method if m.method != "onpace" else f"onpace (mostly {chosen})"
            table.add_row(
                r.kpi if i == 0 else "",
                f"[bold]{name}[/]" if m.method == "onpace" else name,
                _num(m.mase),
                _pct(m.smape),
                _pct(m.coverage),
                " / ".join(_pct(v) for v in m.coverage_by_horizon.values()),
                _pct(m.width),
                _num(m.brier),
                _num(m.brier_ex_ante),
                str(m.forecasts),
            )
    return table


def pace_table(results: list[KpiBacktest]) -> Table:
    table = Table(title="Pace: error of the period total, projected from the period so far")
    columns = ("KPI", "method", "at 25%", "at 50%", "at 75%", "80% coverage", "Brier")
    for col in (*columns, "Brier ex ante", "periods"):
        table.add_column(col, justify="left" if col in ("KPI", "method") else "right")
    for r in results:
        if r.pace is None:
            continue
        for i, m in enumerate(r.pace.methods):
            shares = sorted(m.error)
            coverage = [v for v in m.coverage.values() if v is not None]
            brier = [v for v in m.brier.values() if v is not None]
            ex_ante = [v for v in m.brier_ex_ante.values() if v is not None]
            table.add_row(
                r.kpi if i == 0 else "",
                f"[bold]{m.method}[/]" if m.method == "onpace" else m.method,
                *(_pct(m.error[s]) for s in shares),
                " / ".join(_pct(v) for v in coverage),
                " / ".join(_num(v) for v in brier),
                " / ".join(_num(v) for v in ex_ante),
                str(m.periods),
            )
    return table


def reliability_table(title: str, tables: list[list[ReliabilityRow]]) -> Table:
    """Reliability rows of many KPIs pooled: counts added, means weighted by them."""
    table = Table(title=title)
    for col in ("P(reach) given", "forecasts", "mean P", "target reached"):
        table.add_column(col, justify="right")
    from onpace.targets.backtest import pool_reliability

    for row in pool_reliability(tables):
        table.add_row(
            f"{row.low:.0%} to {row.high:.0%}",
            str(row.count),
            _pct(row.mean_probability),
            _pct(row.reached),
        )
    return table


def backtest(
    kpis: Annotated[list[str] | None, typer.Argument(help="KPIs (default: every KPI).")] = None,
    workspace: WorkspaceOpt = Path("."),
    grain: Annotated[str, typer.Option(help="month, week or day.")] = "month",
    pace: Annotated[
        bool, typer.Option("--pace", help="Also the period total projected part-way through.")
    ] = False,
    format_: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Backtest the data up to this moment.")
    ] = None,
) -> None:
    """Backtest onpace's forecast against seasonal naive, Theta, ETS and their mean.

    Per KPI and method: MASE, sMAPE, coverage and width of the 80% interval and
    the Brier score of P(reach) at targets 5% and 10% either side of the actual
    (accuracy) and either side of the forecast (set before the outcome: calibration,
    as the reliability tables); with --pace, the error of the period total at 25%,
    50% and 75% of it.
    """
    from onpace.targets.kpi_backtest import backtest_kpis

    if format_ not in ("table", "json"):
        fail(f"unknown format '{format_}'; use table or json", 2)
    ws = open_workspace(workspace)
    try:
        with console.status("Backtesting...") if format_ == "table" else nullcontext():
            results = backtest_kpis(ws, kpis, grain, pace, as_of_option(as_of))
    except OnpaceError as exc:
        fail(str(exc))
        return
    if format_ == "json":
        sys.stdout.write(json.dumps([r.as_dict() for r in results], indent=2, default=str) + "\n")
        return
    console.print(forecast_table(results))
    forecasts = [r.forecast.reliability for r in results if r.forecast is not None]
    if forecasts:
        console.print(reliability_table(RELIABILITY.format("forecasts"), forecasts))
    if pace:
        console.print(pace_table(results))
        paces = [r.pace.reliability for r in results if r.pace is not None]
        if paces:
            console.print(reliability_table(RELIABILITY.format("pace"), paces))
    for r in results:
        if r.note:
            console.print(f"[yellow]{r.kpi}[/]: {r.note}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add `onpace backtest` to the main app."""
    app.command("backtest")(backtest)
