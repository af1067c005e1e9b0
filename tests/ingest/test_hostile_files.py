"""More of the broken-file corpus: hostile and careless exports, each with its exact message.

Like test_broken.py, every case starts from a workspace with a good load behind it
and either refuses the new file with one message naming the file (and the line or
field) while the previous tables stay whole, or loads the good rows and quarantines
the bad ones with a reason naming the column. Large cases are generated at test time.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from onpace.errors import IngestError
from onpace.ingest import files
from tests.ingest.helpers import ingest, quarantine, table

SOURCES = """\
sources:
  shop:
    file: {file}
    entities:
      orders:
        columns:
          order_id: id
          ordered_at: {{from: date, format: "%Y-%m-%d"}}
          amount: amount
          quantity: {{from: qty, min: 0}}
          customer_id: customer
"""
GOOD = "id,date,amount,qty,customer\no1,2024-01-05,10.00,1,c1\no2,2024-01-06,20.00,2,c2\n"
HEADER = "id,date,amount,qty,customer\n"


@pytest.fixture
def shop(make_ws: Callable[..., Path]) -> Callable[[str], Path]:
    """A workspace reading ``file`` with two good orders loaded from it."""

    def make(file: str = "orders.csv") -> Path:
        root = make_ws(SOURCES.format(file=file), {})
        _write(root / file, GOOD.encode())
        assert ingest(root).loaded == 2
        return root

    return make


def _write(path: Path, content: bytes) -> None:
    if path.suffix == ".gz":
        content = gzip.compress(content)
    elif path.suffix == ".zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            zf.writestr("orders.csv", content)
        content = buffer.getvalue()
    path.write_bytes(content)


def _orders(root: Path) -> list[str]:
    return list(table(root, "orders", "order_id")["order_id"])


def _refused(root: Path, file: str, content: bytes, message: str, raw: bool = False) -> None:
    path = root / file
    if raw:
        path.write_bytes(content)
    else:
        _write(path, content)
    with pytest.raises(IngestError) as info:
        ingest(root)
    assert str(info.value) == message
    assert _orders(root) == ["o1", "o2"]  # nothing half-loaded: the previous load is whole


def _quarantined(root: Path, content: str, want: list[tuple[int, str]], loaded: int) -> None:
    (root / "orders.csv").write_text(content, encoding="utf-8")
    result = ingest(root)
    assert result.read == result.loaded + result.quarantined
    assert result.loaded == loaded
    assert [(line, reason) for _, line, reason in quarantine(root)] == want


def test_utf16_with_a_bom_is_read(shop: Callable[[str], Path]) -> None:
    root = shop("orders.csv")
    text = GOOD + "o3,2024-01-07,30.00,3,Zoë\n"
    (root / "orders.csv").write_bytes(text.encode("utf-16"))
    assert ingest(root).loaded == 3
    assert list(table(root, "orders", "order_id")["customer_id"]) == ["c1", "c2", "Zoë"]


def test_lone_cr_line_endings(shop: Callable[[str], Path]) -> None:
    root = shop("orders.csv")
    (root / "orders.csv").write_bytes(
        (GOOD + "o3,2024-02-30,30,3,c3\n").replace("\n", "\r").encode()
    )
    result = ingest(root)
    assert (result.loaded, result.quarantined) == (2, 1)
    assert quarantine(root) == [
        ("orders.csv", 4, "orders: cannot read '2024-02-30' in date as a date (expected %Y-%m-%d)")
    ]


def test_impossible_dates(shop: Callable[[str], Path]) -> None:
    root = shop("orders.csv")
    _quarantined(
        root,
        HEADER
        + "o3,2023-02-29,1,1,c\no4,2024-13-01,1,1,c\no5,2024-04-31,1,1,c\no6,2024-02-29,1,1,c\n",
        [
            (2, "orders: cannot read '2023-02-29' in date as a date (expected %Y-%m-%d)"),
            (3, "orders: cannot read '2024-13-01' in date as a date (expected %Y-%m-%d)"),
            (4, "orders: cannot read '2024-04-31' in date as a date (expected %Y-%m-%d)"),
        ],
        loaded=1,  # 2024 is a leap year
    )


def test_two_digit_years_need_a_format(make_ws: Callable[..., Path]) -> None:
    sources = SOURCES.format(file="orders.csv").replace('{from: date, format: "%Y-%m-%d"}', "date")
    root = make_ws(
        sources,
        {
            "orders.csv": HEADER + "o1,05-01-24,1,1,c\no2,24-01-05,1,1,c\n"
            "o3,05/01/2024,1,1,c\no4,2024-01-05,1,1,c\n"
        },
    )
    result = ingest(root)
    assert result.loaded == 1
    assert [r for _, _, r in quarantine(root)] == [
        "orders: cannot read '05-01-24' in date as a date: a two-digit year is ambiguous; "
        'give the format (e.g. format: "%d-%m-%y")',
        "orders: cannot read '24-01-05' in date as a date: a two-digit year is ambiguous; "
        'give the format (e.g. format: "%d-%m-%y")',
        "orders: cannot read '05/01/2024' in date as a date: without a format dates are "
        "ISO 8601 (2024-01-31); give the format",
    ]


def test_thousands_currency_signs_and_percents(shop: Callable[[str], Path]) -> None:
    root = shop("orders.csv")
    _quarantined(
        root,
        HEADER
        + 'o3,2024-01-07,"1 234.50",1,c\n'  # a blank between thousands
        + 'o4,2024-01-07,"€ 12.50",1,c\n'
        + 'o5,2024-01-07,"$1,234.50",1,c\n'
        + "o6,2024-01-07,12.50 EUR,1,c\n"
        + "o7,2024-01-07,1'234.50,1,c\n"  # apostrophes need thousands: "'"
        + "o8,2024-01-07,12%,1,c\n"
        + "o9,2024-01-07,1_000,1,c\n"
        + "o10,2024-01-07,10,1_000,c\n"
        + "o11,2024-01-07,inf,1,c\n",
        [
            (
                6,
                "orders: cannot read ''1'234.50'' in amount as a number".replace(
                    "''1", "'1"
                ).replace("50''", "50'"),
            ),
            (7, "orders: cannot read '12%' in amount as a number"),
            (8, "orders: cannot read '1_000' in amount as a number"),
            (9, "orders: cannot read '1_000' in qty as a whole number"),
            (10, "orders: cannot read 'inf' in amount as a number"),
        ],
        loaded=4,
    )
    amounts = dict(zip(*[table(root, "orders")[c] for c in ("order_id", "amount")], strict=True))
    assert amounts == {
        "o3": Decimal("1234.50"),
        "o4": Decimal("12.50"),
        "o5": Decimal("1234.50"),
        "o6": Decimal("12.50"),
    }


def test_a_truncated_gzip(shop: Callable[[str], Path]) -> None:
    root = shop("orders.csv.gz")
    whole = gzip.compress((GOOD * 50).encode())
    _refused(
        root,
        "orders.csv.gz",
        whole[: len(whole) // 2],
        "orders.csv.gz: cannot decompress: Compressed file ended before the end-of-stream "
        "marker was reached (check that the .gz file is complete)",
        raw=True,
    )


def test_a_gzip_bomb(shop: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch) -> None:
    root = shop("orders.csv.gz")
    monkeypatch.setattr(files, "MIN_LIMIT", 1 << 20)  # the floor is 256 MB; a small one here
    bomb = (HEADER + "o1,2024-01-05,1,1," + "x" * (20 << 20) + "\n").encode()
    _refused(
        root,
        "orders.csv.gz",
        bomb,
        "orders.csv.gz: the file decompresses to more than 4,175,400 bytes (200 times its "
        "size): it is damaged or made to fill the disk (decompress it yourself, check the "
        "result, and point 'file:' at it)".replace(
            "4,175,400", f"{200 * len(gzip.compress(bomb)):,}"
        ),
    )


def test_a_zip_bomb(shop: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch) -> None:
    root = shop("orders.zip")
    monkeypatch.setattr(files, "MIN_LIMIT", 1 << 20)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("orders.csv", HEADER + "o1,2024-01-05,1,1," + "x" * (20 << 20) + "\n")
        size = zf.getinfo("orders.csv").compress_size
    _refused(
        root,
        "orders.zip",
        buffer.getvalue(),
        f"orders.zip: orders.csv decompresses to more than {max(1 << 20, 200 * size):,} bytes "
        "(200 times its size): it is damaged or made to fill the disk (decompress it "
        "yourself, check the result, and point 'file:' at it)",
        raw=True,
    )


def test_a_parquet_file_with_wrong_types(make_ws: Callable[..., Path]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = make_ws(SOURCES.format(file="orders.parquet"), {})
    pq.write_table(
        pa.table(
            {
                "id": pa.array([1, 2, 3], pa.int64()),  # numbers as ids: fine, read as text
                "date": pa.array([20240105, 20240106, 20240107], pa.int64()),  # not dates
                "amount": pa.array(["10.5", "abc", None]),
                "qty": pa.array([1.0, 2.5, 3.0]),
                "customer": pa.array([True, False, None]),
            }
        ),
        root / "orders.parquet",
    )
    result = ingest(root)
    assert (result.read, result.loaded, result.quarantined) == (3, 0, 3)
    assert [r for _, _, r in quarantine(root)] == [
        "orders: cannot read '20240105' in date as a date (expected %Y-%m-%d)",
        "orders: cannot read '20240106' in date as a date (expected %Y-%m-%d)",
        "orders: cannot read '20240107' in date as a date (expected %Y-%m-%d)",
    ]


def test_a_truncated_parquet_file(shop: Callable[[str], Path]) -> None:
    root = shop("orders.csv")
    (root / "orders.csv").unlink()
    sources = (
        (root / "sources.yml").read_text(encoding="utf-8").replace("orders.csv", "orders.parquet")
    )
    (root / "sources.yml").write_text(sources, encoding="utf-8")
    _refused(
        root,
        "orders.parquet",
        b"PAR1\x00\x00 cut short",
        "orders.parquet: cannot read as parquet: No magic bytes found at end of file "
        "'/ROOT/orders.parquet' (check that the file is complete and in the format its name "
        "says)".replace("/ROOT", str(root)),
        raw=True,
    )


def test_ten_thousand_columns(shop: Callable[[str], Path]) -> None:
    root = shop("orders.csv")
    extra = [f"c{i}" for i in range(9_995)]
    header = "id,date,amount,qty,customer," + ",".join(extra) + "\n"
    filler = "," + ",".join("v" for _ in extra)
    rows = [
        "o1,2024-01-05,10,1,c1" + filler,
        "o2,2024-01-06,x,2,c2" + filler,
        "o3,2024-01-07,30,3,c3" + filler,
    ]
    (root / "orders.csv").write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    result = ingest(root)
    assert (result.loaded, result.quarantined) == (2, 1)
    assert quarantine(root) == [("orders.csv", 3, "orders: cannot read 'x' in amount as a number")]
    row = table(root, "onpace_quarantine")["row_text"][0]
    assert len(row) == 2000 and row.startswith('{"id":"o2"')  # the row is kept, cut short


def test_one_bad_row_at_the_end_of_a_million(shop: Callable[[str], Path]) -> None:
    root = shop("orders.csv")
    with (root / "orders.csv").open("w", encoding="utf-8") as fh:
        fh.write(HEADER)
        for i in range(1_000_000):
            fh.write(f"o{i},2024-01-05,{i % 100}.25,1,c{i % 1000}\n")
        fh.write("bad,2024-01-05,12.5.1,1,c\n")
    result = ingest(root)
    assert (result.read, result.loaded, result.quarantined) == (1_000_001, 1_000_000, 1)
    assert quarantine(root) == [
        ("orders.csv", 1_000_002, "orders: cannot read '12.5.1' in amount as a number")
    ]


def test_a_broken_quote_at_the_end_of_a_million(shop: Callable[[str], Path]) -> None:
    root = shop("orders.csv")
    body = "".join(f"o{i},2024-01-05,1,1,c\n" for i in range(1_000_000))
    _refused(
        root,
        "orders.csv",
        (HEADER + body + 'bad,2024-01-05,1,1,"c\n').encode(),
        "orders.csv: cannot read as csv: line 1000002: a quoted value is not closed (the file "
        "may be cut short) (the file ends inside a quoted value or a quote is not closed: "
        "export it again)",
    )


def test_a_field_over_the_line_limit(shop: Callable[[str], Path]) -> None:
    root = shop("orders.csv")
    big = "x" * (33 * 1024 * 1024)  # a 1 GB field is refused the same way, sooner
    _refused(
        root,
        "orders.csv",
        (GOOD + f'o3,2024-01-07,1,1,"{big}"\n').encode(),
        "orders.csv: cannot read as csv: line 4 is longer than 32 MB (a line is longer than "
        "32 MB: the file is probably damaged)",
    )


def test_nul_bytes_tabs_and_near_twin_keys(shop: Callable[[str], Path]) -> None:
    root = shop("orders.csv")
    (root / "orders.csv").write_text(
        HEADER + "o1,2024-01-05,1,1,c1\no2\x00x,2024-01-05,1,1,c1\n\to1,2024-01-06,2,1,c1\n"
        "O3,2024-01-07,1,1,c1\no3,2024-01-07,1,1,c1\n",
        encoding="utf-8",
    )
    result = ingest(root)
    assert quarantine(root) == [
        ("orders.csv", 3, "orders: a NUL byte in order_id at character 3 (a damaged export?)"),
        ("orders.csv", 4, "orders: duplicate order_id 'o1' (first at line 2)"),  # tab trimmed
    ]
    assert (
        "orders: 1 order_id value(s) differ from another only in upper/lower case or blanks "
        "(e.g. 'O3' and 'o3'); they are loaded as different keys" in result.notes
    )


def test_an_html_page_named_xls(make_ws: Callable[..., Path]) -> None:
    root = make_ws(SOURCES.format(file="orders.xls"), {"orders.xls": "<html><table><tr><td>secret"})
    with pytest.raises(IngestError) as info:
        ingest(root)
    assert str(info.value) == (
        "orders.xls is named like an Excel workbook but is not one (it may be an "
        "HTML or text export) (export it as CSV or .xlsx; if it is CSV text, set format: csv)"
    )
    assert "secret" not in str(info.value)


def test_a_corrupt_xlsx(make_ws: Callable[..., Path]) -> None:
    root = make_ws(SOURCES.format(file="orders.xlsx"), {"orders.xlsx": b"PK\x03\x04 cut"})
    with pytest.raises(IngestError) as info:
        ingest(root)
    assert str(info.value) == (
        "orders.xlsx: not an Excel .xlsx workbook: File is not a zip file (set format: xls "
        "for a legacy workbook, or save it as .xlsx or CSV)"
    )


def test_a_broken_json_line(make_ws: Callable[..., Path]) -> None:
    root = make_ws(
        SOURCES.format(file="orders.jsonl"),
        {"orders.jsonl": '{"id": "o1", "date": "2024-01-05", "amount": 1}\n{"id": "o2", "da\n'},
    )
    with pytest.raises(IngestError) as info:
        ingest(root)
    assert str(info.value).startswith("orders.jsonl: cannot read as jsonl: Malformed JSON in file")
    assert "line 2" in str(info.value) or "line 3" in str(info.value)


def test_a_default_in_another_format(make_ws: Callable[..., Path]) -> None:
    sources = SOURCES.format(file="orders.csv").replace(
        '{from: date, format: "%Y-%m-%d"}',
        '{from: date, format: "%d/%m/%Y", default: "2024-01-31"}',
    )
    root = make_ws(sources, {"orders.csv": GOOD})
    with pytest.raises(IngestError) as info:
        ingest(root)
    issue = info.value.issues[0]
    assert (issue.line, issue.field) == (
        8,
        "sources.shop.entities.orders.columns.ordered_at.default",
    )
    assert (
        issue.message == "the default '2024-01-31' cannot be read as timestamp (expected %d/%m/%Y)"
    )


def test_an_export_that_would_empty_a_table(shop: Callable[[str], Path]) -> None:
    root = shop("orders.csv")
    (root / "orders.csv").write_text(HEADER + "o9,2024-01-05,x,1,c\n", encoding="utf-8")
    with pytest.raises(IngestError) as info:
        ingest(root)
    assert str(info.value) == (
        "orders would be emptied: it has 2 rows and this run loads none (read 1, quarantined 1) "
        "(see why with onpace ingest --report, fix the export, or run onpace ingest "
        "--allow-empty to empty it on purpose)"
    )
    assert _orders(root) == ["o1", "o2"]
    result = ingest(root, allow_empty=True)
    assert result.loaded == 0 and _orders(root) == []
