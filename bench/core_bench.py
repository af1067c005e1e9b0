"""Benchmark: the core sales KPIs, onpace against lean expert SQL, alternated in one process.

Run ``python bench/core_bench.py --db bench/data/onpace_demo_1000000_seed1.duckdb``
(the demo file ``catalog_bench.py`` generates). Revenue, orders, average order
value, gross margin, new customers and active customers by month (2023-01 to
2025-12, as of 2026-01-01), and the first four by rep, two ways on one read-only
connection each:

- **onpace**: ``Session.compute`` of those KPIs (computed from the data, the value
  store not involved);
- **expert**: what someone who knows DuckDB writes for these numbers without
  looking at onpace: one statement per group; the order KPIs are one filtered
  ``GROUP BY`` of the month; new and active customers come from ``LAG``/``LEAD``
  over each customer's orders (a spell starts after a gap of more than the churn
  window and is lost that long after its last order), active customers as a
  running sum of starts minus losses per month; no join to customers, as no
  customer attribute is asked for.

The two run in turns (A B, B A, ...) so both meet the same machine load; each
round's ratio is onpace / expert, and the median of the rounds is reported. With
``--cli`` the same comparison runs as fresh processes: ``onpace compute`` on a
workspace reading that file against a Python process that runs the expert SQL.
The results are checked equal before anything is timed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

START, END, AS_OF = date(2023, 1, 1), date(2026, 1, 1), datetime(2026, 1, 1)
CHURN_DAYS = 365
ORDER_KPIS = ("revenue", "orders", "average_order_value", "gross_margin")
CUSTOMER_KPIS = ("new_customers", "active_customers")

EXPERT_ORDERS = """
SELECT date_trunc('month', ordered_at) AS period, {by}
       sum(amount) AS revenue,
       count(*) AS orders,
       sum(amount) / count(*) AS average_order_value,
       sum(amount - coalesce(cost, 0)) / nullif(sum(amount), 0) AS gross_margin
FROM orders
WHERE ordered_at >= TIMESTAMP '{start}' AND ordered_at < TIMESTAMP '{end}'
  AND (status IS NULL OR status <> 'cancelled')
GROUP BY ALL
"""

EXPERT_CUSTOMERS = """
WITH timed AS (
    SELECT ordered_at,
           lag(ordered_at) OVER w AS previous,
           lead(ordered_at) OVER w AS following
    FROM orders
    WHERE customer_id IS NOT NULL AND ordered_at < TIMESTAMP '{as_of}'
      AND (status IS NULL OR status <> 'cancelled')
    WINDOW w AS (PARTITION BY customer_id ORDER BY ordered_at)
), moves AS (
    SELECT date_trunc('month', ordered_at) AS period, 1 AS delta, previous IS NULL AS first
    FROM timed
    WHERE previous IS NULL OR ordered_at - previous > INTERVAL {days} DAY
    UNION ALL
    SELECT date_trunc('month', ordered_at + INTERVAL {days} DAY), -1, false
    FROM timed
    WHERE (following IS NULL OR following - ordered_at > INTERVAL {days} DAY)
      AND ordered_at + INTERVAL {days} DAY < TIMESTAMP '{as_of}'
), months AS (
    SELECT period, sum(delta) AS net, count(*) FILTER (WHERE first) AS new_customers
    FROM moves GROUP BY period
)
SELECT period, new_customers,
       sum(net) OVER (ORDER BY period) AS active_customers
FROM months
QUALIFY period >= TIMESTAMP '{start}' AND period < TIMESTAMP '{end}'
"""


def expert(con: duckdb.DuckDBPyConnection, by_rep: bool) -> pd.DataFrame:
    """The expert's answer as a long table (kpi, period, [rep], value)."""
    bounds = {"start": START, "end": END, "as_of": AS_OF, "days": CHURN_DAYS}
    by = "rep_id AS rep," if by_rep else ""
    keys = ["period", "rep"] if by_rep else ["period"]
    frames = [con.execute(EXPERT_ORDERS.format(by=by, **bounds)).df().melt(keys, var_name="kpi")]
    if not by_rep:
        frames.append(
            con.execute(EXPERT_CUSTOMERS.format(**bounds)).df().melt(keys, var_name="kpi")
        )
    return pd.concat(frames, ignore_index=True)


def onpace_session(path: Path) -> Callable[[bool], pd.DataFrame]:
    import ibis

    from onpace.calendar import Calendar
    from onpace.catalog import load_catalog
    from onpace.query.session import ComputeRequest, Session
    from onpace.query.warehouse import Warehouse
    from onpace.spec.workspace_config import ChurnSettings

    wh = Warehouse(ibis.duckdb.connect(str(path), read_only=True), "duckdb")
    session = Session(load_catalog(), wh, Calendar(), ChurnSettings(days=CHURN_DAYS))

    def run(by_rep: bool) -> pd.DataFrame:
        names = ORDER_KPIS if by_rep else ORDER_KPIS + CUSTOMER_KPIS
        by = ("rep",) if by_rep else ()
        return session.compute(ComputeRequest(names, "month", START, END, by, AS_OF))

    return run


def check_equal(ours: pd.DataFrame, theirs: pd.DataFrame, by_rep: bool) -> int:
    """Every expert value equals onpace's; onpace's extra rows (no orders) are 0 or empty."""
    keys = ["kpi", "period", "rep"] if by_rep else ["kpi", "period"]
    ours = ours.assign(period=pd.to_datetime(ours["period"]))
    theirs = theirs.assign(period=pd.to_datetime(theirs["period"]))
    if by_rep:
        ours["rep"] = ours["rep"].astype(object).where(ours["rep"].notna(), None)
        theirs["rep"] = theirs["rep"].astype(object).where(theirs["rep"].notna(), None)
        ours["rep"] = ours["rep"].fillna("\x00")
        theirs["rep"] = theirs["rep"].fillna("\x00")
    merged = ours[[*keys, "value"]].merge(
        theirs[[*keys, "value"]], on=keys, how="outer", suffixes=("", "_x"), indicator=True
    )
    both = merged[merged["_merge"] == "both"]
    a, b = both["value"].astype(float).to_numpy(), both["value_x"].astype(float).to_numpy()
    same = np.isclose(a, b, rtol=1e-9, equal_nan=True)
    if not same.all():
        raise SystemExit(f"onpace and the expert SQL differ:\n{both[~same].head(10)}")
    if (merged["_merge"] == "right_only").any():
        raise SystemExit(f"rows only the expert has:\n{merged[merged['_merge'] == 'right_only']}")
    extra = merged[merged["_merge"] == "left_only"]["value"]
    if not (extra.isna() | (extra == 0)).all():
        raise SystemExit("onpace has values the expert SQL does not")
    return len(both)


def alternate(
    a: Callable[[], object], b: Callable[[], object], rounds: int
) -> tuple[list[float], list[float]]:
    """Run ``a`` and ``b`` in turns (A B, B A, ...) after one warm-up of each."""
    a(), b()
    ta: list[float] = []
    tb: list[float] = []
    for i in range(rounds):
        order = [(a, ta), (b, tb)] if i % 2 == 0 else [(b, tb), (a, ta)]
        for fn, out in order:
            started = time.perf_counter()
            fn()
            out.append(time.perf_counter() - started)
    return ta, tb


def summary(label: str, ta: list[float], tb: list[float], goal: float = 1.2) -> dict[str, object]:
    ratios = [x / y for x, y in zip(ta, tb, strict=True)]
    row = {
        "scenario": label,
        "onpace_s": statistics.median(ta),
        "expert_s": statistics.median(tb),
        "ratio": statistics.median(ratios),
        "ratios": [round(r, 2) for r in ratios],
    }
    print(
        f"{label:<22} onpace {row['onpace_s']:.3f} s  expert {row['expert_s']:.3f} s  "
        f"ratio {row['ratio']:.2f} (paired median of {len(ratios)}; goal <= {goal})",
        flush=True,
    )
    return row


# -- from the command line ---------------------------------------------------------------

EXPERT_PROCESS = """
import sys, duckdb
sys.path.insert(0, {bench!r})
from core_bench import expert
con = duckdb.connect({db!r}, read_only=True)
frame = expert(con, {by_rep})
print(frame.to_json(orient="records", date_format="iso"))
"""


def cli_workspace(path: Path) -> Path:
    """A workspace whose warehouse is the benchmark file (read as it is, churn 365 days)."""
    root = Path(tempfile.mkdtemp(prefix="onpace-core-bench-"))
    from onpace.catalog.scaffold import create_workspace

    create_workspace(root, "multichannel", name="Bench", timezone="UTC")
    config = root / "onpace.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text + f"\nwarehouse:\n  backend: duckdb\n  path: {path}\nvalues:\n  enabled: false\n",
        encoding="utf-8",
    )
    return root


def cli_pair(path: Path, by_rep: bool) -> tuple[Callable[[], object], Callable[[], object]]:
    root = cli_workspace(path)
    names = ORDER_KPIS if by_rep else ORDER_KPIS + CUSTOMER_KPIS
    ours = [sys.executable, "-c", "from onpace.cli.main import main; main()", "compute", *names,
            "-w", str(root),
            "--grain", "month", "--from", "2023-01", "--to", "2025-12", "--as-of", "2026-01-01",
            "--format", "json"]  # fmt: skip
    if by_rep:
        ours += ["--by", "rep"]
    code = EXPERT_PROCESS.format(bench=str(Path(__file__).parent), db=str(path), by_rep=by_rep)
    theirs = [sys.executable, "-c", code]

    def run(cmd: list[str]) -> Callable[[], object]:
        def go() -> object:
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise SystemExit(f"{cmd[:4]} failed:\n{done.stderr[-2000:]}")
            return done.stdout

        return go

    return run(ours), run(theirs)


def catalog_pair(path: Path, by_rep: bool) -> tuple[Callable[[], object], Callable[[], object]]:
    """The whole catalog (the KPIs ``catalog_bench.py``'s hand SQL covers), both ways.

    onpace on one session (as a server or notebook keeps it), the hand-written SQL of
    ``catalog_bench.py`` on its own connection per run; the results are checked equal.
    """
    import re

    import catalog_bench as cb
    import ibis

    from onpace.calendar import Calendar
    from onpace.catalog import load_catalog
    from onpace.query.session import ComputeRequest, Session
    from onpace.query.warehouse import Warehouse
    from onpace.spec.workspace_config import ChurnSettings

    queries = cb.sql_queries(by_rep).values()
    names = [
        n
        for n in cb.catalog_names(by_rep)
        if any(re.search(rf"\bAS {n}\b", sql) for sql in queries)
    ]
    wh = Warehouse(ibis.duckdb.connect(str(path), read_only=True), "duckdb")
    session = Session(load_catalog(), wh, Calendar(), ChurnSettings())
    by = ("rep",) if by_rep else ()
    req = ComputeRequest(tuple(names), "month", cb.START, cb.END, by, cb.AS_OF)

    def ours() -> pd.DataFrame:
        return cb.normalize_onpace(session.compute(req), by_rep)

    def theirs() -> pd.DataFrame:
        return cb.run_sql(path, names, by_rep)

    hand = theirs()
    issues = cb.compare({"onpace": ours(), "sql": hand, "pandas": hand}, by_rep)
    if issues:
        raise SystemExit(f"onpace and the catalog's hand SQL differ: {issues[:3]}")
    print(f"catalog ({len(names)} KPIs{', by rep' if by_rep else ''}): {len(hand)} values agree")
    return ours, theirs


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", required=True, help="a demo DuckDB file (see catalog_bench.py)")
    p.add_argument("--rounds", type=int, default=8)
    p.add_argument("--cli", action="store_true", help="also compare as fresh processes")
    p.add_argument("--cli-rounds", type=int, default=4)
    p.add_argument(
        "--catalog",
        action="store_true",
        help="also the whole catalog against catalog_bench.py's hand SQL, alternated",
    )
    p.add_argument("--only-catalog", action="store_true", help="only the catalog comparison")
    p.add_argument("--json", help="write the results here")
    args = p.parse_args()
    path = Path(args.db)
    con = duckdb.connect(str(path), read_only=True)
    onpace = onpace_session(path)
    rows = []
    for by_rep in () if args.only_catalog else (False, True):
        label = "by rep" if by_rep else "overall"
        checked = check_equal(onpace(by_rep), expert(con, by_rep), by_rep)
        print(f"{label}: {checked} values agree", flush=True)
        ta, tb = alternate(lambda b=by_rep: onpace(b), lambda b=by_rep: expert(con, b), args.rounds)
        rows.append(summary(f"in process, {label}", ta, tb))
    if args.catalog or args.only_catalog:
        for by_rep in (False, True):
            a, b = catalog_pair(path, by_rep)
            ta, tb = alternate(a, b, args.rounds)
            rows.append(summary(f"catalog, {'by rep' if by_rep else 'overall'}", ta, tb, 1.5))
    if args.cli:
        for by_rep in (False, True):
            label = "by rep" if by_rep else "overall"
            a, b = cli_pair(path, by_rep)
            ta, tb = alternate(a, b, args.cli_rounds)
            rows.append(summary(f"CLI, {label}", ta, tb))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak:.0f} MiB (both approaches, in process)")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
