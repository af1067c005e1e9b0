"""Benchmark: the whole onpace KPI catalog vs hand-written DuckDB SQL vs plain pandas.

Run ``python bench/catalog_bench.py --orders 1000000 --data-dir bench/data``. The parent
process generates (or reuses) the demo DuckDB file, then runs every approach and scenario
in its own child process (``--only onpace|sql|pandas --scenario overall|rep``) so the peak
memory of each is clean, and finally checks that the three agree. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

START = date(2023, 1, 1)
END = date(2026, 1, 1)
AS_OF = datetime(2026, 1, 1)
# onpace widens the spine one year (+1 period) back when a KPI uses prior()/last_year()
SPINE_START = date(2022, 1, 1)
CHURN_DAYS = 365
RTOL = 1e-6
APPROACHES = ("onpace", "sql", "pandas")

OK = "(status IS NULL OR status <> 'cancelled')"
WIN = "'2022-01-01'::TIMESTAMP"
UPPER = "'2026-01-01'::TIMESTAMP"


# ---------------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------------


def data_path(args: argparse.Namespace) -> Path:
    folder = Path(args.data_dir) if args.data_dir else Path(tempfile.gettempdir())
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"onpace_demo_{args.orders}_seed1.duckdb"


def ensure_data(path: Path, orders: int) -> float:
    """Generate the demo file unless it exists; returns seconds spent generating."""
    if path.exists():
        return 0.0
    from onpace.demo.generator import DemoSpec, write_demo_data

    tmp = path.with_suffix(".tmp")
    for p in (tmp, Path(str(tmp) + ".wal")):
        p.unlink(missing_ok=True)
    t0 = time.perf_counter()
    con = duckdb.connect(str(tmp))
    write_demo_data(con, DemoSpec(orders=orders, seed=1, start=START, end=END))
    con.execute("CHECKPOINT")
    con.close()
    tmp.rename(path)
    return time.perf_counter() - t0


def catalog_names(by_rep: bool) -> list[str]:
    from onpace.catalog import load_catalog

    kpis = load_catalog()
    return sorted(n for n, k in kpis.items() if not by_rep or "rep" in k.dimensions)


# ---------------------------------------------------------------------------------
# (a) onpace
# ---------------------------------------------------------------------------------


def run_onpace(path: Path, names: list[str], by_rep: bool) -> pd.DataFrame:
    import ibis

    from onpace.calendar import Calendar
    from onpace.catalog import load_catalog
    from onpace.query.session import ComputeRequest, Session
    from onpace.query.warehouse import Warehouse
    from onpace.spec.workspace_config import ChurnSettings

    wh = Warehouse(ibis.duckdb.connect(str(path), read_only=True), "duckdb")
    session = Session(load_catalog(), wh, Calendar(), ChurnSettings())
    by = ("rep",) if by_rep else ()
    out = session.compute(ComputeRequest(tuple(names), "month", START, END, by, AS_OF))
    wh.backend.disconnect()
    return out


# ---------------------------------------------------------------------------------
# (b) hand-written DuckDB SQL: one query per table (and time column)
# ---------------------------------------------------------------------------------


def _fact_sql(
    table: str,
    time_col: str,
    measures: dict[str, str],
    kpis: dict[str, str],
    by_rep: bool,
    where: str = "",
    joins: str = "",
) -> str:
    """A grouped scan of ``table`` laid on a dense month (x rep) spine, KPIs in the select."""
    rep_sel = ", rep_id::VARCHAR AS rep" if by_rep else ""
    rep_key = ", rep" if by_rep else ""
    reps = "CROSS JOIN (SELECT DISTINCT rep FROM base) r" if by_rep else ""
    rep_on = "AND a.rep IS NOT DISTINCT FROM s.rep" if by_rep else ""
    ms = ",\n  ".join(f"{expr} AS {name}" for name, expr in measures.items())
    ks = ",\n  ".join(f"{expr} AS {name}" for name, expr in kpis.items())
    win = "PARTITION BY s.rep ORDER BY s.period" if by_rep else "ORDER BY s.period"
    ks = ks.replace("{w}", win)
    return f"""
WITH base AS (
  SELECT *, date_trunc('month', {time_col}::TIMESTAMP)::DATE AS period{rep_sel}
  FROM {table} {joins}
  WHERE {time_col}::TIMESTAMP >= {WIN} AND {time_col}::TIMESTAMP < {UPPER} {where}
),
agg AS (SELECT period{rep_key},
  {ms}
  FROM base GROUP BY ALL),
months AS (SELECT unnest(generate_series(DATE '2022-01-01', DATE '2025-12-01',
                                         INTERVAL 1 MONTH))::DATE AS period),
spine AS (SELECT m.period{rep_key} FROM months m {reps})
SELECT s.period{", s.rep" if by_rep else ""},
  {ks}
FROM spine s LEFT JOIN agg a ON a.period = s.period {rep_on}
ORDER BY ALL
"""


def _z(col: str) -> str:
    return f"coalesce(a.{col}, 0)"


def sql_queries(by_rep: bool) -> dict[str, str]:
    """name -> SQL returning period[, rep] and one column per KPI (NULL = no value)."""
    q: dict[str, str] = {}
    orders_kpis = {
        "revenue": _z("rev"),
        "units_sold": _z("units"),
        "orders": _z("n"),
        "gross_profit": _z("gp"),
        "gross_margin": "a.gp / nullif(a.rev, 0)",
        "average_margin_per_sale": "a.gp / nullif(a.n, 0)",
        "average_order_value": "a.rev / nullif(a.n, 0)",
        "revenue_growth_prior": (f"{_z('rev')} / nullif(lag({_z('rev')}) OVER ({{w}}), 0) - 1"),
        "revenue_growth_yoy": (f"{_z('rev')} / nullif(lag({_z('rev')}, 12) OVER ({{w}}), 0) - 1"),
    }
    joins = ""
    if not by_rep:
        orders_kpis["sales_per_salesperson"] = "a.rep_rev / nullif(a.reps, 0)"
        orders_kpis["net_profit"] = f"{_z('gp')} - coalesce(c.opcost, 0)"
        orders_kpis["net_margin"] = f"({_z('gp')} - coalesce(c.opcost, 0)) / nullif({_z('rev')}, 0)"
    q["orders"] = _fact_sql(
        "orders",
        "ordered_at",
        {
            "rev": f"sum(amount) FILTER (WHERE {OK})::DOUBLE",
            "units": f"sum(quantity) FILTER (WHERE {OK})::DOUBLE",
            "n": f"count(*) FILTER (WHERE {OK})",
            "gp": f"sum(amount - coalesce(cost, 0)) FILTER (WHERE {OK})::DOUBLE",
            "rep_rev": f"sum(amount) FILTER (WHERE rep_id IS NOT NULL AND {OK})::DOUBLE",
            "reps": f"count(DISTINCT rep_id) FILTER (WHERE rep_id IS NOT NULL AND {OK})",
        },
        orders_kpis,
        by_rep,
        joins=joins,
    )
    if not by_rep:  # net profit needs the operating costs of the same month
        q["orders"] = q["orders"].replace(
            "FROM spine s LEFT JOIN agg a ON a.period = s.period",
            "FROM spine s LEFT JOIN agg a ON a.period = s.period\n"
            "LEFT JOIN (SELECT date_trunc('month', incurred_on)::DATE AS period,"
            " sum(amount)::DOUBLE AS opcost FROM costs"
            f" WHERE incurred_on::TIMESTAMP >= {WIN} AND incurred_on::TIMESTAMP < {UPPER}"
            " GROUP BY 1) c ON c.period = s.period",
        )
    q["quotes_submitted"] = _fact_sql(
        "quotes", "submitted_at", {"n": "count(*)"}, {"quotes_submitted": _z("n")}, by_rep
    )
    q["quotes_decided"] = _fact_sql(
        "quotes",
        "decided_at",
        {
            "won": "count(*) FILTER (WHERE status = 'won')",
            "decided": "count(*) FILTER (WHERE status IN ('won', 'lost'))",
        },
        {"quotes_won": _z("won"), "quote_win_rate": f"{_z('won')} / nullif(a.decided, 0)"},
        by_rep,
    )
    q["leads_created"] = _fact_sql(
        "leads",
        "created_at",
        {
            "inbound": "count(*) FILTER (WHERE source IN ('call', 'form', 'chat', 'email'))",
            "forms": "count(*) FILTER (WHERE source = 'form')",
        },
        {"inbound_requests": _z("inbound"), **({} if by_rep else {"web_lead_forms": _z("forms")})},
        by_rep,
    )
    q["leads_converted"] = _fact_sql(
        "leads",
        "converted_at",
        {
            "cycle": "avg(epoch(converted_at) - epoch(first_contact_at)) FILTER (WHERE "
            "first_contact_at IS NOT NULL AND converted_at IS NOT NULL) / 86400.0",
        },
        {"sales_cycle_days": "a.cycle"},
        by_rep,
    )
    if by_rep:
        return q
    simple = {
        "operating_costs": (
            "costs",
            "incurred_on",
            {"c": "sum(amount)::DOUBLE"},
            {"operating_costs": _z("c")},
        ),
        "web_sessions": (
            "web_sessions",
            "started_at",
            {"n": "count(*)", "paid": "count(*) FILTER (WHERE is_paid)"},
            {"website_visits": _z("n"), "ad_visits": _z("paid")},
        ),
        "carts": (
            "carts",
            "created_at",
            {"n": "count(*)", "ab": "count(*) FILTER (WHERE order_id IS NULL)"},
            {"abandoned_carts": _z("ab"), "cart_abandonment_rate": f"{_z('ab')} / nullif(a.n, 0)"},
        ),
        "returns": (
            "returns",
            "returned_at",
            {
                "r": "count(*) FILTER (WHERE kind = 'return')",
                "x": "count(*) FILTER (WHERE kind = 'exchange')",
            },
            {"returns": _z("r"), "exchanges": _z("x")},
        ),
        "complaints": ("complaints", "opened_at", {"n": "count(*)"}, {"complaints": _z("n")}),
        "invoices": (
            "invoices",
            "due_at",
            {
                "unpaid": "sum(amount - coalesce(paid_amount, 0)) FILTER (WHERE written_off "
                "OR paid_at IS NULL)::DOUBLE",
                "amt": "sum(amount)::DOUBLE",
            },
            {"non_payment_rate": f"{_z('unpaid')} / nullif(a.amt, 0)"},
        ),
        "satisfaction": (
            "satisfaction",
            "responded_at",
            {
                "c_ok": "count(*) FILTER (WHERE scale = 'csat_5' AND score >= 4)",
                "c_n": "count(*) FILTER (WHERE scale = 'csat_5')",
                "nps_s": "sum(CASE WHEN score >= 9 THEN 1 WHEN score <= 6 THEN -1 ELSE 0 END)"
                " FILTER (WHERE scale = 'nps_10')",
                "nps_n": "count(*) FILTER (WHERE scale = 'nps_10')",
            },
            {
                "csat": f"{_z('c_ok')} / nullif(a.c_n, 0)",
                "nps": f"100.0 * {_z('nps_s')} / nullif(a.nps_n, 0)",
            },
        ),
    }
    for name, (table, tcol, ms, ks) in simple.items():
        q[name] = _fact_sql(table, tcol, ms, ks, False)
    # complaints per 100 orders and the return rate divide by completed orders
    q["order_ratios"] = f"""
WITH months AS (SELECT unnest(generate_series(DATE '2022-01-01', DATE '2025-12-01',
                                              INTERVAL 1 MONTH))::DATE AS period),
o AS (SELECT date_trunc('month', ordered_at)::DATE AS period, count(*) AS n FROM orders
      WHERE ordered_at >= {WIN} AND ordered_at < {UPPER} AND {OK} GROUP BY 1),
c AS (SELECT date_trunc('month', opened_at)::DATE AS period, count(*) AS n FROM complaints
      WHERE opened_at >= {WIN} AND opened_at < {UPPER} GROUP BY 1),
r AS (SELECT date_trunc('month', o.ordered_at)::DATE AS period,
             count(DISTINCT r.order_id) AS n
      FROM returns r JOIN orders o ON o.order_id = r.order_id
      WHERE r.kind = 'return' AND (o.status IS NULL OR o.status <> 'cancelled')
        AND o.ordered_at >= {WIN} AND o.ordered_at < {UPPER} AND r.returned_at < {UPPER}
      GROUP BY 1)
SELECT m.period,
  100.0 * coalesce(c.n, 0) / nullif(o.n, 0) AS complaints_per_100_orders,
  coalesce(r.n, 0) / nullif(o.n, 0) AS return_rate
FROM months m LEFT JOIN o USING (period) LEFT JOIN c USING (period) LEFT JOIN r USING (period)
ORDER BY 1"""
    q["lead_conversion"] = f"""
WITH months AS (SELECT unnest(generate_series(DATE '2022-01-01', DATE '2025-12-01',
                                              INTERVAL 1 MONTH))::DATE AS period),
l AS (SELECT lead_id, customer_id, created_at,
             date_trunc('month', created_at)::DATE AS period
      FROM leads WHERE created_at >= {WIN} AND created_at < {UPPER}
        AND customer_id IS NOT NULL),
agg AS (
  SELECT period, count(DISTINCT lead_id) AS base,
    count(DISTINCT lead_id) FILTER (WHERE EXISTS (
      SELECT 1 FROM orders o WHERE o.customer_id = l.customer_id
        AND o.ordered_at >= l.created_at
        AND o.ordered_at <= l.created_at + INTERVAL 90 DAY
        AND o.ordered_at < {UPPER} AND (o.status IS NULL OR o.status <> 'cancelled'))) AS conv
  FROM l GROUP BY 1)
SELECT m.period, coalesce(conv, 0) / nullif(base, 0) AS lead_to_sale_conversion
FROM months m LEFT JOIN agg USING (period) ORDER BY 1"""
    q["customers"] = f"""
WITH o AS (
  SELECT customer_id, ordered_at,
    CASE WHEN lag(ordered_at) OVER w IS NULL
           OR epoch(ordered_at) - epoch(lag(ordered_at) OVER w) > {CHURN_DAYS} * 86400
         THEN 1 ELSE 0 END AS new_spell
  FROM orders
  WHERE customer_id IS NOT NULL AND ordered_at < {UPPER} AND {OK}
  WINDOW w AS (PARTITION BY customer_id ORDER BY ordered_at)
),
numbered AS (
  SELECT *, sum(new_spell) OVER (PARTITION BY customer_id ORDER BY ordered_at, new_spell DESC
                                 ROWS UNBOUNDED PRECEDING) AS spell_number
  FROM o
),
raw AS (
  SELECT customer_id, spell_number, min(ordered_at) AS started_at,
         max(ordered_at) AS last_order_at
  FROM numbered GROUP BY ALL
),
spells AS (
  SELECT s.*, c.is_target_audience,
    CASE WHEN last_order_at + INTERVAL {CHURN_DAYS} DAY < {UPPER}
         THEN last_order_at + INTERVAL {CHURN_DAYS} DAY END AS lost_at
  FROM raw s LEFT JOIN customers c USING (customer_id)
),
months AS (SELECT unnest(generate_series(DATE '2022-01-01', DATE '2025-12-01',
                                         INTERVAL 1 MONTH))::DATE AS period),
spine AS (SELECT period, least(period + INTERVAL 1 MONTH, {UPPER}) AS cutoff FROM months),
active AS (
  SELECT p.period, count(DISTINCT s.customer_id) AS act,
         count(DISTINCT s.customer_id) FILTER (WHERE s.is_target_audience) AS act_t
  FROM spine p JOIN spells s
    ON s.started_at < p.cutoff AND (s.lost_at IS NULL OR s.lost_at >= p.cutoff)
  GROUP BY 1
),
won AS (
  SELECT date_trunc('month', started_at)::DATE AS period, count(*) AS won,
         count(DISTINCT customer_id) FILTER (WHERE spell_number = 1) AS new
  FROM spells WHERE started_at >= {WIN} AND started_at < {UPPER} GROUP BY 1
),
lost AS (
  SELECT date_trunc('month', lost_at)::DATE AS period, count(*) AS lost,
         avg(epoch(last_order_at) - epoch(started_at)) / 86400.0 AS lifetime
  FROM spells WHERE lost_at >= {WIN} AND lost_at < {UPPER} GROUP BY 1
),
t AS (
  SELECT m.period, coalesce(act, 0) AS act, coalesce(act_t, 0) AS act_t,
    coalesce(won, 0) AS won, coalesce(new, 0) AS new, coalesce(lost, 0) AS lost, lifetime
  FROM months m LEFT JOIN active USING (period) LEFT JOIN won USING (period)
  LEFT JOIN lost USING (period)
)
SELECT period,
  act::DOUBLE AS active_customers,
  act_t::DOUBLE AS active_target_customers,
  act / nullif(lag(act) OVER (ORDER BY period), 0) - 1 AS customer_portfolio_growth,
  new::DOUBLE AS new_customers,
  won::DOUBLE AS customers_won,
  lost::DOUBLE AS customers_lost,
  (won - lost)::DOUBLE AS net_customer_growth,
  lost / nullif(won, 0) AS lost_to_won_ratio,
  lifetime AS customer_lifetime_days
FROM t ORDER BY 1"""
    return q


def _long(wide: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = wide.melt(id_vars=keys, var_name="kpi", value_name="value")
    out["value"] = pd.to_numeric(out["value"], errors="coerce").astype("float64")
    out["period"] = pd.to_datetime(out["period"]).dt.date
    return out


def run_sql(path: Path, names: list[str], by_rep: bool) -> pd.DataFrame:
    con = duckdb.connect(str(path), read_only=True)
    keys = ["period", "rep"] if by_rep else ["period"]
    wanted = set(names)
    parts = []
    for sql in sql_queries(by_rep).values():
        if not any(re.search(rf"\bAS {c}\b", sql) for c in wanted):
            continue
        wide = con.execute(sql).df()
        parts.append(_long(wide[[*keys, *sorted(c for c in wide.columns if c in wanted)]], keys))
    con.close()
    return _finish(pd.concat(parts, ignore_index=True), keys)


def _finish(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    df = df[df["period"] >= START]
    return df[["kpi", *keys, "value"]].sort_values(["kpi", *keys]).reset_index(drop=True)


# ---------------------------------------------------------------------------------
# (c) plain pandas
# ---------------------------------------------------------------------------------

MONTHS = pd.date_range("2022-01-01", "2025-12-01", freq="MS")


def _read(con: duckdb.DuckDBPyConnection, table: str, cols: list[str]) -> pd.DataFrame:
    return con.execute(f"SELECT {', '.join(cols)} FROM {table}").df()


def _window(df: pd.DataFrame, col: str) -> pd.DataFrame:
    t = pd.to_datetime(df[col])
    df = df[(t >= pd.Timestamp(SPINE_START)) & (t < pd.Timestamp(AS_OF))].copy()
    df["period"] = pd.to_datetime(df[col]).dt.to_period("M").dt.to_timestamp()
    return df


def _grouped(df: pd.DataFrame, by_rep: bool, aggs: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """Aggregate per period[, rep] and lay the result on a dense spine."""
    if by_rep:
        df = df.assign(rep=df["rep_id"].astype(object).fillna("<null>"))
        keys = ["period", "rep"]
        reps = sorted(df["rep"].unique(), key=str)
        spine = pd.MultiIndex.from_product([MONTHS, reps], names=keys)
    else:
        keys = ["period"]
        spine = pd.Index(MONTHS, name="period")
    g = df.groupby(keys, dropna=False).agg(**aggs) if len(df) else pd.DataFrame(columns=list(aggs))
    out: pd.DataFrame = g.reindex(spine)
    return out


def _div(num: pd.Series, den: pd.Series) -> pd.Series:
    return num.fillna(0) / den.where(den != 0)


def _lag(s: pd.Series, n: int, by_rep: bool) -> pd.Series:
    return s.groupby(level="rep").shift(n) if by_rep else s.shift(n)


def run_pandas(path: Path, names: list[str], by_rep: bool) -> pd.DataFrame:
    con = duckdb.connect(str(path), read_only=True)
    wanted = set(names)
    res: dict[str, pd.Series] = {}
    ok_status = "status"

    def completed(df: pd.DataFrame) -> pd.Series:
        return df[ok_status].isna() | (df[ok_status] != "cancelled")

    need = lambda *ks: bool(wanted & set(ks))  # noqa: E731
    if need(
        "revenue",
        "units_sold",
        "orders",
        "gross_profit",
        "gross_margin",
        "average_margin_per_sale",
        "average_order_value",
        "revenue_growth_prior",
        "revenue_growth_yoy",
        "sales_per_salesperson",
        "net_profit",
        "net_margin",
        "complaints_per_100_orders",
        "return_rate",
    ):
        o = _window(
            _read(con, "orders", ["ordered_at", "amount", "cost", "quantity", "status", "rep_id"]),
            "ordered_at",
        )
        ok = completed(o)
        o["rev"] = o["amount"].where(ok)
        o["units"] = o["quantity"].where(ok).astype("float64")
        o["gp"] = (o["amount"] - o["cost"].fillna(0)).where(ok)
        o["n"] = ok.astype("int64")
        repok = ok & o["rep_id"].notna()
        o["rep_rev"] = o["amount"].where(repok)
        o["rep_x"] = o["rep_id"].where(repok)
        g = _grouped(
            o,
            by_rep,
            {
                "rev": ("rev", "sum"),
                "units": ("units", "sum"),
                "n": ("n", "sum"),
                "gp": ("gp", "sum"),
                "rep_rev": ("rep_rev", "sum"),
                "reps": ("rep_x", "nunique"),
            },
        )
        del o
        g = g.fillna(0)
        res["revenue"], res["units_sold"], res["orders"] = g["rev"], g["units"], g["n"]
        res["gross_profit"] = g["gp"]
        res["gross_margin"] = _div(g["gp"], g["rev"])
        res["average_margin_per_sale"] = _div(g["gp"], g["n"])
        res["average_order_value"] = _div(g["rev"], g["n"])
        res["revenue_growth_prior"] = _div(g["rev"], _lag(g["rev"], 1, by_rep)) - 1
        res["revenue_growth_yoy"] = _div(g["rev"], _lag(g["rev"], 12, by_rep)) - 1
        if not by_rep:
            res["sales_per_salesperson"] = _div(g["rep_rev"], g["reps"])
            c = _window(_read(con, "costs", ["incurred_on", "amount"]), "incurred_on")
            cost = c.groupby("period")["amount"].sum().reindex(MONTHS).fillna(0)
            cost.index.name = "period"
            res["operating_costs"] = cost
            res["net_profit"] = g["gp"] - cost
            res["net_margin"] = _div(res["net_profit"], g["rev"])
    if need("quotes_submitted", "quotes_won", "quote_win_rate"):
        qt = _read(con, "quotes", ["submitted_at", "decided_at", "status", "rep_id"])
        s = _grouped(_window(qt, "submitted_at").assign(one=1), by_rep, {"n": ("one", "sum")})
        res["quotes_submitted"] = s["n"].fillna(0)
        d = _window(qt, "decided_at")
        d["won"] = (d["status"] == "won").astype("int64")
        d["dec"] = d["status"].isin(["won", "lost"]).astype("int64")
        d = _grouped(d, by_rep, {"won": ("won", "sum"), "dec": ("dec", "sum")}).fillna(0)
        res["quotes_won"] = d["won"]
        res["quote_win_rate"] = _div(d["won"], d["dec"])
    if need("inbound_requests", "web_lead_forms", "sales_cycle_days", "lead_to_sale_conversion"):
        ld = _read(
            con,
            "leads",
            [
                "lead_id",
                "created_at",
                "source",
                "first_contact_at",
                "converted_at",
                "customer_id",
                "rep_id",
            ],
        )
        c = _window(ld, "created_at")
        c["inb"] = c["source"].isin(["call", "form", "chat", "email"]).astype("int64")
        c["form"] = (c["source"] == "form").astype("int64")
        cg = _grouped(c, by_rep, {"inb": ("inb", "sum"), "form": ("form", "sum")}).fillna(0)
        res["inbound_requests"] = cg["inb"]
        if not by_rep:
            res["web_lead_forms"] = cg["form"]
        v = _window(ld, "converted_at")
        v["days"] = (v["converted_at"] - v["first_contact_at"]).dt.total_seconds() / 86400.0
        res["sales_cycle_days"] = _grouped(v, by_rep, {"d": ("days", "mean")})["d"]
        if not by_rep and "lead_to_sale_conversion" in wanted:
            base = c[c["customer_id"].notna()][["lead_id", "customer_id", "created_at", "period"]]
            od = _read(con, "orders", ["customer_id", "ordered_at", "status"])
            od = od[
                od["customer_id"].notna() & (od["ordered_at"] < pd.Timestamp(AS_OF)) & completed(od)
            ][["customer_id", "ordered_at"]]
            # first completed order at or after the lead, per customer
            m = pd.merge_asof(
                base.sort_values("created_at"),
                od.sort_values("ordered_at"),
                left_on="created_at",
                right_on="ordered_at",
                by="customer_id",
                direction="forward",
            )
            m["conv"] = m["ordered_at"].notna() & (
                m["ordered_at"] <= m["created_at"] + pd.Timedelta(days=90)
            )
            bg = m.groupby("period")["lead_id"].nunique().reindex(MONTHS).fillna(0)
            cv = m[m["conv"]].groupby("period")["lead_id"].nunique().reindex(MONTHS)
            res["lead_to_sale_conversion"] = _div(cv, bg).rename_axis("period")
    if not by_rep:
        simple_pandas(con, wanted, res)
    con.close()
    keys = ["period", "rep"] if by_rep else ["period"]
    parts = []
    for name in sorted(wanted & set(res)):
        s = res[name].astype("float64").rename("value").reset_index()
        s.columns = [*keys, "value"]
        s.insert(0, "kpi", name)
        parts.append(s)
    df = pd.concat(parts, ignore_index=True)
    df["period"] = pd.to_datetime(df["period"]).dt.date
    if by_rep:
        df["rep"] = df["rep"].where(df["rep"] != "<null>", None)
    return _finish(df, keys)


def simple_pandas(
    con: duckdb.DuckDBPyConnection, wanted: set[str], res: dict[str, pd.Series]
) -> None:
    def monthly(df: pd.DataFrame, col: str, how: str = "sum") -> pd.Series:
        s = df.groupby("period")[col].agg(how).reindex(MONTHS)
        s.index.name = "period"
        return s

    def need(*ks: str) -> bool:
        return bool(wanted & set(ks))

    if need("website_visits", "ad_visits"):
        w = _window(_read(con, "web_sessions", ["started_at", "is_paid"]), "started_at")
        w["one"], w["paid"] = 1, (w["is_paid"] == True).astype("int64")  # noqa: E712
        res["website_visits"] = monthly(w, "one").fillna(0)
        res["ad_visits"] = monthly(w, "paid").fillna(0)
    if need("abandoned_carts", "cart_abandonment_rate"):
        c = _window(_read(con, "carts", ["created_at", "order_id"]), "created_at")
        c["one"], c["ab"] = 1, c["order_id"].isna().astype("int64")
        res["abandoned_carts"] = monthly(c, "ab").fillna(0)
        res["cart_abandonment_rate"] = _div(res["abandoned_carts"], monthly(c, "one"))
    if need("returns", "exchanges", "return_rate"):
        r = _read(con, "returns", ["returned_at", "order_id", "kind"])
        rw = _window(r, "returned_at")
        rw["r"], rw["x"] = (rw["kind"] == "return").astype(int), (rw["kind"] == "exchange")
        res["returns"] = monthly(rw, "r").fillna(0)
        res["exchanges"] = monthly(rw.assign(x=rw["x"].astype(int)), "x").fillna(0)
        if "return_rate" in wanted:
            o = _read(con, "orders", ["order_id", "ordered_at", "status"])
            ok = o["status"].isna() | (o["status"] != "cancelled")
            rr = r[(r["kind"] == "return") & (r["returned_at"] < pd.Timestamp(AS_OF))]
            rr = rr.merge(o[ok][["order_id", "ordered_at"]], on="order_id")
            rr = _window(rr, "ordered_at")
            ow = _window(o[ok], "ordered_at").assign(one=1)
            res["return_rate"] = _div(
                monthly(rr, "order_id", "nunique").fillna(0), monthly(ow, "one")
            )
    if need("complaints", "complaints_per_100_orders"):
        c = _window(_read(con, "complaints", ["opened_at"]), "opened_at").assign(one=1)
        res["complaints"] = monthly(c, "one").fillna(0)
        if "complaints_per_100_orders" in wanted:
            o = _read(con, "orders", ["ordered_at", "status"])
            o = _window(o[o["status"].isna() | (o["status"] != "cancelled")], "ordered_at")
            res["complaints_per_100_orders"] = 100 * _div(
                res["complaints"], monthly(o.assign(one=1), "one")
            )
    if need("non_payment_rate"):
        i = _window(
            _read(con, "invoices", ["due_at", "amount", "paid_amount", "paid_at", "written_off"]),
            "due_at",
        )
        bad = (i["written_off"] == True) | i["paid_at"].isna()  # noqa: E712
        i["unpaid"] = (i["amount"] - i["paid_amount"].fillna(0)).where(bad, 0.0)
        res["non_payment_rate"] = _div(monthly(i, "unpaid").fillna(0), monthly(i, "amount"))
    if need("csat", "nps"):
        s = _window(_read(con, "satisfaction", ["responded_at", "score", "scale"]), "responded_at")
        cs, ns = s["scale"] == "csat_5", s["scale"] == "nps_10"
        s["c_ok"] = (cs & (s["score"] >= 4)).astype(int)
        s["c_n"], s["nps_n"] = cs.astype(int), ns.astype(int)
        s["nps_s"] = np.where(s["score"] >= 9, 1, np.where(s["score"] <= 6, -1, 0)) * ns
        res["csat"] = _div(monthly(s, "c_ok"), monthly(s, "c_n"))
        res["nps"] = 100 * _div(monthly(s, "nps_s"), monthly(s, "nps_n"))
    if need(
        "active_customers",
        "active_target_customers",
        "customer_portfolio_growth",
        "new_customers",
        "customers_won",
        "customers_lost",
        "net_customer_growth",
        "lost_to_won_ratio",
        "customer_lifetime_days",
    ):
        customers_pandas(con, res, monthly)


def customers_pandas(
    con: duckdb.DuckDBPyConnection, res: dict[str, pd.Series], monthly: Callable[..., pd.Series]
) -> None:
    o = _read(con, "orders", ["customer_id", "ordered_at", "status"])
    o = o[
        o["customer_id"].notna()
        & (o["ordered_at"] < pd.Timestamp(AS_OF))
        & (o["status"].isna() | (o["status"] != "cancelled"))
    ]
    o = o.sort_values(["customer_id", "ordered_at"], kind="stable")[["customer_id", "ordered_at"]]
    gap = o["ordered_at"] - o.groupby("customer_id")["ordered_at"].shift()
    o["spell"] = (gap.isna() | (gap > pd.Timedelta(days=CHURN_DAYS))).astype("int64")
    o["spell"] = o.groupby("customer_id")["spell"].cumsum()
    sp = (
        o.groupby(["customer_id", "spell"], sort=False)["ordered_at"]
        .agg(started_at="min", last_order_at="max")
        .reset_index()
    )
    del o
    lost = sp["last_order_at"] + pd.Timedelta(days=CHURN_DAYS)
    sp["lost_at"] = lost.where(lost < pd.Timestamp(AS_OF))
    cust = _read(con, "customers", ["customer_id", "is_target_audience"])
    sp = sp.merge(cust, on="customer_id", how="left")
    # active at a cutoff: started before it and not lost before it
    cut = np.array(
        [min(m + pd.DateOffset(months=1), pd.Timestamp(AS_OF)) for m in MONTHS],
        dtype="datetime64[ns]",
    )

    def active(frame: pd.DataFrame) -> pd.Series:
        starts = np.sort(frame["started_at"].to_numpy("datetime64[ns]"))
        losts = np.sort(frame["lost_at"].dropna().to_numpy("datetime64[ns]"))
        n = np.searchsorted(starts, cut, "left") - np.searchsorted(losts, cut, "left")
        # a customer's spells never overlap (next start > last order + churn days = lost_at),
        # so counting spells equals counting distinct customers
        return pd.Series(n.astype("float64"), index=pd.Index(MONTHS, name="period"))

    res["active_customers"] = active(sp)
    res["active_target_customers"] = active(sp[sp["is_target_audience"] == True])  # noqa: E712
    res["customer_portfolio_growth"] = (
        _div(res["active_customers"], res["active_customers"].shift(1)) - 1
    )
    won = _window(sp, "started_at")
    won["one"] = 1
    won["new"] = (won["spell"] == 1).astype(int)
    res["customers_won"] = monthly(won, "one").fillna(0)
    res["new_customers"] = monthly(won, "new").fillna(0)
    ls = _window(sp[sp["lost_at"].notna()], "lost_at")
    ls["one"] = 1
    ls["life"] = (ls["last_order_at"] - ls["started_at"]).dt.total_seconds() / 86400.0
    res["customers_lost"] = monthly(ls, "one").fillna(0)
    res["customer_lifetime_days"] = monthly(ls, "life", "mean")
    res["net_customer_growth"] = res["customers_won"] - res["customers_lost"]
    res["lost_to_won_ratio"] = _div(res["customers_lost"], res["customers_won"])


# ---------------------------------------------------------------------------------
# child: run one approach, time it, dump its result
# ---------------------------------------------------------------------------------

RUNNERS = {"onpace": run_onpace, "sql": run_sql, "pandas": run_pandas}


def normalize_onpace(df: pd.DataFrame, by_rep: bool) -> pd.DataFrame:
    keys = ["period", "rep"] if by_rep else ["period"]
    out = df[["kpi", *keys, "value"]].copy()
    out["period"] = pd.to_datetime(out["period"]).dt.date
    return _finish(out, keys)


class PeakRss:
    """RSS high-water mark of this process, sampled every 10 ms in a thread.

    (``ru_maxrss`` is not used: a child forked from the parent inherits its high-water mark.)
    """

    def __init__(self) -> None:
        import psutil

        self._proc = psutil.Process()
        self.peak = self._proc.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, self._proc.memory_info().rss)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return max(self.peak, self._proc.memory_info().rss)


def child(args: argparse.Namespace) -> None:
    path = Path(args.db)
    by_rep = args.scenario == "rep"
    names = args.kpis.split(",") if args.kpis else catalog_names(by_rep)
    if by_rep:
        names = [n for n in names if n in set(catalog_names(True))]
    fn = RUNNERS[args.only]
    sampler = PeakRss()
    times = []
    result = pd.DataFrame()
    for _ in range(args.repeat + (1 if args.warmup else 0)):
        t0 = time.perf_counter()
        result = fn(path, names, by_rep)
        times.append(time.perf_counter() - t0)
    if args.only == "onpace":
        result = normalize_onpace(result, by_rep)
    timed = times[1:] if args.warmup else times
    result.to_pickle(args.out)
    peak = sampler.stop()
    print(
        json.dumps(
            {
                "approach": args.only,
                "scenario": args.scenario,
                "seconds": min(timed),
                "all_seconds": times,
                "peak_rss_mib": peak / 2**20,
                "rows": len(result),
                "kpis": len(names),
            }
        )
    )


# ---------------------------------------------------------------------------------
# parent: orchestrate and compare
# ---------------------------------------------------------------------------------


def compare(frames: dict[str, pd.DataFrame], by_rep: bool) -> list[dict[str, object]]:
    keys = ["kpi", "period", "rep"] if by_rep else ["kpi", "period"]
    ref = frames["onpace"].copy()
    issues: list[dict[str, object]] = []
    for other in ("sql", "pandas"):
        o = frames[other].copy()
        for f in (ref, o):
            if by_rep:
                f["rep"] = f["rep"].astype(object).where(f["rep"].notna(), "<null>")
        m = ref.merge(o, on=keys, how="outer", suffixes=("_onpace", "_other"), indicator=True)
        for kpi, g in m.groupby("kpi"):
            only_l = int((g["_merge"] == "left_only").sum())
            only_r = int((g["_merge"] == "right_only").sum())
            b = g[g["_merge"] == "both"]
            a, c = b["value_onpace"].to_numpy(float), b["value_other"].to_numpy(float)
            nan_diff = int((np.isnan(a) != np.isnan(c)).sum())
            both = ~np.isnan(a) & ~np.isnan(c)
            close = np.isclose(a[both], c[both], rtol=RTOL, atol=1e-9)
            bad = int((~close).sum())
            if only_l or only_r or nan_diff or bad:
                rel = np.abs(a[both] - c[both]) / np.maximum(np.abs(c[both]), 1e-12)
                ex = b[both][~close].head(3)
                issues.append(
                    {
                        "vs": other,
                        "kpi": kpi,
                        "rows_only_onpace": only_l,
                        "rows_only_other": only_r,
                        "nan_mismatch": nan_diff,
                        "value_mismatch": bad,
                        "max_rel_diff": float(rel.max()) if len(rel) else 0.0,
                        "examples": ex[[*keys[1:], "value_onpace", "value_other"]]
                        .astype(str)
                        .to_dict("records"),
                    }
                )
    return issues


def parent(args: argparse.Namespace) -> None:
    path = data_path(args)
    gen = ensure_data(path, args.orders)
    con = duckdb.connect(str(path), read_only=True)
    sizes = {
        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
        for (t,) in con.execute("SHOW TABLES").fetchall()
    }
    con.close()
    print(
        f"data: {path} ({path.stat().st_size / 2**20:.0f} MiB"
        f"{f', generated in {gen:.0f}s' if gen else ', reused'})"
    )
    print("rows: " + ", ".join(f"{k}={v:,}" for k, v in sorted(sizes.items())))
    scenarios = ["overall", "rep"] if args.by_rep else ["overall"]
    report: dict[str, dict[str, dict[str, float]]] = {}
    all_issues: dict[str, list[dict[str, object]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for sc in scenarios:
            frames = {}
            report[sc] = {}
            for ap in APPROACHES:
                out = Path(tmp) / f"{sc}_{ap}.pkl"
                cmd = [
                    sys.executable,
                    __file__,
                    "--only",
                    ap,
                    "--scenario",
                    sc,
                    "--db",
                    str(path),
                    "--out",
                    str(out),
                    "--repeat",
                    str(args.repeat),
                ]
                if args.kpis:
                    cmd += ["--kpis", args.kpis]
                if not args.warmup:
                    cmd.append("--no-warmup")
                proc = subprocess.run(
                    cmd,
                    capture_output=True,
                    text=True,
                    env={**os.environ, "PYTHONWARNINGS": "ignore"},
                )
                if proc.returncode:
                    print(proc.stderr[-3000:])
                    raise SystemExit(f"{ap}/{sc} failed")
                info = json.loads(proc.stdout.strip().splitlines()[-1])
                report[sc][ap] = info
                frames[ap] = pd.read_pickle(out)
                print(
                    f"  {sc:8s} {ap:7s} {info['seconds']:8.2f}s  (runs "
                    f"{', '.join(f'{s:.2f}' for s in info['all_seconds'])})  "
                    f"peak RSS {info['peak_rss_mib']:.0f} MiB  rows {info['rows']}",
                    flush=True,
                )
            all_issues[sc] = compare(frames, sc == "rep")
    print()
    print(
        f"orders={args.orders:,}  as_of={AS_OF:%Y-%m-%d}  grain=month 2023-01..2025-12  "
        f"best of {args.repeat}{' after warm-up' if args.warmup else ''}"
    )
    head = (
        f"{'scenario':9s} {'KPIs':>4s} {'onpace s':>9s} {'SQL s':>7s} {'pandas s':>9s} "
        f"{'onp/SQL':>8s} {'pd/onp':>7s} {'RSS onp':>8s} {'RSS SQL':>8s} {'RSS pd':>7s}"
    )
    print(head)
    print("-" * len(head))
    for sc, r in report.items():
        on, sq, pdn = (r[a]["seconds"] for a in APPROACHES)
        rss = [r[a]["peak_rss_mib"] for a in APPROACHES]
        print(
            f"{sc:9s} {r['onpace']['kpis']:4d} {on:9.2f} {sq:7.2f} {pdn:9.2f} "
            f"{on / sq:7.2f}{'*' if on / sq > 1.5 else ' '} {pdn / on:6.2f}"
            f"{'*' if pdn / on < 5 else ' '} {rss[0]:7.0f}M {rss[1]:7.0f}M {rss[2]:6.0f}M"
        )
    print("(* = misses the goal: onpace/SQL <= 1.5, pandas/onpace >= 5)")
    print()
    for sc, issues in all_issues.items():
        if not issues:
            print(f"{sc}: all three approaches agree (rtol {RTOL}, NaN positions equal)")
            continue
        print(f"{sc}: DISAGREEMENTS")
        for i in issues:
            print(
                f"  onpace vs {i['vs']}: {i['kpi']}: only-onpace rows {i['rows_only_onpace']},"
                f" only-{i['vs']} rows {i['rows_only_other']}, NaN mismatches "
                f"{i['nan_mismatch']}, value mismatches {i['value_mismatch']} "
                f"(max rel diff {i['max_rel_diff']:.3g})"
            )
            for e in i["examples"]:  # type: ignore[attr-defined]
                print(f"      {e}")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"report": report, "issues": all_issues, "sizes": sizes}, indent=2, default=str
            )
        )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--orders", type=int, default=1_000_000)
    p.add_argument(
        "--by-rep",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also run the by-rep scenario (default: yes)",
    )
    p.add_argument("--data-dir", help="cache the generated DuckDB file here")
    p.add_argument("--kpis", help="comma-separated subset of KPI names")
    p.add_argument("--repeat", type=int, default=2, help="timed runs; the best is reported")
    p.add_argument("--warmup", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("--json", help="write the report as JSON here")
    p.add_argument("--only", choices=APPROACHES, help=argparse.SUPPRESS)
    p.add_argument(
        "--scenario", choices=("overall", "rep"), default="overall", help=argparse.SUPPRESS
    )
    p.add_argument("--db", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.only:
        child(args)
    else:
        parent(args)


if __name__ == "__main__":
    main()
