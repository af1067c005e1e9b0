"""The projection of a period in progress: run-rate and model rest shaped by the profile.

The month is January 2024 (Monday the 1st to Wednesday the 31st); the history
before it sells 10 on weekdays, 5 on Saturdays and nothing on Sundays, so the
profile weighs the days 1 : 0.5 : 0 (times 14/11, which cancels in every share).
January has 23 weekdays and 4 Saturdays: a weight of 25 units.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import numpy as np
import pytest

from onpace.targets.nowcast import (
    DailySeries,
    Pace,
    PaceParts,
    choose_kappa,
    shifted_moment,
)
from onpace.targets.rolling_origin import SeriesModel

PATTERN = [10.0] * 5 + [5.0, 0.0]
UNIT = 14 / 11  # the weekday factor of a weekday: 10 / mean(10,10,10,10,10,5,0)


def history(until: date, first: date = date(2023, 1, 2)) -> DailySeries:
    days = (until - first).days
    return DailySeries.of(
        first, [PATTERN[(first + timedelta(days=i)).weekday()] for i in range(days)]
    )


def january_model(daily: DailySeries, forecast: float = 2000.0) -> SeriesModel:
    """A model whose only origin is January 2024, forecasting ``forecast`` for it."""
    monthly = daily.monthly(daily.end)
    n = len(monthly)  # February to December 2023
    table = np.full((1, 24), forecast)
    return SeriesModel(tuple(monthly), 12, n, {"mean": table}, ("mean",))


def test_series_starts_at_the_first_whole_month_of_data() -> None:
    daily = history(date(2024, 1, 11))
    assert daily.series_start == date(2023, 2, 1)  # data starts on 2 January: a partial month
    monthly = daily.monthly(daily.end)
    assert len(monthly) == 11
    # February 2023: 20 weekdays and 4 Saturdays
    assert monthly[0] == 20 * 10 + 4 * 5


def test_run_rate_and_model_rest_on_a_month_of_known_days() -> None:
    daily = history(date(2024, 1, 11))
    pace = Pace(daily, january_model(daily))
    parts = pace.parts(date(2024, 1, 1), date(2024, 2, 1), datetime(2024, 1, 11), actual=850.0)
    # gone: Mon 1 - Fri 5 (5), Sat 6 (0.5), Sun 7 (0), Mon 8 - Wed 10 (3) = 8.5 units
    assert parts.done == pytest.approx(8.5 * UNIT)
    assert parts.left == pytest.approx(16.5 * UNIT)
    assert parts.share == pytest.approx(8.5 / 25)
    # run-rate rest: 850 * 16.5 / 8.5; a calendar run-rate would say 850 * 21 / 10 = 1785
    assert parts.run_rate_rest == pytest.approx(1650.0)
    # model rest: January's 2000 times the share of its weight still to come
    assert parts.model_rest == pytest.approx(2000 * 16.5 / 25)
    # k = 1: the run-rate weighs the share gone, 0.34
    assert parts.weight(1.0) == pytest.approx(0.34)
    assert parts.projection(1.0) == pytest.approx(850 + 0.34 * 1650 + 0.66 * 1320)
    assert parts.projection(0.0) == pytest.approx(2500.0)
    assert parts.projection(math.inf) == pytest.approx(2170.0)
    # k = 3: a = 0.34 / (0.34 + 3 * 0.66)
    a = 0.34 / (0.34 + 3 * 0.66)
    assert parts.projection(3.0) == pytest.approx(850 + a * 1650 + (1 - a) * 1320)


def test_the_part_of_today_gone_counts_by_its_weight() -> None:
    daily = history(date(2024, 1, 11))
    pace = Pace(daily, january_model(daily))
    noon = datetime(2024, 1, 11, 12)  # half of Thursday the 11th
    parts = pace.parts(date(2024, 1, 1), date(2024, 2, 1), noon, actual=900.0)
    assert parts.done == pytest.approx(9 * UNIT)
    assert parts.left == pytest.approx(16 * UNIT)
    assert parts.run_rate_rest == pytest.approx(900 * 16 / 9)
    assert parts.model_rest == pytest.approx(2000 * 16 / 25)


def test_project_without_past_windows_uses_the_default_weight() -> None:
    daily = history(date(2024, 1, 11))
    nowcast = Pace(daily, january_model(daily)).project(
        date(2024, 1, 1), date(2024, 2, 1), datetime(2024, 1, 11), 850.0
    )
    assert nowcast is not None
    assert nowcast.kappa == 1.0 and nowcast.windows == 0
    assert nowcast.value == pytest.approx(2282.2)
    assert nowcast.run_rate == pytest.approx(2500.0)
    assert nowcast.model_total == pytest.approx(2170.0)
    assert not nowcast.errors.calibrated  # no window: the interval is a wide default


def test_a_period_that_has_not_started_is_the_model_alone() -> None:
    daily = history(date(2023, 12, 16))
    monthly = daily.monthly(daily.end)  # February to November 2023; origin December
    table = np.array([[1500.0, 2000.0] + [0.0] * 22])
    model = SeriesModel(tuple(monthly), 12, len(monthly), {"mean": table}, ("mean",))
    nowcast = Pace(daily, model).project(
        date(2024, 1, 1), date(2024, 2, 1), datetime(2023, 12, 16), 0.0
    )
    assert nowcast is not None
    assert nowcast.value == pytest.approx(2000.0)  # January is two months after the origin
    assert nowcast.run_rate is None


def test_past_windows_sit_at_the_same_share_of_their_period() -> None:
    moment = shifted_moment(
        date(2024, 1, 1),
        date(2024, 2, 1),
        datetime(2024, 1, 11),
        date(2023, 2, 1),
        date(2023, 3, 1),
    )
    assert moment == datetime(2023, 2, 1) + timedelta(days=10 / 31 * 28)
    # before the period, the gap is kept in months
    before = shifted_moment(
        date(2024, 3, 1),
        date(2024, 4, 1),
        datetime(2024, 1, 20),
        date(2023, 3, 1),
        date(2023, 4, 1),
    )
    assert before == datetime(2023, 1, 20)


def test_kappa_follows_what_did_best_on_past_windows() -> None:
    # the run-rate rest is exact in every window: k = 0 (all run-rate)
    exact_rate = [[PaceParts(50.0, 1.0, 1.0, 80.0, 100.0)] for _ in range(6)]
    assert choose_kappa(exact_rate) == 0.0
    # the model rest is exact: k = infinity (model only)
    exact_model = [[PaceParts(40.0, 1.0, 1.0, 60.0, 100.0)] for _ in range(6)]
    assert choose_kappa(exact_model) == math.inf
    # five windows are too few to choose: the default stands
    assert choose_kappa(exact_rate[:5]) == 1.0
