"""The one range rule: periods as bounds, both ends included, defaults from the data.

The data is ``SALES_DATA`` (tests/support/sales_data.py) in a real workspace folder:
orders from o0 (15 Jan 2023, 115) to o10 (28 Mar 2024 16:00); monthly revenue of
completed orders Jan 2024 230, Feb 215.50, Mar 220 (see tests/catalog/test_catalog_values.py).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from onpace.calendar import Calendar
from onpace.errors import RequestError
from onpace.query.ranges import ComputeRange, day_after, first_day, resolve_range
from onpace.workspace import Workspace
from tests.support.sales_workspace import sales_workspace

AS_OF = datetime(2024, 7, 1)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return Workspace.open(sales_workspace(tmp_path_factory.mktemp("ranges") / "ws"))


def _revenue(ws: Workspace, **kw: object) -> dict[str, float]:
    frame = ws.compute("revenue", as_of=kw.pop("as_of", AS_OF), **kw)  # type: ignore[arg-type]
    return dict(zip(frame["period_label"], frame["value"], strict=True))


def test_end_as_a_period_includes_it(ws: Workspace) -> None:
    # end="2024-02" includes February (the old exclusive reading dropped it)
    assert _revenue(ws, start="2024-01", end="2024-02") == {"2024-01": 230, "2024-02": 215.5}


def test_end_as_a_day_includes_that_day(ws: Workspace) -> None:
    both = {"2024-01": 230, "2024-02": 215.5}
    assert _revenue(ws, start=date(2024, 1, 1), end=date(2024, 2, 29)) == both
    assert _revenue(ws, start="2024-01-01", end="2024-02-29") == both
    assert _revenue(ws, start="2024-01-01", end="2024-02-01") == both  # 1 Feb is in February


def test_end_before_is_the_exclusive_form(ws: Workspace) -> None:
    assert _revenue(ws, start="2024-01", end_before=date(2024, 2, 1)) == {"2024-01": 230}


def test_quarters_and_years_as_bounds(ws: Workspace) -> None:
    months = {"2024-01": 230, "2024-02": 215.5, "2024-03": 220}
    assert _revenue(ws, start="2024-Q1", end="2024-Q1") == months
    # a month bound at quarter grain takes its whole quarter: o0 is 2023-Q1
    assert _revenue(ws, grain="quarter", start="2024-02", end="2024-02") == {"2024-Q1": 665.5}
    assert _revenue(ws, grain="year", start="2023", end="2024") == {"2023": 115, "2024": 665.5}


def test_bad_ranges_are_request_errors(ws: Workspace) -> None:
    with pytest.raises(RequestError, match="not both"):
        ws.compute("revenue", start="2024-01", end="2024-02", end_before=date(2024, 3, 1))
    with pytest.raises(RequestError, match="cannot read period '2024-13'"):
        ws.compute("revenue", start="2024-13", end="2024-12")
    with pytest.raises(RequestError, match="the range is empty: it ends on 2024-01-31"):
        ws.compute("revenue", start="2024-03", end="2024-01")
    assert issubclass(RequestError, ValueError)


def test_no_range_is_the_datas_last_twelve_periods(ws: Workspace) -> None:
    rng = ws.compute_range("revenue", "month", as_of=AS_OF)
    # the last order is o10 of 28 March 2024: twelve months up to March, not up to July
    assert (rng.start, rng.end_before, rng.defaulted) == (date(2023, 4, 1), date(2024, 4, 1), True)
    assert rng.note == "no range given: the last 12 months with data, 2023-04 to 2024-03"
    got = _revenue(ws)
    assert list(got) == [f"2023-{m:02d}" for m in range(4, 13)] + ["2024-01", "2024-02", "2024-03"]
    assert list(got.values()) == [0] * 9 + [230, 215.5, 220]


def test_no_range_with_current_data_ends_with_the_period_in_progress(ws: Workspace) -> None:
    # as of 15 March 12:00 the latest order is o9 (10 March): March is in progress
    now = datetime(2024, 3, 15, 12)
    rng = ws.compute_range(["revenue", "orders"], "month", as_of=now)
    assert (rng.start, rng.end_before) == (date(2023, 4, 1), date(2024, 4, 1))
    assert _revenue(ws, as_of=now)["2024-03"] == 60 + 90  # o10 is after the as-of moment


def test_no_range_at_quarter_grain(ws: Workspace) -> None:
    rng = ws.compute_range("revenue", "quarter", as_of=AS_OF)
    assert (rng.start, rng.end_before) == (date(2021, 4, 1), date(2024, 4, 1))
    assert rng.note == "no range given: the last 12 quarters with data, 2021-Q2 to 2024-Q1"


def test_one_bound_given_the_other_from_the_data(ws: Workspace) -> None:
    only_start = ws.compute_range("revenue", "month", start="2024-02", as_of=AS_OF)
    assert (only_start.start, only_start.end_before) == (date(2024, 2, 1), date(2024, 4, 1))
    assert only_start.note == "no end given: up to 2024-03, the last month with data"
    only_end = ws.compute_range("revenue", "month", end="2024-02", as_of=AS_OF)
    assert (only_end.start, only_end.end_before) == (date(2023, 3, 1), date(2024, 3, 1))
    # a start after the data still shows its own period
    late = ws.compute_range("revenue", "month", start="2024-09", as_of=AS_OF)
    assert (late.start, late.end_before) == (date(2024, 9, 1), date(2024, 10, 1))


def test_a_given_range_is_not_defaulted(ws: Workspace) -> None:
    rng = ws.compute_range("revenue", "month", "2024-01", "2024-03", as_of=AS_OF)
    assert rng == ComputeRange(date(2024, 1, 1), date(2024, 4, 1))


def test_the_span_is_of_the_data_the_kpis_read(ws: Workspace) -> None:
    session = ws.session()
    # quotes: submitted 3 Jan .. 15 Mar 2024; customer spells are dated by their orders
    assert session.data_span(["quotes_submitted"], AS_OF) == (
        datetime(2024, 1, 3),
        datetime(2024, 3, 15),
    )
    assert session.data_span(["active_customers"], AS_OF) == (
        datetime(2023, 1, 15, 12),
        datetime(2024, 3, 28, 16),
    )
    # before the as-of moment only
    assert session.data_span(["revenue"], datetime(2024, 1, 6)) == (
        datetime(2023, 1, 15, 12),
        datetime(2024, 1, 5, 10),
    )
    assert session.data_span(["revenue"], datetime(2022, 1, 1)) is None


def test_without_data_the_periods_up_to_now() -> None:
    rng = resolve_range("month", Calendar(), datetime(2024, 7, 9), lambda: None)
    assert (rng.start, rng.end_before) == (date(2023, 8, 1), date(2024, 8, 1))
    assert rng.note == (
        "no range given and no data yet: the 12 months up to now, 2023-08 to 2024-07"
    )
    total = resolve_range("all", Calendar(), datetime(2024, 7, 9), lambda: None)
    assert (total.start, total.end_before) == (date(2024, 7, 9), date(2024, 7, 10))


def test_bounds_read_periods_of_the_fiscal_calendar() -> None:
    fiscal = Calendar(fiscal_year_start=4)
    assert first_day("FY2026", fiscal) == date(2025, 4, 1)
    assert day_after("FY2026", fiscal) == date(2026, 4, 1)
    assert day_after("2026-Q1", fiscal) == date(2025, 7, 1)  # fiscal Q1: April to June 2025
    assert day_after("2026-W01", Calendar()) == date(2026, 1, 5)
    assert day_after("2024-02-29T18:30", Calendar()) == date(2024, 3, 1)
    assert day_after(datetime(2024, 2, 29, 18, 30), Calendar()) == date(2024, 3, 1)
