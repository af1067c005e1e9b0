"""Keys for keyless files, unknown references by policy, dates from related rows, legit gaps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from tests.ingest.helpers import ingest, quarantine, table


def test_row_number_and_composite_keys(make_ws: Callable[..., Path]) -> None:
    sources = """\
    sources:
      till:
        file: till.csv
        entities:
          orders:
            key: [Date, Register, Receipt]
            columns: {ordered_at: Date, amount: Total}
      costs:
        file: costs.csv
        entities:
          costs:
            key: row_number
            columns: {incurred_on: day, amount: amount}
    """
    root = make_ws(
        sources,
        {
            "till.csv": "Date,Register,Receipt,Total\n2024-01-05,1,7,10\n2024-01-05,2,7,11\n"
            "2024-01-05,1,7,12\n2024-01-05,,8,13\n2024-01-06,a|b,9,14\n",
            "costs.csv": "day,amount\n2024-01-01,5\n\n2024-01-02,6\n",
        },
    )
    result = ingest(root)
    assert list(table(root, "orders", "order_id")["order_id"]) == [
        "2024-01-05|1|7",
        "2024-01-05|2|7",
        "2024-01-06|a\\|b|9",  # a '|' inside a value is escaped, so keys cannot collide
    ]
    assert quarantine(root) == [
        ("till.csv", 4, "orders: duplicate order_id '2024-01-05|1|7' (first at line 2)"),
        (
            "till.csv",
            5,
            "orders: missing order_id (from Date, Register, Receipt: one of them is empty)",
        ),
    ]
    # the blank line counts: the second cost is on line 4 of the file
    assert list(table(root, "costs", "cost_id")["cost_id"]) == ["costs.csv:2", "costs.csv:4"]
    assert result.quarantined == 2


ORDERS = "id,at,amount,customer,rep\no1,2024-01-05,10,c1,r1\no2,2024-01-06,20,c9,r7\n"
CUSTOMERS = "id,name\nc1,Acme\n"


def _sources(customer: str, rep: str) -> str:
    return f"""\
    sources:
      customers:
        file: customers.csv
        entities:
          customers: {{columns: {{customer_id: id, name: name}}}}
      shop:
        file: orders.csv
        entities:
          orders:
            columns:
              order_id: id
              ordered_at: at
              amount: amount
              customer_id: {{from: customer, unknown: {customer}}}
              rep_id: {{from: rep, unknown: {rep}}}
    """


def test_unknown_references_quarantine_by_default(make_ws: Callable[..., Path]) -> None:
    root = make_ws(
        _sources("quarantine", "quarantine"), {"orders.csv": ORDERS, "customers.csv": CUSTOMERS}
    )
    result = ingest(root)
    assert result.quarantined == 1
    # no source feeds salespeople: rep ids cannot be checked and are kept
    assert quarantine(root) == [
        ("orders.csv", 3, "orders: unknown customer_id 'c9': not in customers")
    ]


def test_unknown_references_load_empty_or_make_stubs(make_ws: Callable[..., Path]) -> None:
    root = make_ws(_sources("empty", "stub"), {"orders.csv": ORDERS, "customers.csv": CUSTOMERS})
    result = ingest(root)
    assert (result.loaded, result.quarantined) == (3, 0)
    orders = table(root, "orders", "order_id")
    assert [None if pd.isna(c) else c for c in orders["customer_id"]] == ["c1", None]
    # no source feeds salespeople, so the stubs make its table
    assert list(table(root, "salespeople", "rep_id")["rep_id"]) == ["r1", "r7"]
    assert result.entities == {"customers": 1, "orders": 2, "salespeople": 2}
    assert (
        "orders: 1 row(s) with an unknown customer_id (1 key(s) not in customers) loaded "
        "with it empty" in result.notes
    )
    assert "salespeople: 2 stub row(s) added for unknown rep_id of 2 orders row(s)" in result.notes


def test_stubs_join_the_rows_other_sources_give(make_ws: Callable[..., Path]) -> None:
    root = make_ws(_sources("stub", "empty"), {"orders.csv": ORDERS, "customers.csv": CUSTOMERS})
    result = ingest(root)
    customers = table(root, "customers", "customer_id")
    assert list(customers["customer_id"]) == ["c1", "c9"]
    assert [None if pd.isna(n) else n for n in customers["name"]] == ["Acme", None]
    assert result.entities["customers"] == 2


def test_a_return_takes_the_date_of_its_order(make_ws: Callable[..., Path]) -> None:
    sources = """\
    sources:
      shop:
        file: orders.csv
        entities:
          orders: {columns: {order_id: id, ordered_at: at, amount: amount}}
      returns:
        file: returns.csv
        entities:
          returns:
            columns:
              return_id: id
              order_id: order
              returned_at: {from: at, format: "%d/%m/%Y", fallback: order.ordered_at}
              amount: refund
    """
    root = make_ws(
        sources,
        {
            "orders.csv": "id,at,amount\no1,2024-01-05 10:30:00,10\no2,2024-01-06,20\n",
            "returns.csv": "id,order,at,refund\nr1,o1,,5\nr2,o2,09/01/2024,6\nr3,o9,,7\n"
            "r4,o2,31/02/2024,1\n",
        },
    )
    ingest(root)
    returns = table(root, "returns", "return_id")
    assert list(returns["return_id"]) == ["r1", "r2"]
    assert list(returns["returned_at"]) == [
        dt.datetime(2024, 1, 5, 10, 30),
        dt.datetime(2024, 1, 9),
    ]
    assert quarantine(root) == [
        (
            "returns.csv",
            4,
            "returns: missing returned_at (column at, nor in order.ordered_at)",
        ),
        (
            "returns.csv",
            5,
            "returns: cannot read '31/02/2024' in at as a date (expected %d/%m/%Y)",
        ),
    ]


def test_open_pipeline_may_have_no_date(make_ws: Callable[..., Path]) -> None:
    sources = """\
    sources:
      crm:
        file: deals.csv
        entities:
          quotes:
            columns:
              quote_id: id
              submitted_at: {from: engaged, allow_missing: "stage = 'Prospecting'"}
              status: {from: stage, map: {Prospecting: open, Won: won}}
    """
    root = make_ws(
        sources,
        {"deals.csv": "id,engaged,stage\nd1,2024-01-05,Won\nd2,,Prospecting\nd3,,Won\n"},
    )
    result = ingest(root)
    assert (result.loaded, result.quarantined) == (2, 1)
    assert list(table(root, "quotes", "quote_id")["quote_id"]) == ["d1", "d2"]
    assert quarantine(root) == [("deals.csv", 4, "quotes: missing submitted_at (column engaged)")]
