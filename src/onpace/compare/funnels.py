"""A funnel per period and by member: counts, step and overall conversion, days between steps.

Two readings, because a funnel moves in time:

- **by cohort**: units grouped by the period of their *first* step (visits of
  March, and how many of *them* reached a cart and an order, whenever they did).
  Conversion is exact, but the latest cohorts are still maturing: their units may
  still convert within the window; those periods are marked ``complete: false``.
- **by event period**: each step counted in the period it *happened* (carts of
  March, orders of March). It is what the month's activity looked like; the
  ratio of two steps in a period mixes cohorts, so it is a ratio of counts, not a
  conversion.

The median days between steps are over the units that reached the later step.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd

from onpace.calendar import Grain, next_period_start, period_label, periods_between
from onpace.compare.funnel_query import FunnelWindow, cohort_expr, event_expr, units_expr
from onpace.compare.models import Funnel
from onpace.errors import MissingDataError, UnknownNameError, did_you_mean
from onpace.query.plain import as_number

if TYPE_CHECKING:
    from onpace.workspace import Workspace

MAX_PERIODS = 400


@dataclass(frozen=True)
class StepCount:
    """One step in one period (and member): how many, and how they got there."""

    step: str
    label: str
    count: int
    step_conversion: float | None
    overall_conversion: float | None
    median_days: float | None


@dataclass(frozen=True)
class FunnelRow:
    """The funnel of one period (or the whole range) and one member."""

    period: str | None
    label: str
    member: str | None
    steps: list[StepCount]
    complete: bool = True


@dataclass
class FunnelResult:
    """A funnel computed for a range of periods, by cohort and by event period."""

    funnel: Funnel
    grain: Grain
    start: date
    end: date
    by: str | None
    total: list[FunnelRow] = field(default_factory=list)
    cohorts: list[FunnelRow] = field(default_factory=list)
    events: list[FunnelRow] = field(default_factory=list)


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _steps(
    funnel: Funnel, counts: list[int], days: list[float | None], cohort: bool
) -> list[StepCount]:
    out = []
    for k, step in enumerate(funnel.steps):
        out.append(
            StepCount(
                step.name,
                step.title,
                counts[k],
                _ratio(counts[k], counts[k - 1]) if k else None,
                _ratio(counts[k], counts[0]) if k and cohort else None,
                days[k] if k else None,
            )
        )
    return out


def _member(value: Any) -> str | None:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _normalize(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    if "period" in frame.columns:
        frame["period"] = pd.to_datetime(frame["period"]).dt.date
    # members are read row by row with _member: a string column would turn None into NaN
    return frame


def _cohort_rows(
    funnel: Funnel, frame: pd.DataFrame, result: FunnelResult, ws: Workspace, as_of: datetime
) -> list[FunnelRow]:
    n = len(funnel.steps)
    by_key = {
        (row.get("period"), _member(row.get("dim"))): row for row in frame.to_dict(orient="records")
    }
    members = sorted({k[1] for k in by_key}, key=lambda m: (m is None, m or ""))
    if not result.by:
        members = [None]
    periods = periods_between(result.start, result.end, result.grain, ws.calendar)
    ripe = as_of - timedelta(days=funnel.total_window_days)
    rows = []
    for p in periods:
        end = next_period_start(p, result.grain)
        for m in members:
            got = by_key.get((p, m), {})
            counts = [int(as_number(got.get(f"n{k}")) or 0) for k in range(n)]
            days = [None, *(as_number(got.get(f"d{k}")) for k in range(1, n))]
            complete = datetime(end.year, end.month, end.day) <= ripe
            label = period_label(p, result.grain, ws.calendar)
            rows.append(
                FunnelRow(p.isoformat(), label, m, _steps(funnel, counts, days, True), complete)
            )
    return rows


def _event_rows(
    funnel: Funnel, frame: pd.DataFrame, result: FunnelResult, ws: Workspace
) -> list[FunnelRow]:
    n = len(funnel.steps)
    found: dict[tuple[Any, Any], dict[int, tuple[int, float | None]]] = {}
    for row in frame.to_dict(orient="records"):
        key = (row["period"], _member(row.get("dim")))
        found.setdefault(key, {})[int(row["step"])] = (int(row["n"]), as_number(row["d"]))
    members = sorted({k[1] for k in found}, key=lambda m: (m is None, m or ""))
    if not result.by:
        members = [None]
    rows = []
    for p in periods_between(result.start, result.end, result.grain, ws.calendar):
        for m in members:
            got = found.get((p, m), {})
            counts = [got.get(k, (0, None))[0] for k in range(n)]
            days = [got.get(k, (0, None))[1] for k in range(n)]
            label = period_label(p, result.grain, ws.calendar)
            rows.append(FunnelRow(p.isoformat(), label, m, _steps(funnel, counts, days, False)))
    return rows


def _total_rows(funnel: Funnel, frame: pd.DataFrame, result: FunnelResult) -> list[FunnelRow]:
    n = len(funnel.steps)
    rows = []
    for got in sorted(frame.to_dict(orient="records"), key=lambda r: -int(r["n0"])):
        counts = [int(as_number(got.get(f"n{k}")) or 0) for k in range(n)]
        days = [None, *(as_number(got.get(f"d{k}")) for k in range(1, n))]
        member = _member(got.get("dim")) if result.by else None
        rows.append(FunnelRow(None, "all", member, _steps(funnel, counts, days, True)))
    if not rows and not result.by:
        rows.append(FunnelRow(None, "all", None, _steps(funnel, [0] * n, [None] * n, True)))
    return rows


def _tables(ws: Workspace) -> tuple[Any, Any]:
    warehouse = ws.warehouse

    def table(name: str) -> Any:
        if not warehouse.has_table(name):
            raise MissingDataError(
                f"the funnel needs the table '{name}', which the warehouse lacks"
            )
        return warehouse.table(name)

    def available(name: str) -> set[str]:
        if not warehouse.has_table(name):
            raise MissingDataError(
                f"the funnel needs the table '{name}', which the warehouse lacks"
            )
        columns: set[str] = warehouse.columns(name)
        return columns

    return table, available


def compute_funnel(
    ws: Workspace,
    name: str,
    grain: Grain = "month",
    start: date | None = None,
    end: date | None = None,
    by: str | None = None,
    as_of: datetime | None = None,
) -> FunnelResult:
    """The funnel ``name`` for the periods overlapping ``[start, end)`` (default: 12 periods)."""
    funnel: Funnel = ws.comparisons.funnel(name)
    if by is not None and by not in funnel.dimensions:
        raise UnknownNameError(
            f"funnel '{name}' cannot be broken down by '{by}'."
            + did_you_mean(by, funnel.dimensions)
            + (f" Its dimensions: {', '.join(funnel.dimensions)}" if funnel.dimensions else "")
        )
    as_of = as_of or ws.now()
    first, last = ws.default_range(grain, 12, as_of=as_of)
    first = start or first
    last = end or last
    periods = periods_between(first, last, grain, ws.calendar)
    if not periods:
        raise UnknownNameError(f"the range is empty: end {last} is not after start {first}")
    if len(periods) > MAX_PERIODS:
        raise UnknownNameError(f"the range has more than {MAX_PERIODS} {grain}s; narrow it")
    first = periods[0]
    last = next_period_start(periods[-1], grain)
    window = FunnelWindow(
        grain,
        ws.calendar,
        datetime(first.year, first.month, first.day),
        datetime(last.year, last.month, last.day),
        as_of,
        by,
    )
    tables, available = _tables(ws)
    earliest = window.start - timedelta(days=funnel.total_window_days)
    # three aggregates read the units: join the steps once, into a temporary table
    units = units_expr(funnel, window, earliest, tables, available).cache()
    execute = ws.warehouse.backend.execute
    n = len(funnel.steps)
    result = FunnelResult(funnel, grain, first, last, by)
    try:
        cohorts = _normalize(execute(cohort_expr(units, n, window, per_period=True)))
        totals = _normalize(execute(cohort_expr(units, n, window, per_period=False)))
        events = _normalize(execute(event_expr(units, n, window)))
    finally:
        with contextlib.suppress(Exception):  # a connection already closed drops it anyway
            units.release()
    result.cohorts = _cohort_rows(funnel, cohorts, result, ws, as_of)
    result.total = _total_rows(funnel, totals, result)
    result.events = _event_rows(funnel, events, result, ws)
    return result
