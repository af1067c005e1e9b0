"""The SMART check on the tiny workspace: one finding per KPI and letter."""

from __future__ import annotations

from pathlib import Path

import pytest

from onpace.objectives.tree import load_objectives
from onpace.targets.definition import Target, parse_target_period
from onpace.targets.smart import _growth, _mixes_and_or, smart_check
from onpace.workspace import Workspace
from tests.support.target_fixtures import AS_OF, make_workspace

Q1 = parse_target_period("2026-Q1")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = make_workspace(tmp_path_factory.mktemp("smart") / "ws")
    (ws.root / "objectives.yml").write_text(
        "objectives:\n  - name: growth\n    label: Grow\n    kpis: {revenue: 1, returns_count: 1}\n"
        "  - name: someday\n    label: No KPI yet\n"
    )
    return ws


def run(ws: Workspace, targets: list[Target]):  # type: ignore[no-untyped-def]
    objs = load_objectives(ws.root, "objectives.yml", ws.kpis)
    return smart_check(ws, targets, objs, AS_OF)


def test_one_finding_per_kpi_and_letter(tiny: Workspace) -> None:
    report = run(tiny, [Target("revenue", Q1, 900.0)])
    for name in tiny.kpis:
        assert sorted(report.for_kpi(name)) == ["A", "M", "R", "S", "T"]


def test_an_unlikely_target_on_little_history_is_only_a_warning(tiny: Workspace) -> None:
    # three months of data: no past period to calibrate the probability on
    report = run(tiny, [Target("revenue", Q1, 5000.0)])
    a = report.for_kpi("revenue")["A"]
    assert a.level == "warning" and "probably unrealistic" in a.evidence
    # 5,000 is (5000 - 855) / 81 = 51 default spreads above the projection: a normal tail of
    # 0% (no floor: the probability says what the spread says, and the warning says on how
    # little it rests)
    assert "probability 0%" in a.evidence and "too little history" in a.evidence
    assert not report.errors


def test_unambitious_target_is_a_warning(tiny: Workspace) -> None:
    report = run(tiny, [Target("revenue", Q1, 100.0)])
    a = report.for_kpi("revenue")["A"]
    assert a.level == "warning" and "unambitious" in a.evidence


def test_reachable_target_is_ok(tiny: Workspace) -> None:
    # projected 855 with a default spread of 20% of the 405 to come
    a = run(tiny, [Target("revenue", Q1, 855.0)]).for_kpi("revenue")["A"]
    assert a.level == "ok" and "probability 50%" in a.evidence


def test_relevant_lists_orphans_both_ways(tiny: Workspace) -> None:
    report = run(tiny, [])
    assert report.for_kpi("revenue")["R"].level == "ok"
    orphan = report.for_kpi("cancel_rate")["R"]
    assert orphan.level == "warning" and "no objective" in orphan.message
    empty = [f for f in report.findings if f.objective == "someday"]
    assert len(empty) == 1 and empty[0].level == "warning"


def test_measurable_and_time_bound(tiny: Workspace) -> None:
    report = run(tiny, [Target("returns_count", Q1, 5.0), Target("revenue", Q1, 900.0)])
    # returns_count has a target but no data: error; without a target only a warning
    assert report.for_kpi("returns_count")["M"].level == "error"
    assert run(tiny, []).for_kpi("returns_count")["M"].level == "warning"
    assert report.for_kpi("revenue")["M"].level == "ok"
    assert report.for_kpi("revenue")["T"].level == "ok"  # monthly review of a quarter
    t = report.for_kpi("cancel_rate")["T"]
    assert t.level == "warning" and "no review cadence" in t.message
    passed = run(tiny, [Target("revenue", parse_target_period("2025-Q4"), 900.0)])
    assert "deadline has passed" in passed.for_kpi("revenue")["T"].message


def test_specific_checks() -> None:
    assert _mixes_and_or("status = 'won' and amount > 5 or channel = 'web'")
    assert not _mixes_and_or("status = 'won' and (amount > 5 or channel = 'web')")
    assert not _mixes_and_or("amount between 1 and 5 or status = 'won'")


def test_growth_is_points_for_rates() -> None:
    assert _growth(110.0, 100.0, "currency") == pytest.approx(0.1)
    assert _growth(0.05, 0.03, "percent") == pytest.approx(0.02)
    assert _growth(5.0, 0.0, "count") is None


def test_missing_description_and_direction_are_flagged(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws")
    text = (ws.root / "kpis" / "k.yml").read_text()
    text = text.replace("    description: Orders cancelled.\n", "").replace(
        "    unit: count\n    direction: lower\n    review_cadence: monthly\n",
        "    unit: count\n    review_cadence: monthly\n",
        1,
    )
    (ws.root / "kpis" / "k.yml").write_text(text)
    ws2 = Workspace.open(ws.root)
    ws2.use_warehouse(ws.warehouse)
    s = run(ws2, []).for_kpi("cancelled_orders")["S"]
    assert s.level == "warning"
    assert "no description" in s.message and "direction is not set" in s.message


def test_broken_definitions_are_findings_of_their_kpi_or_of_the_file(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws")
    (ws.root / "kpis" / "more.yml").write_text(
        "kpis:\n"
        "  - name: bad_sum\n"
        "    type: simple\n"
        "    label: Bad\n"
        "    entity: orders\n"
        "    agg: sum\n"
        "    column: status\n"
        "    time: ordered_at\n"
        "    unit: count\n"
    )
    (ws.root / "kpis" / "broken.yml").write_text("kpis: [\n")
    reopened = Workspace.open(ws.root)
    reopened.use_warehouse(ws.warehouse)
    assert "bad_sum" not in reopened.kpis and "revenue" in reopened.kpis
    report = run(reopened, [])
    [bad] = [f for f in report.findings if f.kpi == "bad_sum"]
    assert (bad.letter, bad.level) == ("S", "error") and "more.yml:7" in bad.evidence
    [file_level] = [f for f in report.findings if f.kpi is None and f.letter == "S"]
    assert file_level.level == "error" and "broken.yml" in file_level.evidence
    # no pseudo-KPI named after the file-level field
    assert not [f for f in report.findings if f.kpi and f.kpi.startswith("(")]
