"""Readers and typing: encodings, delimiters, European numbers and dates, Excel, Parquet, JSONL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pandas as pd

from tests.ingest.helpers import ingest, quarantine, table

ORDERS_EU = """\
sources:
  crm:
    file: data/auftraege.csv
    decimal: ","
    entities:
      orders:
        columns:
          order_id: Auftrag
          ordered_at: {from: Datum, format: "%d-%m-%Y"}
          amount: Betrag
          customer_id: Kunde
          status: {from: Status, map: {"Closed Won": completed, "Closed Lost": cancelled}}
"""


def test_windows_1252_semicolons_european_numbers_and_dates(make_ws: Callable[..., Path]) -> None:
    text = (
        "Auftrag;Datum;Betrag;Kunde;Status\r\n"
        "A-1;05-01-2024;1.234,56;Müller & Söhne;Closed Won\r\n"
        "A-2;31-01-2024;12,5;Café €uro;Closed Lost\r\n"
        "A-3;01-02-2024;-0,99;Zoë;Open\r\n"
        'A-4;29-02-2024;"1.000.000,00";"Smith; Jones";Closed Won\r\n'
    )
    root = make_ws(ORDERS_EU, {"data/auftraege.csv": text.encode("cp1252")})
    result = ingest(root)
    assert (result.read, result.loaded, result.quarantined) == (4, 4, 0)
    orders = table(root, "orders", "order_id")
    assert list(orders["amount"]) == [
        Decimal("1234.56"),
        Decimal("12.50"),
        Decimal("-0.99"),
        Decimal("1000000.00"),
    ]
    assert list(orders["customer_id"]) == ["Müller & Söhne", "Café €uro", "Zoë", "Smith; Jones"]
    assert [d.date() for d in orders["ordered_at"]] == [
        dt.date(2024, 1, 5),
        dt.date(2024, 1, 31),
        dt.date(2024, 2, 1),
        dt.date(2024, 2, 29),
    ]
    # mapped values change, values the map does not list pass unchanged
    assert list(orders["status"]) == ["completed", "cancelled", "Open", "completed"]


def test_utf8_bom_and_offsets_converted_to_the_workspace_zone(
    make_ws: Callable[..., Path],
) -> None:
    sources = """\
    sources:
      shop:
        file: orders.csv
        entities:
          orders:
            columns:
              order_id: id
              ordered_at: at
              amount: total
    """
    text = (
        "id,at,total\n"
        "o1,2024-01-31T23:30:00Z,10\n"  # UTC -> 00:30 on 1 February in Amsterdam
        "o2,2024-06-01T10:00:00+02:00,1\n"  # summer time: same wall clock
        "o3,2024-03-05 09:15:00,2.5\n"  # no offset: already local
        "o4,2024-01-15T12:00:00.250-05:00,3\n"  # New York noon = 18:00 in Amsterdam
    )
    root = make_ws(sources, {"orders.csv": "\ufeff" + text}, timezone="Europe/Amsterdam")
    ingest(root)
    orders = table(root, "orders", "order_id")
    assert list(orders.columns)[:3] == ["order_id", "ordered_at", "amount"]
    assert list(orders["ordered_at"]) == [
        pd.Timestamp("2024-02-01 00:30"),
        pd.Timestamp("2024-06-01 10:00"),
        pd.Timestamp("2024-03-05 09:15"),
        pd.Timestamp("2024-01-15 18:00:00.250"),
    ]


def test_source_zone_of_naive_times(make_ws: Callable[..., Path]) -> None:
    sources = """\
    sources:
      us:
        file: orders.tsv
        timezone: America/New_York
        entities:
          orders:
            columns:
              order_id: id
              ordered_at: at
              amount: {from: total, default: 0}
    """
    text = "Export of 2024-07-01\nid\tat\ttotal\no1\t2024-01-15 12:00\t\no2\t2024-06-01 20:00\t5\n"
    root = make_ws(
        sources.replace("        timezone:", "        header_row: 2\n        timezone:"),
        {"orders.tsv": text},
        timezone="Europe/Amsterdam",
    )
    ingest(root)
    orders = table(root, "orders", "order_id")
    # winter: NY is UTC-5, Amsterdam UTC+1 (+6 h); summer: UTC-4 and UTC+2 (+6 h too)
    assert list(orders["ordered_at"]) == [
        pd.Timestamp("2024-01-15 18:00"),
        pd.Timestamp("2024-06-02 02:00"),
    ]
    assert list(orders["amount"]) == [Decimal("0.00"), Decimal("5.00")]


def test_excel_sheet_with_dates_and_serials(make_ws: Callable[..., Path]) -> None:
    import openpyxl

    root = make_ws(
        """\
        sources:
          quotes:
            file: data/quotes.xlsx
            sheet: Offertes
            entities:
              quotes:
                columns:
                  quote_id: Nr
                  submitted_at: Verstuurd
                  status: {from: Fase, map: {Gewonnen: won, Verloren: lost, Open: open}}
                  amount: Bedrag
                  rep_id: Eigenaar
              salespeople:
                group_by: rep_id
                columns:
                  rep_id: Eigenaar
                  name: Eigenaar
        """,
        {},
    )
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    sheet = book.create_sheet("Offertes")
    sheet.append(["Nr", "Verstuurd", "Fase", "Bedrag", "Eigenaar"])
    sheet.append([1001, dt.datetime(2024, 3, 4, 9, 30), "Gewonnen", 1500.5, "Ann"])
    sheet.append([1002, 45292, "Verloren", 200, "Bob"])  # serial 45292 = 2024-01-01
    sheet.append([None, None, None, None, None])  # blank rows are skipped
    sheet.append([1003, dt.date(2024, 2, 29), "Open", 99.99, "Ann"])
    (root / "data").mkdir()
    book.save(root / "data" / "quotes.xlsx")
    result = ingest(root)
    assert (result.read, result.loaded) == (3, 3)
    quotes = table(root, "quotes", "quote_id")
    assert list(quotes["quote_id"]) == ["1001", "1002", "1003"]
    assert list(quotes["submitted_at"]) == [
        pd.Timestamp("2024-03-04 09:30"),
        pd.Timestamp("2024-01-01"),
        pd.Timestamp("2024-02-29"),
    ]
    assert list(quotes["status"]) == ["won", "lost", "open"]
    assert list(quotes["amount"]) == [Decimal("1500.50"), Decimal("200.00"), Decimal("99.99")]
    reps = table(root, "salespeople", "rep_id")
    assert list(reps["rep_id"]) == ["Ann", "Bob"]
    assert list(reps["name"]) == ["Ann", "Bob"]


def test_excel_bad_value_reports_the_sheet_row(make_ws: Callable[..., Path]) -> None:
    import openpyxl

    root = make_ws(
        """\
        sources:
          q:
            file: q.xlsx
            entities:
              quotes:
                columns: {quote_id: Nr, submitted_at: Datum, status: {default: open}}
        """,
        {},
    )
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Nr", "Datum"])
    sheet.append([1, dt.datetime(2024, 1, 2)])
    sheet.append([None, None])
    sheet.append([2, "next week"])
    book.save(root / "q.xlsx")
    ingest(root)
    assert quarantine(root) == [("q.xlsx", 4, "quotes: cannot read 'next week' in Datum as a date")]


def test_parquet_and_json_lines(make_ws: Callable[..., Path]) -> None:
    root = make_ws(
        """\
        sources:
          lake:
            file: data/orders.parquet
            entities:
              orders:
                columns: {order_id: id, ordered_at: at, amount: amount, quantity: qty}
          events:
            file: data/returns.jsonl
            entities:
              returns:
                columns: {return_id: id, returned_at: at, order_id: order, amount: refund,
                          kind: {default: return}}
        """,
        {
            "data/returns.jsonl": '{"id": "r1", "at": "2024-02-01T10:00:00", "order": "o1", '
            '"refund": 5.25}\n{"id": "r2", "at": "2024-02-03", "order": "o2", "refund": null}\n',
        },
    )
    pd.DataFrame(
        {
            "id": ["o1", "o2"],
            "at": pd.to_datetime(["2024-01-05 08:00", "2024-01-06 09:00"]),
            "amount": [10.5, 20.25],
            "qty": [1, 3],
        }
    ).to_parquet(root / "data" / "orders.parquet")
    result = ingest(root)
    assert (result.read, result.loaded, result.quarantined) == (4, 4, 0)
    orders = table(root, "orders", "order_id")
    assert list(orders["ordered_at"]) == [
        pd.Timestamp("2024-01-05 08:00"),
        pd.Timestamp("2024-01-06 09:00"),
    ]
    assert list(orders["amount"]) == [Decimal("10.50"), Decimal("20.25")]
    assert list(orders["quantity"]) == [1, 3]
    returns = table(root, "returns", "return_id")
    assert list(returns["returned_at"]) == [
        pd.Timestamp("2024-02-01 10:00"),
        pd.Timestamp("2024-02-03"),
    ]
    assert returns["amount"].iloc[0] == Decimal("5.25") and pd.isna(returns["amount"].iloc[1])


def test_expression_default_boolean_and_thousands(make_ws: Callable[..., Path]) -> None:
    root = make_ws(
        """\
        sources:
          shop:
            file: lines.csv
            entities:
              orders:
                columns:
                  order_id: Order
                  ordered_at: {from: Date, format: ["%m/%d/%Y", "%Y-%m-%d"]}
                  amount: {expr: "Qty * Price - coalesce(Discount, 0)"}
                  channel: {default: web}
              customers:
                columns:
                  customer_id: Customer
                  is_target_audience: VIP
        """,
        {
            "lines.csv": (
                "Order,Date,Qty,Price,Discount,Customer,VIP\n"
                'A1,01/31/2024,2,"1,234.50",,c1,yes\n'
                "A2,2024-02-01,3,$2.10,0.30,c2,Nee\n"
                "A3,2024-02-02,1,(4.00),,c3,\n"
            )
        },
    )
    ingest(root)
    orders = table(root, "orders", "order_id")
    # 2 x 1234.50 = 2469.00; 3 x 2.10 - 0.30 = 6.00; 1 x (4.00) = -4.00 (accounting negative)
    assert list(orders["amount"]) == [Decimal("2469.00"), Decimal("6.00"), Decimal("-4.00")]
    assert list(orders["channel"]) == ["web", "web", "web"]
    assert [d.date() for d in orders["ordered_at"]] == [
        dt.date(2024, 1, 31),
        dt.date(2024, 2, 1),
        dt.date(2024, 2, 2),
    ]
    customers = table(root, "customers", "customer_id")
    assert list(customers["is_target_audience"].astype(object)) == [True, False, pd.NA] or (
        list(customers["is_target_audience"][:2]) == [True, False]
        and pd.isna(customers["is_target_audience"].iloc[2])
    )


def test_a_thousands_separator_needs_groups_of_three(make_ws: Callable[..., Path]) -> None:
    root = make_ws(
        """\
        sources:
          s:
            file: o.csv
            delimiter: ";"
            entities:
              orders: {columns: {order_id: id, ordered_at: {default: "2024-01-01"}, amount: a}}
        """,
        {"o.csv": "id;a\n1;1,5\n2;1,500\n3;12.75\n"},
    )
    result = ingest(root)
    assert result.quarantined == 1
    assert quarantine(root) == [("o.csv", 2, "orders: cannot read '1,5' in a as a number")]
    assert list(table(root, "orders", "order_id")["amount"]) == [
        Decimal("1500.00"),
        Decimal("12.75"),
    ]


def test_where_compares_numbers_as_numbers(make_ws: Callable[..., Path]) -> None:
    root = make_ws(
        """\
        sources:
          s:
            file: o.csv
            decimal: ","
            delimiter: ";"
            entities:
              orders:
                where: "Qty > 9.75 and Kind in ('a', 'b')"
                columns: {order_id: id, ordered_at: {default: "2024-01-01"}, amount: Qty}
              returns:
                where: "not (Qty > 9.75 and Kind in ('a', 'b'))"
                columns: {return_id: id, returned_at: {default: "2024-01-02"}, amount: Qty}
        """,
        # as text "10" < "9.75"; as numbers 9,5 < 9.75 < 10
        {"o.csv": "id;Qty;Kind\n1;10;a\n2;9,5;a\n3;1.000,25;b\n4;12;c\n"},
    )
    result = ingest(root)
    assert (result.read, result.loaded, result.quarantined) == (4, 4, 0)
    assert list(table(root, "orders", "order_id")["order_id"]) == ["1", "3"]
    assert list(table(root, "returns", "return_id")["amount"]) == [
        Decimal("9.50"),
        Decimal("12.00"),
    ]
