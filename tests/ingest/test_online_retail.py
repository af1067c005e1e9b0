"""The example workspace on real data: monthly KPIs against an independent pandas computation.

examples/online-retail maps the Online Retail II export (invoice lines; invoices
starting with "C" are cancellations) onto orders, returns and customers. The test
ingests it, computes revenue, orders, average order value, new and returning
customers, returns and return rate per month with onpace, and recomputes them
here from the CSV with pandas, following the rules sources.yml states:

- an order is an invoice not starting with "C"; its amount is the sum of
  round(Quantity x Price, 2) over its lines; its time is its first line's; its
  customer the first customer id on its lines;
- a line with a negative amount (bad-debt adjustments) is quarantined, and with it
  every line of its invoice;
- a return is a "C" invoice, counted in the month of its first line;
- a customer is new in the month of their first order; returning customers are
  the month's distinct buying customers who are not new;
- return rate = returns / orders of the same month.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from onpace.workspace import Workspace
from tests.ingest.helpers import ingest

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "online-retail"
# the shared datasets sit next to the checkout (or next to the folder of checkouts)
FULL = next(
    (
        p
        for p in (
            base / "shared" / "datasets" / "online_retail_ii" / "online_retail_ii_2009_2010.csv.gz"
            for base in (REPO.parent, REPO.parent.parent)
        )
        if p.exists()
    ),
    REPO.parent / "shared" / "datasets" / "online_retail_ii" / "online_retail_ii_2009_2010.csv.gz",
)
KPIS = [
    "revenue",
    "orders",
    "average_order_value",
    "new_customers",
    "returning_customers",
    "returns",
    "return_rate",
]


def expected(csv: Path) -> tuple[pd.DataFrame, int, int]:
    """Monthly KPIs, rows read and rows quarantined, computed with pandas alone."""
    lines = pd.read_csv(
        csv,
        dtype={"Invoice": str, "StockCode": str, "Customer ID": "Int64", "Price": str},
        keep_default_na=True,
    )
    lines["Customer ID"] = lines["Customer ID"].astype("string")
    lines["at"] = pd.to_datetime(lines["InvoiceDate"], format="%Y-%m-%d %H:%M:%S")
    # exact, as the file gives it: prices such as 0.001 are not rounded to cents
    lines["line_amount"] = [
        Decimal(int(q)) * Decimal(p) for q, p in zip(lines["Quantity"], lines["Price"], strict=True)
    ]
    cancel = lines["Invoice"].str.startswith("C")
    sales = lines[~cancel]
    bad_invoices = set(sales.loc[sales["line_amount"] < 0, "Invoice"])
    quarantined = int(sales["Invoice"].isin(bad_invoices).sum())
    sales = sales[~sales["Invoice"].isin(bad_invoices)]
    orders = sales.groupby("Invoice", sort=False).agg(
        at=("at", "min"),
        amount=("line_amount", lambda v: sum(v, Decimal(0))),
        customer=("Customer ID", "first"),
    )
    orders["month"] = orders["at"].dt.to_period("M")
    returns = lines[cancel].groupby("Invoice").agg(at=("at", "min"))
    returns["month"] = returns["at"].dt.to_period("M")
    known = orders.dropna(subset=["customer"])
    first_month = known.groupby("customer")["month"].min()
    monthly = pd.DataFrame(
        {
            "revenue": orders.groupby("month")["amount"].agg(lambda v: float(sum(v, Decimal(0)))),
            "orders": orders.groupby("month").size(),
            "new_customers": first_month.value_counts(),
            "buying": known.groupby("month")["customer"].nunique(),
            "returns": returns.groupby("month").size(),
        }
    ).fillna(0)
    monthly["average_order_value"] = monthly["revenue"] / monthly["orders"]
    monthly["returning_customers"] = monthly["buying"] - monthly["new_customers"]
    monthly["return_rate"] = monthly["returns"] / monthly["orders"]
    monthly.index = monthly.index.astype(str)
    return monthly, len(lines), quarantined


def _check(tmp_path: Path, csv: Path) -> None:
    root = tmp_path / "online-retail"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("warehouse.duckdb*"))
    if csv != EXAMPLE / "data" / "excerpt.csv":
        sources = (root / "sources.yml").read_text(encoding="utf-8")
        (root / "sources.yml").write_text(
            sources.replace("data/excerpt.csv", str(csv)), encoding="utf-8"
        )
        # the shared data set stays where it is: its folder is allowed explicitly
        config = (root / "onpace.yml").read_text(encoding="utf-8")
        (root / "onpace.yml").write_text(
            config + f"ingest:\n  allowed_dirs: [{json.dumps(str(csv.parent))}]\n",
            encoding="utf-8",
        )
    result = ingest(root, now=dt.datetime(2011, 1, 1))
    want, read, quarantined = expected(csv)
    assert (result.read, result.quarantined) == (read, quarantined)
    assert result.loaded == read - quarantined
    ws = Workspace.open(root)
    assert not ws.errors
    got = ws.compute(
        KPIS, grain="month", start="2009-12", end="2010-12", as_of=dt.datetime(2011, 1, 1)
    )
    ws.warehouse.backend.disconnect()
    table = got.pivot(index="period_label", columns="kpi", values="value")
    assert list(table.index) == list(want.index)
    for kpi in KPIS:
        pd.testing.assert_series_equal(
            table[kpi].astype(float), want[kpi].astype(float), check_names=False, rtol=1e-12
        )


def test_excerpt(tmp_path: Path) -> None:
    _check(tmp_path, EXAMPLE / "data" / "excerpt.csv")


def test_excerpt_numbers_by_hand() -> None:
    """Values of the excerpt worked out with the csv module and Decimal: checks the pandas code."""
    want, read, quarantined = expected(EXAMPLE / "data" / "excerpt.csv")
    assert (read, quarantined) == (5112, 3)  # three "Adjust bad debt" lines (A invoices)
    # December 2009: 20 orders worth 6,712.86; 4 cancellation invoices
    assert want.loc["2009-12", "orders"] == 20
    assert want.loc["2009-12", "revenue"] == pytest.approx(6712.86)
    assert want.loc["2009-12", "returns"] == 4


def test_compressed_excerpt(tmp_path: Path) -> None:
    """A gzipped export: read through a copy that the run deletes, and nothing of the
    reading (no view over that copy) stays in the warehouse for the KPI refresh to trip on."""
    packed = tmp_path / "excerpt.csv.gz"
    packed.write_bytes(gzip.compress((EXAMPLE / "data" / "excerpt.csv").read_bytes()))
    _check(tmp_path, packed)
    con = duckdb.connect(str(tmp_path / "online-retail" / "warehouse.duckdb"), read_only=True)
    try:
        views = con.execute(
            "SELECT view_name FROM duckdb_views() WHERE NOT internal AND view_name LIKE '_onpace%'"
        ).fetchall()
    finally:
        con.close()
    assert views == []


def test_views_an_earlier_version_left_are_dropped(tmp_path: Path) -> None:
    """A reading view left in the warehouse file by an earlier version, over a file
    that is gone, is removed by the next ingest instead of breaking it."""
    _check(tmp_path, EXAMPLE / "data" / "excerpt.csv")
    gone = tmp_path / "gone.csv"
    gone.write_text("a\n1\n", encoding="utf-8")
    warehouse = tmp_path / "online-retail" / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute(f"CREATE VIEW _onpace_raw_shop_1_v AS SELECT * FROM read_csv('{gone}')")
    con.close()
    gone.unlink()
    result = ingest(tmp_path / "online-retail", now=dt.datetime(2011, 1, 1), force=True)
    assert result.loaded == 5112 - 3
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        left = con.execute(
            "SELECT count(*) FROM duckdb_views() WHERE view_name = '_onpace_raw_shop_1_v'"
        ).fetchone()
    finally:
        con.close()
    assert left == (0,)


@pytest.mark.skipif(not FULL.exists(), reason=f"the full data set is not at {FULL}")
def test_full_file(tmp_path: Path) -> None:
    _check(tmp_path, FULL)


def test_python_api_ingests_the_example(tmp_path: Path) -> None:
    """``Workspace.ingest()`` does what ``onpace ingest`` does, and a second run changes nothing."""
    import shutil

    from onpace.workspace import Workspace

    root = tmp_path / "online-retail"
    shutil.copytree(Path(__file__).resolve().parents[2] / "examples" / "online-retail", root)
    ws = Workspace.open(root)
    first = ws.ingest()
    assert not first.unchanged
    assert first.read == first.loaded + first.quarantined
    excerpt = pd.read_csv(root / "data" / "excerpt.csv", dtype=str)
    assert first.read == len(excerpt)  # every line of the file is accounted for
    orders = ws.warehouse.table("orders").count().execute()
    assert (
        orders == excerpt.loc[~excerpt["Invoice"].str.startswith(("C", "A")), "Invoice"].nunique()
    )
    second = ws.ingest()
    assert second.unchanged  # the same file again changes nothing
    assert ws.warehouse.table("orders").count().execute() == orders
