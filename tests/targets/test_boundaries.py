"""Boundaries of targets: phasing of periods cut mid-month, the first day of a period, averages.

Expected values are worked out by hand next to each assertion.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from onpace.errors import TargetError
from onpace.spec.kpi import SimpleKpi
from onpace.spec.workspace_config import StatusSettings
from onpace.targets.actuals import KpiData, is_additive
from onpace.targets.definition import (
    Target,
    milestones,
    month_shares,
    parse_target_period,
    share_to_date,
)
from onpace.targets.evaluation import evaluate_target, period_state
from onpace.workspace import Workspace
from tests.support.target_fixtures import make_workspace

# one past year, 10 a day in January and February and 20 a day in March
HISTORY = {date(2025, 1, 1): 310.0, date(2025, 2, 1): 280.0, date(2025, 3, 1): 620.0}


def seasonal(period: str, value: float = 740.0) -> Target:
    return Target("revenue", parse_target_period(period), value, phasing="seasonal")


def test_seasonal_shares_of_a_period_cut_mid_month_count_only_its_days() -> None:
    # Jan 16-31 is 16 of January's 31 days: 310 x 16 / 31 = 160; all of February 280;
    # Mar 1-15 is 15 of 31 days: 620 x 15 / 31 = 300; total 740
    shares, how = month_shares(seasonal("2026-01-16..2026-03-15"), HISTORY)
    assert how == "seasonal (1 past year(s))"
    assert shares == pytest.approx([160 / 740, 280 / 740, 300 / 740])
    # starting mid-month only: 160 and 280
    shares, _ = month_shares(seasonal("2026-01-16..2026-02-28"), HISTORY)
    assert shares == pytest.approx([160 / 440, 280 / 440])
    # ending mid-month only: 280 and 300
    shares, _ = month_shares(seasonal("2026-02-01..2026-03-15"), HISTORY)
    assert shares == pytest.approx([280 / 580, 300 / 580])


def test_seasonal_milestones_and_target_to_date_of_a_period_cut_mid_month() -> None:
    target = seasonal("2026-01-16..2026-03-15")
    months = [m for m in milestones(target, additive=True, history=HISTORY) if m.grain == "month"]
    assert [(m.label, m.value, m.cumulative) for m in months] == [
        ("2026-01-16..2026-01-31", pytest.approx(160), pytest.approx(160)),
        ("2026-02", pytest.approx(280), pytest.approx(440)),
        ("2026-03-01..2026-03-15", pytest.approx(300), pytest.approx(740)),
    ]
    # by the start of Feb 15: January's part whole, 14 of February's 28 days
    assert share_to_date(target, date(2026, 2, 15), HISTORY) == pytest.approx(
        (160 + 280 * 14 / 28) / 740
    )
    # by the start of Mar 8: January and February whole, 7 of March's 15 days
    assert share_to_date(target, date(2026, 3, 8), HISTORY) == pytest.approx(
        (160 + 280 + 300 * 7 / 15) / 740
    )


def test_a_period_whose_first_day_is_today_is_in_progress() -> None:
    march = Target("revenue", parse_target_period("2026-03"), 100.0)
    assert period_state(march, date(2026, 2, 28)) == "future"
    assert period_state(march, date(2026, 3, 1)) == "in progress"
    assert period_state(march, date(2026, 3, 31)) == "in progress"
    assert period_state(march, date(2026, 4, 1)) == "complete"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return make_workspace(tmp_path_factory.mktemp("boundaries") / "ws")


def test_a_target_starting_today_has_a_value_of_zero_so_far(tiny: Workspace) -> None:
    # the tiny workspace has no order in March 2026; on its first morning nothing is due
    # yet and nothing was sold yet: in progress with an actual of 0, not a future period
    march = Target("revenue", parse_target_period("2026-03"), 100.0)
    status = evaluate_target(KpiData(tiny, datetime(2026, 3, 1, 9)), march, StatusSettings())
    assert (status.state, status.actual, status.target_to_date) == ("in progress", 0.0, 0.0)
    before = evaluate_target(KpiData(tiny, datetime(2026, 2, 28, 9)), march, StatusSettings())
    assert (before.state, before.actual) == ("future", None)


def _kpi(agg: str) -> SimpleKpi:
    return SimpleKpi(
        name=f"amount_{agg}",
        label=agg,
        type="simple",
        entity="orders",
        agg=agg,  # type: ignore[arg-type]
        column="amount" if agg != "count" else None,
        time="ordered_at",
        unit="currency",
    )


def test_only_sums_and_counts_add_up_over_a_period() -> None:
    kpis = {k.name: k for k in map(_kpi, ("sum", "count", "avg", "median", "min", "max"))}
    kpis["amount_count_distinct"] = _kpi("count").model_copy(
        update={"name": "amount_count_distinct", "agg": "count_distinct", "column": "order_id"}
    )
    assert {n: is_additive(n, kpis) for n in kpis} == {
        "amount_sum": True,
        "amount_count": True,
        "amount_avg": False,
        "amount_median": False,
        "amount_min": False,
        "amount_max": False,
        "amount_count_distinct": False,  # a customer buying in two months is one customer
    }


def test_an_average_is_not_phased_nor_added_up_from_days(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws")
    avg = _kpi("avg")
    ws.kpis[avg.name] = avg
    quarter = Target(avg.name, parse_target_period("2026-Q1"), 150.0)
    # the average order is due every month, not a third of it per month
    months = [m for m in milestones(quarter, is_additive(avg.name, ws.kpis)) if m.grain == "month"]
    assert [(m.value, m.cumulative) for m in months] == [(150.0, 150.0)] * 3
    # and a custom range cannot be summed from daily averages
    data = KpiData(ws, datetime(2026, 2, 15))
    with pytest.raises(TargetError, match="rate or an average"):
        data.value(avg.name, parse_target_period("2026-01-10..2026-02-09"))
    # a sum over the same range is the sum of its days: Jan 15 240 (o4) + Feb 3 110 (o5)
    # (completed orders only; o6 of Feb 10 lies after Feb 9)
    assert data.value("revenue", parse_target_period("2026-01-10..2026-02-09")) == 240 + 110
