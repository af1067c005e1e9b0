"""onpace compute: periods as bounds, the default range and its note, --grain all, --top.

On ``SALES_DATA`` in a real workspace folder; values worked out by hand in
tests/catalog/test_catalog_values.py (Q1 2024 revenue 665.50 = 230 + 215.50 + 220).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onpace.cli.main import app
from tests.support.sales_workspace import sales_workspace

runner = CliRunner()
AS_OF = ["--as-of", "2024-07-01"]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sales_workspace(tmp_path_factory.mktemp("cli-compute") / "ws")


def _json(root: Path, *args: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["compute", *args, "-w", str(root), "--format", "json", *AS_OF])
    assert result.exit_code == 0, result.output
    start = result.stdout.index("[")
    return json.loads(result.stdout[start:])  # type: ignore[no-any-return]


def test_to_includes_its_period(root: Path) -> None:
    rows = _json(root, "revenue", "--from", "2024-01", "--to", "2024-02")
    assert [(r["period_label"], r["value"]) for r in rows] == [("2024-01", 230), ("2024-02", 215.5)]


def test_no_range_says_which_periods_it_shows(root: Path) -> None:
    result = runner.invoke(app, ["compute", "revenue", "-w", str(root), *AS_OF])
    assert result.exit_code == 0, result.output
    assert "no range given: the last 12 months with data, 2023-04 to 2024-03" in result.output
    assert "2024-03" in result.output and "2024-07" not in result.output
    assert "€220.00" in result.output


def test_grain_all(root: Path) -> None:
    rows = _json(
        root, "revenue", "orders", "--grain", "all", "--from", "2024-01", "--to", "2024-03"
    )
    assert [(r["kpi"], r["period_label"], r["value"]) for r in rows] == [
        ("revenue", "2024-01-01 to 2024-03-31", 665.5),
        ("orders", "2024-01-01 to 2024-03-31", 10),
    ]
    everything = runner.invoke(
        app, ["compute", "revenue", "--grain", "all", "-w", str(root), *AS_OF]
    )
    assert everything.exit_code == 0, everything.output
    assert "the data from 2023-01-15 to 2024-03-28" in everything.output
    assert "€780.50" in everything.output  # o0's 115 of 2023 plus Q1 2024


def test_top_per_range_and_per_period(root: Path) -> None:
    common = ["revenue", "--by", "rep", "--from", "2024-01", "--to", "2024-03", "--top", "1"]
    overall = _json(root, *common)
    assert [(r["period_label"], r["rep"], r["rank"], r["value"]) for r in overall] == [
        ("2024-01", "r1", 1, 180),
        ("2024-02", "r1", 1, 120),
        ("2024-03", "r1", 1, 70),
    ]
    each = _json(root, *common, "--top-per", "period")
    assert [(r["period_label"], r["rep"], r["value"]) for r in each] == [
        ("2024-01", "r1", 180),
        ("2024-02", "r1", 120),
        ("2024-03", "r3", 150),
    ]
    table = runner.invoke(app, ["compute", *common, "-w", str(root), *AS_OF])
    assert table.exit_code == 0 and "r1" in table.output and "r2" not in table.output


def test_bad_bounds_and_options_are_messages(root: Path) -> None:
    bad = runner.invoke(app, ["compute", "revenue", "--to", "2024-13", "-w", str(root)])
    assert bad.exit_code == 1 and "cannot read period '2024-13'" in bad.output
    empty = runner.invoke(
        app, ["compute", "revenue", "--from", "2024-03", "--to", "2024-01", "-w", str(root)]
    )
    assert empty.exit_code == 1 and "the range is empty" in empty.output
    no_by = runner.invoke(app, ["compute", "revenue", "--top", "3", "-w", str(root)])
    assert no_by.exit_code == 1 and "a dimension to rank" in no_by.output
    per = runner.invoke(
        app,
        ["compute", "revenue", "--by", "rep", "--top", "3", "--top-per", "month", "-w", str(root)],
    )
    assert per.exit_code == 2 and "use range or period" in per.output
    for result in (bad, empty, no_by, per):
        assert "Traceback" not in result.output
