"""Targets: what a KPI should reach in a period, and how that splits into milestones.

A target belongs to a KPI, a period (a month, quarter or year of the workspace's
fiscal calendar, or a custom date range ``2026-01-15..2026-03-31``) and optionally
one dimension value (``rep=ann``). Its value is absolute, or relative to a
baseline computed from the data when the target is set (``+10%`` on the same
period last year, ``-2pp`` on the previous quarter); the baseline is kept with the
target so the number never silently moves when data is corrected later.

A long target is phased into short-term milestones, one per month (and, for a
year, one per quarter): ``linear`` by days, ``seasonal`` by the shape of the same
months in past years, or explicit ``weights`` that sum to 100%. Only additive KPIs
(sums and counts) are split; a rate or an average keeps its value in every
milestone, because half a year of a 20% return rate is still 20%, not 10%.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Literal

from onpace.calendar import (
    FIRST_YEAR,
    LAST_YEAR,
    Calendar,
    Grain,
    add_months,
    next_period_start,
    parse_period,
    period_label,
    period_start,
    periods_between,
    shift_period,
)
from onpace.errors import TargetError

PeriodGrain = Literal["day", "week", "month", "quarter", "year", "custom"]
Phasing = Literal["linear", "seasonal", "weights"]
Basis = Literal["absolute", "relative"]
ChangeKind = Literal["percent", "points", "amount"]
BaselineRef = Literal["last_year", "previous"]
PHASINGS: tuple[str, ...] = ("linear", "seasonal", "weights")
BASELINES: tuple[str, ...] = ("last_year", "previous")


@dataclass(frozen=True)
class TargetPeriod:
    """A period a target covers: ``[start, end)`` with a label and a grain (or ``custom``)."""

    label: str
    grain: PeriodGrain
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    def covers(self, other: TargetPeriod) -> bool:
        """Whether ``other`` lies inside this period."""
        return self.start <= other.start and other.end <= self.end

    def same_span(self, other: TargetPeriod) -> bool:
        return (self.start, self.end) == (other.start, other.end)

    def elapsed(self, today: date) -> float:
        """The share of the period gone by the start of ``today`` (0 before, 1 after)."""
        if today <= self.start:
            return 0.0
        if today >= self.end:
            return 1.0
        return (today - self.start).days / self.days


def check_years(first: date, last: date, text: str) -> None:
    """Refuse a period outside the years onpace works with (FIRST_YEAR to LAST_YEAR).

    Comparisons and baselines look a year or more back and forward, so a period in
    year 1 or 9999 could never be shown: it is refused when it is read.
    """
    if first.year < FIRST_YEAR or last.year > LAST_YEAR:
        raise TargetError(
            f"period {text!r} is outside the years {FIRST_YEAR} to {LAST_YEAR} that "
            "onpace works with"
        )


_RANGE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})\s*$")


def parse_target_period(text: str, cal: Calendar = Calendar()) -> TargetPeriod:
    """A period label (``2026-Q3``, ``FY2027``, ``2026-03``) or an inclusive date range.

    >>> parse_target_period("2026-01-15..2026-03-31").end
    datetime.date(2026, 4, 1)
    """
    m = _RANGE.match(text)
    if m:
        try:
            first, last = date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2))
        except ValueError as exc:
            raise TargetError(f"cannot read period {text!r}: {exc}") from exc
        if last < first:
            raise TargetError(f"period {text!r} ends before it starts")
        check_years(first, last, text)
        return TargetPeriod(f"{first}..{last}", "custom", first, last + timedelta(days=1))
    try:
        grain, start = parse_period(text, cal)
    except ValueError as exc:
        raise TargetError(f"{exc}, or a date range such as 2026-01-15..2026-03-31") from exc
    check_years(start, start, text)
    return standard_period(start, grain, cal)


def standard_period(start: date, grain: Grain, cal: Calendar = Calendar()) -> TargetPeriod:
    """The period of ``grain`` that starts at ``start``."""
    return TargetPeriod(
        period_label(start, grain, cal), grain, start, next_period_start(start, grain)
    )


def baseline_period(period: TargetPeriod, ref: BaselineRef, cal: Calendar) -> TargetPeriod:
    """The period a relative target is measured against.

    ``last_year``: the same period a year earlier. ``previous``: the period just
    before (for a custom range: the range of the same number of days before it).
    """
    if period.grain == "custom":
        if ref == "last_year":
            start, end = add_months(period.start, -12), add_months(period.end, -12)
        else:
            start, end = period.start - timedelta(days=period.days), period.start
        last = end - timedelta(days=1)
        return TargetPeriod(f"{start}..{last}", "custom", start, end)
    grain: Grain = period.grain
    if ref == "last_year":
        start = period_start(add_months(period.start, -12), grain, cal)
    else:
        start = shift_period(period.start, grain, -1)
    return standard_period(start, grain, cal)


@dataclass(frozen=True)
class TargetValue:
    """A target value as the user wrote it: absolute, or a change on a baseline."""

    basis: Basis
    amount: float
    change_kind: ChangeKind | None = None


_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_SCALES = {"": 1.0, "k": 1e3, "m": 1e6, "mn": 1e6, "b": 1e9, "bn": 1e9}
_CURRENCY_SIGNS = "€$£¥"


def _reading(number: float) -> str:
    """How a bare number on a percent KPI reads both ways: ``35`` -> 3,500% or 35%."""
    return f"as a fraction it is {number * 100:,.4g}%, as a percentage {number:g}%"


def parse_target_value(text: str, unit: str, relative: bool) -> TargetValue:
    """Read ``VALUE`` of ``onpace target set``, checking it against the KPI's unit.

    Absolute: ``1250000``, ``1.25e6``, ``1.25M``, ``800k``, ``€1.2M``; for percent KPIs
    ``25%`` or ``0.25`` (a bare number above 1 such as ``35`` is refused: it could mean
    3,500% or 35%). Relative (with ``--relative``): ``+10%`` (ten percent more than the
    baseline), ``-2pp`` (two percentage points less, for rates) or ``+500`` (an amount).
    A ``%`` on a currency or count KPI needs ``--relative``: an absolute 10% of euros
    means nothing.
    """
    raw = text.strip().replace("_", "").replace(",", "").replace(" ", "")
    sign = raw[:1] if raw[:1] in ("+", "-") else ""
    if raw[len(sign) : len(sign) + 1] in tuple(_CURRENCY_SIGNS):
        if unit != "currency":
            raise TargetError(f"{text!r}: a currency sign on a KPI measured in {unit}")
        raw = sign + raw[len(sign) + 1 :]
    m = re.fullmatch(rf"({_NUMBER})(k|m|mn|b|bn)?(%|pp)?", raw, flags=re.IGNORECASE)
    if not m:
        raise TargetError(
            f"target value {text!r} is not a number; write 1250000, 1.25M, 25% or, with "
            "--relative, +10%, -2pp or +500"
        )
    number = float(m.group(1)) * _SCALES[(m.group(2) or "").lower()]
    suffix = (m.group(3) or "").lower() or None
    if not math.isfinite(number):
        raise TargetError(f"target value {text!r} is not a finite number")
    if m.group(2) and suffix:
        raise TargetError(f"target value {text!r} mixes a scale (k, M, bn) with {suffix}")
    if not relative:
        if suffix == "pp":
            raise TargetError(
                f"{text!r}: points only make sense relative to a baseline; add --relative"
            )
        if suffix == "%":
            if unit != "percent":
                raise TargetError(
                    f"{text!r}: a percentage is an absolute value only for percent KPIs, and "
                    f"this KPI is measured in {unit}; for growth use --relative last_year "
                    "with +10%"
                )
            number /= 100
        elif unit == "percent" and abs(number) > 1:
            raise TargetError(
                f"{text!r} on a percent KPI is ambiguous: {_reading(number)}; write "
                f"{number:g}% or {number / 100:g}"
            )
        return TargetValue("absolute", number)
    if suffix == "%":
        return TargetValue("relative", number / 100, "percent")
    if suffix == "pp":
        if unit != "percent":
            raise TargetError(f"{text!r}: percentage points apply to percent KPIs only")
        return TargetValue("relative", number / 100, "points")
    if unit == "percent" and abs(number) > 1:
        raise TargetError(
            f"{text!r} on a percent KPI is ambiguous: as a change of the rate it is "
            f"{number * 100:+,.4g} points; write {number:+g}pp for points or {number:+g}% "
            "for a relative change"
        )
    return TargetValue("relative", number, "amount")


def apply_change(change: TargetValue, baseline: float | None, baseline_label: str) -> float:
    """The target value of a relative target on ``baseline``.

    A percentage change needs a non-zero baseline: +10% of nothing is nothing, and
    a target of 0 would be met by doing nothing, so that is an error that says
    what to do instead. Points and amounts work on a zero baseline.
    """
    if change.basis == "absolute":
        return change.amount
    if baseline is None or (isinstance(baseline, float) and math.isnan(baseline)):
        raise TargetError(
            f"the baseline {baseline_label} has no value in the data; set an absolute target"
        )
    if change.change_kind == "percent":
        if baseline == 0:
            raise TargetError(
                f"the baseline {baseline_label} is 0, so a percentage change of it is "
                "meaningless; set an absolute target or a change in points or an amount"
            )
        return baseline * (1 + change.amount)
    return baseline + change.amount


@dataclass(frozen=True)
class Target:
    """The current state of one target (one revision of it)."""

    kpi: str
    period: TargetPeriod
    value: float
    dimension: str | None = None
    dimension_value: str | None = None
    basis: Basis = "absolute"
    change_kind: ChangeKind | None = None
    change: float | None = None
    baseline: BaselineRef | None = None
    baseline_period: str | None = None
    baseline_value: float | None = None
    phasing: Phasing = "linear"
    weights: tuple[float, ...] = ()
    revision: int = 0
    author: str = ""
    created_at: datetime | None = None
    reason: str = ""
    action: Literal["set", "retire"] = "set"
    floor: float | None = None
    stretch: float | None = None

    @property
    def key(self) -> str:
        return target_key(self.kpi, self.period.label, self.dimension, self.dimension_value)

    @property
    def scope(self) -> str:
        """``rep=ann`` or ``all``."""
        return f"{self.dimension}={self.dimension_value}" if self.dimension else "all"

    def with_revision(self, revision: int, author: str, when: datetime, reason: str) -> Target:
        return replace(self, revision=revision, author=author, created_at=when, reason=reason)


def target_key(kpi: str, period: str, dimension: str | None, value: str | None) -> str:
    return f"{kpi}|{period}|{dimension or ''}={value or ''}"


def validate_phasing(phasing: str, weights: Sequence[float], period: TargetPeriod) -> None:
    """Refuse unknown phasings and weights that do not fit the period or sum to 100."""
    if phasing not in PHASINGS:
        raise TargetError(f"unknown phasing {phasing!r}; use linear, seasonal or weights")
    if phasing != "weights":
        if weights:
            raise TargetError("weights are given only with --phasing weights")
        return
    months = month_slices(period)
    if len(weights) != len(months):
        raise TargetError(
            f"{period.label} has {len(months)} month(s), so give {len(months)} weights "
            f"(got {len(weights)})"
        )
    if any(w < 0 or not math.isfinite(w) for w in weights):
        raise TargetError("weights must be zero or positive numbers")
    if abs(sum(weights) - 100) > 1e-6:
        raise TargetError(f"weights must sum to 100 (%), they sum to {sum(weights):g}")


@dataclass(frozen=True)
class MonthSlice:
    """The part of one calendar month that lies in a period."""

    month: date
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def month_days(self) -> int:
        return (next_period_start(self.month, "month") - self.month).days


def month_slices(period: TargetPeriod) -> list[MonthSlice]:
    """Every month overlapping ``period``, cut to it (weeks and days give one slice)."""
    out = []
    for month in periods_between(period.start, period.end, "month"):
        start = max(month, period.start)
        end = min(next_period_start(month, "month"), period.end)
        out.append(MonthSlice(month, start, end))
    return out


@dataclass(frozen=True)
class Milestone:
    """The share of a target due in one sub-period, and the value due by its end."""

    label: str
    grain: str
    start: date
    end: date
    share: float
    value: float
    cumulative: float


def month_shares(
    target: Target, history: Mapping[date, float] | None = None
) -> tuple[list[float], str]:
    """The share of the target due in each month slice, and how it was decided.

    ``seasonal`` uses ``history`` (monthly values of the KPI): for each past year
    in which every month of the period has a value, the months' shares of that
    year's total; the shares are averaged over those years. Without one such year
    it falls back to linear and says so.
    """
    slices = month_slices(target.period)
    if target.phasing == "weights":
        return [w / 100 for w in target.weights], "weights"
    linear = [s.days / target.period.days for s in slices]
    if target.phasing == "linear":
        return linear, "linear"
    history = history or {}
    years: list[list[float]] = []
    for back in range(1, 6):
        values = []
        for s in slices:
            v = history.get(add_months(s.month, -12 * back))
            if v is None or math.isnan(v) or v < 0:
                break
            values.append(v * s.days / s.month_days)
        if len(values) == len(slices) and sum(values) > 0:
            total = sum(values)
            years.append([v / total for v in values])
    if not years:
        return linear, "linear (no complete past year for the seasonal shape)"
    shares = [sum(y[i] for y in years) / len(years) for i in range(len(slices))]
    return shares, f"seasonal ({len(years)} past year(s))"


def milestones(
    target: Target,
    additive: bool,
    history: Mapping[date, float] | None = None,
    cal: Calendar = Calendar(),
) -> list[Milestone]:
    """Monthly milestones, and quarterly ones for a period longer than a quarter.

    For additive KPIs ``value`` is the part due in the sub-period and ``cumulative``
    the target-to-date at its end; for rates and averages both are the target.
    """
    slices = month_slices(target.period)
    shares, _ = month_shares(target, history)
    out: list[Milestone] = []
    running = 0.0
    for s, share in zip(slices, shares, strict=True):
        running += share
        label = period_label(s.month, "month", cal)
        if (s.start, s.end) != (s.month, next_period_start(s.month, "month")):
            label = f"{s.start}..{s.end - timedelta(days=1)}"
        value = target.value * share if additive else target.value
        cumulative = target.value * running if additive else target.value
        out.append(Milestone(label, "month", s.start, s.end, share, value, cumulative))
    if target.period.grain in ("year", "custom") and len(slices) > 3:
        quarters: dict[date, list[Milestone]] = {}
        for m in out:
            quarters.setdefault(period_start(m.start, "quarter", cal), []).append(m)
        for q, ms in quarters.items():
            share = sum(m.share for m in ms)
            out.append(
                Milestone(
                    period_label(q, "quarter", cal),
                    "quarter",
                    ms[0].start,
                    ms[-1].end,
                    share,
                    target.value * share if additive else target.value,
                    ms[-1].cumulative,
                )
            )
    return out


def share_to_date(
    target: Target, as_of: date, history: Mapping[date, float] | None = None
) -> float:
    """The share of an additive target due by the start of day ``as_of`` (0 to 1).

    Whole months count their full share; the month in progress counts its share in
    proportion to the days elapsed in it.
    """
    if as_of <= target.period.start:
        return 0.0
    if as_of >= target.period.end:
        return 1.0
    shares, _ = month_shares(target, history)
    done = 0.0
    for s, share in zip(month_slices(target.period), shares, strict=True):
        if as_of >= s.end:
            done += share
        elif as_of > s.start:
            done += share * (as_of - s.start).days / s.days
    return done


def share_between(
    target: Target, start: date, end: date, history: Mapping[date, float] | None = None
) -> float:
    """The share of an additive target due in ``[start, end)`` by its own phasing."""
    return share_to_date(target, end, history) - share_to_date(target, start, history)


def phase_down(
    target: Target,
    period: TargetPeriod,
    additive: bool,
    history: Mapping[date, float] | None = None,
) -> Target:
    """``target`` (a longer period covering ``period``) cut down to ``period``.

    A sum or a count takes the share its own phasing puts in ``period`` (a seasonal
    year target gives December more than February); a rate or an average keeps its
    value. The part keeps the parent's shape inside it: the month shares of a
    seasonal or weighted parent become the part's weights, so the pace within the
    part follows the same curve. Floor and stretch are cut the same way.
    """
    share = share_between(target, period.start, period.end, history) if additive else 1.0
    phasing: Phasing = "linear"
    weights: tuple[float, ...] = ()
    slices = month_slices(period)
    if additive and target.phasing != "linear" and len(slices) > 1:
        parts = [share_between(target, s.start, s.end, history) for s in slices]
        total = sum(parts)
        if total > 0:
            phasing, weights = "weights", tuple(100 * x / total for x in parts)

    def cut(value: float | None) -> float | None:
        return None if value is None else value * share

    return replace(
        target,
        period=period,
        value=target.value * share,
        floor=cut(target.floor),
        stretch=cut(target.stretch),
        phasing=phasing,
        weights=weights,
        basis="absolute",
        change_kind=None,
        change=None,
        baseline=None,
        baseline_period=None,
        baseline_value=None,
    )
