"""Downloads open cleanly in the reader's spreadsheet: `;` and a decimal comma in Dutch,
numbers rounded to the KPI's unit, never a raw float or an exponent.

Expected cells are worked out by hand from tests/support/sales_data.py as of
2024-03-20 12:00: revenue in 2024-Q1 is the completed (or status-less) orders up to
then, 100 + 50 + 80 + 120 + 40.50 + 30 + 25 + 60 + 90 = 595.50 (o4 is cancelled, o10
comes on 28 March); those are 9 orders, so the average order value is
595.50 / 9 = 66.1666... = 66.17.
"""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook

from tests.web.conftest import Site

RAW_FLOAT = re.compile(r"\d\.\d{7,}|\de-\d")


def _rows(text: str, delimiter: str) -> dict[str, dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
    return {r["kpi"]: r for r in rows}


def test_scorecard_csv_in_dutch(site: Site) -> None:
    c = site.login("admin")
    dutch = c.get("/scorecard.csv?lang=nl")
    assert dutch.status_code == 200
    header = dutch.text.splitlines()[0]
    assert header.startswith("objective;kpi;label;") and "," not in header
    rows = _rows(dutch.text, ";")
    assert rows["revenue"]["value"] == "595,50"
    assert rows["orders"]["value"] == "9"
    assert rows["average_order_value"]["value"] == "66,17"
    assert not RAW_FLOAT.search(dutch.text.replace(",", "."))


def test_scorecard_csv_in_english(site: Site) -> None:
    english = site.login("admin").get("/scorecard.csv?lang=en")
    rows = _rows(english.text, ",")
    assert rows["revenue"]["value"] == "595.50"
    assert rows["average_order_value"]["value"] == "66.17"
    assert not RAW_FLOAT.search(english.text)


def test_the_language_cookie_decides_without_a_query(site: Site) -> None:
    c = site.login("admin")
    c.get("/scorecard?lang=nl")
    assert c.get("/scorecard.csv").text.startswith("objective;kpi;")


def test_kpi_page_csv_rounds_the_projection(site: Site) -> None:
    text = site.login("admin").get("/kpis/revenue.csv?lang=nl").text
    rows = {r["label"]: r for r in csv.DictReader(io.StringIO(text), delimiter=";")}
    # March to date: o8 60 + o9 90 = 150.00
    assert rows["2024-03"]["value"] == "150,00" and rows["2024-03"]["part"] == "to date"
    assert rows["2024-01"]["value"] == "230,00"  # o1 100 + o2 50 + o3 80
    assert re.fullmatch(r"\d+,\d\d", rows["2024-03"]["projection"])
    assert not RAW_FLOAT.search(text.replace(",", "."))


def test_excel_download_has_rounded_numbers(site: Site) -> None:
    r = site.login("admin").get("/scorecard.xlsx")
    assert r.status_code == 200 and r.headers["content-type"].startswith(
        "application/vnd.openxmlformats"
    )
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    columns = list(rows[0])
    by_kpi = {row[columns.index("kpi")]: row for row in rows[1:]}
    value = columns.index("value")
    assert by_kpi["revenue"][value] == 595.5
    assert by_kpi["average_order_value"][value] == 66.17
    aov = next(
        i
        for i, row in enumerate(rows, start=1)
        if row[columns.index("kpi")] == "average_order_value"
    )
    assert sheet.cell(row=aov, column=value + 1).number_format == "#,##0.00"
