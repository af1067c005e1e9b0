"""The header-and-lines and CRM examples load as their READMEs say, with numbers by hand."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from onpace.workspace import Workspace
from tests.ingest.helpers import ingest, quarantine, table

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
AS_OF = dt.datetime(2024, 6, 30)


def _copy(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(EXAMPLES / name, root, ignore=shutil.ignore_patterns("warehouse*"))
    return root


def _values(root: Path, kpis: list[str], by: str | None = None) -> pd.DataFrame:
    ws = Workspace.open(root)
    try:
        frame = ws.compute(kpis, grain="month", start="2024-01", end="2024-03", by=by, as_of=AS_OF)
    finally:
        ws.warehouse.backend.disconnect()
    return frame


def test_header_and_lines(tmp_path: Path) -> None:
    root = _copy(tmp_path, "header-and-lines")
    result = ingest(root, now=AS_OF)
    assert (result.read, result.loaded, result.quarantined) == (34, 30, 4)
    assert [(f, n) for f, n, _ in quarantine(root)] == [
        ("data/order_lines.csv", 12),
        ("data/order_lines.csv", 13),
        ("data/order_lines.csv", 14),
        ("data/returns.csv", 4),
    ]
    orders = table(root, "orders", "order_id")
    # 10 x 2.50 + 3 x 19.99 x 0.85 = 25 + 50.9745, kept to the fourth place
    assert orders.loc[0, "amount"] == Decimal("75.9745")
    assert list(orders["rep_id"]) == ["R1", "R2", "R1", "R3", "R2", "R1", "R3"]
    reps = table(root, "salespeople", "rep_id")
    assert [None if pd.isna(m) else m for m in reps["manager"]] == ["Mia Novak", "Noah Berg", None]
    returns = table(root, "returns", "return_id")
    assert list(returns["returned_at"]) == [dt.datetime(2024, 1, 3), dt.datetime(2024, 3, 20)]
    values = _values(
        root, ["revenue", "orders", "average_order_value", "sales_per_salesperson", "returns"]
    )
    got = values.pivot(index="period_label", columns="kpi", values="value")
    jan, feb, mar = 75.9745 + 10.00 + 16.25, 19.99 + 258.75 + 30.00, 79.96
    assert list(got["revenue"]) == pytest.approx([jan, feb, mar], abs=1e-9)
    assert list(got["orders"]) == [3, 3, 1]
    assert list(got["average_order_value"]) == pytest.approx([jan / 3, feb / 3, mar / 1])
    assert list(got["sales_per_salesperson"]) == pytest.approx([jan / 2, feb / 3, mar / 1])
    assert list(got["returns"]) == [1, 0, 1]
    by_region = _values(root, ["revenue"], by="rep.region")
    north = by_region[by_region["rep.region"] == "North"]["value"].tolist()
    assert north == pytest.approx([75.9745 + 16.25, 30.00, 0.0])


def test_crm(tmp_path: Path) -> None:
    root = _copy(tmp_path, "crm")
    result = ingest(root, now=AS_OF)
    assert (result.read, result.loaded, result.quarantined) == (24, 22, 2)
    assert [(n, r) for _, n, r in quarantine(root)] == [
        (9, "quotes: cannot read 'n/a' in Value as a number"),
        (10, "quotes: missing submitted_at (column Engaged)"),
    ]
    assert "customers: 1 stub row(s) added for unknown customer_id of 1 leads row(s)" in (
        result.notes
    )
    quotes = table(root, "quotes", "quote_id")
    assert list(quotes["quote_id"]) == ["OP-1", "OP-2", "OP-3", "OP-4", "OP-5", "OP-6", "OP-7"]
    assert quotes.loc[0, "amount"] == Decimal("1250.00")
    assert pd.isna(quotes.loc[4, "submitted_at"])  # Prospecting: no date, still pipeline
    leads = table(root, "leads", "lead_id")
    converted = {
        lead: at.date().isoformat()
        for lead, at in zip(leads["lead_id"], leads["converted_at"], strict=True)
        if not pd.isna(at)
    }
    assert converted == {
        "L01": "2024-01-20",
        "L03": "2024-02-15",
        "L06": "2024-03-10",
        "L07": "2024-03-28",
        "L08": "2024-03-25",
    }
    assert sorted(table(root, "customers")["customer_id"]) == [
        "ACC-1",
        "ACC-2",
        "ACC-3",
        "ACC-4",
        "ACC-9",
    ]
    values = _values(
        root, ["leads", "quotes_submitted", "quotes_won", "quote_win_rate", "quote_cycle_days"]
    )
    got = values.pivot(index="period_label", columns="kpi", values="value")
    assert list(got["leads"]) == [3, 3, 2]
    assert list(got["quotes_submitted"]) == [3, 2, 1]
    assert list(got["quotes_won"]) == [1, 1, 1]
    assert list(got["quote_win_rate"]) == pytest.approx([1.0, 0.5, 0.5])
    assert list(got["quote_cycle_days"]) == pytest.approx([15.0, (21 + 26) / 2, (17 + 14) / 2])
