"""Attainment, pace, projection and status: pure rules and a tiny workspace worked by hand.

The workspace (tests/support/target_fixtures.py) is evaluated as of 2026-02-15: January
and 14 of February's 28 days of 2026-Q1 (90 days) are gone, so half of a linear
quarterly target is due.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path

import pytest

from onpace.spec.workspace_config import StatusSettings, StatusThresholds
from onpace.targets.actuals import KpiData, is_additive
from onpace.targets.definition import Target, parse_target_period
from onpace.targets.evaluation import evaluate_target
from onpace.targets.pace import BEATEN_ATTAINMENT, attainment, pace, status
from onpace.targets.projection import monthly_values
from onpace.workspace import Workspace
from tests.support.target_fixtures import AS_OF, make_workspace

Q1 = parse_target_period("2026-Q1")
SETTINGS = StatusSettings()


def phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def test_attainment_higher_and_lower_is_better() -> None:
    assert attainment(90, 100, "higher") == pytest.approx(0.9)
    assert attainment(0.04, 0.05, "lower") == pytest.approx(1.25)  # 5 / 4
    assert attainment(0.10, 0.05, "lower") == pytest.approx(0.5)
    assert attainment(0, 5, "lower") == BEATEN_ATTAINMENT
    assert attainment(1, 100, "lower") == BEATEN_ATTAINMENT  # capped
    assert attainment(10, 0, "higher") is None
    assert attainment(None, 10, "higher") is None
    assert attainment(-50, 100, "higher") == pytest.approx(-0.5)


def test_pace_and_status_thresholds() -> None:
    assert pace(450, 450, "higher") == pytest.approx(1.0)
    assert pace(2, 1.5, "lower") == pytest.approx(0.75)
    assert pace(10, 0, "higher") is None
    t = StatusThresholds(on_track=0.98, at_risk=0.90)
    assert [status(x, t) for x in (1.2, 0.98, 0.97, 0.90, 0.89, None)] == [
        "on track",
        "on track",
        "at risk",
        "at risk",
        "off track",
        "no data",
    ]
    with pytest.raises(ValueError, match="at_risk"):
        StatusThresholds(on_track=0.8, at_risk=0.9)


def test_per_kpi_thresholds_override_the_workspace() -> None:
    s = StatusSettings(kpis={"revenue": StatusThresholds(on_track=1.0, at_risk=0.99)})
    assert s.for_kpi("revenue").at_risk == 0.99
    assert s.for_kpi("orders").at_risk == 0.90


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return make_workspace(tmp_path_factory.mktemp("tiny") / "ws")


def test_additivity(tiny: Workspace) -> None:
    assert is_additive("revenue", tiny.kpis) and is_additive("cancelled_orders", tiny.kpis)
    assert not is_additive("cancel_rate", tiny.kpis)


def test_series_starts_at_the_first_value_and_fills_gaps_with_zero() -> None:
    history = {date(2025, 1, 1): 0.0, date(2025, 2, 1): 5.0, date(2025, 4, 1): 7.0}
    assert monthly_values(history, date(2025, 5, 1), True) == [5.0, 0.0, 7.0]
    assert monthly_values(history, date(2025, 5, 1), False) == [7.0]


def test_period_in_progress_revenue(tiny: Workspace) -> None:
    s = evaluate_target(KpiData(tiny, AS_OF), Target("revenue", Q1, 900.0), SETTINGS)
    # actual to date: January 240 + February 1-14 210 = 450 (the 500 of Feb 20 is after as_of)
    assert s.state == "in progress" and s.actual == pytest.approx(450.0)
    assert s.attainment == pytest.approx(0.5)
    assert s.target_to_date == pytest.approx(450.0) and s.pace == pytest.approx(1.0)
    # whole months of history: December 300 and January 240 (November starts on the 5th),
    # so the model is naive: 240 a month; its rest: half of February (120) and March (240)
    assert s.method == "naive"
    # the run-rate: 450 in 45 of 90 days (a handful of orders shows no weekday pattern, so
    # every day weighs the same) -> 450 more; blended by the share gone, one half
    assert s.forecast is not None and s.forecast.run_rate == pytest.approx(900.0)
    assert s.forecast.model_value == pytest.approx(450 + 360)
    assert s.projection == pytest.approx(450 + 0.5 * 450 + 0.5 * 360)
    assert s.score == pytest.approx(855 / 900)
    assert s.status == "at risk"
    # no past window to learn the spread from: a default 20% of the 405 still to come
    assert not s.forecast.calibrated
    spread = 0.2 * 405
    assert s.probability == pytest.approx(1 - phi((900 - 855) / spread))
    assert s.low == pytest.approx(855 - 1.2815515655446004 * spread, rel=1e-6)


def test_lower_is_better_count(tiny: Workspace) -> None:
    s = evaluate_target(KpiData(tiny, AS_OF), Target("cancelled_orders", Q1, 3.0), SETTINGS)
    # cancelled so far: Jan 16 and Feb 5 = 2; due so far 3 * 0.5 = 1.5 -> pace 1.5 / 2
    assert s.actual == 2.0 and s.pace == pytest.approx(0.75)
    # model: one a month (0.5 more in February, 1 in March); run-rate: 2 more; half each
    assert s.projection == pytest.approx(2 + 0.5 * 2 + 0.5 * 1.5)
    assert s.score == pytest.approx(3 / 3.75) and s.status == "off track"
    assert s.probability is not None and s.probability < 0.5


def test_a_rate_is_compared_as_it_is(tiny: Workspace) -> None:
    s = evaluate_target(KpiData(tiny, AS_OF), Target("cancel_rate", Q1, 0.5), SETTINGS)
    # Q1 to date: 2 cancelled of 5 orders = 40%; lower is better: 0.5 / 0.4
    assert s.actual == pytest.approx(0.4)
    assert s.attainment == pytest.approx(1.25)
    assert s.target_to_date == pytest.approx(0.5) and s.pace == pytest.approx(1.25)


def test_target_per_rep(tiny: Workspace) -> None:
    data = KpiData(tiny, AS_OF)
    ann = evaluate_target(data, Target("revenue", Q1, 700.0, "rep", "r1"), SETTINGS)
    # r1: January 240 + February 3rd 110 = 350, half of 700 due -> pace 100%
    assert ann.actual == pytest.approx(350.0) and ann.pace == pytest.approx(1.0)
    assert ann.scope == "rep=r1"
    # r2 sold 100 in November and 100 on February 10th
    bob = evaluate_target(data, Target("revenue", Q1, 400.0, "rep", "r2"), SETTINGS)
    assert bob.actual == pytest.approx(100.0) and bob.pace == pytest.approx(100 / 200)


def test_period_with_no_data(tiny: Workspace) -> None:
    data = KpiData(tiny, AS_OF)
    past = evaluate_target(data, Target("revenue", parse_target_period("2025-Q1"), 100.0), SETTINGS)
    # a finished quarter without orders: revenue 0, attainment 0, reached with p = 0
    assert past.state == "complete" and past.actual == 0.0 and past.attainment == 0.0
    assert past.probability == 0.0 and past.status == "missed"
    assert past.explanation == "ended at 0% of target: missed"
    missing = evaluate_target(data, Target("returns_count", Q1, 5.0), SETTINGS)
    assert missing.status == "no data" and "returns" in (missing.note or "")


def test_future_period_is_projected_from_history(tiny: Workspace) -> None:
    s = evaluate_target(
        KpiData(tiny, AS_OF), Target("revenue", parse_target_period("2026-Q2"), 840.0), SETTINGS
    )
    # three months ahead at January's 240 each (naive: two whole months of history)
    assert s.state == "future" and s.actual is None
    assert s.projection == pytest.approx(720.0) and s.score == pytest.approx(720 / 840)
    probability = 1 - phi(120 / 720 / 0.2)
    assert s.status == "not started" and s.probability == pytest.approx(probability)
    assert s.explanation == "starts 2026-Q2; projected 86% of target, probability 20%"


def test_fiscal_year_starting_in_april(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "fy", fiscal_year_start=4)
    fy = parse_target_period("FY2026", ws.calendar)  # April 2025 to March 2026
    assert (fy.start, fy.end) == (date(2025, 4, 1), date(2026, 4, 1))
    done = evaluate_target(
        KpiData(ws, datetime(2026, 5, 1)), Target("revenue", fy, 1600.0), SETTINGS
    )
    # every completed order: 300 + 300 + 240 + 210 + 500 = 1550 of 1600
    assert done.state == "complete" and done.actual == pytest.approx(1550.0)
    assert done.attainment == pytest.approx(1550 / 1600) and done.status == "missed"
    running = evaluate_target(KpiData(ws, AS_OF), Target("revenue", fy, 1600.0), SETTINGS)
    # April to January complete (306 days) + 14 February days = 320 of 365 days
    assert running.target_to_date == pytest.approx(1600 * 320 / 365)
    assert running.actual == pytest.approx(1050.0)


def test_custom_range_needs_an_additive_kpi(tiny: Workspace) -> None:
    data = KpiData(tiny, AS_OF)
    rng = parse_target_period("2026-02-01..2026-02-14")
    s = evaluate_target(data, Target("revenue", rng, 210.0), SETTINGS)
    assert s.actual == pytest.approx(210.0) and s.attainment == pytest.approx(1.0)
    rate = evaluate_target(data, Target("cancel_rate", rng, 0.1), SETTINGS)
    assert rate.actual is None and "custom date range" in (rate.note or "")
