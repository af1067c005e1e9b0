"""One range rule for every way of asking for values: periods, both ends included.

``start`` and ``end`` are periods or days, and both are included: ``start="2017-01",
end="2017-12"`` is January to December 2017, ``end="2025-Q1"`` takes March 2025 in,
and ``end=date(2017, 12, 31)`` includes that day (and so, at month grain, December).
This is what the command line's ``--from``/``--to`` and the API's ``start``/``end``
mean too. Code that thinks in half-open ranges says so by name: ``end_before`` is
the first day *not* included.

Without a range the values shown are the *data's* last periods: the 12 periods
ending with the period of the latest row before the as-of moment, which is the
period in progress when the data is current and an old one for a historical
export (a table of zeros up to today would hide where the data lies). The range
chosen is returned with a note saying so. With grain ``all`` and no range, the
range is all the data: its first day to its last.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from onpace.calendar import (
    FIRST_YEAR,
    LAST_YEAR,
    Calendar,
    ComputeGrain,
    Grain,
    next_period_start,
    parse_period,
    period_label,
    period_start,
    periods_between,
    shift_period,
)
from onpace.errors import RequestError

Bound = date | datetime | str
_YEARS = f"keep it between the years {FIRST_YEAR} and {LAST_YEAR}"
DataSpan = Callable[[], tuple[datetime, datetime] | None]
DEFAULT_PERIODS = 12
_PLURAL = {
    "day": "days",
    "week": "weeks",
    "month": "months",
    "quarter": "quarters",
    "year": "years",
}


@dataclass(frozen=True)
class ComputeRange:
    """Days ``[start, end_before)`` to compute, and whether (and why) they were chosen."""

    start: date
    end_before: date
    defaulted: bool = False
    note: str | None = None

    @property
    def last_day(self) -> date:
        return self.end_before - timedelta(days=1)


def _parse(value: str, calendar: Calendar) -> tuple[str, date]:
    try:
        return parse_period(value, calendar)
    except ValueError as period_error:
        try:
            return "day", datetime.fromisoformat(value.strip()).date()
        except ValueError:
            raise RequestError(
                f"{period_error}; a date or time such as 2017-12-31T18:00 works too"
            ) from None


def first_day(value: Bound, calendar: Calendar) -> date:
    """The first day a start bound includes: a period's first day, or the date itself."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return _parse(value, calendar)[1]


def day_after(value: Bound, calendar: Calendar) -> date:
    """The first day after an (inclusive) end bound: after the period, or after the day."""
    try:
        return _day_after(value, calendar)
    except (OverflowError, ValueError) as exc:  # the day after 9999-12-31 has no date
        if isinstance(exc, RequestError):
            raise
        raise RequestError(
            f"end {value!s} is past the dates onpace can count with; {_YEARS}"
        ) from None


def _day_after(value: Bound, calendar: Calendar) -> date:
    if isinstance(value, datetime):
        return value.date() + timedelta(days=1)
    if isinstance(value, date):
        return value + timedelta(days=1)
    grain, start = _parse(value, calendar)
    if grain == "day":
        return start + timedelta(days=1)
    return next_period_start(start, grain)  # type: ignore[arg-type]


def resolve_range(
    grain: ComputeGrain,
    calendar: Calendar,
    as_of: datetime,
    data_span: DataSpan,
    start: Bound | None = None,
    end: Bound | None = None,
    end_before: date | None = None,
    periods: int = DEFAULT_PERIODS,
) -> ComputeRange:
    """The days to compute for the bounds given; the data decides the missing ones."""
    if end is not None and end_before is not None:
        raise RequestError(
            "give end (the last period or day, included) or end_before (the first day "
            "not included), not both"
        )
    try:
        first = first_day(start, calendar) if start is not None else None
        after = day_after(end, calendar) if end is not None else end_before
        if first is not None and after is not None:
            return _checked(ComputeRange(first, after))
        span = data_span()
        if grain == "all":
            return _checked(_all_time(first, after, span, as_of))
        return _checked(_last_periods(grain, calendar, first, after, span, as_of, periods))
    except (OverflowError, ValueError) as exc:  # a period at the very end of the calendar
        if isinstance(exc, RequestError):
            raise
        raise RequestError(
            f"the range {start or ''} to {end or end_before or ''} runs past the dates onpace "
            f"can count with; {_YEARS}"
        ) from exc


def _checked(rng: ComputeRange) -> ComputeRange:
    if rng.start.year < FIRST_YEAR or rng.last_day.year > LAST_YEAR:
        raise RequestError(
            f"the range {rng.start} to {rng.last_day} runs past the dates onpace can count "
            f"with; {_YEARS}"
        )
    if rng.end_before <= rng.start:
        raise RequestError(
            f"the range is empty: it ends on {rng.last_day}, before it starts on {rng.start}"
        )
    return rng


def _all_time(
    first: date | None,
    after: date | None,
    span: tuple[datetime, datetime] | None,
    as_of: datetime,
) -> ComputeRange:
    """One total: the bound given, and the data's first or last day for the other."""
    if span is None:
        day = as_of.date()
        return ComputeRange(
            first or day, after or day + timedelta(days=1), True, "no data for these KPIs yet"
        )
    begin = first or span[0].date()
    end_before = after or span[1].date() + timedelta(days=1)
    missing = "no range" if first is None and after is None else "no start" if after else "no end"
    last = end_before - timedelta(days=1)
    return ComputeRange(
        begin, end_before, True, f"{missing} given: the data from {begin} to {last}"
    )


def _last_periods(
    grain: ComputeGrain,
    calendar: Calendar,
    first: date | None,
    after: date | None,
    span: tuple[datetime, datetime] | None,
    as_of: datetime,
    periods: int,
) -> ComputeRange:
    assert grain != "all"
    plural = _PLURAL[grain]
    if after is not None:  # an end without a start: the periods up to it
        last = period_start(after - timedelta(days=1), grain, calendar)
        begin = shift_period(last, grain, -(periods - 1))
        return ComputeRange(
            begin,
            after,
            True,
            f"no start given: the {periods} {plural} up to {period_label(last, grain, calendar)}",
        )
    latest = span[1] if span is not None else as_of
    last = period_start(latest, grain, calendar)
    if first is not None:  # a start without an end: up to the data's last period
        end_before = next_period_start(max(last, period_start(first, grain, calendar)), grain)
        return ComputeRange(
            first,
            end_before,
            True,
            f"no end given: up to {period_label(last, grain, calendar)}, the last "
            f"{grain} with data",
        )
    begin = shift_period(last, grain, -(periods - 1))
    shown = f"{period_label(begin, grain, calendar)} to {period_label(last, grain, calendar)}"
    if span is None:
        note = f"no range given and no data yet: the {periods} {plural} up to now, {shown}"
    else:
        note = f"no range given: the last {periods} {plural} with data, {shown}"
    return ComputeRange(begin, next_period_start(last, grain), True, note)


def spine(
    grain: ComputeGrain, start: date, end: date, lagged: bool, calendar: Calendar
) -> tuple[date, date, list[date], date]:
    """The periods a computation of ``[start, end)`` lays out (computed or read from the store).

    Returns the first period shown, the first period computed (a year and a period
    earlier when a formula reads ``prior()`` or ``last_year()``: ``lagged``), every
    period from there, and the end of the last one. Grain ``all`` is the one range.
    """
    if grain == "all":
        return start, start, [start], end
    g: Grain = grain
    first = period_start(start, g, calendar)
    spine_start = first
    if lagged:  # prior() and last_year() need the periods before the first shown
        spine_start = shift_period(first, "year", -1)
        spine_start = shift_period(period_start(spine_start, g, calendar), g, -1)
    periods = periods_between(spine_start, end, g, calendar)
    last_end = next_period_start(periods[-1], g) if periods else end
    return first, spine_start, periods, last_end
