"""`onpace init --from` proposes a sources.yml that the ingest then accepts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import yaml
from typer.testing import CliRunner

from onpace.cli.main import app
from onpace.ingest.propose import propose
from tests.ingest.helpers import ingest, table

REPO = Path(__file__).resolve().parents[2]
EXCERPT = REPO / "examples" / "online-retail" / "data" / "excerpt.csv"

CRM = (
    "Deal ID;Created;Stage;Amount;Owner;Close Date;Account\n"
    "D-1;05-01-2024;Closed Won;1.234,50;Ann;20-01-2024;Acme\n"
    "D-2;12-01-2024;Closed Lost;300,00;Bob;02-02-2024;Bolt\n"
    "D-3;15-02-2024;Negotiation;2.000,00;Ann;;Cora\n"
)
INVOICES = (
    "Invoice Number,Invoice Date,Due Date,Customer,Total,Amount Paid,Paid Date\n"
    "F2024-001,2024-01-10,2024-02-09,Acme,1210.00,1210.00,2024-02-01\n"
    "F2024-002,2024-01-15,2024-02-14,Bolt,605.00,0,\n"
)


def _sources(text: str) -> dict[str, object]:
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data["sources"]  # type: ignore[no-any-return]


def test_web_shop_lines(tmp_path: Path) -> None:
    text, proposals = propose([EXCERPT], tmp_path)
    assert [(p.name, p.entity) for p in proposals] == [("excerpt", "orders")]
    entities = _sources(text)["excerpt"]["entities"]  # type: ignore[index]
    assert list(entities) == ["orders", "returns", "customers"]
    orders = entities["orders"]
    assert orders["where"] == "Invoice not like 'C%'" and orders["group_by"] == "order_id"
    assert orders["columns"]["amount"] == {"expr": "Quantity * Price", "agg": "sum"}
    assert orders["columns"]["ordered_at"] == {
        "from": "InvoiceDate",
        "format": "%Y-%m-%d %H:%M:%S",
        "agg": "min",
    }
    assert orders["columns"]["customer_id"] == "Customer ID"
    assert entities["returns"]["where"] == "Invoice like 'C%'"


def test_crm_deals_export_round_trip(tmp_path: Path) -> None:
    export = tmp_path / "deals.csv"
    export.write_text(CRM, encoding="utf-8")
    root = tmp_path / "crm"
    result = CliRunner().invoke(
        app, ["init", str(root), "--template", "b2b", "--from", str(export)]
    )
    assert result.exit_code == 0, result.output
    source = _sources((root / "sources.yml").read_text(encoding="utf-8"))["deals"]
    assert source["decimal"] == ","  # type: ignore[index]
    quotes = source["entities"]["quotes"]["columns"]  # type: ignore[index]
    assert quotes["quote_id"] == "Deal ID"
    assert quotes["submitted_at"] == {"from": "Created", "format": "%d-%m-%Y"}
    assert quotes["status"] == {
        "from": "Stage",
        "map": {"Closed Lost": "lost", "Closed Won": "won", "Negotiation": "open"},
    }
    assert quotes["decided_at"] == {"from": "Close Date", "format": "%d-%m-%Y"}
    assert quotes["customer_id"] == "Account" and quotes["rep_id"] == "Owner"
    outcome = ingest(root, now=dt.datetime(2024, 6, 1))
    assert (outcome.read, outcome.loaded) == (3, 3)
    loaded = table(root, "quotes", "quote_id")
    assert list(loaded["amount"]) == [Decimal("1234.50"), Decimal("300.00"), Decimal("2000.00")]
    assert list(loaded["status"]) == ["won", "lost", "open"]
    assert sorted(table(root, "salespeople")["rep_id"]) == ["Ann", "Bob"]


def test_accounting_invoices(tmp_path: Path) -> None:
    export = tmp_path / "invoices.csv"
    export.write_text(INVOICES, encoding="utf-8")
    text, proposals = propose([export], tmp_path)
    assert proposals[0].entity == "invoices"
    columns = _sources(text)["invoices"]["entities"]["invoices"]["columns"]  # type: ignore[index]
    assert columns == {
        "invoice_id": "Invoice Number",
        "issued_at": {"from": "Invoice Date", "format": "%Y-%m-%d"},
        "amount": "Total",
        "due_at": {"from": "Due Date", "format": "%Y-%m-%d"},
        "customer_id": "Customer",
        "paid_amount": "Amount Paid",
        "paid_at": {"from": "Paid Date", "format": "%Y-%m-%d"},
    }


def test_an_existing_sources_yml_is_kept(tmp_path: Path) -> None:
    export = tmp_path / "invoices.csv"
    export.write_text(INVOICES, encoding="utf-8")
    root = tmp_path / "ws"
    root.mkdir()
    (root / "sources.yml").write_text("sources: {}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["init", str(root), "--from", str(export)])
    assert result.exit_code == 1 and "sources.yml exists already" in result.output
    assert (root / "sources.yml").read_text(encoding="utf-8") == "sources: {}\n"
