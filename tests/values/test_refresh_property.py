"""An incremental refresh gives the same store as a full rebuild, cell for cell.

Hypothesis draws change sets over the hand-checkable sales data: orders replaced
(amount, status, customer, rep, channel, and the date, moved back: late corrections),
removed and added (also for new customers, reps and channels, and dated before the
as-of moment, between the two moments or after both), customers moved to another
segment, returns and leads added or removed; and "now" moving on by up to six weeks.
The store built as of the first moment and refreshed with the change set must equal
a store built from scratch on the changed data as of the second moment: every KPI
type (sums, counts, distinct counts, averages, ratios, formulas with prior() and
last_year(), stocks, conversions, durations, customer spells) at every grain, overall
and per member. Run on DuckDB and on a local PySpark session.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import duckdb
import ibis
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onpace.catalog import load_catalog
from onpace.query.warehouse import Warehouse
from tests.support.sales_data import SALES_DATA
from tests.support.value_store import build, cells, differences, refresher, replace_tables

# one KPI of every kind, over every entity the changes touch
NAMES = (
    "revenue",
    "orders",
    "average_order_value",
    "gross_margin",
    "sales_per_salesperson",
    "revenue_growth_prior",
    "revenue_growth_yoy",
    "new_customers",
    "customers_lost",
    "active_customers",
    "customer_portfolio_growth",
    "customer_lifetime_days",
    "return_rate",
    "lead_to_sale_conversion",
    "sales_cycle_days",
    "quote_win_rate",
)
T0 = datetime(2024, 3, 18, 10, 30)


# fewer on Spark, whose every query takes seconds: still a sum, spells, a stock, a formula
# with prior() and a conversion
SPARK_NAMES = (
    "revenue",
    "new_customers",
    "active_customers",
    "revenue_growth_prior",
    "lead_to_sale_conversion",
)


def _kpis() -> dict[str, Any]:
    catalog = load_catalog()
    return {n: catalog[n] for n in NAMES}


@st.composite
def order_changes(draw: st.DrawFn, orders: pd.DataFrame) -> pd.DataFrame:
    rows = orders.to_dict("records")
    keep = []
    for row in rows:
        action = draw(st.sampled_from(["keep"] * 5 + ["replace", "remove"]))
        if action == "remove":
            continue
        if action == "replace":
            row = dict(row)
            field = draw(st.sampled_from(["amount", "status", "customer_id", "rep_id", "channel",
                                          "ordered_at"]))  # fmt: skip
            if field == "amount":
                row["amount"] = draw(st.sampled_from([0.0, 12.5, 99.99, 250.0]))
            elif field == "status":
                row["status"] = draw(st.sampled_from(["completed", "cancelled", None]))
            elif field == "customer_id":
                row["customer_id"] = draw(st.sampled_from(["c1", "c2", "c5", "c6", None]))
            elif field == "rep_id":
                row["rep_id"] = draw(st.sampled_from(["r1", "r3", "r4", None]))
            elif field == "channel":
                row["channel"] = draw(st.sampled_from(["web", "store", "phone"]))
            else:  # a late correction: the order was placed earlier than recorded
                back = draw(st.integers(min_value=1, max_value=400))
                moved = pd.Timestamp(row["ordered_at"]) - pd.Timedelta(days=back)
                row["ordered_at"] = str(max(moved, pd.Timestamp("2023-01-15 12:00")))
        keep.append(row)
    for i in range(draw(st.integers(min_value=0, max_value=4))):
        hours = draw(st.integers(min_value=-24 * 300, max_value=24 * 50))
        keep.append(
            {
                "order_id": f"n{i}",
                "ordered_at": str(pd.Timestamp(T0) + pd.Timedelta(hours=hours)),
                "amount": draw(st.sampled_from([10.0, 45.5, 300.0])),
                "customer_id": draw(st.sampled_from(["c1", "c3", "c6", "c7", None])),
                "rep_id": draw(st.sampled_from(["r1", "r2", "r4", None])),
                "channel": draw(st.sampled_from(["web", "sales", "phone"])),
                "cost": draw(st.sampled_from([None, 5.0])),
                "quantity": 1,
                "status": draw(st.sampled_from(["completed", "cancelled", None])),
            }
        )
    return pd.DataFrame(keep, columns=orders.columns)


@st.composite
def change_sets(draw: st.DrawFn) -> tuple[dict[str, pd.DataFrame], datetime]:
    frames: dict[str, pd.DataFrame] = {"orders": draw(order_changes(SALES_DATA["orders"]))}
    if draw(st.booleans()):
        customers = SALES_DATA["customers"].copy()
        moved = draw(st.sampled_from(list(customers.index)))
        customers.loc[moved, "segment"] = draw(st.sampled_from(["smb", "consumer", "public"]))
        if draw(st.booleans()):
            extra = customers.iloc[[0]].copy()
            extra["customer_id"] = "c6"
            extra["segment"] = "public"
            customers = pd.concat([customers, extra], ignore_index=True)
        frames["customers"] = customers
    if draw(st.booleans()):
        returns = SALES_DATA["returns"].copy()
        if len(returns) and draw(st.booleans()):
            returns = returns.drop(index=draw(st.sampled_from(list(returns.index))))
        else:
            extra = returns.iloc[[0]].copy()
            extra[returns.columns[0]] = "rnew"
            returns = pd.concat([returns, extra], ignore_index=True)
        frames["returns"] = returns
    if draw(st.booleans()):
        leads = SALES_DATA["leads"].copy()
        leads = leads.drop(index=draw(st.sampled_from(list(leads.index))))
        frames["leads"] = leads
    move = timedelta(hours=draw(st.sampled_from([0, 0, 3, 20, 24 * 9, 24 * 40])))
    return frames, T0 + move


def _check(
    make: Callable[[], Warehouse],
    frames: dict[str, pd.DataFrame],
    t1: datetime,
    names: tuple[str, ...] = NAMES,
) -> None:
    catalog = load_catalog()
    kpis = {n: catalog[n] for n in names}
    incremental = make()
    build(kpis, incremental, T0)
    changes = replace_tables(incremental, frames)
    report = refresher(kpis, incremental).refresh(t1, changes)
    assert report.kind in ("incremental", "full", "unchanged")
    refreshed = cells(incremental)
    rebuilt = make()  # after: a Spark warehouse is the session's current database
    for entity, frame in frames.items():
        rebuilt.load(entity, frame, "UTC")
    build(kpis, rebuilt, t1)
    found = differences(refreshed, cells(rebuilt))
    assert not found, found


def _duckdb() -> Warehouse:
    wh = Warehouse(ibis.duckdb.from_connection(duckdb.connect()), "duckdb")
    wh.load_all(SALES_DATA, "UTC")
    return wh


@settings(
    max_examples=int(os.environ.get("ONPACE_REFRESH_EXAMPLES", "6")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(change_sets())
def test_incremental_refresh_equals_a_full_rebuild_on_duckdb(
    drawn: tuple[dict[str, pd.DataFrame], datetime],
) -> None:
    frames, t1 = drawn
    _check(_duckdb, frames, t1)


def test_a_refresh_with_nothing_new_on_the_same_day_changes_nothing() -> None:
    kpis = _kpis()
    wh = _duckdb()
    build(kpis, wh, T0)
    before = cells(wh)
    report = refresher(kpis, wh).refresh(T0 + timedelta(hours=2), None)
    assert report.kind == "unchanged"
    assert differences(before, cells(wh)) == []


def test_the_next_day_recomputes_only_periods_in_progress() -> None:
    catalog = load_catalog()
    kpis = {n: catalog[n] for n in ("revenue", "active_customers", "revenue_growth_prior")}
    wh = _duckdb()
    build(kpis, wh, T0)
    report = refresher(kpis, wh).refresh(T0 + timedelta(days=1), None)
    assert report.kind == "incremental"
    # the day before, the new day; the week, month, quarter and year in progress
    assert report.periods == {"day": 2, "week": 1, "month": 1, "quarter": 1, "year": 1}


@pytest.fixture(scope="module")
def spark_warehouse() -> Callable[[], Warehouse]:
    if shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail("PySpark must run in CI, but no java is installed")
        pytest.skip("PySpark needs Java 17 (not installed here)")
    from onpace.query.warehouse import spark_session

    session = spark_session()
    backend = ibis.pyspark.connect(session)
    counter = iter(range(10_000))

    def make() -> Warehouse:
        database = f"onpace_refresh_{next(counter)}"
        session.sql(f"CREATE DATABASE IF NOT EXISTS {database}")
        session.catalog.setCurrentDatabase(database)
        wh = Warehouse(backend, "pyspark")
        wh.load_all(SALES_DATA, "UTC")
        return wh

    return make


@pytest.mark.spark
@settings(
    max_examples=int(os.environ.get("ONPACE_REFRESH_SPARK_EXAMPLES", "2")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(change_sets())
def test_incremental_refresh_equals_a_full_rebuild_on_pyspark(
    spark_warehouse: Callable[[], Warehouse], drawn: tuple[dict[str, pd.DataFrame], datetime]
) -> None:
    frames, t1 = drawn
    _check(spark_warehouse, frames, t1, SPARK_NAMES)
