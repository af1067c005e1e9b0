"""KPI values for comparisons, read through the workspace like every other screen.

Explaining a change needs a KPI and its drivers in two periods, and, for a rate
broken down by members, the *volume* under each member's rate (the quotes
decided under a win rate). That volume is not a KPI of the workspace, so it is
defined here as a plain count or sum over the same rows as the rate's
denominator and computed through the same session: the same filters, joins and
as-of rule as the rate itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from onpace.calendar import Grain, next_period_start
from onpace.query.plain import as_number
from onpace.query.session import ComputeRequest, Session
from onpace.spec.filters import parse_derived_expression
from onpace.spec.kpi import (
    AnyKpi,
    ConversionKpi,
    DerivedKpi,
    DurationKpi,
    Measure,
    RatioKpi,
    SimpleKpi,
    SnapshotKpi,
)

if TYPE_CHECKING:
    from onpace.workspace import Workspace

Member = str | None
VOLUME_SUFFIX = "__volume"


@dataclass(frozen=True)
class Value:
    """One KPI value, or None with the reason (``note``)."""

    value: float | None
    note: str | None = None


def period_values(
    ws: Workspace,
    names: Sequence[str],
    grain: Grain,
    start: date,
    as_of: datetime,
    by: str | None = None,
    extra: dict[str, AnyKpi] | None = None,
) -> dict[str, dict[Member, Value]]:
    """Every KPI of ``names`` in the period starting ``start``: by member of ``by``, or total.

    Without ``by`` the only member is None. ``extra`` are KPI definitions to compute
    beside the workspace's own (the volumes of :func:`volume_kpi`).
    """
    names = tuple(dict.fromkeys(names))
    end = next_period_start(start, grain)
    dims = (by,) if by else ()
    if extra:
        session = Session({**ws.kpis, **extra}, ws.warehouse, ws.calendar, ws.config.churn)
        frame = session.compute(ComputeRequest(names, grain, start, end, dims, as_of))
    else:
        frame = ws.compute(
            list(names), grain=grain, start=start, end_before=end, by=dims, as_of=as_of
        )
    out: dict[str, dict[Member, Value]] = {n: {} for n in names}
    members = frame[by] if by else [None] * len(frame)
    for kpi, period, member, value, note in zip(
        frame["kpi"], frame["period"], members, frame["value"], frame["note"], strict=True
    ):
        if period != start:
            continue
        key = None if member is None or member != member else str(member)  # NaN != NaN
        out[kpi][key] = Value(as_number(value), note if isinstance(note, str) else None)
    return out


def _and(*conditions: str | None) -> str | None:
    parts = [f"({c})" for c in conditions if c]
    return " and ".join(parts) if parts else None


def _count_of(kpi: AnyKpi, measure: Measure) -> SimpleKpi:
    return SimpleKpi(
        type="simple",
        name=kpi.name + VOLUME_SUFFIX,
        label=f"volume under {kpi.label}",
        unit="count",
        entity=measure.entity,
        agg=measure.agg,
        column=measure.column,
        expr=measure.expr,
        filter=measure.filter,
        time=measure.time,
        dimensions=kpi.dimensions,
    )


def volume_kpi(kpi: AnyKpi, kpis: dict[str, AnyKpi]) -> AnyKpi | str | None:
    """What a rate's members are weighted by, so that the total is their weighted mean.

    A ratio's denominator, a conversion's base events, the rows an average or a
    duration is taken over, or the divisor KPI of a derived ``a / b``. Returns the
    name of a workspace KPI when the volume is one, a new definition otherwise,
    and None for KPIs that are not weighted means (sums, counts, medians, maxima).
    """
    if isinstance(kpi, RatioKpi):
        return _count_of(kpi, kpi.denominator)
    if isinstance(kpi, ConversionKpi):
        base = kpi.base
        measure = Measure(
            entity=base.entity,
            agg="count",
            filter=_and(base.filter, f"{base.key} is not null"),
            time=base.time,
        )
        return _count_of(kpi, measure)
    if isinstance(kpi, SimpleKpi) and kpi.agg == "avg":
        counted = Measure(
            entity=kpi.entity,
            agg="count",
            column=kpi.column,
            expr=kpi.expr,
            filter=kpi.filter,
            time=kpi.time,
        )
        return _count_of(kpi, counted)
    if isinstance(kpi, DurationKpi) and kpi.agg == "avg":
        rows = Measure(
            entity=kpi.entity,
            agg="count",
            filter=_and(kpi.filter, f"{kpi.start} is not null", f"{kpi.end} is not null"),
            time=kpi.time_column,
        )
        return _count_of(kpi, rows)
    if isinstance(kpi, DerivedKpi):
        divisor = _divisor(kpi.expr)
        if divisor is not None and divisor in kpis:
            return divisor
    return None


def _divisor(expr: str) -> str | None:
    """``b`` when ``expr`` is exactly ``a / b`` of two KPI names."""
    from sqlglot import exp

    try:
        tree = parse_derived_expression(expr).tree
    except Exception:
        return None
    while isinstance(tree, exp.Paren):
        tree = tree.this
    if (
        isinstance(tree, exp.Div)
        and isinstance(tree.left, exp.Column)
        and isinstance(tree.right, exp.Column)
    ):
        return str(tree.right.name)
    return None


def adds_up(kpi: AnyKpi) -> bool:
    """Whether the members' values of ``kpi`` add up to its total (sums and counts of rows).

    Distinct counts overlap (a customer buying in two channels counts once in the
    total); the difference is shown as its own line, never spread over members.
    """
    if isinstance(kpi, SimpleKpi):
        return kpi.agg in ("sum", "count", "count_distinct")
    return isinstance(kpi, SnapshotKpi)
