"""Periods and calendars: how a moment in time is placed in a day, week, month, quarter or year.

A period is identified by its first day. Weeks start on Monday (ISO). Quarters and
years follow the workspace's fiscal calendar: with ``fiscal_year_start=4`` the year
runs April to March and its first quarter is April to June. A fiscal year is named
after the calendar year in which it ends (FY2026 = April 2025 to March 2026), which
is the common convention for non-calendar fiscal years; a calendar year is named
plainly (2026).

The same rules exist twice on purpose: once in Python for the period spine, labels
and parsing, and once as an Ibis expression (:func:`period_start_expr`) so the
database does the truncation next to the data. Tests hold the two to each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import ibis.expr.types as ir

Grain = Literal["day", "week", "month", "quarter", "year"]
GRAINS: tuple[Grain, ...] = ("day", "week", "month", "quarter", "year")
# What a computation can be grouped by: a calendar grain, or ``all``, one total over
# the whole range (targets, pace and the scorecard always work in calendar grains).
ComputeGrain = Literal["day", "week", "month", "quarter", "year", "all"]
COMPUTE_GRAINS: tuple[ComputeGrain, ...] = (*GRAINS, "all")
# The years onpace counts with: wide enough for any sales history and plan, narrow
# enough that every period arithmetic (a year later, the day after) stays a date.
FIRST_YEAR = 1900
LAST_YEAR = 2200


@dataclass(frozen=True)
class Calendar:
    """The workspace's calendar: the month its fiscal year starts in."""

    fiscal_year_start: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.fiscal_year_start <= 12:
            raise ValueError(
                f"fiscal_year_start must be a month 1-12, got {self.fiscal_year_start}"
            )

    @property
    def offset_months(self) -> int:
        return self.fiscal_year_start - 1


def add_months(d: date, months: int) -> date:
    """``d`` moved by whole months, clamped to the last day of a shorter month."""
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    day = min(d.day, _days_in_month(year, month0 + 1))
    return date(year, month0 + 1, day)


def _days_in_month(year: int, month: int) -> int:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return (nxt - timedelta(days=1)).day


def period_start(moment: date | datetime, grain: Grain, cal: Calendar = Calendar()) -> date:
    """First day of the period of ``grain`` that contains ``moment``.

    >>> period_start(date(2025, 2, 14), "quarter", Calendar(fiscal_year_start=4))
    datetime.date(2025, 1, 1)
    >>> period_start(date(2025, 5, 14), "year", Calendar(fiscal_year_start=4))
    datetime.date(2025, 4, 1)
    """
    d = moment.date() if isinstance(moment, datetime) else moment
    if grain == "day":
        return d
    if grain == "week":
        return d - timedelta(days=d.weekday())
    if grain == "month":
        return d.replace(day=1)
    shifted = add_months(d.replace(day=1), -cal.offset_months)
    if grain == "quarter":
        start = shifted.replace(month=(shifted.month - 1) // 3 * 3 + 1)
    elif grain == "year":
        start = shifted.replace(month=1)
    else:  # pragma: no cover - guarded by the Grain type
        raise ValueError(f"unknown grain {grain!r}")
    return add_months(start, cal.offset_months)


def next_period_start(start: date, grain: Grain) -> date:
    """First day of the period after the one starting at ``start``."""
    if grain == "day":
        return start + timedelta(days=1)
    if grain == "week":
        return start + timedelta(days=7)
    return add_months(start, {"month": 1, "quarter": 3, "year": 12}[grain])


def shift_period(start: date, grain: Grain, periods: int) -> date:
    """The start of the period ``periods`` periods away (negative: earlier)."""
    if grain == "day":
        return start + timedelta(days=periods)
    if grain == "week":
        return start + timedelta(days=7 * periods)
    return add_months(start, periods * {"month": 1, "quarter": 3, "year": 12}[grain])


def same_period_last_year(start: date, grain: Grain) -> date:
    """Start of the matching period one year earlier.

    Weeks map to the week 52 weeks earlier (same weekday); days to the same date
    a year earlier (29 February maps to 28 February).
    """
    if grain == "week":
        return start - timedelta(weeks=52)
    return add_months(start, -12)


def same_point(moment: datetime, start: date, against: date) -> datetime:
    """``moment`` moved from the period that starts on ``start`` to the same point of
    the period that starts on ``against``: how far a period in progress has run.

    Periods that start on the same day of the month are apart by whole months: the
    moment keeps its day (clamped to a shorter month's end, 31 March against 28
    February) and its time, as month-to-date is compared in accounting. Others (a
    week, a custom range against the days before it) are apart by a number of days.
    """
    months = (against.year - start.year) * 12 + (against.month - start.month)
    if against.day == start.day and add_months(start, months) == against:
        return datetime.combine(add_months(moment.date(), months), moment.time())
    return moment + (against - start)


def data_covers(newest: datetime, as_of: datetime) -> datetime:
    """The moment the data is complete up to, given its newest row before ``as_of``.

    A day before today is taken as loaded whole (the export of last night holds all
    of yesterday, even when its last sale was at 18:00), and so is today when the
    rows carry dates without times (a row at midnight stands for its whole day so
    far). Rows with times today reach a second past the newest one.
    """
    day = newest.date()
    if day < as_of.date():
        return datetime.combine(day + timedelta(days=1), datetime.min.time())
    if newest.time() == datetime.min.time():
        return as_of
    return newest + timedelta(seconds=1)


def periods_between(first: date, end: date, grain: Grain, cal: Calendar = Calendar()) -> list[date]:
    """Starts of every period that overlaps ``[first, end)``, in order."""
    out: list[date] = []
    current = period_start(first, grain, cal)
    while current < end:
        out.append(current)
        current = next_period_start(current, grain)
    return out


def period_label(start: date, grain: Grain, cal: Calendar = Calendar()) -> str:
    """Human label of a period: 2026-03-05, 2026-W10, 2026-03, 2026-Q1, 2026 or FY2026."""
    if grain == "day":
        return start.isoformat()
    if grain == "week":
        iso = start.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    if grain == "month":
        return f"{start.year}-{start.month:02d}"
    fiscal = cal.fiscal_year_start != 1
    year_end = add_months(period_start(start, "year", cal), 11)
    year_name = f"FY{year_end.year}" if fiscal else str(start.year)
    if grain == "year":
        return year_name
    quarter = ((start.year * 12 + start.month - 1 - (cal.fiscal_year_start - 1)) % 12) // 3 + 1
    return f"{year_name}-Q{quarter}"


_LABEL_PATTERNS: tuple[tuple[re.Pattern[str], Grain], ...] = (
    (re.compile(r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})$"), "day"),
    (re.compile(r"^(?P<y>\d{4})-W(?P<w>\d{2})$"), "week"),
    (re.compile(r"^(?P<y>\d{4})-(?P<m>\d{2})$"), "month"),
    (re.compile(r"^(?P<fy>FY)?(?P<y>\d{4})-Q(?P<q>[1-4])$"), "quarter"),
    (re.compile(r"^(?P<fy>FY)?(?P<y>\d{4})$"), "year"),
)


def parse_period(label: str, cal: Calendar = Calendar()) -> tuple[Grain, date]:
    """The grain and first day of a period label (the inverse of :func:`period_label`).

    ``2026`` and ``2026-Q2`` are calendar periods in a calendar-year workspace and
    fiscal ones (named by the year they end in) when the fiscal year starts later;
    ``FY2026`` is always fiscal.

    >>> parse_period("2026-Q3")
    ('quarter', datetime.date(2026, 7, 1))
    """
    text = label.strip().upper()
    for pattern, grain in _LABEL_PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        year = int(m.group("y"))
        try:
            if grain == "day":
                return grain, date(year, int(m.group("m")), int(m.group("d")))
            if grain == "week":
                return grain, date.fromisocalendar(year, int(m.group("w")), 1)
            if grain == "month":
                return grain, date(year, int(m.group("m")), 1)
        except ValueError as exc:  # 2026-13, 2026-02-30, 2025-W53
            raise ValueError(f"cannot read period {label!r}: {str(exc).lower()}") from exc
        fiscal_start = (
            add_months(date(year, 1, 1), cal.offset_months - 12)
            if cal.fiscal_year_start != 1
            else date(year, 1, 1)
        )
        if grain == "year":
            return grain, fiscal_start
        return grain, add_months(fiscal_start, 3 * (int(m.group("q")) - 1))
    raise ValueError(
        f"cannot read period {label!r}: use 2026-03-05, 2026-W10, 2026-03, 2026-Q1, 2026 or FY2026"
    )


def period_start_expr(ts: ir.TimestampValue, grain: Grain, cal: Calendar) -> ir.DateValue:
    """Ibis expression for the first day of the period containing timestamp ``ts``."""
    import ibis

    if grain in ("day", "week", "month") or cal.offset_months == 0:
        unit = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}[grain]
        return ts.truncate(unit).cast("date")
    shift = ibis.interval(months=cal.offset_months)
    unit = "Q" if grain == "quarter" else "Y"
    return ((ts - shift).truncate(unit) + shift).cast("date")
