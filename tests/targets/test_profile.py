"""The day-of-week and day-of-month profile, worked out by hand on tiny series."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from onpace.targets.profile import (
    FLAT,
    DayProfile,
    learn_profile,
    month_part,
    month_part_factors,
    weekday_factors,
)


def week_pattern(first: date, days: int) -> list[float]:
    """Mon-Fri 10, Saturday 5, Sunday 0."""
    pattern = [10.0] * 5 + [5.0, 0.0]
    return [pattern[(first + timedelta(days=i)).weekday()] for i in range(days)]


def test_weekday_factors_are_each_weekday_over_the_mean_of_the_seven() -> None:
    first = date(2024, 1, 1)  # a Monday
    factors = weekday_factors(first, np.array(week_pattern(first, 28)))
    # weekday means 10,10,10,10,10,5,0; their mean 55/7
    assert factors == pytest.approx([70 / 55] * 5 + [35 / 55, 0.0])


def test_weekday_factors_use_whole_weeks_whatever_the_start_day() -> None:
    first = date(2024, 1, 3)  # a Wednesday: the series is cut to whole weeks from its end
    factors = weekday_factors(first, np.array(week_pattern(first, 30)))
    assert factors == pytest.approx([70 / 55] * 5 + [35 / 55, 0.0])


def test_too_little_history_gives_a_flat_profile() -> None:
    assert learn_profile(date(2024, 1, 1), [1.0] * 13) == FLAT


def test_month_parts() -> None:
    assert [month_part(date(2024, 2, d)) for d in (1, 3, 4, 10, 11, 20, 21, 26, 27, 29)] == [
        0,
        0,
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
    ]


def test_month_part_factors_by_hand() -> None:
    # January 2024: days 1-28 sell 10, the last three 20; February: 1-26 10, 27-29 20.
    values = [20.0 if d > 28 else 10.0 for d in range(1, 32)]
    values += [20.0 if d > 26 else 10.0 for d in range(1, 30)]
    factors = month_part_factors(date(2024, 1, 1), np.array(values), [1.0] * 7, 1)
    # January level 340/31, February 320/29; parts 0-3 are 10/level, the last 20/level
    low = (10 * 31 / 340 + 10 * 29 / 320) / 2
    high = (20 * 31 / 340 + 20 * 29 / 320) / 2
    assert factors == pytest.approx([low] * 4 + [high])
    # a month of noise around 1 does not move the factors: below two standard errors
    noisy = [10.0 + (1 if d % 2 else -1) * 0.01 for d in range(1, 32)]
    noisy += [10.0 - (1 if d % 2 else -1) * 0.01 for d in range(1, 30)]
    assert month_part_factors(date(2024, 1, 1), np.array(noisy), [1.0] * 7, 1) == (1.0,) * 5


def test_weights_multiply_weekday_and_month_part() -> None:
    profile = DayProfile((1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.0), (1.0, 1.0, 1.0, 1.0, 2.0))
    # 26 January 2024 is a Friday, 27 a Saturday, 28 a Sunday; 29 a Monday and the first
    # of January's last three days
    assert profile.weights(date(2024, 1, 26), date(2024, 1, 30)).tolist() == [1.0, 0.5, 0.0, 2.0]
    assert profile.weight(date(2024, 1, 26)) == 1.0
