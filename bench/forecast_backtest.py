"""Backtest of onpace's forecast against seasonal naive: rolling origin, MASE.

Run ``python bench/forecast_backtest.py``. Two data sets:

- the demo data (``onpace.demo``, 60,000 orders, three full years plus the current
  year to date), monthly KPI series, season 12, horizons 1 to 3 months, origins
  from month 25 (the method needs two years);
- the real Online Retail II data (``../shared/datasets/online_retail_ii``), read
  directly with DuckDB: revenue = sum(Quantity * Price) of invoices not starting
  with ``C`` (cancellations), orders = distinct invoices, customers = distinct
  customer ids. It covers 2009-12-01 to 2010-12-09: twelve complete months, too
  few for a monthly seasonal-naive baseline (its MASE scale needs thirteen), so
  the backtest runs on the daily series (season 7: weekday pattern, the shop
  does not sell on Saturdays), horizons 1 to 7 days, origins from day 15.

``onpace`` is the forecast as the product uses it (growth-adjusted seasonal naive
with its own per-series fallback to seasonal naive), so it is the number that
must not be worse than ``seasonal_naive``.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date
from pathlib import Path

import duckdb

from onpace.targets.backtest import BacktestResult, rolling_origin

RETAIL = (
    Path(__file__).resolve().parents[2]
    / "shared/datasets/online_retail_ii/online_retail_ii_2009_2010.parquet"
)
DEMO_KPIS = ("revenue", "orders", "gross_profit", "new_customers", "website_visits", "quotes_won")


def demo_results(
    orders: int = 60_000, seed: int = 7, today: date | None = None
) -> list[BacktestResult]:
    from onpace.demo.setup import create_demo

    with tempfile.TemporaryDirectory() as tmp:
        ws = create_demo(Path(tmp) / "demo", orders=orders, seed=seed, today=today).workspace
        now = ws.now() if today is None else None
        last = date((today or now.date()).year, (today or now.date()).month, 1)  # type: ignore[union-attr]
        first = date(last.year - 3, 1, 1)
        frame = ws.compute(list(DEMO_KPIS), grain="month", start=first, end_before=last)
        out = []
        for name in DEMO_KPIS:
            series = frame[frame["kpi"] == name].sort_values("period")["value"].astype(float)
            out.append(rolling_origin(series.tolist(), 12, horizons=(1, 2, 3), name=f"demo {name}"))
        return out


def retail_results(path: Path = RETAIL) -> list[BacktestResult]:
    con = duckdb.connect()
    rows = con.execute(
        """
        with lines as (
            select cast(InvoiceDate as timestamp) as ts, Invoice, "Customer ID" as customer,
                   Quantity * Price as amount
            from read_parquet(?) where not starts_with(Invoice, 'C')
        ),
        days as (
            select cast(date_trunc('day', ts) as date) as day, sum(amount) as revenue,
                   count(distinct Invoice) as orders, count(distinct customer) as customers
            from lines group by 1
        ),
        spine as (
            select unnest(generate_series(
                (select min(day) from days),
                (select max(day) from days) - interval 1 day,  -- the last day may be partial
                interval 1 day))::date as day
        )
        select spine.day, coalesce(revenue, 0), coalesce(orders, 0), coalesce(customers, 0)
        from spine left join days using (day) order by 1
        """,
        [str(path)],
    ).fetchall()
    out = []
    for i, name in ((1, "revenue"), (2, "orders"), (3, "customers")):
        series = [float(r[i]) for r in rows]
        out.append(
            rolling_origin(
                series, 7, horizons=tuple(range(1, 8)), name=f"online retail daily {name}"
            )
        )
    return out


def table(results: list[BacktestResult]) -> str:
    lines = [
        "| series | origins | forecasts | MASE seasonal naive | MASE growth-adjusted "
        "| MASE onpace (with fallback) |",
        "| --- | --: | --: | --: | --: | --: |",
    ]
    for r in results:
        lines.append(
            f"| {r.series} | {r.origins} | {r.forecasts} | {r.mase['seasonal_naive']:.3f} | "
            f"{r.mase['growth_seasonal_naive']:.3f} | {r.mase['onpace']:.3f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=60_000)
    parser.add_argument("--today", type=date.fromisoformat, default=None)
    args = parser.parse_args()
    results = demo_results(args.orders, today=args.today)
    if RETAIL.exists():
        results += retail_results()
    else:
        print(f"(skipping the real data: {RETAIL} is missing)")
    print(table(results))


if __name__ == "__main__":
    main()
