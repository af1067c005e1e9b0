"""KPI values as aligned series over a range of periods, for lead-lag and side-by-side charts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from onpace.calendar import Grain
from onpace.query.plain import as_number

if TYPE_CHECKING:
    from onpace.workspace import Workspace


@dataclass(frozen=True)
class Series:
    """Values of several KPIs (or members) on the same periods, in order."""

    periods: list[date]
    labels: list[str]
    values: dict[str, list[float | None]]


def kpi_series(
    ws: Workspace,
    names: Sequence[str],
    grain: Grain,
    start: date,
    end: date,
    as_of: datetime,
    by: str | None = None,
) -> Series:
    """Every KPI of ``names`` per period of ``[start, end)``; with ``by``, one series per member
    of the first KPI, keyed by the member (``None`` becomes ``"(none)"``)."""
    names = list(dict.fromkeys(names))
    frame = ws.compute(
        names, grain=grain, start=start, end_before=end, by=(by,) if by else (), as_of=as_of
    )
    periods = sorted(set(frame["period"]))
    index = {p: i for i, p in enumerate(periods)}
    labels_by = dict(zip(frame["period"], frame["period_label"], strict=True))
    values: dict[str, list[float | None]] = {}
    keys = frame[by] if by else frame["kpi"]
    for key, period, value in zip(keys, frame["period"], frame["value"], strict=True):
        name = ("(none)" if key is None or key != key else str(key)) if by else str(key)
        values.setdefault(name, [None] * len(periods))[index[period]] = as_number(value)
    if not by:
        values = {n: values.get(n, [None] * len(periods)) for n in names}
    return Series(periods, [labels_by[p] for p in periods], values)
