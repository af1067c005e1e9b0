"""Which period a screen shows, what it is compared with, and up to which moment.

A period that is still running is compared like for like: the compared period
is read up to the same point, found by shifting "now" by the distance between
the two periods (1-15 May against 1-15 April; the fourth quarter up to 1
December against the third up to 1 September; a custom range of 30 days
against the 30 days before it, shifted by 30 days). Shifting by whole months
keeps the day of the month and clamps it to the end of a shorter month (31 March
against 28 February), which is how month-to-date is compared in accounting.
When the data stops before "now" (it was loaded last night), the point reached is
the end of the newest row's day rather than now (see :func:`data_covers`). The
compared period is then computed *as of* that moment, so rates, snapshots and
late-arriving returns are as they were known at the same point, not as they are
known now. ``span="full"`` compares with the whole of the other period
instead; a period that is over is always compared with the whole other period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from onpace.calendar import Calendar, Grain, data_covers, period_start, same_point
from onpace.errors import TargetError
from onpace.targets.definition import (
    BaselineRef,
    TargetPeriod,
    baseline_period,
    parse_target_period,
    standard_period,
)

PICK_GRAINS: tuple[str, ...] = ("month", "quarter", "year", "custom")
COMPARES: tuple[str, ...] = ("previous", "last_year")
SPANS: tuple[str, ...] = ("same", "full")
Span = Literal["same", "full"]


def pick_period(
    cal: Calendar,
    grain: str,
    period: str | None,
    start: str | None,
    end: str | None,
    today: date,
) -> TargetPeriod:
    """The period a screen shows; a clear :class:`TargetError` for anything unreadable.

    ``period`` (``2026-Q4``, ``2026-11``, ``2026``, ``2026-01-15..2026-03-31``) wins;
    without it, the ``grain``'s period that contains ``today``, or the custom range
    ``start`` to ``end`` (inclusive dates). A period of another grain than ``grain``
    is moved to ``grain`` keeping its start (2024-03 at quarter grain is 2024-Q1).
    """
    if grain not in PICK_GRAINS:
        raise TargetError(f"grain {grain!r}: use one of {', '.join(PICK_GRAINS)}")
    if grain == "custom" and not period:
        if not start or not end:
            raise TargetError("a custom period needs a start and an end date (YYYY-MM-DD)")
        return parse_target_period(f"{start}..{end}", cal)
    if period:
        picked = parse_target_period(period, cal)
        if picked.grain == "custom" or grain == "custom":
            return picked
        if picked.grain not in ("month", "quarter", "year"):
            raise TargetError(f"period {period!r}: pick a month, quarter, year or date range")
        if picked.grain != grain:
            g: Grain = grain  # type: ignore[assignment]
            return standard_period(period_start(picked.start, g, cal), g, cal)
        return picked
    g = grain  # type: ignore[assignment]
    return standard_period(period_start(today, g, cal), g, cal)


def compared_period(picked: TargetPeriod, compare: str, cal: Calendar) -> TargetPeriod:
    """The period before ``picked`` (``previous``) or the same one a year earlier."""
    if compare not in COMPARES:
        raise TargetError(f"compare {compare!r}: use previous or last_year")
    ref: BaselineRef = compare  # type: ignore[assignment]
    return baseline_period(picked, ref, cal)


def shift_moment(moment: datetime, picked: TargetPeriod, against: TargetPeriod) -> datetime:
    """``moment`` moved from ``picked`` to the same point of ``against`` (see
    :func:`onpace.calendar.same_point`)."""
    return same_point(moment, picked.start, against.start)


@dataclass(frozen=True)
class Comparison:
    """What a period is compared with: the period, and the moment it is read up to.

    ``until`` is None when the whole compared period counts (as known now).
    """

    period: TargetPeriod
    until: datetime | None
    span: Span

    @property
    def label(self) -> str:
        if self.until is None:
            return self.period.label
        moment = self.until
        midnight = moment.time() == datetime.min.time()
        when = f"{moment:%Y-%m-%d}" if midnight else f"{moment:%Y-%m-%d %H:%M}"
        return f"{self.period.label} up to {when} (same span)"


def comparison(
    picked: TargetPeriod,
    compare: str,
    span: str,
    as_of: datetime,
    cal: Calendar,
    data_until: datetime | None = None,
) -> Comparison:
    """The comparison of ``picked`` as of ``as_of`` (see the module docstring).

    ``data_until`` is the moment of the newest row in the data: when the data stops
    before "now" (loaded last night), the span of the current period is the span the
    data covers, so that the first day of a month, before any sale of it is loaded,
    compares nothing with nothing instead of nothing with a morning of last month.
    """
    if span not in SPANS:
        raise TargetError(f"span {span!r}: use same (like for like) or full")
    against = compared_period(picked, compare, cal)
    running = picked.contains(as_of.date())
    if span == "full" or not running:
        return Comparison(against, None, "full" if span == "full" else "same")
    reached = as_of
    if data_until is not None:
        start = datetime.combine(picked.start, datetime.min.time())
        reached = max(start, min(as_of, data_covers(data_until, as_of)))
    end = datetime.combine(against.end, datetime.min.time())
    until = min(shift_moment(reached, picked, against), end)
    return Comparison(against, until, "same")
