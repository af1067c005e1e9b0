"""A tiny workspace for target tests: four KPIs, two reps of team North, four months of orders.

Monthly revenue (completed orders only): Nov 2025 300 (r1 200, r2 100), Dec 2025
300 (r1), Jan 2026 240 (r1), Feb 1-14 2026 210 (r1 110, r2 100), and an order of
500 on Feb 20 that lies after the usual as-of moment (2026-02-15). One cancelled
order per month (Nov, Dec, Jan, Feb 5) of 999 each.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import ibis
import pandas as pd

from onpace.query.warehouse import Warehouse
from onpace.workspace import Workspace

KPIS_YML = """\
kpis:
  - name: revenue
    type: simple
    label: Revenue
    description: Completed orders.
    entity: orders
    agg: sum
    column: amount
    filter: "status <> 'cancelled'"
    time: ordered_at
    unit: currency
    direction: higher
    dimensions: [rep, rep.team]
    review_cadence: monthly
  - name: cancelled_orders
    type: simple
    label: Cancelled orders
    description: Orders cancelled.
    entity: orders
    agg: count
    filter: "status = 'cancelled'"
    time: ordered_at
    unit: count
    direction: lower
    review_cadence: monthly
  - name: cancel_rate
    type: ratio
    label: Cancel rate
    description: Cancelled orders over all orders.
    numerator: {entity: orders, agg: count, filter: "status = 'cancelled'", time: ordered_at}
    denominator: {entity: orders, agg: count, time: ordered_at}
    unit: percent
    direction: lower
  - name: returns_count
    type: simple
    label: Returns
    description: Returns.
    entity: returns
    agg: count
    time: returned_at
    unit: count
    direction: lower
"""

ORDERS = [
    ("o1", "2025-11-05 10:00", 200.0, "r1", "completed"),
    ("o2", "2025-11-20 10:00", 100.0, "r2", "completed"),
    ("c1", "2025-11-25 10:00", 999.0, "r1", "cancelled"),
    ("o3", "2025-12-10 10:00", 300.0, "r1", "completed"),
    ("c2", "2025-12-11 10:00", 999.0, "r1", "cancelled"),
    ("o4", "2026-01-15 10:00", 240.0, "r1", "completed"),
    ("c3", "2026-01-16 10:00", 999.0, "r1", "cancelled"),
    ("o5", "2026-02-03 10:00", 110.0, "r1", "completed"),
    ("c4", "2026-02-05 10:00", 999.0, "r1", "cancelled"),
    ("o6", "2026-02-10 10:00", 100.0, "r2", "completed"),
    ("o7", "2026-02-20 10:00", 500.0, "r1", "completed"),
]
AS_OF = datetime(2026, 2, 15)
REPS = pd.DataFrame({"rep_id": ["r1", "r2"], "name": ["Ann", "Bob"], "team": ["North", "North"]})


def make_workspace(
    root: Path,
    fiscal_year_start: int = 1,
    orders: list[tuple[str, str, float, str | None, str]] | None = None,
    reps: pd.DataFrame | None = None,
) -> Workspace:
    root.mkdir(parents=True, exist_ok=True)
    (root / "kpis").mkdir(exist_ok=True)
    (root / "kpis" / "k.yml").write_text(KPIS_YML, encoding="utf-8")
    (root / "onpace.yml").write_text(
        f"name: Tiny\nfiscal_year_start: {fiscal_year_start}\n", encoding="utf-8"
    )
    frame = pd.DataFrame(
        orders or ORDERS, columns=["order_id", "ordered_at", "amount", "rep_id", "status"]
    )
    wh = Warehouse(ibis.duckdb.connect(str(root / "warehouse.duckdb")), "duckdb")
    wh.load_all({"orders": frame, "salespeople": REPS if reps is None else reps}, "UTC")
    ws = Workspace.open(root, strict=True)
    ws.use_warehouse(wh)
    return ws


def revenue_q1_projection_by_hand() -> float:
    """The 2026-Q1 revenue projection at 2026-02-15 00:00, worked out from the fixture's rows.

    Completed orders (ORDERS above): Nov 5 200, Nov 20 100, Dec 10 300,
    Jan 15 240, Feb 3 110, Feb 10 100 (Feb 20's 500 is after the moment).
    """
    actual = 240 + 110 + 100  # January and February 1-14
    days_gone, days_left = 31 + 14, 14 + 31  # of the quarter's 90 days
    # run-rate: a handful of orders shows no weekday or month-part pattern (every day weighs
    # the same), so the rest goes on at the pace so far
    run_rate_rest = actual * days_left / days_gone
    # model: November starts on the 5th, so the whole months are December 300 and January 240;
    # two months are too few for a season or a trend, so the forecast is the last month (naive)
    naive = 240
    model_rest = naive * 14 / 28 + naive  # the rest of February and all of March
    # no past window (the series starts in December) to choose the blend on: the run-rate
    # weighs the share of the period gone, one half
    share = days_gone / 90
    return actual + share * run_rate_rest + (1 - share) * model_rest  # 450 + 225 + 180
