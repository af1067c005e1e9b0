"""The broken-file corpus: each gets a clear message, no traceback and never a partial load.

Each case starts from a workspace with a good ingest behind it, replaces the file
with a broken one and ingests again: either the ingest stops with a message and
the previous tables stay whole, or the bad rows are quarantined with a reason.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onpace.cli.main import app
from onpace.errors import IngestError
from tests.ingest.helpers import ORDERS_SOURCES as SOURCES
from tests.ingest.helpers import ingest, quarantine, table

GOOD = "id,date,amount,qty,customer\no1,2024-01-05,10.00,1,c1\no2,2024-01-06,20.00,2,c2\n"


@pytest.fixture
def loaded(make_ws: Callable[..., Path]) -> Path:
    root = make_ws(SOURCES, {"orders.csv": GOOD})
    assert ingest(root).loaded == 2
    return root


def _orders(root: Path) -> list[str]:
    return list(table(root, "orders", "order_id")["order_id"])


def _refused(root: Path, content: bytes, message: str) -> None:
    (root / "orders.csv").write_bytes(content)
    with pytest.raises(IngestError, match=message):
        ingest(root)
    assert _orders(root) == ["o1", "o2"]  # the previous load is whole
    # and the command line says it in one line, without a traceback
    result = CliRunner().invoke(app, ["ingest", "-w", str(root)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "nothing was loaded" in result.output


HEADER = b"id,date,amount,qty,customer\n"


def test_empty_file(loaded: Path) -> None:
    _refused(loaded, b"", "the file is empty")


def test_header_only(loaded: Path) -> None:
    _refused(loaded, HEADER, "source 'shop' has no data rows")


def test_truncated_inside_a_quoted_field(loaded: Path) -> None:
    _refused(
        loaded,
        HEADER + b'o1,2024-01-05,10,1,c1\no2,2024-01-06,20,2,"Smi',
        "orders.csv: cannot read as csv: line 3: a quoted value is not closed "
        r"\(the file may be cut short\)",
    )


def test_wrong_delimiter(make_ws: Callable[..., Path]) -> None:
    root = make_ws(
        SOURCES.replace("    file: orders.csv\n", "    file: orders.csv\n    delimiter: ';'\n"),
        {"orders.csv": GOOD},
    )
    with pytest.raises(IngestError, match="delimited by ',', not ';'"):
        ingest(root)


def test_a_line_with_too_many_fields(loaded: Path) -> None:
    _refused(
        loaded,
        HEADER + b"o1,2024-01-05,10,1,c1\no2,2024-01-06,20,2,c2,extra\n",
        "orders.csv: cannot read as csv: line 3 has 6 fields, the header has 5",
    )


def test_duplicated_header(loaded: Path) -> None:
    _refused(
        loaded,
        b"id,date,amount,qty,id\no1,2024-01-05,10,1,c1\n",
        "column 'id' appears twice in the header \\(columns 1 and 5\\)",
    )


def test_non_utf8_bytes_in_a_utf8_file(loaded: Path) -> None:
    content = HEADER + "o1,2024-01-05,10,1,Café\n".encode() + b"o2,2024-01-06,20,2,Caf\xe9\n"
    _refused(loaded, content, "bytes that are not UTF-8 \\(line 3: byte 0xe9\\)")


def test_a_binary_file(loaded: Path) -> None:
    _refused(loaded, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x81\x8d\x8f\x90\x9d", "orders.csv: ")


def test_file_changing_while_read(loaded: Path) -> None:
    (loaded / "orders.csv").write_text(GOOD + "o3,2024-01-07,30,1,c3\n", encoding="utf-8")

    def append(path: Path) -> None:
        with path.open("a", encoding="utf-8") as fh:
            fh.write("o4,2024-01-08,40,1,c4\n")

    with pytest.raises(IngestError, match=r"orders\.csv changed while it was being read"):
        ingest(loaded, hook=append)
    assert _orders(loaded) == ["o1", "o2"]


def test_mixed_types_in_a_column_are_quarantined(loaded: Path) -> None:
    (loaded / "orders.csv").write_text(
        GOOD + "o3,2024-01-07,thirty,1,c3\no4,2024-01-08,40,n/a,c4\no5,2024-01-09,TRUE,1,c5\n",
        encoding="utf-8",
    )
    result = ingest(loaded)
    assert (result.read, result.loaded, result.quarantined) == (5, 2, 3)
    assert quarantine(loaded) == [
        ("orders.csv", 4, "orders: cannot read 'thirty' in amount as a number"),
        ("orders.csv", 5, "orders: cannot read 'n/a' in qty as a whole number"),
        ("orders.csv", 6, "orders: cannot read 'TRUE' in amount as a number"),
    ]


def test_a_10_mb_field(loaded: Path) -> None:
    big = "x" * (10 * 1024 * 1024)
    (loaded / "orders.csv").write_text(GOOD + f'o3,2024-01-07,30,1,"{big}"\n', encoding="utf-8")
    result = ingest(loaded)
    assert (result.read, result.loaded, result.quarantined) == (3, 2, 1)
    assert quarantine(loaded) == [
        ("orders.csv", 4, "orders: value of 10485760 characters in customer_id (more than 65536)")
    ]


def test_dates_in_three_formats(make_ws: Callable[..., Path]) -> None:
    dates = (
        "id,date,amount,qty,customer\n"
        "o1,2024-01-05,1,1,c\no2,05/01/2024,1,1,c\no3,5 Jan 2024,1,1,c\n"
    )
    root = make_ws(SOURCES, {"orders.csv": dates})
    result = ingest(root)
    assert (result.loaded, result.quarantined) == (1, 2)
    assert quarantine(root) == [
        ("orders.csv", 3, "orders: cannot read '05/01/2024' in date as a date (expected %Y-%m-%d)"),
        ("orders.csv", 4, "orders: cannot read '5 Jan 2024' in date as a date (expected %Y-%m-%d)"),
    ]
    # listing the formats reads all three as the same day
    both = SOURCES.replace('format: "%Y-%m-%d"', 'format: ["%Y-%m-%d", "%d/%m/%Y", "%d %b %Y"]')
    root = make_ws(both, {"orders.csv": dates})
    assert ingest(root).loaded == 3
    assert {d.date().isoformat() for d in table(root, "orders")["ordered_at"]} == {"2024-01-05"}


def test_negative_quantities(loaded: Path) -> None:
    (loaded / "orders.csv").write_text(GOOD + "o3,2024-01-07,30,-2,c3\n", encoding="utf-8")
    result = ingest(loaded)
    assert result.quarantined == 1
    assert quarantine(loaded) == [("orders.csv", 4, "orders: quantity '-2' is below the minimum 0")]
    assert list(table(loaded, "orders", "order_id")["amount"]) == [
        Decimal("10.00"),
        Decimal("20.00"),
    ]
