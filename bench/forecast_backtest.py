"""onpace's projections against the methods a user would pick instead, side by side.

Run ``python bench/forecast_backtest.py`` (``--quick`` for a smaller run; the
shared datasets are looked for in ``shared/datasets`` above this file, or where
``ONPACE_DATASETS`` points). Every
series is a daily series of a sum or a count; each is backtested twice, with
the same code the product runs:

- **pace**: past months projected at 25%, 50% and 75% of the month from the
  days so far. onpace (:class:`onpace.targets.nowcast.Pace`, with the model as
  it stood at that moment) against run-rate (to date / share of days gone),
  weekday run-rate (the same with weekday weights of the last year), seasonal
  naive on the days (each remaining day as the same weekday a week earlier),
  and AutoETS and AutoTheta fitted on the last 365 days (season 7) forecasting
  the remaining days. Error: mean absolute error of the month's total, as a
  share of it. The same for quarters at the end of weeks 4 and 8. Coverage
  and Brier score per checkpoint for every method: onpace's from its own past
  windows, each baseline's from its own errors on the periods scored before.
- **monthly**: rolling origin, horizons 1-3 months, MASE (scaled by in-sample
  seasonal naive), 80% coverage per horizon, Brier score of P(reach) at
  targets of -10%, -5%, +5% and +10% of the actual. onpace
  (:func:`onpace.targets.backtest.backtest_series`) against seasonal naive and
  statsforecast's AutoTheta and AutoETS refitted at every origin, with their
  own 80% intervals and normal predictive distributions.

Data (dev = looked at while the rules were designed; held-out = first run
after they were fixed, see bench/README.md):

- dev: the demo (60,000 orders, seed 7, up to --today), six KPIs; Online Retail
  II totals (revenue, invoices, units, revenue outside the UK); chinook invoice
  totals; classicmodels order totals (cancelled orders left out);
- held-out: Online Retail II revenue of the six largest countries after the UK,
  classicmodels revenue per product line, chinook revenue of the four largest
  genres;
- sakila has about three months of rentals (May to August 2005, then a few
  days in February 2006): too little to backtest a month, and it is reported as
  such.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np

from onpace.targets.backtest import (
    TARGET_OFFSETS,
    PaceBacktest,
    ReliabilityRow,
    RestForecast,
    SeriesBacktest,
    backtest_pace,
    backtest_series,
    evaluation_origins,
    pool_reliability,
)
from onpace.targets.intervals import Z90, normal_cdf
from onpace.targets.nowcast import DailySeries
from onpace.targets.rolling_origin import insample_scale, series_model


def _datasets() -> Path:
    """``shared/datasets`` in the nearest folder above this file that has it."""
    here = Path(__file__).resolve()
    for folder in here.parents:
        if (folder / "shared" / "datasets").is_dir():
            return folder / "shared" / "datasets"
    return here.parents[2] / "shared" / "datasets"


DATA = Path(os.environ.get("ONPACE_DATASETS") or _datasets())
RETAIL = DATA / "online_retail_ii" / "online_retail_ii_2009_2010.parquet"
DEMO_KPIS = ("revenue", "orders", "gross_profit", "new_customers", "website_visits", "quotes_won")
CHECKPOINTS = (0.25, 0.5, 0.75)
QUARTER_CHECKPOINTS = (4 / 13, 8 / 13)  # weeks 4 and 8 of a 13-week quarter
QUARTER_LABELS = {4 / 13: "week 4", 8 / 13: "week 8"}
PACE_METHODS = {
    "onpace": "onpace",
    "run_rate": "run-rate",
    "weekday_run_rate": "weekday run-rate",
    "seasonal_naive_days": "seasonal naive (days)",
    "AutoETS (days)": "AutoETS (days)",
    "AutoTheta (days)": "AutoTheta (days)",
}
MONTHLY_METHODS = ("onpace", "seasonal naive", "AutoTheta", "AutoETS")


@dataclass(frozen=True)
class Named:
    group: str  # "dev" or "held-out"
    dataset: str
    name: str
    daily: DailySeries


# -- data ---------------------------------------------------------------------------


def demo_series(today: date, orders: int, seed: int) -> list[Named]:
    from onpace.demo.setup import create_demo

    with tempfile.TemporaryDirectory() as tmp:
        ws = create_demo(Path(tmp) / "demo", orders=orders, seed=seed, today=today).workspace
        first = date(today.year - 3, 1, 1)
        frame = ws.compute(list(DEMO_KPIS), grain="day", start=first, end=today)
    out = []
    for kpi in DEMO_KPIS:
        rows = frame[frame["kpi"] == kpi]
        values = {
            p.date() if hasattr(p, "date") else p: v
            for p, v in zip(rows.period, rows.value, strict=True)
        }
        days = [(first + timedelta(days=i)) for i in range((today - first).days)]
        series = [float(values.get(d) or 0.0) for d in days]
        out.append(Named("dev", "demo", kpi, DailySeries.of(first, series)))
    return out


def _daily(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[object]
) -> dict[str, DailySeries]:
    """Rows (name, day, value) into one zero-filled daily series per name."""
    rows = con.execute(sql, params).fetchall()
    first = min(r[1] for r in rows)
    last = max(r[1] for r in rows)
    n = (last - first).days + 1
    out: dict[str, np.ndarray] = {}
    for name, day, value in rows:
        out.setdefault(name, np.zeros(n))[(day - first).days] += float(value or 0)
    return {k: DailySeries(first, v) for k, v in out.items()}


def retail_series(con: duckdb.DuckDBPyConnection) -> list[Named]:
    base = f"""
        with lines as (
            select cast(InvoiceDate as date) as day, Invoice, Country,
                   Quantity * Price as amount, Quantity as units
            from read_parquet('{RETAIL}')
            where not starts_with(Invoice, 'C') and cast(InvoiceDate as date) < date '2010-12-09'
        )"""
    totals = _daily(
        con,
        base
        + """
        select 'revenue', day, sum(amount) from lines group by 2
        union all select 'invoices', day, count(distinct Invoice) from lines group by 2
        union all select 'units', day, sum(units) from lines group by 2
        union all select 'revenue outside the UK', day, sum(amount) from lines
            where Country <> 'United Kingdom' group by 2""",
        [],
    )
    countries = _daily(
        con,
        base
        + """, top as (
            select Country from lines where Country <> 'United Kingdom'
            group by 1 order by sum(amount) desc limit 6)
        select 'revenue ' || Country, day, sum(amount) from lines join top using (Country)
        group by 1, 2""",
        [],
    )
    return [Named("dev", "online retail", k, v) for k, v in totals.items()] + [
        Named("held-out", "online retail", k, v) for k, v in sorted(countries.items())
    ]


def chinook_series(con: duckdb.DuckDBPyConnection) -> list[Named]:
    d = DATA / "chinook"
    totals = _daily(
        con,
        f"""select 'revenue', cast(InvoiceDate as date), sum(Total)
            from read_csv('{d}/Invoice.csv') group by 2
            union all select 'invoices', cast(InvoiceDate as date), count(*)
            from read_csv('{d}/Invoice.csv') group by 2""",
        [],
    )
    genres = _daily(
        con,
        f"""with l as (
                select g.Name as genre, cast(i.InvoiceDate as date) as day,
                       l.UnitPrice * l.Quantity as amount
                from read_csv('{d}/InvoiceLine.csv') l
                join read_csv('{d}/Invoice.csv') i using (InvoiceId)
                join read_csv('{d}/Track.csv') t using (TrackId)
                join read_csv('{d}/Genre.csv') g on g.GenreId = t.GenreId),
            top as (select genre from l group by 1 order by sum(amount) desc limit 4)
            select 'revenue ' || genre, day, sum(amount) from l join top using (genre)
            group by 1, 2""",
        [],
    )
    return [Named("dev", "chinook", k, v) for k, v in totals.items()] + [
        Named("held-out", "chinook", k, v) for k, v in sorted(genres.items())
    ]


def classicmodels_series(con: duckdb.DuckDBPyConnection) -> list[Named]:
    d = DATA / "classicmodels"
    lines = f"""with l as (
            select o.orderNumber, cast(o.orderDate as date) as day, p.productLine as line,
                   od.quantityOrdered * od.priceEach as amount
            from read_csv('{d}/orders.csv') o
            join read_csv('{d}/orderdetails.csv') od using (orderNumber)
            join read_csv('{d}/products.csv') p using (productCode)
            where o.status <> 'Cancelled')"""
    totals = _daily(
        con,
        lines
        + """ select 'revenue', day, sum(amount) from l group by 2
        union all select 'orders', day, count(distinct orderNumber) from l group by 2""",
        [],
    )
    per_line = _daily(
        con, lines + " select 'revenue ' || line, day, sum(amount) from l group by 1, 2", []
    )
    return [Named("dev", "classicmodels", k, v) for k, v in totals.items()] + [
        Named("held-out", "classicmodels", k, v) for k, v in sorted(per_line.items())
    ]


def sakila_months(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    rows = con.execute(
        f"""select strftime(date_trunc('month', cast(payment_date as date)), '%Y-%m'), count(*)
            from read_csv('{DATA / "sakila" / "payment.csv"}') group by 1 order by 1"""
    ).fetchall()
    return [(str(m), int(n)) for m, n in rows]


def sample(series: list[Named], per_group: int) -> list[Named]:
    """At most ``per_group`` series of each group, one data set after another in turn.

    Every data set is represented before any gives a second series, so a short
    run still spans the shapes (a B2C shop, a B2B catalogue, a music store).
    """
    out: list[Named] = []
    for group in ("dev", "held-out"):
        queues: dict[str, list[Named]] = {}
        for named in series:
            if named.group == group:
                queues.setdefault(named.dataset, []).append(named)
        picked: list[Named] = []
        while len(picked) < per_group and any(queues.values()):
            for queue in queues.values():
                if queue and len(picked) < per_group:
                    picked.append(queue.pop(0))
        out += picked
    return out


# -- baselines ------------------------------------------------------------------------


def _statsforecast(kind: str, y: np.ndarray, h: int, season: int) -> dict[str, np.ndarray] | None:
    from statsforecast.models import AutoETS, AutoTheta

    model = AutoETS(season_length=season) if kind == "ets" else AutoTheta(season_length=season)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = model.forecast(y=np.asarray(y, dtype=float), h=h, level=[80])
        except Exception:  # a baseline that cannot fit a series is scored as missing
            return None
    return {k: np.asarray(v, dtype=float) for k, v in out.items()}


def _daily_baseline(kind: str) -> RestForecast:
    """statsforecast fitted on the last 365 whole days (season 7), summed over the days left."""

    def rest(history: np.ndarray, days: int) -> float | None:
        out = _statsforecast(kind, history[-365:], days, 7)
        return None if out is None else float(out["mean"].sum())

    return rest


BASELINES = {"AutoETS (days)": _daily_baseline("ets"), "AutoTheta (days)": _daily_baseline("theta")}


def pace_backtest(named: Named, periods: int, grain: str = "month") -> PaceBacktest | None:
    checkpoints = QUARTER_CHECKPOINTS if grain == "quarter" else CHECKPOINTS
    try:
        return backtest_pace(named.daily, grain, named.name, periods, checkpoints, BASELINES)
    except ValueError:
        return None


def _at(c: float) -> str:
    return QUARTER_LABELS.get(c, f"{c:.0%}")


@dataclass
class MonthlyScores:
    scaled: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in MONTHLY_METHODS})
    covered: dict[str, dict[int, list[bool]]] = field(
        default_factory=lambda: {k: {1: [], 2: [], 3: []} for k in MONTHLY_METHODS}
    )
    brier: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in MONTHLY_METHODS})


def monthly_backtest(daily: DailySeries) -> tuple[SeriesBacktest, MonthlyScores] | None:
    monthly = daily.monthly(daily.end)
    model = series_model(monthly, 12, origins=10_000)
    if model is None or model.n < 27:
        return None
    ours = backtest_series(monthly, 12, 3, model=model)
    scores = MonthlyScores()
    values = np.asarray(monthly, dtype=float)
    for t in evaluation_origins(model, 3):
        scale = insample_scale(values[:t], 12)
        for kind, label in (("ets", "AutoETS"), ("theta", "AutoTheta")):
            out = _statsforecast(kind, values[:t], 3, 12)
            if out is None:
                continue
            for h in range(1, 4):
                if t + h - 1 >= len(values):
                    break
                actual, mean = values[t + h - 1], out["mean"][h - 1]
                lo, hi = out["lo-80"][h - 1], out["hi-80"][h - 1]
                scores.scaled[label].append(abs(actual - mean) / scale)
                scores.covered[label][h].append(lo <= actual <= hi)
                sd = (hi - lo) / (2 * Z90)
                for offset in TARGET_OFFSETS:
                    target = actual * (1 + offset)
                    p = 1 - normal_cdf((target - mean) / sd) if sd > 0 else float(mean >= target)
                    scores.brier[label].append((p - (actual >= target)) ** 2)
    return ours, scores


# -- report ---------------------------------------------------------------------------


def _mean(values: list[float] | list[bool]) -> float | None:
    return float(np.mean(values)) if values else None


def _fmt(value: float | None, pct: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value * 100:.1f}%" if pct else f"{value:.3f}"


def _checkpoints(results: list[tuple[Named, PaceBacktest]]) -> tuple[float, ...]:
    return tuple(results[0][1].method("onpace").error) if results else CHECKPOINTS


def calibration_table(results: list[tuple[Named, PaceBacktest]]) -> Iterator[str]:
    """80% coverage and Brier score per checkpoint, onpace against every baseline."""
    methods = list(PACE_METHODS)
    yield (
        "| data | at | "
        + " | ".join(f"{PACE_METHODS[m]} coverage" for m in methods)
        + " | "
        + " | ".join(f"{PACE_METHODS[m]} Brier" for m in methods)
        + " | onpace Brier ex ante |"
    )
    yield "| --- | --: |" + " --: |" * (2 * len(methods) + 1)
    for group in ("dev", "held-out"):
        rows = [r for n, r in results if n.group == group]
        if not rows:
            continue
        for c in _checkpoints(results):
            cov = [
                _mean([v for r in rows if (v := r.method(m).coverage[c]) is not None])
                for m in methods
            ]
            brier = [
                _mean([v for r in rows if (v := r.method(m).brier[c]) is not None]) for m in methods
            ]
            # ex ante: targets on each method's own forecast, so a calibration check of
            # onpace alone (a method biased one way would score well on its own targets)
            ex_ante = _mean(
                [v for r in rows if (v := r.method("onpace").brier_ex_ante.get(c)) is not None]
            )
            best = min((b for b in brier[1:] if b is not None), default=None)
            cells = [_fmt(v, pct=True) for v in cov] + [_fmt(v) for v in brier] + [_fmt(ex_ante)]
            if best is not None and brier[0] is not None:
                cells[len(methods)] += " ✓" if brier[0] <= best + 1e-12 else " ✗"
            yield f"| {group} | {_at(c)} | " + " | ".join(cells) + " |"


def pace_table(results: list[tuple[Named, PaceBacktest]]) -> Iterator[str]:
    labels = list(PACE_METHODS.values())
    yield (
        "| data | series | checkpoint | " + " | ".join(labels) + " | onpace alone: model "
        "| onpace 80% coverage | onpace Brier |"
    )
    yield "| --- | --: | --: |" + " --: |" * (len(labels) + 3)
    for group in ("dev", "held-out"):
        for dataset in sorted({n.dataset for n, _ in results if n.group == group}):
            rows = [(n, r) for n, r in results if n.group == group and n.dataset == dataset]
            yield from _pace_rows(f"{group}: {dataset}", rows)
        yield from _pace_rows(f"**{group}: all**", [(n, r) for n, r in results if n.group == group])


def _pace_rows(label: str, rows: list[tuple[Named, PaceBacktest]]) -> Iterator[str]:
    if not rows:
        return
    for c in _checkpoints(rows):
        means: dict[str, float | None] = {}
        for method in (*PACE_METHODS, "model"):
            per_series = [r.method(method).error[c] for _, r in rows]
            present = [v for v in per_series if v is not None]
            means[method] = float(np.mean(present)) if len(present) == len(rows) else None
        others = [v for k, v in means.items() if k not in ("onpace", "model") and v is not None]
        best = min(others) if others else None
        cells = []
        for method in PACE_METHODS:
            text = _fmt(means[method], pct=True)
            ours = means[method]
            if method == "onpace" and best is not None and ours is not None:
                text += " ✓" if ours <= best + 1e-12 else " ✗"
            cells.append(text)
        coverage = _mean([v for _, r in rows if (v := r.method("onpace").coverage[c]) is not None])
        brier = _mean([v for _, r in rows if (v := r.method("onpace").brier[c]) is not None])
        yield (
            f"| {label} | {len(rows)} | {_at(c)} | "
            + " | ".join(cells)
            + f" | {_fmt(means['model'], pct=True)} | {_fmt(coverage, pct=True)} | {_fmt(brier)} |"
        )


def monthly_table(results: list[tuple[Named, SeriesBacktest, MonthlyScores]]) -> Iterator[str]:
    yield (
        "| data | series | origins | MASE onpace | seasonal naive | AutoTheta | AutoETS "
        "| onpace method | 80% coverage h1 / h2 / h3 onpace | AutoETS | Brier onpace | AutoETS "
        "| onpace Brier ex ante |"
    )
    yield "| --- | --- | --: | --: | --: | --: | --: | --- | --: | --: | --: | --: | --: |"
    for named, ours, theirs in results:
        op = ours.method("onpace")
        sn = ours.method("seasonal_naive")
        cov = " / ".join(_fmt(op.coverage_by_horizon.get(h), pct=True) for h in (1, 2, 3))
        ets_cov = " / ".join(_fmt(_mean(theirs.covered["AutoETS"][h]), pct=True) for h in (1, 2, 3))
        chosen = ", ".join(f"{k} {v}" for k, v in sorted(ours.chosen.items(), key=lambda x: -x[1]))
        yield (
            f"| {named.group}: {named.dataset} | {named.name} | {ours.origins} | {_fmt(op.mase)} | "
            f"{_fmt(sn.mase)} | {_fmt(_mean(theirs.scaled['AutoTheta']))} | "
            f"{_fmt(_mean(theirs.scaled['AutoETS']))} | {chosen} | {cov} | {ets_cov} | "
            f"{_fmt(op.brier)} | {_fmt(_mean(theirs.brier['AutoETS']))} | "
            f"{_fmt(op.brier_ex_ante)} |"
        )
    for group in ("dev", "held-out"):
        rows = [(o, t) for n, o, t in results if n.group == group]
        if not rows:
            continue
        mase = {
            "onpace": _mean([o.method("onpace").mase or 0.0 for o, _ in rows]),
            "sn": _mean([o.method("seasonal_naive").mase or 0.0 for o, _ in rows]),
            "theta": _mean([_mean(t.scaled["AutoTheta"]) or 0.0 for _, t in rows]),
            "ets": _mean([_mean(t.scaled["AutoETS"]) or 0.0 for _, t in rows]),
        }
        cov = " / ".join(
            _fmt(
                _mean([o.method("onpace").coverage_by_horizon.get(h, 0.0) for o, _ in rows]),
                pct=True,
            )
            for h in (1, 2, 3)
        )
        ets_cov = " / ".join(
            _fmt(_mean([_mean(t.covered["AutoETS"][h]) or 0.0 for _, t in rows]), pct=True)
            for h in (1, 2, 3)
        )
        yield (
            f"| **{group}: mean** | {len(rows)} series | | {_fmt(mase['onpace'])} | "
            f"{_fmt(mase['sn'])} | {_fmt(mase['theta'])} | {_fmt(mase['ets'])} | | {cov} | "
            f"{ets_cov} | "
            f"{_fmt(_mean([o.method('onpace').brier or 0.0 for o, _ in rows]))} | "
            f"{_fmt(_mean([_mean(t.brier['AutoETS']) or 0.0 for _, t in rows]))} | "
            f"{_fmt(_mean([o.method('onpace').brier_ex_ante or 0.0 for o, _ in rows]))} |"
        )


def reliability_table(tables: list[list[ReliabilityRow]]) -> Iterator[str]:
    yield "| P(reach) given | forecasts | mean P | reached |"
    yield "| --- | --: | --: | --: |"
    for row in pool_reliability(tables):
        given, hit = _fmt(row.mean_probability, pct=True), _fmt(row.reached, pct=True)
        yield f"| {row.low:.0%}-{row.high:.0%} | {row.count} | {given} | {hit} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--orders", type=int, default=60_000)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 27))
    parser.add_argument("--periods", type=int, default=24, help="months backtested per series")
    parser.add_argument("--quick", action="store_true", help="demo only, 12 months")
    parser.add_argument(
        "--dev-only", action="store_true", help="the dev series only (never the held-out ones)"
    )
    parser.add_argument(
        "--sample",
        type=int,
        default=0,
        help="at most this many series per group (dev, held-out), taken in turn from each data set",
    )
    parser.add_argument(
        "--no-daily-baselines",
        action="store_true",
        help="leave out AutoETS and AutoTheta on the days (most of the run time) from the pace",
    )
    args = parser.parse_args()
    if args.no_daily_baselines:
        for name in BASELINES:
            PACE_METHODS.pop(name)
        BASELINES.clear()
    started = time.perf_counter()
    series = demo_series(args.today, args.orders, 7)
    con = duckdb.connect()
    if not args.quick and DATA.exists():
        series += retail_series(con) + chinook_series(con) + classicmodels_series(con)
    periods = 12 if args.quick else args.periods
    if args.dev_only:
        series = [n for n in series if n.group == "dev"]
    if args.sample:
        series = sample(series, args.sample)
    print(f"{len(series)} series, {periods} months each", flush=True)
    pace: list[tuple[Named, PaceBacktest]] = []
    quarters: list[tuple[Named, PaceBacktest]] = []
    monthly: list[tuple[Named, SeriesBacktest, MonthlyScores]] = []
    for named in series:
        found_pace = pace_backtest(named, periods)
        if found_pace is not None:
            pace.append((named, found_pace))
        # two thirds as many quarters as months: the baselines need four earlier ones to be
        # calibrated on, and most series have two to three years of quarters
        found_quarter = pace_backtest(named, max(periods * 2 // 3, 1), "quarter")
        if found_quarter is not None:
            quarters.append((named, found_quarter))
        found = monthly_backtest(named.daily)
        if found is not None:
            monthly.append((named, *found))
        print(f"  {named.group}: {named.dataset} {named.name} done", flush=True)
    print("\n## Pace: error of the month's total (mean over series of the mean absolute error)\n")
    print("\n".join(pace_table(pace)))
    print("\n## Pace: calibration per checkpoint (80% coverage, Brier of P(reach))\n")
    print("\n".join(calibration_table(pace)))
    print("\n## Quarter pace: error of the quarter's total at weeks 4 and 8\n")
    print("\n".join(pace_table(quarters)))
    print("\n## Quarter pace: calibration per checkpoint\n")
    print("\n".join(calibration_table(quarters)))
    print("\n## Monthly forecasts, horizons 1-3\n")
    print("\n".join(monthly_table(monthly)))
    for group in ("dev", "held-out"):
        tables = [r.reliability for n, r in pace + quarters if n.group == group]
        if tables:
            print(f"\n## Reliability of onpace's P(reach), pace, {group} (targets ex ante)\n")
            print("\n".join(reliability_table(tables)))
        tables = [o.reliability for n, o, _ in monthly if n.group == group]
        if tables:
            print(f"\n## Reliability of onpace's P(reach), monthly, {group} (targets ex ante)\n")
            print("\n".join(reliability_table(tables)))
    if not args.quick and DATA.exists():
        print("\nsakila payments per month:", sakila_months(con), "(too little history)")
    print(f"\n{len(series)} series in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
