"""The Python API a notebook user reaches without internal imports: targets, scorecard,
status and check, typed, as objects or as pandas and arrow tables."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pytest

import onpace
from onpace.targets.definition import parse_target_period
from tests.support.target_fixtures import make_workspace, revenue_q1_projection_by_hand

AS_OF = datetime(2026, 2, 15)
Q1 = parse_target_period("2026-Q1")


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[onpace.Workspace]:
    make_workspace(tmp_path / "ws")
    opened = onpace.Workspace.open(tmp_path / "ws")
    opened.store.set_target(onpace.Target("revenue", Q1, 900.0), "budget", "test")
    yield opened
    opened.close()


def test_targets_as_objects_and_tables(ws: onpace.Workspace) -> None:
    (target,) = ws.targets()
    assert isinstance(target, onpace.Target) and target.value == 900.0
    frame = ws.targets(output="pandas")
    assert list(frame["kpi"]) == ["revenue"] and frame["period"][0] == "2026-Q1"
    table = ws.targets(output="arrow")
    assert isinstance(table, pa.Table) and table.num_rows == 1


def test_scorecard_status_and_check(ws: onpace.Workspace) -> None:
    card = ws.scorecard(as_of=AS_OF)
    assert isinstance(card, onpace.Scorecard) and card.period.label == "2026-Q1"
    revenue = next(r for r in card.rows if r.kpi == "revenue")
    assert isinstance(revenue, onpace.ScorecardRow)
    # 450 so far, projected 855 of 900 from the period so far (worked out from the
    # fixture's rows in revenue_q1_projection_by_hand): at risk
    assert (revenue.value, revenue.status) == (450.0, "at risk")
    assert revenue.projection == pytest.approx(revenue_q1_projection_by_hand())
    assert revenue.explanation == "projected 95% of target; at risk between 90% and 98%"
    # the same row, without the sparkline the status leaves out
    assert ws.status(as_of=AS_OF) == [replace(revenue, sparkline=None, sparkline_chart=None)]
    frame = ws.scorecard(as_of=AS_OF, output="pandas")
    assert frame.loc[frame["kpi"] == "revenue", "status"].item() == "at risk"
    assert ws.status(as_of=AS_OF, output="arrow").num_rows == 1
    report = ws.check(as_of=AS_OF)
    assert isinstance(report, onpace.SmartReport)
    assert {f.letter for f in report.findings if f.kpi == "revenue"} == set("SMART")
    with pytest.raises(onpace.WorkspaceError, match="output 'excel'"):
        ws.scorecard(as_of=AS_OF, output="excel")  # type: ignore[call-overload]
