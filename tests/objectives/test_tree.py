"""objectives.yml: reading, errors with lines, links, and the weighted roll-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from onpace.objectives.tree import KpiScore, Objective, load_objectives, roll_up
from onpace.spec.workspace_config import StatusThresholds

KPIS = {"revenue": object(), "orders": object(), "return_rate": object()}

GOOD = """\
objectives:
  - name: growth
    label: Grow
    horizon: 2025..2028
    kpis: {revenue: 3, orders: 1}
    objectives:
      - name: quality
        label: Keep customers
        weight: 2
        kpis: {return_rate: 1}
  - name: empty
    label: Nothing yet
"""


def test_tree_and_links(tmp_path: Path) -> None:
    (tmp_path / "objectives.yml").write_text(GOOD)
    objs = load_objectives(tmp_path, "objectives.yml", KPIS)
    assert objs.issues == []
    assert [o.name for o in objs.all()] == ["growth", "quality", "empty"]
    assert objs.links(KPIS) == {
        "revenue": ["growth"],
        "orders": ["growth"],
        "return_rate": ["quality"],
    }


def test_missing_file_means_no_objectives(tmp_path: Path) -> None:
    assert load_objectives(tmp_path, "objectives.yml", KPIS).roots == ()


def test_errors_name_file_line_and_fix(tmp_path: Path) -> None:
    (tmp_path / "objectives.yml").write_text(
        "objectives:\n  - name: growth\n    label: Grow\n    kpis: {revenu: 1}\n"
        "  - name: growth\n    label: Again\n    colour: red\n"
    )
    objs = load_objectives(tmp_path, "objectives.yml", KPIS)
    messages = [(i.line, i.field, i.message) for i in objs.issues]
    assert messages[0][0] == 7 and "colour" in messages[0][1]
    (tmp_path / "objectives.yml").write_text(
        "objectives:\n  - name: growth\n    label: Grow\n    kpis: {revenu: 1}\n"
        "  - name: growth\n    label: Again\n"
    )
    objs = load_objectives(tmp_path, "objectives.yml", KPIS)
    found = {(i.line, i.message) for i in objs.issues}
    assert (4, "unknown KPI 'revenu'. Did you mean 'revenue'?") in found
    assert (5, "objective name 'growth' is used twice") in found


def test_weights_must_be_positive() -> None:
    with pytest.raises(ValueError, match="above 0"):
        Objective(name="x", label="x", kpis={"revenue": 0})


def test_roll_up_is_the_weighted_attainment_with_what_drags_it_down() -> None:
    sub = Objective(name="quality", label="Q", weight=2, kpis={"return_rate": 1})
    top = Objective(name="growth", label="G", kpis={"revenue": 3, "orders": 1}, objectives=(sub,))
    scores = {
        "revenue": KpiScore(1.0, "on track"),
        "orders": KpiScore(0.6, "off track"),
        "return_rate": KpiScore(0.9, "at risk"),
    }
    node = roll_up(top, scores, StatusThresholds())
    # (3 * 1.0 + 1 * 0.6 + 2 * 0.9) / 6 = 5.4 / 6 = 0.9
    assert node.attainment == pytest.approx(0.9)
    assert node.status == "at risk"
    # shortfalls: orders 1/6 * 0.4 = 0.0667, quality 2/6 * 0.1 = 0.0333
    assert [d[0] for d in node.drags] == ["orders", "objective quality"]
    assert node.drags[0][1] == pytest.approx(0.4 / 6)
    assert node.children[0].attainment == pytest.approx(0.9)


def test_kpis_without_a_score_are_left_out_not_counted_as_zero() -> None:
    top = Objective(name="g", label="G", kpis={"revenue": 1, "orders": 1})
    node = roll_up(top, {"revenue": KpiScore(1.1, "on track")}, StatusThresholds())
    assert node.attainment == pytest.approx(1.1)
    assert roll_up(top, {}, StatusThresholds()).status == "no data"
