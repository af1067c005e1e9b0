"""Benchmark: the web shop funnel through onpace vs the same funnel in hand-written DuckDB SQL.

Run ``python bench/funnel_bench.py --orders 300000 --data-dir bench/data``. The demo data
(``DemoSpec(orders=N, seed=1)``, 2023-01-01 .. 2026-01-01) is generated once into
``<data-dir>/onpace_demo_<N>_seed1.duckdb``. Both approaches compute the catalog's
``web_shop`` funnel (visits -> carts of the same session within 1 day -> completed
orders of the cart within 7 days) for the 12 months of 2025 as of 2026-01-01: counts
and median days per step by cohort month, for the whole year, and by event month.
They run alternately (A, B, A, B, ...) on the same read-only file in one process; the
best time of each is reported with their ratio, and the results are checked equal.
"""

from __future__ import annotations

import argparse
import math
import shutil
import statistics
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

START = date(2023, 1, 1)
END = date(2026, 1, 1)
AS_OF = datetime(2026, 1, 1)
RANGE = (date(2025, 1, 1), date(2026, 1, 1))

# What an expert writes: the units with the first time they reached each step, once, into a
# temporary table; then three grouped aggregates over it.
UNITS_SQL = """
CREATE OR REPLACE TEMP TABLE funnel_units AS
WITH v AS (
    SELECT session_id, started_at FROM web_sessions
    WHERE started_at >= TIMESTAMP '2024-12-24' AND started_at < TIMESTAMP '2026-01-01'
),
c AS (
    SELECT session_id, created_at, order_id FROM carts
    WHERE created_at < TIMESTAMP '2026-01-01' AND session_id IS NOT NULL
),
o AS (
    SELECT order_id, ordered_at FROM orders
    WHERE ordered_at < TIMESTAMP '2026-01-01' AND order_id IS NOT NULL
      AND (status IS NULL OR status <> 'cancelled')
),
vc AS (
    SELECT v.session_id, c.created_at, c.order_id
    FROM v JOIN c ON c.session_id = v.session_id
     AND c.created_at >= v.started_at AND c.created_at <= v.started_at + INTERVAL 1 DAY
),
vo AS (
    SELECT vc.session_id, min(o.ordered_at) AS t2
    FROM vc JOIN o ON o.order_id = vc.order_id
     AND o.ordered_at >= vc.created_at AND o.ordered_at <= vc.created_at + INTERVAL 7 DAY
    GROUP BY vc.session_id
)
SELECT v.session_id, v.started_at AS t0, c1.t1, vo.t2
FROM v
LEFT JOIN (SELECT session_id, min(created_at) AS t1 FROM vc GROUP BY session_id) c1
  USING (session_id)
LEFT JOIN vo USING (session_id)
"""
DAYS = "(epoch({b}) - epoch({a})) / 86400.0"
COHORT_SQL = f"""
SELECT date_trunc('month', t0)::DATE AS period, count(*) AS n0, count(t1) AS n1, count(t2) AS n2,
       median({DAYS.format(a="t0", b="t1")}) AS d1, median({DAYS.format(a="t1", b="t2")}) AS d2
FROM funnel_units WHERE t0 >= TIMESTAMP '2025-01-01' GROUP BY 1 ORDER BY 1
"""
TOTAL_SQL = f"""
SELECT count(*) AS n0, count(t1) AS n1, count(t2) AS n2,
       median({DAYS.format(a="t0", b="t1")}) AS d1, median({DAYS.format(a="t1", b="t2")}) AS d2
FROM funnel_units WHERE t0 >= TIMESTAMP '2025-01-01'
"""
EVENT_SQL = f"""
SELECT period, step, count(*) AS n, median(gap) AS d FROM (
    SELECT date_trunc('month', t0)::DATE AS period, 0 AS step, NULL::DOUBLE AS gap
    FROM funnel_units WHERE t0 >= TIMESTAMP '2025-01-01'
    UNION ALL
    SELECT date_trunc('month', t1)::DATE, 1, {DAYS.format(a="t0", b="t1")} FROM funnel_units
    WHERE t1 >= TIMESTAMP '2025-01-01' AND t1 < TIMESTAMP '2026-01-01'
    UNION ALL
    SELECT date_trunc('month', t2)::DATE, 2, {DAYS.format(a="t1", b="t2")} FROM funnel_units
    WHERE t2 >= TIMESTAMP '2025-01-01' AND t2 < TIMESTAMP '2026-01-01'
) GROUP BY 1, 2 ORDER BY 1, 2
"""


def ensure_data(folder: Path, orders: int) -> Path:
    path = folder / f"onpace_demo_{orders}_seed1.duckdb"
    if path.exists():
        return path
    from onpace.demo.generator import DemoSpec, write_demo_data

    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    write_demo_data(con, DemoSpec(orders=orders, seed=1, start=START, end=END))
    con.execute("CHECKPOINT")
    con.close()
    tmp.rename(path)
    return path


def workspace(data: Path, folder: Path) -> Any:
    """A workspace whose warehouse is the benchmark file (opened read-only)."""
    from onpace.catalog.scaffold import create_workspace
    from onpace.workspace import Workspace

    root = folder / "ws"
    if not root.exists():
        create_workspace(root, "multichannel", timezone="UTC")
    config = root / "onpace.yml"
    text = config.read_text(encoding="utf-8").replace(
        "path: warehouse.duckdb", f"path: {data.resolve()}"
    )
    config.write_text(text, encoding="utf-8")
    return Workspace.open(root)


def run_onpace(ws: Any) -> dict[str, Any]:
    from onpace.compare.funnels import compute_funnel

    result = compute_funnel(ws, "web_shop", "month", RANGE[0], RANGE[1], None, AS_OF)
    cohorts = [
        (r.period, *(s.count for s in r.steps), *(s.median_days for s in r.steps[1:]))
        for r in result.cohorts
    ]
    (total,) = result.total
    events = [
        (r.period, k, s.count, s.median_days)
        for r in result.events
        for k, s in enumerate(r.steps)
        if s.count
    ]
    return {
        "cohorts": cohorts,
        "total": (*(s.count for s in total.steps), *(s.median_days for s in total.steps[1:])),
        "events": events,
    }


def run_sql(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    con.execute(UNITS_SQL)
    cohorts = [
        (p.isoformat(), int(a), int(b), int(c), d1, d2)
        for p, a, b, c, d1, d2 in con.execute(COHORT_SQL).fetchall()
    ]
    total = con.execute(TOTAL_SQL).fetchone()
    assert total is not None
    events = [
        (p.isoformat(), int(step), int(n), d) for p, step, n, d in con.execute(EVENT_SQL).fetchall()
    ]
    return {
        "cohorts": cohorts,
        "total": (int(total[0]), int(total[1]), int(total[2]), total[3], total[4]),
        "events": events,
    }


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is None and b is None
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=300_000)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    folder = Path(args.data_dir) if args.data_dir else Path(tempfile.gettempdir())
    folder.mkdir(parents=True, exist_ok=True)
    data = ensure_data(folder, args.orders)
    scratch = Path(tempfile.mkdtemp(prefix="funnel-bench-"))
    try:
        ws = workspace(data, scratch)
        con = duckdb.connect(str(data), read_only=True)
        sessions = con.execute("SELECT count(*) FROM web_sessions").fetchone()
        ours, theirs = run_onpace(ws), run_sql(con)  # warm-up, and the agreement check
        for key in ("cohorts", "total", "events"):
            assert _same(ours[key], theirs[key]), (key, ours[key], theirs[key])
        times: dict[str, list[float]] = {"onpace": [], "sql": []}
        for _ in range(args.repeat):
            for name, run in (("onpace", lambda: run_onpace(ws)), ("sql", lambda: run_sql(con))):
                t0 = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - t0)
        con.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    best = {k: min(v) for k, v in times.items()}
    print(f"web shop funnel, 12 months, {sessions[0] if sessions else '?':,} web sessions")
    for name, values in times.items():
        print(f"  {name:7s} best {best[name]:.3f} s  median {statistics.median(values):.3f} s")
    print(f"  onpace / SQL = {best['onpace'] / best['sql']:.2f}  (results equal)")


if __name__ == "__main__":
    main()
