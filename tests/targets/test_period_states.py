"""The status knows where the period is: worked by hand at the boundaries.

The tiny workspace (tests/support/target_fixtures.py) sold in November 2025:
o1 200 on the 5th and o2 100 on the 20th (and a cancelled order on the 25th).
November has 30 days, so the default too-early share of 20% is exactly 6 days:
as of 6 November (5 days gone, 16.7%) it is too early, as of 7 November (6 days,
20.0%) the target is judged. There is no history before November, so the
projection is the run-rate alone.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from onpace.spec.workspace_config import StatusSettings, StatusThresholds
from onpace.targets.actuals import KpiData
from onpace.targets.definition import Target, parse_target_period
from onpace.targets.evaluation import TargetStatus, evaluate_target, judge, level_of
from onpace.workspace import Workspace
from tests.support.target_fixtures import make_workspace

NOV = parse_target_period("2025-11")
SETTINGS = StatusSettings()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return make_workspace(tmp_path_factory.mktemp("states") / "ws")


def status_on(
    ws: Workspace, when: datetime, target: Target, settings: StatusSettings = SETTINGS
) -> TargetStatus:
    return evaluate_target(KpiData(ws, when), target, settings)


def test_a_period_that_has_not_started(tiny: Workspace) -> None:
    s = status_on(tiny, datetime(2025, 10, 31, 23, 59), Target("revenue", NOV, 300.0))
    assert s.state == "future" and s.status == "not started" and s.actual is None
    assert s.elapsed == 0.0 and s.pace is None
    assert s.explanation.startswith("starts 2025-11")


def test_first_day_is_running_but_too_early(tiny: Workspace) -> None:
    s = status_on(tiny, datetime(2025, 11, 1), Target("revenue", NOV, 300.0))
    # in progress from its first day, nothing sold yet and nothing due yet
    assert s.state == "in progress" and s.elapsed == 0.0
    assert s.actual == 0.0 and s.attainment == 0.0 and s.target_to_date == 0.0
    assert s.pace is None and s.status == "too early"
    assert s.explanation.startswith("0% of the period gone, too early to tell (under 20%)")


def test_too_early_share_boundary(tiny: Workspace) -> None:
    target = Target("revenue", NOV, 300.0)
    early = status_on(tiny, datetime(2025, 11, 6), target)
    # 5 of 30 days: o1 200 against 300 * 5/30 = 50 due; pace shown, no alarm
    assert early.elapsed == pytest.approx(5 / 30) and early.status == "too early"
    assert early.pace == pytest.approx(200 / 50)
    judged = status_on(tiny, datetime(2025, 11, 7), target)
    assert judged.elapsed == pytest.approx(0.2) and judged.status == "on track"
    # no history before November, so no model: the projection is the run-rate alone,
    # 200 in 6 of 30 days -> 1000, the same 333% of target as the pace (200 / 60)
    assert judged.projection == pytest.approx(1000.0) and judged.method == "run_rate"
    assert judged.score == pytest.approx(200 / 60)
    assert judged.explanation == "projected 333% of target; on track at 98% or more"
    # the share is configurable: with 25% the 7th is still too early
    later = StatusSettings(too_early=0.25)
    assert status_on(tiny, datetime(2025, 11, 7), target, later).status == "too early"
    assert status_on(tiny, datetime(2025, 11, 9), target, later).status == "on track"


def test_running_statuses_from_the_score(tiny: Workspace) -> None:
    # as of the 20th, 19 days gone: o1 200 (o2 is at 10:00 on the 20th, after midnight)
    when = datetime(2025, 11, 20)
    due = 19 / 30
    for target, expected in ((200 / due / 0.97, "at risk"), (200 / due / 0.80, "off track")):
        s = status_on(tiny, when, Target("revenue", NOV, target))
        assert s.score == pytest.approx(200 / (target * due)) and s.status == expected
    s = status_on(tiny, when, Target("revenue", NOV, 200 / due / 0.97))
    assert s.explanation.endswith("at risk between 90% and 98%")


def test_last_day_is_still_running(tiny: Workspace) -> None:
    s = status_on(tiny, datetime(2025, 11, 30, 8), Target("revenue", NOV, 300.0))
    # 29 of 30 days gone: o1 + o2 = 300 against 290 due
    assert s.state == "in progress" and s.elapsed == pytest.approx(29 / 30)
    assert s.actual == 300.0 and s.pace == pytest.approx(300 / 290)
    assert s.status == "on track"


def test_a_closed_period_is_final(tiny: Workspace) -> None:
    when = datetime(2025, 12, 1)
    hit = status_on(tiny, when, Target("revenue", NOV, 300.0))
    assert hit.state == "complete" and hit.status == "achieved" and hit.attainment == 1.0
    assert hit.probability == 1.0 and hit.explanation == "ended at 100% of target: achieved"
    miss = status_on(tiny, when, Target("revenue", NOV, 301.0))
    # a finished month short of target is missed, not "at risk" with probability 0
    assert miss.status == "missed" and miss.probability == 0.0
    assert miss.attainment == pytest.approx(300 / 301)
    # lower is better: one cancellation in November against at most 1 is achieved
    fewer = status_on(tiny, when, Target("cancelled_orders", NOV, 1.0))
    assert fewer.actual == 1.0 and fewer.status == "achieved"
    assert status_on(tiny, when, Target("cancelled_orders", NOV, 0.0)).status == "missed"


def test_judge_rules_without_data() -> None:
    t = Target("revenue", NOV, 100.0)
    limits = StatusThresholds()
    assert judge("future", 0.0, None, None, t, "higher", limits) == "not started"
    assert judge("complete", 1.0, None, None, t, "higher", limits) == "no data"
    assert judge("in progress", 0.5, None, 10.0, t, "higher", limits) == "no data"
    assert judge("in progress", 0.1, None, 10.0, t, "higher", limits) == "too early"


def test_floor_and_stretch_levels() -> None:
    t = Target("revenue", NOV, 100.0, floor=80.0, stretch=120.0)
    assert [level_of(v, t, "higher") for v in (79, 80, 99, 100, 119, 120)] == [
        "below floor",
        "floor to target",
        "floor to target",
        "target to stretch",
        "target to stretch",
        "stretch reached",
    ]
    low = Target("returns", NOV, 0.05, floor=0.07, stretch=0.04)
    assert [level_of(v, low, "lower") for v in (0.08, 0.06, 0.045, 0.04)] == [
        "below floor",
        "floor to target",
        "target to stretch",
        "stretch reached",
    ]
    assert level_of(90, Target("revenue", NOV, 100.0), "higher") is None
