"""``onpace periods``: each KPI for the last complete month, quarter and year, beside the
period before and the same period a year earlier, with both changes; worked out by hand.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onpace.cli.main import app
from onpace.store import workspace_store
from onpace.views.formatting import MISSING
from onpace.views.periods import PeriodRow, period_rows
from onpace.workspace import Workspace
from tests.support.target_fixtures import make_workspace

AS_OF = datetime(2026, 4, 15, 12)
ORDERS = [
    ("o1", "2024-06-01 10:00", 65.0, "r1", "completed"),
    ("o2", "2025-01-10 10:00", 100.0, "r1", "completed"),
    ("o3", "2025-03-07 10:00", 25.0, "r1", "completed"),
    ("x1", "2025-03-15 10:00", 999.0, "r1", "cancelled"),
    ("o4", "2025-10-05 10:00", 50.0, "r1", "completed"),
    ("o5", "2025-11-05 10:00", 60.0, "r2", "completed"),
    ("o6", "2025-12-05 10:00", 90.0, "r1", "completed"),
    ("o7", "2026-01-10 10:00", 120.0, "r1", "completed"),
    ("o8", "2026-02-10 10:00", 80.0, "r2", "completed"),
    ("x2", "2026-02-11 10:00", 999.0, "r1", "cancelled"),
    ("o9", "2026-03-03 10:00", 40.0, "r1", "completed"),
    ("x3", "2026-03-20 10:00", 999.0, "r1", "cancelled"),
    ("x4", "2026-03-21 10:00", 999.0, "r2", "cancelled"),
    ("o10", "2026-04-02 10:00", 500.0, "r1", "completed"),  # April is still running
]
NONE = None

# (kpi, grain) -> (period, value, previous, change, last year, change)
EXPECTED: dict[tuple[str, str], tuple[str, float, float, float | None, float, float | None]] = {
    # March 2026 40 against February 80 and March 2025 25
    ("revenue", "month"): ("2026-03", 40, 80, 40 / 80 - 1, 25, 40 / 25 - 1),
    # Q1 2026 120 + 80 + 40 against Q4 2025 50 + 60 + 90 and Q1 2025 100 + 25
    ("revenue", "quarter"): ("2026-Q1", 240, 200, 240 / 200 - 1, 125, 240 / 125 - 1),
    # 2025 100 + 25 + 50 + 60 + 90 against 2024 65 (the year before is also last year)
    ("revenue", "year"): ("2025", 325, 65, 325 / 65 - 1, 65, 325 / 65 - 1),
    ("cancelled_orders", "month"): ("2026-03", 2, 1, 2 / 1 - 1, 1, 2 / 1 - 1),
    # no change from zero
    ("cancelled_orders", "quarter"): ("2026-Q1", 3, 0, NONE, 1, 3 / 1 - 1),
    ("cancelled_orders", "year"): ("2025", 1, 0, NONE, 0, NONE),
    # a rate changes in points: March 2 of 3 orders, February 1 of 2, March 2025 1 of 2
    ("cancel_rate", "month"): ("2026-03", 2 / 3, 1 / 2, 2 / 3 - 1 / 2, 1 / 2, 2 / 3 - 1 / 2),
    # Q1 2026 3 of 6, Q4 2025 0 of 3, Q1 2025 1 of 3
    ("cancel_rate", "quarter"): ("2026-Q1", 3 / 6, 0 / 3, 3 / 6, 1 / 3, 3 / 6 - 1 / 3),
    # 2025 1 of 6, 2024 0 of 1
    ("cancel_rate", "year"): ("2025", 1 / 6, 0 / 1, 1 / 6, 0 / 1, 1 / 6),
}


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return make_workspace(tmp_path_factory.mktemp("periods") / "ws", orders=ORDERS)


def _numbers(row: PeriodRow) -> tuple[object, ...]:
    return (
        row.period,
        row.value,
        row.previous,
        row.change_previous,
        row.last_year,
        row.change_last_year,
    )


def test_values_previous_last_year_and_changes(ws: Workspace) -> None:
    store = workspace_store(ws)
    try:
        rows = {(r.kpi, r.grain): r for r in period_rows(ws, store, as_of=AS_OF)}
    finally:
        store.close()
    # the KPI on returns has no data and is left out
    assert set(rows) == set(EXPECTED)
    for key, want in EXPECTED.items():
        got = _numbers(rows[key])
        assert got[0] == want[0], key
        for g, w in zip(got[1:], want[1:], strict=True):
            assert g == (None if w is None else pytest.approx(w, abs=1e-12)), (key, got, want)
    assert rows[("revenue", "month")].improved is True  # above March 2025, and higher is better
    assert rows[("cancel_rate", "month")].improved is False  # a higher cancel rate is worse


def _cells(output: str, title: str, label: str) -> list[str]:
    """The cells of ``label``'s row in the table titled ``title``."""
    table = output.split(title, 1)[1]
    line = next(line for line in table.splitlines() if f" {label} " in line)
    cells = [cell.strip() for cell in line.strip().strip("│┃").split("│")]
    return cells[:7]  # the status column follows; no target is set here


def test_the_cli_prints_them(tmp_path: Path) -> None:
    made = make_workspace(tmp_path / "ws", orders=ORDERS)
    root = made.root
    # the command opens the workspace itself, read-only: let go of the writing connection
    made.warehouse.backend.disconnect()
    result = CliRunner().invoke(app, ["periods", "-w", str(root), "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    month = "last complete month (2026-03)"
    quarter = "last complete quarter (2026-Q1)"
    year = "last complete year (2025)"
    # area, KPI, value, previous, change, last year, change
    assert _cells(result.output, month, "Revenue")[2:] == [
        "€40.00",
        "€80.00",
        "-50.0%",
        "€25.00",
        "+60.0%",
    ]
    assert _cells(result.output, quarter, "Revenue")[2:] == [
        "€240.00",
        "€200.00",
        "+20.0%",
        "€125.00",
        "+92.0%",
    ]
    assert _cells(result.output, year, "Revenue")[2:] == [
        "€325.00",
        "€65.00",
        "+400.0%",
        "€65.00",
        "+400.0%",
    ]
    assert _cells(result.output, month, "Cancel rate")[2:] == [
        "66.7%",
        "50.0%",
        "+16.7 pp",
        "50.0%",
        "+16.7 pp",
    ]
    cancelled = _cells(result.output, quarter, "Cancelled orders")[2:]
    assert cancelled == ["3", "0", MISSING, "1", "+200.0%"]
