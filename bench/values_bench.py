"""Benchmark: building the value store, and refreshing it after a new day and late corrections.

Run ``python bench/values_bench.py --db bench/data/onpace_demo_1000000_seed1.duckdb``.
The demo file (made by ``catalog_bench.py``, never changed) is copied into a
temporary workspace (the multichannel catalog, UTC, churn 365 days). Then:

1. **full build**: every KPI of the catalog, five grains, overall and by every
   dimension it allows, from the first day of the data to the period in progress,
   as of the data's last day;
2. **a new day**: the orders of one more day (a copy of the last day's orders with
   new ids, one day later) are loaded and the store refreshed as of the next day;
3. **late corrections**: 200 orders of earlier months get another amount, 20 are
   cancelled and 20 removed, and the store is refreshed;
4. as the baseline of a full build, the whole catalog computed once by month
   (``Session.compute`` of every KPI, overall), the work a dashboard's cold start did.

Each write goes through ``Workspace.writing`` (a new warehouse version, the changes
recorded at the load and the refresh before it is published), as ingest does.
Printed: seconds, cells written, the refreshes as a share of the full build (goal
at most 5%) and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd

CHURN = "churn:\n  days: 365\n"


def workspace(source: Path) -> Path:
    from onpace.catalog.scaffold import create_workspace

    root = Path(tempfile.mkdtemp(prefix="onpace-values-bench-"))
    create_workspace(root, "multichannel", name="Bench", timezone="UTC")
    config = root / "onpace.yml"
    config.write_text(config.read_text(encoding="utf-8") + CHURN, encoding="utf-8")
    shutil.copyfile(source, root / "warehouse.duckdb")
    return root


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", required=True, type=Path)
    args = p.parse_args()
    from onpace.query.session import ComputeRequest, Session
    from onpace.workspace import Workspace

    root = workspace(args.db)
    ws = Workspace.open(root)
    orders = ws.warehouse.table("orders").execute()
    last = pd.Timestamp(orders["ordered_at"].max())
    as_of = (last + timedelta(hours=1)).to_pydatetime()
    print(f"{len(orders):,} orders up to {last}; as of {as_of}", flush=True)

    started = time.perf_counter()
    names = tuple(n for n in ws.kpis if not ws.session().missing_data(n))
    first = (last - pd.DateOffset(years=3)).date().replace(day=1)
    computing = Session(ws.kpis, ws.warehouse, ws.calendar, ws.config.churn)
    computing.compute(ComputeRequest(names, "month", first, as_of.date(), (), as_of))
    catalog = time.perf_counter() - started
    print(f"baseline: whole catalog by month, computed once: {catalog:.2f} s", flush=True)

    full = ws.refresh(full=True, as_of=as_of)
    print(f"full build: {full.seconds:.2f} s, {full.cells:,} cells", flush=True)

    day = orders[orders["ordered_at"] >= last.normalize()].copy()
    day["order_id"] = "next-" + day["order_id"].astype(str)
    day["ordered_at"] = day["ordered_at"] + pd.Timedelta(days=1)
    next_day = datetime.combine(as_of.date() + timedelta(days=2), datetime.min.time())
    ws.now = lambda: next_day  # type: ignore[method-assign]
    grown = pd.concat([orders, day], ignore_index=True)
    with ws.writing("a new day of orders") as wh:
        wh.load("orders", grown, "UTC")
    meta = ws.values.reader(ws.warehouse).meta()  # the refresh that ended the write
    assert meta is not None and meta.as_of == next_day, meta
    day_seconds = meta.seconds
    print(f"a new day ({len(day):,} orders): {day_seconds:.2f} s", flush=True)

    fixed = grown.copy()
    early = fixed.index[fixed["ordered_at"] < last - pd.Timedelta(days=90)]
    picked = early[:: max(1, len(early) // 240)][:240]
    fixed.loc[picked[:200], "amount"] = fixed.loc[picked[:200], "amount"] * 2
    fixed.loc[picked[200:220], "status"] = "cancelled"
    fixed = fixed.drop(index=picked[220:240])
    with ws.writing("late corrections") as wh:
        wh.load("orders", fixed, "UTC")
    meta = ws.values.reader(ws.warehouse).meta()
    assert meta is not None
    late_seconds = meta.seconds
    print(f"late corrections (240 orders): {late_seconds:.2f} s", flush=True)

    print(
        f"full build / catalog once: {full.seconds / catalog:.2f}; "
        f"new day: {day_seconds / full.seconds:.1%} of the full build; "
        f"late corrections: {late_seconds / full.seconds:.1%} (goal <= 5%)"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MiB")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
