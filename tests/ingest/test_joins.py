"""Joins: a source takes columns from another source's rows by key; no row loads half-joined."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from onpace.errors import IngestError
from tests.ingest.helpers import ingest, quarantine, table

HEADERS = (
    "OrderID,OrderDate,SalesRep,CustomerID\n"
    "SO-1,2024-01-05,r1,c1\n"
    "SO-2,2024-01-06,r2,c2\n"
    "SO-3,2024-01-07,r1,c1\n"
    "SO-3,2024-01-08,r1,c1\n"
    ",2024-01-09,r1,c1\n"
)
LINES = (
    "OrderID,Product,Quantity,UnitPrice\n"
    "SO-1,a,2,1.50\n"
    "SO-1,b,1,3.25\n"
    " SO-2 ,a,1,1.50\n"
    "SO-3,a,1,1\n"
    "SO-9,a,1,1\n"
    ",a,1,1\n"
)
SOURCES = """\
sources:
  headers:
    file: headers.csv
  lines:
    file: lines.csv
    join:
      - source: headers
        by: OrderID
        take: [OrderDate, SalesRep, CustomerID]
    entities:
      orders:
        group_by: order_id
        columns:
          order_id: OrderID
          ordered_at: {from: OrderDate, agg: min}
          rep_id: SalesRep
          customer_id: CustomerID
          amount: {expr: "Quantity * UnitPrice", agg: sum}
"""


def test_order_lines_take_date_rep_and_customer_from_their_header(
    make_ws: Callable[..., Path],
) -> None:
    root = make_ws(SOURCES, {"headers.csv": HEADERS, "lines.csv": LINES})
    result = ingest(root)
    by_source = {s.name: (s.read, s.loaded, s.quarantined) for s in result.sources}
    # headers: SO-3 twice and an empty key cannot be looked up; SO-1 and SO-2 can
    assert by_source == {"headers": (5, 2, 3), "lines": (6, 3, 3)}
    orders = table(root, "orders", "order_id")
    assert list(orders["order_id"]) == ["SO-1", "SO-2"]
    # SO-1: 2 x 1.50 + 1 x 3.25 = 6.25; SO-2 (its key had spaces): 1.50
    assert list(orders["amount"]) == [Decimal("6.25"), Decimal("1.50")]
    assert list(orders["rep_id"]) == ["r1", "r2"]
    assert list(orders["customer_id"]) == ["c1", "c2"]
    assert list(orders["ordered_at"]) == [dt.datetime(2024, 1, 5), dt.datetime(2024, 1, 6)]
    assert quarantine(root) == [
        (
            "headers.csv",
            4,
            "OrderID 'SO-3' is in this file more than once: lines cannot tell which row to take",
        ),
        (
            "headers.csv",
            5,
            "OrderID 'SO-3' is in this file more than once: lines cannot tell which row to take",
        ),
        ("headers.csv", 6, "missing OrderID: lines cannot look this row up"),
        ("lines.csv", 5, "OrderID 'SO-3' is in headers 2 times (lines 4 and 5)"),
        ("lines.csv", 6, "OrderID 'SO-9' has no row in headers"),
        ("lines.csv", 7, "missing OrderID: cannot look it up in headers"),
    ]


def test_missing_keep_loads_lines_without_a_header(make_ws: Callable[..., Path]) -> None:
    sources = SOURCES.replace(
        "        by: OrderID\n", "        by: OrderID\n        missing: keep\n"
    )
    sources = sources.replace(
        "ordered_at: {from: OrderDate, agg: min}",
        ("ordered_at: {from: OrderDate, agg: min, default: '2024-01-31'}"),
    )
    root = make_ws(sources, {"headers.csv": HEADERS, "lines.csv": LINES})
    result = ingest(root)
    lines = next(s for s in result.sources if s.name == "lines")
    # SO-9 loads without a header; the ambiguous SO-3 and the empty key still do not
    assert (lines.read, lines.loaded, lines.quarantined) == (6, 4, 2)
    orders = table(root, "orders", "order_id")
    assert list(orders["order_id"]) == ["SO-1", "SO-2", "SO-9"]
    so9 = orders[orders["order_id"] == "SO-9"].iloc[0]
    assert pd.isna(so9["rep_id"]) and so9["ordered_at"] == dt.datetime(2024, 1, 31)


def test_the_later_header_file_wins_and_keys_may_be_composite(
    make_ws: Callable[..., Path],
) -> None:
    sources = """\
    sources:
      headers:
        file: headers-*.csv
      lines:
        file: lines.csv
        join:
          - {source: headers, by: {Shop: Store, Receipt: Receipt}, take: {Day: sold_on}}
        entities:
          orders:
            key: [Shop, Receipt, Line]
            columns: {ordered_at: sold_on, amount: Amount}
    """
    root = make_ws(
        sources,
        {
            "headers-1.csv": "Store,Receipt,Day\n1,100,2024-01-05\n2,100,2024-01-06\n",
            "headers-2.csv": "Store,Receipt,Day\n1,100,2024-02-05\n",  # a correction
            "lines.csv": "Shop,Receipt,Line,Amount\n1,100,1,5\n1,100,2,6\n2,100,1,7\n2,101,1,8\n",
        },
    )
    result = ingest(root)
    assert [(s.name, s.read, s.loaded, s.quarantined) for s in result.sources] == [
        ("headers", 3, 3, 0),
        ("lines", 4, 3, 1),
    ]
    orders = table(root, "orders", "order_id")
    assert list(orders["order_id"]) == ["1|100|1", "1|100|2", "2|100|1"]
    assert [d.date().isoformat() for d in orders["ordered_at"]] == [
        "2024-02-05",
        "2024-02-05",
        "2024-01-06",
    ]
    assert quarantine(root) == [("lines.csv", 5, "Shop '2', Receipt '101' has no row in headers")]


def test_chained_joins_and_sources_that_join_each_other(make_ws: Callable[..., Path]) -> None:
    sources = """\
    sources:
      regions:
        file: regions.csv
      reps:
        file: reps.csv
        join:
          - {source: regions, by: Region, take: [Manager], missing: keep}
        entities:
          salespeople:
            columns: {rep_id: Rep, region: Region, manager: Manager}
      leads:
        file: leads.csv
        join:
          - {source: deals, by: lead_id, take: {won_date: deal_won}, missing: keep}
        entities:
          leads:
            columns: {lead_id: lead_id, created_at: first_contact, converted_at: deal_won}
      deals:
        file: deals.csv
        join:
          - {source: leads, by: lead_id, take: [first_contact]}
          - {source: reps, by: {rep: Rep}, take: [Region]}
        entities:
          quotes:
            columns:
              quote_id: lead_id
              submitted_at: first_contact
              decided_at: won_date
              status: {default: won}
              rep_id: rep
              amount: revenue
    """
    root = make_ws(
        sources,
        {
            "regions.csv": "Region,Manager\nNorth,Mia\n",
            "reps.csv": "Rep,Region\nr1,North\nr2,South\n",
            "leads.csv": "lead_id,first_contact\nL1,2024-01-02\nL2,2024-01-03\nL3,2024-01-04\n",
            "deals.csv": (
                "lead_id,won_date,rep,revenue\nL1,2024-02-01,r1,100\nL4,2024-02-02,r2,50\n"
            ),
        },
    )
    result = ingest(root)
    accounting = {s.name: (s.read, s.loaded, s.quarantined) for s in result.sources}
    assert accounting == {
        "regions": (1, 1, 0),
        "reps": (2, 2, 0),
        "leads": (3, 3, 0),
        "deals": (2, 1, 1),
    }
    reps = table(root, "salespeople", "rep_id")
    assert [None if pd.isna(m) else m for m in reps["manager"]] == [
        "Mia",
        None,
    ]  # South has no manager: kept (missing: keep)
    leads = table(root, "leads", "lead_id")
    assert [
        None if v is None or v != v else v.date().isoformat() for v in leads["converted_at"]
    ] == [
        "2024-02-01",
        None,
        None,
    ]
    quotes = table(root, "quotes")
    assert list(quotes["quote_id"]) == ["L1"] and list(quotes["submitted_at"]) == [
        dt.datetime(2024, 1, 2)
    ]
    assert quarantine(root) == [("deals.csv", 3, "lead_id 'L4' has no row in leads")]


def test_join_errors_point_at_sources_yml(make_ws: Callable[..., Path]) -> None:
    root = make_ws(
        SOURCES.replace("take: [OrderDate, SalesRep, CustomerID]", "take: [OrderDat]"),
        {"headers.csv": HEADERS, "lines.csv": LINES},
    )
    with pytest.raises(IngestError) as info:
        ingest(root)
    issue = info.value.issues[0]
    assert (issue.line, issue.field) == (9, "sources.lines.join.0.take")
    assert issue.message == (
        "source 'headers' has no column 'OrderDat'. Did you mean 'OrderDate' or 'OrderID'?"
    )
    clash = SOURCES.replace("take: [OrderDate, SalesRep, CustomerID]", "take: [OrderID]")
    root = make_ws(
        clash.replace("by: OrderID", "by: {OrderID: OrderID}"),
        {"headers.csv": HEADERS, "lines.csv": LINES},
    )
    with pytest.raises(IngestError, match="source 'lines' has a column 'OrderID' already"):
        ingest(root)
