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
    BLEND,
    BOTH,
    FORECAST_LEFT,
    SAME_WEEKDAYS,
    DailySeries,
    Pace,
    PaceParts,
    choose_kappa,
    choose_rest,
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


def test_the_rest_as_the_same_weekdays_and_as_the_forecast_less_the_actual() -> None:
    daily = history(date(2024, 1, 11))
    pace = Pace(daily, january_model(daily))
    parts = pace.parts(date(2024, 1, 1), date(2024, 2, 1), datetime(2024, 1, 11), actual=850.0)
    # the week before Thursday the 11th: Thu 10, Fri 10, Sat 5, Sun 0, Mon-Wed 10 each = 55;
    # the 21 days left are three such weeks
    assert parts.days_rest == pytest.approx(3 * 55)
    # January's forecast 2000, of which 850 is in
    assert parts.model_left == pytest.approx(2000 - 850)
    blend = 850 + 0.34 * 1650 + 0.66 * 1320
    assert parts.rest_projection(BLEND, 1.0) == pytest.approx(blend)
    assert parts.rest_projection(SAME_WEEKDAYS, 1.0) == pytest.approx(850 + 165)
    assert parts.rest_projection(BOTH, 1.0) == pytest.approx((blend + 850 + 165) / 2)
    assert parts.rest_projection(FORECAST_LEFT, 1.0) == pytest.approx(2000.0)
    # at noon half of Thursday is gone: half of last Thursday's 10 comes off; 900 is in
    noon = pace.parts(date(2024, 1, 1), date(2024, 2, 1), datetime(2024, 1, 11, 12), actual=900.0)
    assert noon.days_rest == pytest.approx(165 - 5)
    assert noon.model_left == pytest.approx(1100.0)
    # a month already past its forecast has nothing left by it
    over = pace.parts(date(2024, 1, 1), date(2024, 2, 1), datetime(2024, 1, 11), actual=2400.0)
    assert over.model_left == 0.0


def test_the_rest_follows_what_did_best_at_the_same_share() -> None:
    totals = np.full(6, 100.0)
    # projections by blend, same weekdays, their mean, forecast less the actual
    rows = np.array([[110.0, 95.0, 102.5, 100.0]] * 6)
    assert choose_rest(rows, totals) == FORECAST_LEFT
    rows = np.array([[110.0, 99.0, 104.5, 80.0]] * 6)
    assert choose_rest(rows, totals) == SAME_WEEKDAYS
    # five windows are too few: the blend stands; so it does on equal errors
    assert choose_rest(rows[:5], totals[:5]) == BLEND
    assert choose_rest(np.full((6, 4), 90.0), totals) == BLEND


def test_a_month_whose_total_is_fixed_is_projected_by_the_forecast_less_the_actual() -> None:
    # one sale of 1000 a month on a day that moves (the 3rd, 10th, 17th, 24th, 3rd, ...):
    # its pace says nothing, its total everything
    first = date(2022, 1, 1)
    values = np.zeros((date(2024, 3, 16) - first).days)
    month = first
    i = 0
    while month < date(2024, 4, 1):
        day = month.replace(day=3 + 7 * (i % 4))
        if (day - first).days < len(values):
            values[(day - first).days] = 1000.0
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        i += 1
    daily = DailySeries(first, values)
    # 15 March 2024: the sale (on the 17th, i = 26) is still to come; in every past window at
    # this share the forecast less the actual was exact, run-rate and model were not
    nowcast = Pace(daily).project(date(2024, 3, 1), date(2024, 4, 1), datetime(2024, 3, 16), 0.0)
    assert nowcast is not None and nowcast.rest == FORECAST_LEFT
    assert nowcast.value == pytest.approx(1000.0)
    # each past window's projection used the rest chosen on the windows before it: the six
    # with six older windows to choose on were exact, the older ones had the blend
    assert nowcast.windows == 12
    assert [w.projected for w in nowcast.past[:6]] == pytest.approx([1000.0] * 6)
    assert all(abs(w.projected - 1000.0) > 1 for w in nowcast.past[6:])


def test_a_total_that_cannot_fall_and_is_past_its_target_is_certain() -> None:
    from onpace.targets.projection import project_total

    daily = history(date(2024, 1, 11))
    model = january_model(daily)
    moment = datetime(2024, 1, 11)
    jan, feb = date(2024, 1, 1), date(2024, 2, 1)
    # 850 in by the 11th: a target of 800 is reached whatever the rest brings
    reached = project_total(daily, jan, feb, moment, 850.0, 800.0, "higher", model)
    assert reached.probability == 1.0
    # lower being better, a ceiling of 800 is already broken
    broken = project_total(daily, jan, feb, moment, 850.0, 800.0, "lower", model)
    assert broken.probability == 0.0
    # a target above the actual is not certain either way: the uncalibrated normal of the
    # default spread (20% of the 1,432.2 to come) around 2,282.2: 1 - Phi(-282.2 / 286.44)
    open_target = project_total(daily, jan, feb, moment, 850.0, 2000.0, "higher", model)
    spread = 0.2 * (2282.2 - 850)
    z = (2000 - 2282.2) / spread
    assert open_target.probability == pytest.approx(
        0.5 * (1 - math.erf(z / math.sqrt(2))), rel=1e-3
    )


def test_a_quarter_run_rate_weighs_each_month_as_the_model_forecast_it() -> None:
    # the quarter January-March 2024, seen on 15 February; the model, from January, forecasts
    # January 1000, February 2000, March 3000: a quarter that builds to its end
    daily = history(date(2024, 2, 15))
    monthly = daily.monthly(date(2024, 1, 1))  # February to December 2023: origin January
    table = np.array([[1000.0, 2000.0, 3000.0] + [0.0] * 21])
    model = SeriesModel(tuple(monthly), 12, len(monthly), {"mean": table}, ("mean",))
    pace = Pace(daily, model)
    parts = pace.parts(date(2024, 1, 1), date(2024, 4, 1), datetime(2024, 2, 15), actual=1800.0)
    # February 2024 starts on a Thursday and has 29 days: the 1st-14th hold 10 weekdays and
    # 2 Saturdays (11 units), the 15th-29th 11 weekdays and 2 Saturdays (12 units); January
    # has 25 units, March (21 weekdays, 5 Saturdays) 23.5
    assert parts.done == pytest.approx((25 + 11) * UNIT)
    assert parts.left == pytest.approx((12 + 23.5) * UNIT)
    assert parts.run_rate_rest == pytest.approx(1800 * 35.5 / 36)
    # the model's quarter: gone 1000 + 2000 * 11/23, to come 2000 * 12/23 + 3000, of 6000
    gone, rest = 1000 + 2000 * 11 / 23, 2000 * 12 / 23 + 3000
    assert parts.shape == pytest.approx(rest / 6000)
    assert parts.shaped_rate_rest == pytest.approx(1800 * rest / gone)  # 1800 * 2.38 = 4280.6
    # one month has no shape of months: its shaped run-rate is the plain one
    month = pace.parts(date(2024, 2, 1), date(2024, 3, 1), datetime(2024, 2, 15), actual=700.0)
    assert math.isnan(month.shape)
    assert month.shaped_rate_rest == month.run_rate_rest == pytest.approx(700 * 12 / 11)
