"""Readers: space-aligned text, fixed widths, legacy .xls, every sheet, zip archives, no header."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from onpace.errors import IngestError
from onpace.ingest.textlines import propose_widths
from tests.ingest.helpers import ingest, quarantine, table

FILES = Path(__file__).parent / "files"

TILL = """\
Date        Register  Receipt   Total  Cashier
2024-01-05  1         7         10.50  Ann

2024-01-05  2         8          3.00  "Bo Li"
2024-01-06  1         9          4.25  Ann  extra
2024-01-06  1         10         1.00
"""
TILL_SOURCES = """\
sources:
  till:
    file: till.txt
    format: text
    entities:
      orders:
        key: [Date, Register, Receipt]
        columns: {ordered_at: Date, amount: Total, rep_id: Cashier}
"""


def test_whitespace_separated_text(make_ws: Callable[..., Path]) -> None:
    root = make_ws(TILL_SOURCES, {"till.txt": TILL})
    result = ingest(root)
    assert (result.read, result.loaded, result.quarantined) == (4, 2, 2)
    orders = table(root, "orders", "order_id")
    assert list(orders["order_id"]) == ["2024-01-05|1|7", "2024-01-05|2|8"]
    assert list(orders["rep_id"]) == ["Ann", "Bo Li"]  # a quoted field keeps its blank
    assert quarantine(root) == [
        ("till.txt", 5, "the line has 6 fields separated by blanks, the header has 5"),
        ("till.txt", 6, "the line has 4 fields separated by blanks, the header has 5"),
    ]


STATEMENT = (
    "05.01.2024Coffee beans                     12.50\n"
    "06.01.2024Rent January                   1250.00\n"
    "07.01.2024Printer paper                     8.99  x\n"
    "\n"
    "08.01.2024Train ticket                     45.00\n"
)


def test_fixed_width_without_a_header(make_ws: Callable[..., Path]) -> None:
    sources = """\
    sources:
      bank:
        file: statement.dat
        format: fixed
        header_row: 0
        names: [date, text, amount]
        widths: [10, 29, 10]
        entities:
          costs:
            key: row_number
            columns:
              incurred_on: {from: date, format: "%d.%m.%Y"}
              category: text
              amount: amount
    """
    root = make_ws(sources, {"statement.dat": STATEMENT})
    result = ingest(root)
    assert (result.read, result.loaded, result.quarantined) == (4, 3, 1)
    costs = table(root, "costs", "cost_id")
    assert list(costs["cost_id"]) == ["statement.dat:1", "statement.dat:2", "statement.dat:5"]
    assert list(costs["category"]) == ["Coffee beans", "Rent January", "Train ticket"]
    assert list(costs["amount"]) == [Decimal("12.50"), Decimal("1250.00"), Decimal("45.00")]
    assert quarantine(root) == [
        (
            "statement.dat",
            3,
            "the line has text after character 49, where the last field ends: 'x'",
        )
    ]


def test_widths_are_proposed_from_the_aligned_columns(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    report.write_text(
        "Date       Amount Name\n"
        "2024-01-05  12.50 Ann\n"
        "2024-01-06 100.00 Bo Li\n"
        "2024-01-07   3.00 Cy\n",
        encoding="utf-8",
    )
    # Date = 11 characters with its trailing blank, Amount = 7, Name to the longest line
    assert propose_widths(report) == [11, 7, 5]


def test_legacy_xls_reads_the_first_visible_sheet(make_ws: Callable[..., Path]) -> None:
    sources = """\
    sources:
      orders:
        file: legacy.xls
        entities:
          orders:
            columns: {order_id: Order, ordered_at: Date, amount: Total}
    """
    root = make_ws(sources, {"legacy.xls": (FILES / "legacy.xls").read_bytes()})
    result = ingest(root)
    # the hidden first sheet "Old export" (order X-1) is not read
    orders = table(root, "orders", "order_id")
    assert list(orders["order_id"]) == ["SO-1", "SO-2"]
    assert list(orders["ordered_at"]) == [dt.datetime(2024, 1, 5), dt.datetime(2024, 1, 6, 14, 30)]
    assert list(orders["amount"]) == [Decimal("12.50"), Decimal("7.00")]
    assert quarantine(root) == [
        ("legacy.xls", 4, "orders: cannot read 'not a date' in Date as a date")
    ]
    assert [(s.name, s.read) for s in result.sources] == [("orders", 3)]


def test_a_hidden_sheet_is_read_only_when_named(make_ws: Callable[..., Path]) -> None:
    sources = """\
    sources:
      old:
        file: legacy.xls
        sheet: Old export
        entities:
          orders:
            columns: {order_id: Order, ordered_at: Date, amount: Total}
    """
    root = make_ws(sources, {"legacy.xls": (FILES / "legacy.xls").read_bytes()})
    ingest(root)
    assert list(table(root, "orders")["order_id"]) == ["X-1"]
    wrong = make_ws(
        sources.replace("Old export", "Old"), {"legacy.xls": (FILES / "legacy.xls").read_bytes()}
    )
    with pytest.raises(
        IngestError,
        match=r"legacy\.xls: no sheet named 'Old'; the sheets are Old export, Orders, Regions "
        r"\(hidden: Old export\)",
    ):
        ingest(wrong)


def test_every_visible_sheet_of_an_xlsx(make_ws: Callable[..., Path], tmp_path: Path) -> None:
    import openpyxl  # type: ignore[import-untyped]

    book = openpyxl.Workbook()
    first = book.active
    first.title = "Notes"
    first.sheet_state = "hidden"
    first.append(["Order", "Date", "Total"])
    first.append(["N-1", "2019-01-01", 1])
    for month, rows in (
        ("2024-01", [["A-1", "2024-01-05", 5]]),
        ("2024-02", [["B-1", "2024-02-05", 6], ["B-2", "2024-02-31", 7]]),
    ):
        sheet = book.create_sheet(month)
        sheet.append(["Order", "Date", "Total"])
        for row in rows:
            sheet.append(row)
    path = tmp_path / "book.xlsx"
    book.save(path)
    sources = """\
    sources:
      months:
        file: book.xlsx
        sheet: "2024-*"
        entities:
          orders: {columns: {order_id: Order, ordered_at: Date, amount: Total}}
    """
    root = make_ws(sources, {"book.xlsx": path.read_bytes()})
    result = ingest(root)
    assert list(table(root, "orders", "order_id")["order_id"]) == ["A-1", "B-1"]
    assert [f.path for f in result.sources[0].files] == ["book.xlsx[2024-01]", "book.xlsx[2024-02]"]
    assert quarantine(root) == [
        ("book.xlsx[2024-02]", 3, "orders: cannot read '2024-02-31' in Date as a date")
    ]
    # without sheet: the first visible sheet, never the hidden "Notes"
    root = make_ws(
        sources.replace('        sheet: "2024-*"\n', ""), {"book.xlsx": path.read_bytes()}
    )
    ingest(root)
    assert list(table(root, "orders")["order_id"]) == ["A-1"]


def test_a_zip_of_csvs(make_ws: Callable[..., Path], tmp_path: Path) -> None:
    archive = tmp_path / "exports.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("2024/orders-01.csv", "id,at,amount\no1,2024-01-05,10\n")
        zf.writestr("2024/orders-02.csv", "id,at,amount\no2,2024-02-05,x\no1,2024-02-06,11\n")
        zf.writestr("2024/readme.txt", "not data")
        zf.writestr("__MACOSX/2024/._orders-01.csv", "junk")
    sources = """\
    sources:
      shop:
        file: exports.zip
        members: "*.csv"
        entities:
          orders: {columns: {order_id: id, ordered_at: at, amount: amount}}
    """
    root = make_ws(sources, {"exports.zip": archive.read_bytes()})
    result = ingest(root)
    assert [f.path for f in result.sources[0].files] == [
        "exports.zip!2024/orders-01.csv",
        "exports.zip!2024/orders-02.csv",
    ]
    orders = table(root, "orders")
    # the later member corrects o1
    assert list(orders["order_id"]) == ["o1"] and list(orders["amount"]) == [Decimal("11.00")]
    assert quarantine(root) == [
        ("exports.zip!2024/orders-02.csv", 2, "orders: cannot read 'x' in amount as a number")
    ]


def test_a_csv_without_a_header(make_ws: Callable[..., Path]) -> None:
    sources = """\
    sources:
      shop:
        file: orders.csv
        header_row: 0
        names: [id, at, amount]
        entities:
          orders: {columns: {order_id: id, ordered_at: at, amount: amount}}
    """
    root = make_ws(sources, {"orders.csv": "o1,2024-01-05,10\no2,2024-01-06,oops\n"})
    ingest(root)
    assert list(table(root, "orders")["order_id"]) == ["o1"]
    assert quarantine(root) == [
        ("orders.csv", 2, "orders: cannot read 'oops' in amount as a number")
    ]
