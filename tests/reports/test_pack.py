"""The review pack: its numbers are the scorecard's, in Excel as numbers, in PDF as pages."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from onpace.reports.pack import review_pack
from onpace.reports.sheet_cells import safe_text
from onpace.reports.writers import write_pack
from onpace.reviews.checkins import add_checkin
from onpace.workspace import Workspace

AS_OF = datetime(2025, 11, 27)


def test_formula_text_is_neutralised() -> None:
    assert safe_text('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    # the rule of the CSV downloads: a signed number is a number, not a formula
    assert [safe_text(t) for t in ("+1", "-2", "-2+3", "@SUM(A1)", "\n=1", "ok", None)] == [
        "+1", "-2", "'-2+3", "'@SUM(A1)", "'\n=1", "ok", "",
    ]  # fmt: skip


def test_the_workbook_holds_the_scorecards_numbers(demo_ws: Workspace, tmp_path: Path) -> None:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    add_checkin(demo_ws, "2025-Q4", "=cmd|' /C calc'!A0 big deal slipped", "at risk", kpi="orders",
                author="ann")  # fmt: skip
    pack = review_pack(demo_ws, "2025-Q4", as_of=AS_OF)
    path = write_pack(pack, "xlsx", tmp_path / "pack.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == [
        "Scorecard", "Breakdown", "Target revisions", "Check-ins", "SMART findings", "Reviews due",
    ]  # fmt: skip
    sheet = book["Scorecard"]
    header = [c.value for c in sheet[1]]
    card = demo_ws.scorecard("2025-Q4", as_of=AS_OF, by="total")
    expected = {r.kpi: r for r in card.rows}
    found = 0
    for cells in sheet.iter_rows(min_row=2):
        values = dict(zip(header, cells, strict=True))
        row = expected[values["kpi"].value]
        for field in ("value", "target", "attainment", "pace", "projection", "probability"):
            want = getattr(row, field)
            got = values[field].value
            if want is None:
                assert got is None
            else:
                assert isinstance(got, (int, float)) and got == pytest.approx(want, rel=1e-12)
        if row.attainment is not None:
            assert values["attainment"].number_format == "0.0%"
        if row.unit == "currency" and row.value is not None:
            assert values["value"].number_format == "#,##0.00"
        assert values["status"].value == row.status
        found += 1
    assert found == len(card.rows)
    orders = expected["orders"]
    assert orders.target is not None  # the demo sets an orders target for the quarter
    breakdown = book["Breakdown"]
    reps = {(c[1].value, c[3].value) for c in breakdown.iter_rows(min_row=2)}
    by_rep = demo_ws.scorecard("2025-Q4", as_of=AS_OF, by="rep")
    assert reps == {(r.kpi, r.member_label or r.member or "") for r in by_rep.rows}
    checkins = list(book["Check-ins"].iter_rows(min_row=2, values_only=True))
    assert len(checkins) == len(pack.checkins) == 4  # the demo's three and this one
    checkin = checkins[-1]
    assert checkin[0] == "orders" and checkin[2] == "at risk"
    assert checkin[5].startswith("'=cmd")  # text, never a formula
    revisions = list(book["Target revisions"].iter_rows(min_row=2, values_only=True))
    assert {r[0] for r in revisions} >= {"orders", "revenue"}
    assert all(isinstance(r[5], (int, float)) and r[8] for r in revisions)  # value and reason


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")
def test_the_pdf_renders_to_pages_with_the_scorecard(demo_ws: Workspace, tmp_path: Path) -> None:
    add_checkin(demo_ws, "2025-Q4", "pipeline is thin this month", 4, kpi="orders", author="ann")
    pack = review_pack(demo_ws, "2025-Q4", as_of=AS_OF)
    pdf = write_pack(pack, "pdf", tmp_path / "pack.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 3
    assert all(p.stat().st_size > 5_000 for p in pages[:2])  # drawn pages, not blank ones
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Review pack 2025-Q4" in text
    for heading in ("Scorecard by objective", "Progress against target", "Breakdown by rep",
                    "Target revisions", "Check-ins", "SMART findings", "Reviews due"):  # fmt: skip
        assert heading in text
    orders = next(r for r in pack.card.rows if r.kpi == "orders")
    assert f"{orders.target:,.0f}" in text
    assert "pipeline is thin this month" in text
    artifacts = Path("/work/artifacts")
    if artifacts.is_dir():
        shutil.copy(pages[0], artifacts / "review_pack_page1.png")


def test_html_escapes_what_people_typed(demo_ws: Workspace, tmp_path: Path) -> None:
    add_checkin(demo_ws, "2025-Q4", "<script>alert(1)</script>", "on track", kpi="orders",
                author="ann")  # fmt: skip
    pack = review_pack(demo_ws, "2025-Q4", objective="more_orders", by="total", as_of=AS_OF)
    html = write_pack(pack, "html", tmp_path / "pack.html").read_text()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert {r.kpi for r in pack.card.rows} == {"orders"}
    assert pack.breakdown is None and "data:image/png;base64," in html
