"""The numbers targets are held against: a KPI's value in a target's period, and its months.

Values come from :meth:`onpace.workspace.Workspace.compute`, cached per KPI,
grain and dimension so a scorecard of many targets runs a handful of queries. A
custom date range is summed from its whole months and the days around them,
which is right only for additive KPIs (sums and counts); a rate over a custom
range would need its numerator and denominator summed apart, so it is refused
with a clear error instead.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from onpace.calendar import Grain, add_months, period_start
from onpace.errors import TargetError, did_you_mean
from onpace.query.plain import as_number
from onpace.spec.kpi import AnyKpi, DerivedKpi, SimpleKpi
from onpace.targets.definition import TargetPeriod

if TYPE_CHECKING:
    from onpace.workspace import Workspace

HISTORY_YEARS = 4


def member_text(value: Any) -> str | None:
    """A dimension value as text; None (and NaN) stay None: no rep is not a rep called "None"."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return str(value)


def is_additive(name: str, kpis: dict[str, AnyKpi], _seen: frozenset[str] = frozenset()) -> bool:
    """Whether a KPI's value over a long period is the sum of its values over the parts.

    True for sums and counts of one entity, and for derived KPIs that only add and
    subtract additive KPIs (net profit = gross profit - operating costs).
    """
    kpi = kpis.get(name)
    if kpi is None or name in _seen:
        return False
    if isinstance(kpi, SimpleKpi):
        return kpi.agg in ("sum", "count")
    if isinstance(kpi, DerivedKpi):
        text = kpi.expr
        if re.search(r"[*/]|\bprior\s*\(|\blast_year\s*\(", text):
            return False
        names = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text)
        return bool(names) and all(is_additive(n, kpis, _seen | {name}) for n in names)
    return False


def split_range(start: date, end: date) -> list[tuple[Grain, date, date]]:
    """``[start, end)`` as whole months and the days before and after them.

    A sum over a custom range is the sum of these parts; reading whole months as
    months keeps a range of years to a few hundred values instead of a value a day.
    """
    first = start if start.day == 1 else add_months(start.replace(day=1), 1)
    last = end.replace(day=1)
    if first >= last:
        return [("day", start, end)]
    parts: list[tuple[Grain, date, date]] = []
    if start < first:
        parts.append(("day", start, first))
    parts.append(("month", first, last))
    if last < end:
        parts.append(("day", last, end))
    return parts


class KpiData:
    """Cached values of a workspace's KPIs as of one moment."""

    def __init__(self, ws: Workspace, as_of: datetime) -> None:
        self.ws = ws
        self.as_of = as_of
        self._frames: dict[tuple[str, Grain, str | None, date, date], dict[Any, float | None]] = {}

    def check(self, kpi: str, dimension: str | None) -> AnyKpi:
        """The KPI, after checking it exists and can be broken down by ``dimension``."""
        if kpi not in self.ws.kpis:
            raise TargetError(f"unknown KPI '{kpi}'." + did_you_mean(kpi, self.ws.kpis))
        spec: AnyKpi = self.ws.kpis[kpi]
        if dimension is not None and dimension not in spec.dimensions:
            allowed = ", ".join(spec.dimensions) or "none"
            raise TargetError(
                f"KPI '{kpi}' cannot be broken down by '{dimension}'."
                + did_you_mean(dimension, spec.dimensions)
                + f" Its dimensions: {allowed}"
            )
        return spec

    def missing(self, kpi: str) -> list[str]:
        problems: list[str] = self.ws.session().missing_data(kpi)
        return problems

    def _values(
        self, kpi: str, grain: Grain, dimension: str | None, start: date, end: date
    ) -> dict[Any, float | None]:
        key = (kpi, grain, dimension, start, end)
        if key not in self._frames:
            frame = self.ws.compute(
                [kpi],
                grain=grain,
                start=start,
                end_before=end,
                by=(dimension,) if dimension else (),
                as_of=self.as_of,
            )
            out: dict[Any, float | None] = {}
            members = frame[dimension] if dimension else [None] * len(frame)
            for period, member, value in zip(frame["period"], members, frame["value"], strict=True):
                day = period if type(period) is date else period.date()
                out[(day, member_text(member))] = as_number(value)
            self._frames[key] = out
        return self._frames[key]

    def value(
        self,
        kpi: str,
        period: TargetPeriod,
        dimension: str | None = None,
        dimension_value: str | None = None,
    ) -> float | None:
        """The KPI over ``period`` (to date when it is in progress), or None without data."""
        self.check(kpi, dimension)
        if period.start > self.as_of.date():
            return None
        if period.grain != "custom":
            grain: Grain = period.grain
            values = self._values(kpi, grain, dimension, period.start, period.end)
            return values.get((period.start, dimension_value))
        if not is_additive(kpi, self.ws.kpis):
            raise TargetError(
                f"'{kpi}' is a rate or an average, so its value over a custom date range "
                "cannot be added up from days; use a month, quarter or year period"
            )
        found = []
        for grain, start, end in split_range(period.start, period.end):
            values = self._values(kpi, grain, dimension, start, end)
            found += [v for (d, dv), v in values.items() if dv == dimension_value and v is not None]
        return sum(found) if found else None

    def members(self, kpi: str, dimension: str) -> set[str]:
        """The values of ``dimension`` in ``kpi``'s data over the last few years."""
        self.check(kpi, dimension)
        end = add_months(period_start(self.as_of.date(), "year"), 12)
        values = self._values(kpi, "year", dimension, add_months(end, -12 * 6), end)
        return {member for _, member in values if member is not None}

    def daily(
        self,
        kpi: str,
        dimension: str | None = None,
        dimension_value: str | None = None,
    ) -> dict[date, float]:
        """Daily values for the last few years, up to the day before as_of (whole days)."""
        self.check(kpi, dimension)
        today = self.as_of.date()
        first = add_months(period_start(today, "month"), -12 * HISTORY_YEARS)
        values = self._values(kpi, "day", dimension, first, today)
        return {d: v for (d, dv), v in values.items() if dv == dimension_value and v is not None}

    def monthly(
        self,
        kpi: str,
        dimension: str | None = None,
        dimension_value: str | None = None,
        until: date | None = None,
    ) -> dict[date, float]:
        """Monthly values for the last few years up to the month of ``until`` (or as_of)."""
        self.check(kpi, dimension)
        last = period_start(until or self.as_of.date(), "month")
        first = add_months(period_start(self.as_of.date(), "month"), -12 * HISTORY_YEARS)
        first = min(first, add_months(last, -12 * HISTORY_YEARS))
        values = self._values(kpi, "month", dimension, first, add_months(last, 1))
        return {d: v for (d, dv), v in values.items() if dv == dimension_value and v is not None}
