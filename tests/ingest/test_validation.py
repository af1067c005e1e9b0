"""Every row is loaded or quarantined with its file, line and reason; derived entities."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pandas as pd

from tests.ingest.helpers import ingest, quarantine, table

SOURCES = """\
sources:
  customers:
    file: customers.csv
    entities:
      customers:
        columns: {customer_id: id, name: name, segment: {from: segment, default: smb}}
  orders:
    file: orders/*.csv
    entities:
      orders:
        columns:
          order_id: id
          ordered_at: date
          amount: {from: amount, min: 0, max: 10000}
          customer_id: customer
          quantity: qty
"""

CUSTOMERS = "id,name,segment\nc1,Acme,enterprise\nc2,Bolt,\n"


def test_each_reason_with_its_line(make_ws: Callable[..., Path]) -> None:
    orders = (
        "id,date,amount,customer,qty\n"
        "o1,2024-01-05,100.00,c1,1\n"  # line 2: fine
        ",2024-01-06,5,c1,1\n"  # 3: missing key
        "o3,,5,c1,1\n"  # 4: missing required date
        "o4,2024-13-01,5,c1,1\n"  # 5: unparseable date
        "o5,2024-01-07,abc,c1,1\n"  # 6: unparseable number
        "o1,2024-01-08,7,c2,1\n"  # 7: duplicate of line 2
        "o7,2024-01-09,7,c9,1\n"  # 8: unknown customer
        "o8,2024-01-10,-1,c1,1\n"  # 9: below minimum
        "o9,2024-01-11,20000,c2,1\n"  # 10: above maximum
        "o10,2030-01-01,5,c2,1\n"  # 11: in the future
        "o11,2024-01-12,5,c2,1.5\n"  # 12: not a whole number
        "o12,2024-01-13,50,,2\n"  # 13: fine (guest)
    )
    root = make_ws(SOURCES, {"customers.csv": CUSTOMERS, "orders/2024-01.csv": orders})
    result = ingest(root)
    assert (result.read, result.loaded, result.quarantined) == (14, 4, 10)
    by_source = {s.name: (s.read, s.loaded, s.quarantined) for s in result.sources}
    assert by_source == {"customers": (2, 2, 0), "orders": (12, 2, 10)}
    f = "orders/2024-01.csv"
    assert quarantine(root) == [
        (f, 3, "orders: missing order_id (column id)"),
        (f, 4, "orders: missing ordered_at (column date)"),
        (f, 5, "orders: cannot read '2024-13-01' in date as a date"),
        (f, 6, "orders: cannot read 'abc' in amount as a number"),
        (f, 7, "orders: duplicate order_id 'o1' (first at line 2)"),
        (f, 8, "orders: unknown customer_id 'c9': not in customers"),
        (f, 9, "orders: amount '-1' is below the minimum 0"),
        (f, 10, "orders: amount '20000' is above the maximum 10000"),
        (f, 11, "orders: ordered_at '2030-01-01 00:00:00' is in the future"),
        (f, 12, "orders: cannot read '1.5' in qty as a whole number"),
    ]
    loaded = table(root, "orders", "order_id")
    assert list(loaded["order_id"]) == ["o1", "o12"]
    assert list(loaded["amount"]) == [Decimal("100.00"), Decimal("50.00")]
    assert list(table(root, "customers", "customer_id")["segment"]) == ["enterprise", "smb"]
    assert result.entities == {"customers": 2, "orders": 2}


def test_lines_group_into_orders_and_cancellations_become_returns(
    make_ws: Callable[..., Path],
) -> None:
    sources = """\
    sources:
      shop:
        file: lines.csv
        entities:
          orders:
            where: "Invoice not like 'C%'"
            group_by: order_id
            columns:
              order_id: Invoice
              ordered_at: {from: Date, agg: min}
              amount: {expr: "Qty * Price", agg: sum, min: 0}
              quantity: {from: Qty, agg: sum}
              customer_id: Customer
          returns:
            where: "Invoice like 'C%'"
            group_by: return_id
            columns:
              return_id: Invoice
              returned_at: {from: Date, agg: min}
              amount: {expr: "-(Qty * Price)", agg: sum}
              kind: {default: return}
          customers:
            where: "Customer is not null and Invoice not like 'C%'"
            group_by: customer_id
            columns:
              customer_id: Customer
              first_seen_at: {from: Date, agg: min}
              country: {from: Country, agg: last}
    """
    lines = (
        "Invoice,Date,Qty,Price,Customer,Country\n"
        "100,2024-01-02 10:00,2,1.50,c1,NL\n"  # 2
        "100,2024-01-02 10:01,1,10.00,c1,NL\n"  # 3  -> order 100 = 13.00, qty 3
        "101,2024-01-03 09:00,4,2.50,,UK\n"  # 4  -> guest order 101 = 10.00
        "102,2024-02-01 12:00,1,5.00,c1,BE\n"  # 5  -> order 102 = 5.00
        "103,2024-02-02 12:00,1,5.00,c2,DE\n"  # 6
        "103,2024-02-02 12:00,1,-9.00,c2,DE\n"  # 7  bad line: all of order 103 out
        "C104,2024-02-05 08:00,-1,10.00,c1,NL\n"  # 8  -> return C104 = 10.00
    )
    root = make_ws(sources, {"lines.csv": lines})
    result = ingest(root)
    assert (result.read, result.loaded, result.quarantined) == (7, 5, 2)
    assert quarantine(root) == [
        ("lines.csv", 6, "orders: another line of order_id '103' was quarantined (line 7)"),
        ("lines.csv", 7, "orders: amount '-9' is below the minimum 0"),
    ]
    orders = table(root, "orders", "order_id")
    assert list(orders["order_id"]) == ["100", "101", "102"]
    assert list(orders["amount"]) == [Decimal("13.00"), Decimal("10.00"), Decimal("5.00")]
    assert list(orders["quantity"]) == [3, 4, 1]
    assert list(orders["ordered_at"]) == [
        pd.Timestamp("2024-01-02 10:00"),
        pd.Timestamp("2024-01-03 09:00"),
        pd.Timestamp("2024-02-01 12:00"),
    ]
    assert list(orders["customer_id"].fillna("-")) == ["c1", "-", "c1"]
    returns = table(root, "returns")
    assert list(returns["return_id"]) == ["C104"]
    assert list(returns["amount"]) == [Decimal("10.00")] and list(returns["kind"]) == ["return"]
    customers = table(root, "customers")
    # c2's only order was quarantined, so c2 is not a customer yet
    assert list(customers["customer_id"]) == ["c1"]
    assert list(customers["first_seen_at"]) == [pd.Timestamp("2024-01-02 10:00")]
    assert list(customers["country"]) == ["BE"]  # agg: last


def test_rows_no_where_takes_are_quarantined(make_ws: Callable[..., Path]) -> None:
    root = make_ws(
        """\
        sources:
          s:
            file: d.csv
            entities:
              orders:
                where: "kind = 'sale'"
                columns: {order_id: id, ordered_at: at, amount: amt}
              returns:
                where: "kind = 'refund'"
                columns: {return_id: id, returned_at: at, amount: amt}
        """,
        {
            "d.csv": (
                "id,kind,at,amt\n1,sale,2024-01-01,5\n2,refund,2024-01-02,3\n3,void,2024-01-03,1\n"
            )
        },
    )
    result = ingest(root)
    assert (result.read, result.loaded, result.quarantined) == (3, 2, 1)
    assert quarantine(root) == [("d.csv", 4, "no entity takes this row (it matches no 'where')")]


def test_line_numbers_past_blank_lines(make_ws: Callable[..., Path]) -> None:
    root = make_ws(
        """\
        sources:
          s:
            file: o.csv
            entities:
              orders: {columns: {order_id: id, ordered_at: at, amount: amt}}
        """,
        {
            "o.csv": "id,at,amt\r\n\r\no1,2024-01-01,5\r\n\r\n\r\no2,2024-01-02,x\r\n"
            "\r\no3,bad,1\r\n"
        },
    )
    result = ingest(root)
    assert (result.read, result.loaded, result.quarantined) == (3, 1, 2)
    assert quarantine(root) == [
        ("o.csv", 6, "orders: cannot read 'x' in amt as a number"),
        ("o.csv", 8, "orders: cannot read 'bad' in at as a date"),
    ]
