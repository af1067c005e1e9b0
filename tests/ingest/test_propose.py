"""`onpace init --from` proposes a sources.yml that is right, says why, and when it cannot.

Each test is one of the mistakes a first version made on real exports, on a small
file written here: order lines proposed as customers, an employee list as orders
dated by birth date, a merchant (the customer of a deal) proposed as its rep, a
leads file as orders, one mis-split column of a space-aligned report as customer
ids, a stage missed by a sample, only the first sheet of a workbook.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from onpace.cli.main import app
from onpace.errors import IngestError
from onpace.ingest.propose import TableProposal, proposal_text, propose
from onpace.ingest.source_spec import load_sources
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


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _sources(text: str) -> dict[str, dict[str, object]]:
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data["sources"]  # type: ignore[no-any-return]


def _one(proposals: list[TableProposal], file: str) -> TableProposal:
    return next(p for p in proposals if p.export.path.name == file)


def _columns(text: str, source: str, entity: str) -> dict[str, object]:
    return _sources(text)[source]["entities"][entity]["columns"]  # type: ignore[index,no-any-return]


# -- the mistakes ----------------------------------------------------------------------


def _order_lines(folder: Path) -> Path:
    rows = [
        "Order No,Order Date,Ship Date,Customer Code,Customer Name,Segment,Product,Qty,Sales,Profit"
    ]
    lines = [
        ("SO-1", "2024-01-05", "2024-01-09", "C1", "Acme", "Corporate", "Lamp", 2, "10.00", "2.00"),
        ("SO-1", "2024-01-05", "2024-01-09", "C1", "Acme", "Corporate", "Mug", 1, "5.50", "1.00"),
        ("SO-2", "2024-02-11", "2024-02-12", "C2", "Bolt", "Consumer", "Lamp", 1, "5.00", "-0.50"),
        (
            "SO-3",
            "2024-02-20",
            "2024-02-25",
            "C1",
            "Acme",
            "Corporate",
            "Desk",
            1,
            "120.00",
            "30.00",
        ),
        ("SO-3", "2024-02-20", "2024-02-25", "C1", "Acme", "Corporate", "Mug", 4, "22.00", "4.40"),
    ]
    rows += [",".join(str(v) for v in line) for line in lines]
    return _write(folder, "sales_lines.csv", "\n".join(rows) + "\n")


def test_order_lines_are_orders_not_customers(tmp_path: Path) -> None:
    text, proposals = propose([_order_lines(tmp_path)], tmp_path)
    main = _one(proposals, "sales_lines.csv")
    assert [e.entity for e in main.entities] == ["orders", "customers"]
    orders = _sources(text)["sales_lines"]["entities"]["orders"]  # type: ignore[index]
    assert orders["group_by"] == "order_id"
    columns = orders["columns"]
    assert columns["order_id"] == "Order No"
    # the order date, not the ship date; the lines' sales added up; cost = sales - profit
    assert columns["ordered_at"] == {"from": "Order Date", "agg": "min"}
    assert columns["amount"] == {"from": "Sales", "agg": "sum"}
    assert columns["cost"] == {"expr": "Sales - Profit", "agg": "sum"}
    assert columns["quantity"] == {"from": "Qty", "agg": "sum"}
    customers = _columns(text, "sales_lines", "customers")
    assert customers["customer_id"] == "Customer Code" and customers["segment"] == "Segment"


def test_order_lines_load_with_the_right_sums(tmp_path: Path) -> None:
    export = _order_lines(tmp_path)
    root = tmp_path / "ws"
    result = CliRunner().invoke(app, ["init", str(root), "--from", str(export)])
    assert result.exit_code == 0, result.output
    outcome = ingest(root, now=dt.datetime(2024, 6, 1))
    assert (outcome.read, outcome.quarantined) == (5, 0)
    orders = table(root, "orders", "order_id")
    assert list(orders["order_id"]) == ["SO-1", "SO-2", "SO-3"]
    # SO-1: 10.00 + 5.50; cost (10.00 - 2.00) + (5.50 - 1.00); SO-3: 120 + 22, cost 90 + 17.60
    assert list(orders["amount"]) == [Decimal("15.50"), Decimal("5.00"), Decimal("142.00")]
    assert list(orders["cost"]) == [Decimal("12.50"), Decimal("5.50"), Decimal("107.60")]
    assert list(orders["quantity"]) == [3, 1, 5]
    assert sorted(table(root, "customers")["customer_id"]) == ["C1", "C2"]


def test_an_employee_list_is_reps_and_a_birth_date_dates_nothing(tmp_path: Path) -> None:
    staff = _write(
        tmp_path,
        "staff.csv",
        "Emp No,First Name,Last Name,Title,Birth Date,Hire Date,Reports To\n"
        "1,Andrew,Adams,General Manager,1962-02-18,2002-08-14,\n"
        "2,Nancy,Edwards,Sales Manager,1958-12-08,2002-05-01,1\n"
        "3,Jane,Peacock,Sales Support Agent,1973-08-29,2002-04-01,2\n"
        "4,Margaret,Park,Sales Support Agent,1947-09-19,2003-05-03,2\n",
    )
    text, proposals = propose([staff], tmp_path)
    assert _one(proposals, "staff.csv").entity == "salespeople"
    columns = _columns(text, "staff", "salespeople")
    assert columns["rep_id"] == "Emp No"
    assert columns["hired_at"] == "Hire Date"
    assert "Birth Date" not in text.split("salespeople:")[1].split("#")[0]
    assert all(
        (v if isinstance(v, str) else v.get("from")) != "Birth Date" for v in columns.values()
    )  # type: ignore[union-attr]


def test_the_merchant_of_a_deal_is_its_customer_not_its_rep(tmp_path: Path) -> None:
    deals = ["deal_id,merchant_id,account_exec_id,stage,created_date,won_date,declared_revenue"]
    merchants = ["merchant_id,zip_code,city,state"]
    for i in range(40):
        merchant = f"m{i:03d}{'abcdef'[i % 6]}"  # one deal per merchant: as many merchants as deals
        stage = ("won", "lost", "negotiation")[i % 3]
        won = f"2024-03-{i % 28 + 1:02d}" if stage == "won" else ""
        deals.append(f"d{i},{merchant},ae{i % 4},{stage},2024-01-{i % 28 + 1:02d},{won},{1000 + i}")
        merchants.append(f"{merchant},{10000 + i},Springfield,{('CA', 'NY', 'TX')[i % 3]}")
    files = [
        _write(tmp_path, "deals.csv", "\n".join(deals) + "\n"),
        _write(tmp_path, "merchants.csv", "\n".join(merchants) + "\n"),
    ]
    text, proposals = propose(files, tmp_path)
    deal = _one(proposals, "deals.csv").main
    assert deal is not None and deal.entity == "quotes"
    assert deal.source_of("rep_id") == "account_exec_id"  # four reps for forty deals
    assert deal.source_of("customer_id") == "merchant_id"  # the other party of the deal
    merchant_list = _one(proposals, "merchants.csv").main
    assert merchant_list is not None and merchant_list.entity == "customers"
    assert merchant_list.key == "merchant_id"
    assert _columns(text, "merchants", "customers")["region"] == "state"


def test_a_leads_file_is_leads_not_orders(tmp_path: Path) -> None:
    rows = ["lead_id,first_contact_date,landing_page_id,origin"]
    rows += [
        f"L{i:04d},2024-0{i % 9 + 1}-1{i % 9},lp{i % 5},{('organic', 'paid', 'email')[i % 3]}"
        for i in range(60)
    ]
    text, proposals = propose([_write(tmp_path, "leads.csv", "\n".join(rows) + "\n")], tmp_path)
    assert _one(proposals, "leads.csv").entity == "leads"
    columns = _columns(text, "leads", "leads")
    assert columns["lead_id"] == "lead_id" and columns["created_at"] == "first_contact_date"
    assert columns["source"] == "origin"


def test_a_mis_split_space_aligned_report_is_not_proposed(tmp_path: Path) -> None:
    lines = [
        "00001  19970101   1   11.77",
        "00002  19970112   1   12.00",
        "00003  19970102   2   77.00",
    ]
    report = _write(
        tmp_path, "report.txt", "customer  date      n   amount\n" + "\n".join(lines * 20) + "\n"
    )
    _, proposals = propose([report], tmp_path)
    p = _one(proposals, "report.txt")
    assert p.entity is None and "aligned with runs of spaces" in p.reason
    with pytest.raises(IngestError, match="no entity could be proposed"):
        proposal_text(tmp_path, [report])
    # and init writes nothing at all
    root = tmp_path / "ws"
    result = CliRunner().invoke(app, ["init", str(root), "--from", str(report)])
    assert result.exit_code == 1 and "no entity could be proposed" in result.output
    assert not root.exists()


def test_the_stage_map_has_every_stage_of_the_whole_file(tmp_path: Path) -> None:
    rows = ["Opportunity ID,Created Date,Stage,Amount,Owner"]
    for i in range(3000):
        # 'Contract Sent' appears only in the last 500 rows: a sample of 2,000 misses it
        stage = (
            "Contract Sent" if i >= 2500 else ("Closed Won", "Closed Lost", "Prospecting")[i % 3]
        )
        rows.append(f"OPP-{i},2024-01-{i % 28 + 1:02d},{stage},{100 + i % 50},rep{i % 5}")
    text, _ = propose([_write(tmp_path, "pipeline.csv", "\n".join(rows) + "\n")], tmp_path)
    status = _columns(text, "pipeline", "quotes")["status"]
    assert status == {
        "from": "Stage",
        "map": {
            "Closed Lost": "lost",
            "Closed Won": "won",
            "Contract Sent": "open",
            "Prospecting": "open",
        },
    }


def test_every_sheet_of_a_workbook_is_proposed(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    orders = book.active
    orders.title = "Orders"
    orders.append(["Order ID", "Order Date", "Customer ID", "Sales Rep", "Total"])
    for i in range(30):
        orders.append(
            [f"O{i}", dt.datetime(2024, 1, 1 + i % 28), f"C{i % 7}", f"R{i % 3}", 100.0 + i]
        )
    customers = book.create_sheet("Customers")
    customers.append(["Customer ID", "Customer Name", "Country"])
    for i in range(7):
        customers.append([f"C{i}", f"Customer {i}", "NL"])
    reps = book.create_sheet("Reps")
    reps.append(["Rep ID", "Name", "Team"])
    for i in range(3):
        reps.append([f"R{i}", f"Rep {i}", "North"])
    path = tmp_path / "sales.xlsx"
    book.save(path)
    text, proposals = propose([path], tmp_path)
    assert [(p.export.sheet, p.entity) for p in proposals] == [
        ("Orders", "orders"),
        ("Customers", "customers"),
        ("Reps", "salespeople"),
    ]
    sources = _sources(text)
    assert {s["sheet"] for s in sources.values()} == {"Orders", "Customers", "Reps"}  # type: ignore[index]
    refs = {(r.column, r.target) for r in proposals[0].references}
    assert refs == {("Customer ID", "sales_customers"), ("Sales Rep", "sales_reps")}


def test_an_unknown_file_is_not_forced_into_an_entity(tmp_path: Path) -> None:
    products = _write(
        tmp_path,
        "products.csv",
        "SKU,Product Name,Category,Price,Stock\n"
        + "".join(f"SKU-{i},Item {i},Home,{9 + i}.95,{i * 3}\n" for i in range(20)),
    )
    crm = _write(tmp_path, "deals.csv", CRM)
    text, proposals = propose([products, crm], tmp_path)
    p = _one(proposals, "products.csv")
    assert p.entity is None and "a list of products" in p.reason
    assert "# products.csv (20 rows): not proposed: a list of products" in text


def test_every_proposed_column_says_how_sure_and_why(tmp_path: Path) -> None:
    text, _ = propose([_order_lines(tmp_path)], tmp_path)
    body = text.split("columns:")[1:]
    lines = [
        ln
        for part in body
        for ln in part.splitlines()
        if ln.strip() and not ln.strip().startswith(("#", "-"))
    ]
    mapped = [
        ln for ln in lines if ln.startswith("          ") and not ln.startswith("           ")
    ]
    assert mapped and all(any(f"# {w}: " in ln for w in ("high", "medium", "low")) for ln in mapped)


# -- the earlier behaviour, kept -----------------------------------------------------------


def test_web_shop_lines_with_cancellations(tmp_path: Path) -> None:
    text, proposals = propose([EXCERPT], tmp_path)
    assert [e.entity for e in proposals[0].entities] == ["orders", "returns", "customers"]
    entities = _sources(text)["excerpt"]["entities"]  # type: ignore[index]
    orders = entities["orders"]
    assert orders["where"] == "Invoice not like 'C%'" and orders["group_by"] == "order_id"
    assert orders["columns"]["amount"] == {"expr": "Quantity * Price", "agg": "sum"}
    assert orders["columns"]["ordered_at"] == {"from": "InvoiceDate", "agg": "min"}
    assert orders["columns"]["customer_id"] == "Customer ID"
    assert entities["returns"]["where"] == "Invoice like 'C%'"
    assert entities["returns"]["columns"]["amount"] == {"expr": "-(Quantity * Price)", "agg": "sum"}
    assert entities["customers"]["where"] == "\"Customer ID\" is not null and Invoice not like 'C%'"
    loaded, issues = load_sources(tmp_path / "sources.yml", text)
    assert loaded is not None and not issues


def test_crm_deals_export_round_trip(tmp_path: Path) -> None:
    export = _write(tmp_path, "deals.csv", CRM)
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
    export = _write(tmp_path, "invoices.csv", INVOICES)
    text, proposals = propose([export], tmp_path)
    assert proposals[0].entity == "invoices"
    columns = _columns(text, "invoices", "invoices")
    assert columns == {
        "invoice_id": "Invoice Number",
        "issued_at": "Invoice Date",
        "amount": "Total",
        "due_at": "Due Date",
        "customer_id": "Customer",
        "paid_amount": "Amount Paid",
        "paid_at": "Paid Date",
    }


def test_an_existing_sources_yml_is_kept_and_nothing_else_written(tmp_path: Path) -> None:
    export = _write(tmp_path, "invoices.csv", INVOICES)
    root = tmp_path / "ws"
    root.mkdir()
    (root / "sources.yml").write_text("sources: {}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["init", str(root), "--from", str(export)])
    assert result.exit_code == 1 and "sources.yml exists already" in result.output
    assert (root / "sources.yml").read_text(encoding="utf-8") == "sources: {}\n"
    assert sorted(p.name for p in root.iterdir()) == ["sources.yml"]  # no onpace.yml either


def test_a_failed_write_leaves_no_half_made_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from onpace.catalog import scaffold

    export = _write(tmp_path, "invoices.csv", INVOICES)
    root = tmp_path / "ws"
    real = Path.write_text
    calls = {"n": 0}

    def flaky(self: Path, *args: object, **kwargs: object) -> int:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "write_text", flaky)
    with pytest.raises(OSError, match="disk full"):
        scaffold.create_workspace(
            root, "b2b", extra_files={"sources.yml": proposal_text(root, [export])}
        )
    monkeypatch.undo()
    assert not root.exists() and [p.name for p in tmp_path.iterdir()] == ["invoices.csv"]
    result = CliRunner().invoke(app, ["init", str(root), "--from", str(export)])
    assert result.exit_code == 0, result.output


def _funnel(folder: Path) -> list[Path]:
    leads = ["lead_id,first_contact_date,landing_page,origin"]
    deals = ["lead_id,merchant_id,sales_rep_id,won_date,business_segment,declared_revenue"]
    for i in range(60):
        leads.append(
            f"L{i:03d},2024-01-{i % 28 + 1:02d},lp{i % 4},{('search', 'social', 'email')[i % 3]}"
        )
        if i % 3 == 0:  # every third lead became a deal
            deals.append(
                f"L{i:03d},M{i:03d}x,rep{i % 2},2024-03-{i % 28 + 1:02d},retail,{1000 + i}"
            )
    return [
        _write(folder, "leads.csv", "\n".join(leads) + "\n"),
        _write(folder, "closed_deals.csv", "\n".join(deals) + "\n"),
    ]


def test_closed_deals_enrich_their_leads_and_become_quotes(tmp_path: Path) -> None:
    text, proposals = propose(_funnel(tmp_path), tmp_path)
    leads, deals = _one(proposals, "leads.csv"), _one(proposals, "closed_deals.csv")
    assert leads.main is not None and leads.main.entity == "leads"
    # the lead's conversion and rep come from its deal, by a join that keeps every lead
    assert leads.main.source_of("converted_at") == "won_date"
    assert leads.main.source_of("rep_id") == "sales_rep_id"
    assert [(j.source, j.by, j.missing) for j in leads.joins] == [
        ("closed_deals", {"lead_id": "lead_id"}, "keep")
    ]
    # the deals are quotes: submitted when their lead came in, won on their won date
    assert deals.main is not None and deals.main.entity == "quotes"
    columns = _columns(text, "closed_deals", "quotes")
    assert columns["quote_id"] == "lead_id"
    assert columns["submitted_at"] == "first_contact_date"
    assert columns["decided_at"] == "won_date"
    assert columns["status"] == {"default": "won"}
    assert columns["rep_id"] == "sales_rep_id" and columns["amount"] == "declared_revenue"
    assert columns["customer_id"] == "merchant_id"  # one per deal: the customer, not a rep


def test_closed_deals_and_leads_load(tmp_path: Path) -> None:
    files = _funnel(tmp_path)
    root = tmp_path / "ws"
    args = ["init", str(root), "--template", "b2b", *[a for f in files for a in ("--from", str(f))]]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    outcome = ingest(root, now=dt.datetime(2024, 6, 1))
    assert outcome.quarantined == 0 and outcome.read == outcome.loaded == 60 + 20
    leads = table(root, "leads", "lead_id")
    converted = leads[leads["converted_at"].notna()]
    assert list(converted["lead_id"]) == [f"L{i:03d}" for i in range(0, 60, 3)]
    assert list(converted["rep_id"]) == [f"rep{i % 2}" for i in range(0, 60, 3)]
    quotes = table(root, "quotes", "quote_id")
    assert len(quotes) == 20 and set(quotes["status"]) == {"won"}
    first = quotes.iloc[0]  # L000: first contact 1 January, won 1 March
    assert (str(first["submitted_at"])[:10], str(first["decided_at"])[:10]) == (
        "2024-01-01",
        "2024-03-01",
    )
