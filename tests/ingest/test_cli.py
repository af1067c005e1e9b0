"""`onpace ingest`, `onpace ingest --report` and `onpace quarantine`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from onpace.cli.main import app

SOURCES = """\
sources:
  shop:
    file: orders.csv
    entities:
      orders:
        columns: {order_id: id, ordered_at: at, amount: {from: amount, min: 0}}
"""
ORDERS = "id,at,amount\no1,2024-01-05,10\no2,2024-01-06,-5\no3,2024-01-07,x\n"


def test_ingest_report_and_quarantine(make_ws: Callable[..., Path]) -> None:
    root = make_ws(SOURCES, {"orders.csv": ORDERS})
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", "-w", str(root), "--report"])
    assert result.exit_code == 0, result.output
    assert "shop: read 3 rows from 1 file(s) = loaded 1 + quarantined 2" in result.output
    assert "total: read 3 = loaded 1 + quarantined 2" in result.output
    assert "orders: 1 rows" in result.output
    assert "Quarantined rows (2 of 2)" in result.output
    assert "amount '-5' is below the minimum 0" in result.output
    again = runner.invoke(app, ["ingest", "-w", str(root)])
    assert "Nothing changed since the last ingest" in again.output
    listing = runner.invoke(app, ["quarantine", "-w", str(root), "--limit", "1"])
    assert listing.exit_code == 0
    assert "Quarantined rows (1 of 2)" in listing.output
    assert "cannot read 'x' in amount as a number" not in listing.output  # only the first row
    assert "below the minimum" in listing.output


def test_errors_are_one_clear_message(make_ws: Callable[..., Path]) -> None:
    root = make_ws(
        SOURCES.replace("amount: {from: amount, min: 0}", "amount: {from: amont}"),
        {"orders.csv": ORDERS},
    )
    result = CliRunner().invoke(app, ["ingest", "-w", str(root)])
    assert result.exit_code == 1
    assert "sources.yml:6" in result.output
    flat = " ".join(result.output.split())  # the console wraps long lines
    assert "source 'shop' has no column 'amont'. Did you mean 'amount'?" in flat
    assert "nothing was loaded" in result.output and "Traceback" not in result.output
    (root / "sources.yml").unlink()
    result = CliRunner().invoke(app, ["ingest", "-w", str(root)])
    assert result.exit_code == 1 and "sources.yml does not exist" in result.output


def test_a_failed_init_leaves_nothing_behind(tmp_path: Path) -> None:
    empty = tmp_path / "export.csv"
    empty.write_text("", encoding="utf-8")
    root = tmp_path / "shop"
    runner = CliRunner()
    result = runner.invoke(app, ["init", str(root), "--from", str(empty)])
    assert result.exit_code == 1
    assert "the workspace was not created" in result.output
    assert not root.exists()
    # in a folder that exists (with the user's own files), only what init wrote goes
    root.mkdir()
    (root / "notes.txt").write_text("mine", encoding="utf-8")
    result = runner.invoke(app, ["init", str(root), "--from", str(empty)])
    assert result.exit_code == 1
    assert sorted(p.name for p in root.iterdir()) == ["notes.txt"]
    # and the next init works
    good = tmp_path / "orders.csv"
    good.write_text(
        "order_id,order_date,customer_id,amount\n"
        "o1,2024-01-05,c1,10.50\no2,2024-01-06,c2,20.00\no3,2024-02-01,c1,5.25\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["init", str(root), "--from", str(good)])
    assert result.exit_code == 0, result.output
    assert (root / "sources.yml").exists()
    # the export stays where it is: its folder is allowed in onpace.yml
    assert str(tmp_path) in (root / "onpace.yml").read_text(encoding="utf-8")


def test_data_is_never_markup_or_emoji(make_ws: Callable[..., Path]) -> None:
    root = make_ws(
        SOURCES,
        {"orders.csv": "id,at,amount\n[/bold],2024-01-05,:x:\n[red]o2[/red],2024-01-06,5\n"},
    )
    result = CliRunner().invoke(app, ["ingest", "-w", str(root), "--report"])
    assert result.exit_code == 0, result.output
    assert "cannot read ':x:' in amount as a number" in result.output
    assert "[/bold]" in result.output and "❌" not in result.output
    # a column name with markup in an error message
    broken = make_ws(
        SOURCES.replace("amount: {from: amount", "amount: {from: '[/b]:x:'"), {"orders.csv": ORDERS}
    )
    result = CliRunner().invoke(app, ["ingest", "-w", str(broken)])
    assert result.exit_code == 1
    assert "column '[/b]:x:'" in result.output and "❌" not in result.output
