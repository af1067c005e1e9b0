"""The Ibis expressions of a funnel: one row per unit with the time it reached each step.

A *unit* is a row of the first step (a visit, a lead). Step by step, the rows a
unit reached are joined to the next step's rows on ``previous_key = key`` and
``time before <= time <= time before + window``, the conversion type's window
rule. Every path is followed (a lead's customer may get three quotes, and only
the second is won), so a unit reaches a step when *any* of its paths does, and
its time at the step is the earliest. The queries are plain joins and grouped
aggregates built through Ibis; no definition text reaches the database as SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import ibis

from onpace.calendar import Calendar, Grain, period_start_expr
from onpace.compare.models import Funnel
from onpace.model.entities import ENTITIES
from onpace.query.build import JoinedTable, TableSource
from onpace.spec.filters import parse_row_expression, to_ibis

SECONDS_PER_DAY = 86400.0


@dataclass(frozen=True)
class FunnelWindow:
    """What to count: units whose first step is in ``[start, end)``, data as of ``as_of``."""

    grain: Grain
    calendar: Calendar
    start: datetime
    end: datetime
    as_of: datetime
    by: str | None = None


def _timestamp(col: Any) -> Any:
    return col.cast("timestamp") if col.type().is_date() else col


def _literal(moment: datetime) -> Any:
    return ibis.literal(moment, type="timestamp")


def step_time(index: int) -> str:
    return f"t{index}"


def _step_rows(
    funnel: Funnel,
    index: int,
    tables: TableSource,
    available: Callable[[str], set[str]],
    as_of: datetime,
    dims: tuple[str, ...] = (),
) -> tuple[JoinedTable, Any]:
    """The step's rows (filtered, dated before ``as_of``) and the joined table they come from."""
    step = funnel.steps[index]
    parsed = parse_row_expression(step.filter, kind="filter") if step.filter else None
    after = funnel.steps[index + 1] if index + 1 < len(funnel.steps) else None
    names = [
        step.time,
        *([step.key] if step.key and index else []),
        *([after.previous_key or after.key] if after and after.key else []),
        *dims,
        *(parsed.columns if parsed else []),
    ]
    jt = JoinedTable(tables, step.entity, dict.fromkeys(names), available)
    time = _timestamp(jt.col(step.time))
    conditions = [time.notnull(), time < _literal(as_of)]
    if index and step.key:
        conditions.append(jt.col(step.key).notnull())
    if parsed:
        conditions.append(to_ibis(parsed, jt.col))
    jt.table = jt.table.filter(*conditions)
    return jt, after


def _link(jt: JoinedTable, after: Any) -> Any:
    if after is None or not after.key:
        return ibis.null("string")
    return jt.col(after.previous_key or after.key).cast("string")


def units_expr(
    funnel: Funnel,
    window: FunnelWindow,
    first_from: datetime,
    tables: TableSource,
    available: Callable[[str], set[str]],
) -> Any:
    """One row per unit whose first step falls in ``[first_from, window.end)``.

    Columns: ``unit``, ``dim`` (when broken down), and ``t0`` .. ``t{n-1}``: the
    earliest time the unit reached each step (null when it did not).
    """
    dims = (window.by,) if window.by else ()
    jt, after = _step_rows(funnel, 0, tables, available, window.as_of, dims)
    first_time = _timestamp(jt.col(funnel.steps[0].time))
    upper = _literal(min(window.end, window.as_of))
    jt.table = jt.table.filter(first_time >= _literal(first_from), first_time < upper)
    key = ENTITIES[funnel.steps[0].entity].key
    columns: dict[str, Any] = {
        "unit": jt.table[key].cast("string"),
        step_time(0): _timestamp(jt.col(funnel.steps[0].time)),
        "link": _link(jt, after),
    }
    if window.by:
        columns["dim"] = jt.col(window.by).cast("string")
    units = jt.table.select(**columns)
    paths = units.select("unit", t=units[step_time(0)], link=units.link)
    out = units.drop("link")
    for index in range(1, len(funnel.steps)):
        sj, after = _step_rows(funnel, index, tables, available, window.as_of)
        step = funnel.steps[index]
        assert step.key is not None
        rows = sj.table.select(
            key=sj.col(step.key).cast("string"),
            ts=_timestamp(sj.col(step.time)),
            next_link=_link(sj, after),
        )
        days = funnel.window_of(index)
        joined = paths.join(
            rows,
            [
                paths.link == rows.key,
                rows.ts >= paths.t,
                rows.ts <= paths.t + ibis.interval(days=days),
            ],
        )
        paths = joined.select(unit=joined.unit, t=joined.ts, link=joined.next_link).distinct()
        reached = paths.group_by("unit").aggregate(first=paths.t.min())
        reached = reached.select(reached_unit=reached.unit, **{step_time(index): reached.first})
        out = out.left_join(reached, out.unit == reached.reached_unit).drop("reached_unit")
    return out


def _days(later: Any, earlier: Any) -> Any:
    return (later.epoch_seconds() - earlier.epoch_seconds()).cast("float64") / SECONDS_PER_DAY


def _group(table: Any, window: FunnelWindow, period_of: Any | None) -> dict[str, Any]:
    keys: dict[str, Any] = {}
    if period_of is not None:
        keys["period"] = period_start_expr(period_of, window.grain, window.calendar)
    if window.by:
        keys["dim"] = table.dim
    return keys


def cohort_expr(units: Any, steps: int, window: FunnelWindow, per_period: bool) -> Any:
    """Per cohort (the period of the first step): units at every step and median days between.

    Without ``per_period`` the whole range is one cohort (the funnel chart's totals).
    """
    units = units.filter(units.t0 >= _literal(window.start))
    metrics: dict[str, Any] = {"n0": units.unit.count()}
    for k in range(1, steps):
        here, before = units[step_time(k)], units[step_time(k - 1)]
        metrics[f"n{k}"] = here.count()
        metrics[f"d{k}"] = _days(here, before).median()
    keys = _group(units, window, units.t0 if per_period else None)
    if not keys:
        return units.aggregate(**metrics)
    return units.group_by(**keys).aggregate(**metrics)


def event_expr(units: Any, steps: int, window: FunnelWindow) -> Any:
    """Per period in which a step happened: units reaching it then, and median days to it."""
    parts = []
    for k in range(steps):
        here = units[step_time(k)]
        reached = units.filter(here.notnull(), here >= _literal(window.start))
        reached = reached.filter(reached[step_time(k)] < _literal(window.end))
        gap = _days(reached[step_time(k)], reached[step_time(k - 1)]) if k else ibis.null("float64")
        columns = {**_group(reached, window, reached[step_time(k)]), "step": ibis.literal(k)}
        parts.append(reached.select(**columns, unit=reached.unit, gap=gap))
    rows = parts[0]
    for part in parts[1:]:
        rows = rows.union(part)
    keys = ["period", "step", *(["dim"] if window.by else [])]
    return rows.group_by(keys).aggregate(n=rows.unit.count(), d=rows.gap.median())
