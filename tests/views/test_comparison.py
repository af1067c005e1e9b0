"""Like for like: the compared period is read up to the same point, across month lengths.

Every expected moment is worked out by hand: shifting by whole months keeps the
day and the time and clamps to the end of a shorter month; a custom range is
shifted by its own number of days; a period that is over, or ``span="full"``,
compares with the whole other period.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from onpace.calendar import Calendar
from onpace.errors import TargetError
from onpace.targets.definition import parse_target_period
from onpace.views.comparison import comparison, pick_period
from onpace.views.scorecard import scorecard
from onpace.workspace import Workspace
from tests.support.target_fixtures import make_workspace

CAL = Calendar()


def until(period: str, compare: str, now: datetime) -> tuple[str, datetime | None]:
    c = comparison(parse_target_period(period), compare, "same", now, CAL)
    return c.period.label, c.until


@pytest.mark.parametrize(
    ("period", "compare", "now", "expected"),
    [
        # 1-15 May against 1-15 April (31 against 30 days: the same dates)
        (
            "2026-05",
            "previous",
            datetime(2026, 5, 15, 10, 30),
            ("2026-04", datetime(2026, 4, 15, 10, 30)),
        ),
        # the 31st of a month against a 30-day month: clamped to its last day
        ("2026-05", "previous", datetime(2026, 5, 31, 9), ("2026-04", datetime(2026, 4, 30, 9))),
        # 30 March against February: 28 days in 2026, 29 in 2024
        ("2026-03", "previous", datetime(2026, 3, 30, 12), ("2026-02", datetime(2026, 2, 28, 12))),
        ("2024-03", "previous", datetime(2024, 3, 30, 12), ("2024-02", datetime(2024, 2, 29, 12))),
        # 28 February against 28 January: February is shorter, the dates still match
        ("2026-02", "previous", datetime(2026, 2, 28, 18), ("2026-01", datetime(2026, 1, 28, 18))),
        # the first moment of a month: nothing of either period yet
        ("2026-12", "previous", datetime(2026, 12, 1), ("2026-11", datetime(2026, 11, 1))),
        # Q4 to 1 December against Q3 to 1 September
        ("2026-Q4", "previous", datetime(2026, 12, 1, 8), ("2026-Q3", datetime(2026, 9, 1, 8))),
        ("2026-Q4", "last_year", datetime(2026, 12, 1, 8), ("2025-Q4", datetime(2025, 12, 1, 8))),
        # a year to date against last year to date; 29 February maps to the 28th
        ("2024", "previous", datetime(2024, 2, 29, 6), ("2023", datetime(2023, 2, 28, 6))),
        ("2026-11", "last_year", datetime(2026, 11, 15), ("2025-11", datetime(2025, 11, 15))),
    ],
)
def test_same_span_of_the_compared_period(
    period: str, compare: str, now: datetime, expected: tuple[str, datetime]
) -> None:
    assert until(period, compare, now) == expected


def test_custom_range_is_shifted_by_its_own_length() -> None:
    # 10 days, 10-19 January; the 10 days before are 31 December to 9 January
    c = comparison(
        parse_target_period("2026-01-10..2026-01-19"),
        "previous",
        "same",
        datetime(2026, 1, 15, 6),
        CAL,
    )
    assert c.period.label == "2025-12-31..2026-01-09"
    assert c.until == datetime(2026, 1, 5, 6)
    assert c.label == "2025-12-31..2026-01-09 up to 2026-01-05 06:00 (same span)"


def test_whole_periods_when_over_or_asked() -> None:
    q3 = parse_target_period("2026-Q3")
    over = comparison(q3, "previous", "same", datetime(2026, 12, 1), CAL)
    assert over.until is None and over.label == "2026-Q2"
    full = comparison(
        parse_target_period("2026-Q4"), "previous", "full", datetime(2026, 12, 1), CAL
    )
    assert full.until is None and full.span == "full" and full.period.label == "2026-Q3"
    with pytest.raises(TargetError, match="span 'half'"):
        comparison(q3, "previous", "half", datetime(2026, 12, 1), CAL)
    with pytest.raises(TargetError, match="compare 'yesterday'"):
        comparison(q3, "yesterday", "same", datetime(2026, 12, 1), CAL)


@pytest.mark.parametrize(
    ("grain", "period", "start", "end", "message"),
    [
        ("week", None, None, None, "grain 'week'"),
        ("month", "9999-12", None, None, "outside the years 1900 to 2200"),
        ("quarter", "9999-Q4", None, None, "outside the years 1900 to 2200"),
        ("year", "0001", None, None, "outside the years 1900 to 2200"),
        ("custom", None, "0001-01-01", "9999-12-31", "outside the years 1900 to 2200"),
        ("custom", None, "2026-01-01", None, "needs a start and an end"),
        ("month", "2026-13", None, None, "cannot read period"),
    ],
)
def test_unreadable_periods_are_target_errors(
    grain: str, period: str | None, start: str | None, end: str | None, message: str
) -> None:
    with pytest.raises(TargetError, match=message):
        pick_period(CAL, grain, period, start, end, date(2026, 12, 1))


def test_like_for_like_values_on_data(tmp_path: pytest.TempPathFactory) -> None:
    """February 2026 so far against January, in the tiny workspace plus one sale.

    January's only sale is o4, 240 at 10:00 on the 15th. February: o5 110 (3rd), o6
    100 (10th 10:00) and, added here, o8 10 at 11:00 on the 15th. As of midnight on
    the 15th the newest row is o6 of the 10th, a day loaded whole, so January is read
    up to the end of the 10th (11 January 00:00): nothing. As of noon the newest is o8
    at 11:00 that day, so January is read up to the 15th 11:00:01: o4.
    """
    from tests.support.target_fixtures import ORDERS

    extra = [*ORDERS, ("o8", "2026-02-15 11:00", 10.0, "r1", "completed")]
    ws: Workspace = make_workspace(tmp_path / "ws", orders=extra)  # type: ignore[operator]
    from onpace.store import workspace_store

    store = workspace_store(ws)
    try:
        midnight = scorecard(
            ws, store, grain="month", as_of=datetime(2026, 2, 15), kpis=["revenue"]
        )
        row = midnight.rows[0]
        assert midnight.comparison.until == datetime(2026, 1, 11)
        assert (row.value, row.compare_value, row.change) == (210.0, 0.0, None)
        noon = scorecard(
            ws, store, grain="month", as_of=datetime(2026, 2, 15, 12), kpis=["revenue"]
        )
        row = noon.rows[0]
        assert noon.comparison.until == datetime(2026, 1, 15, 11, 0, 1)
        assert (row.value, row.compare_value) == (220.0, 240.0)
        assert row.change == pytest.approx(220 / 240 - 1)
        full = scorecard(
            ws, store, grain="month", span="full", as_of=datetime(2026, 2, 15), kpis=["revenue"]
        )
        assert full.rows[0].compare_value == 240.0 and full.comparison.until is None
    finally:
        store.close()


def test_the_span_the_data_covers_when_it_stops_before_now() -> None:
    december = parse_target_period("2026-12")
    # loaded last night: at 10:32 on 1 December no December sale is in yet, so the
    # first day compares nothing with nothing, not with a morning of November
    c = comparison(
        december,
        "previous",
        "same",
        datetime(2026, 12, 1, 10, 32),
        CAL,
        data_until=datetime(2026, 11, 30, 23, 55),
    )
    assert c.until == datetime(2026, 11, 1)
    # live data: the newest sale at 09:00 on the 15th, a second after it counts
    c = comparison(
        december,
        "previous",
        "same",
        datetime(2026, 12, 15, 12),
        CAL,
        data_until=datetime(2026, 12, 15, 9),
    )
    assert c.until == datetime(2026, 11, 15, 9, 0, 1)
    # data newer than now (future-dated rows) never moves the point past now
    c = comparison(
        december,
        "previous",
        "same",
        datetime(2026, 12, 15, 12),
        CAL,
        data_until=datetime(2026, 12, 20),
    )
    assert c.until == datetime(2026, 11, 15, 12)


@pytest.mark.parametrize(
    ("period", "now", "newest", "expected"),
    [
        # a quarter loaded last night: Q4 to 1 December against Q3 to 1 September,
        # all of 31 August included although the newest sale was at 23:55 on the 30th
        ("2026-Q4", datetime(2026, 12, 1, 10, 32), datetime(2026, 11, 30, 23, 55), (9, 1, 0)),
        # the last sale of yesterday at 18:00: yesterday counts whole
        ("2026-11", datetime(2026, 11, 15, 9), datetime(2026, 11, 14, 18), (10, 15, 0)),
        # dates without times: a row dated today stands for today so far
        ("2026-12", datetime(2026, 12, 15, 12), datetime(2026, 12, 15), (11, 15, 12)),
        # a row dated 31 March without a time, read on 1 April: March is over
        ("2026-Q2", datetime(2026, 4, 1, 8), datetime(2026, 3, 31), (1, 1, 0)),
    ],
)
def test_days_before_today_are_loaded_whole(
    period: str, now: datetime, newest: datetime, expected: tuple[int, int, int]
) -> None:
    c = comparison(parse_target_period(period), "previous", "same", now, CAL, newest)
    month, day, hour = expected
    assert c.until == datetime(now.year, month, day, hour)
