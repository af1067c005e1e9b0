"""The period scorecard: every KPI for the last complete month, quarter and year.

For each grain the last *complete* period is compared with the period before it
and with the same period a year earlier. One compute call per grain covers all
three periods, so the whole scorecard is three rounds of grouped queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from onpace.calendar import (
    Grain,
    next_period_start,
    period_label,
    period_start,
    same_period_last_year,
    shift_period,
)
from onpace.query.plain import as_number
from onpace.views.formatting import change
from onpace.workspace import Workspace

SCORECARD_GRAINS: tuple[Grain, ...] = ("month", "quarter", "year")


@dataclass(frozen=True)
class ScorecardRow:
    """One KPI in one period, beside the previous period and the same period last year."""

    kpi: str
    label: str
    area: str
    unit: str
    direction: str
    grain: str
    period: str
    value: float | None
    previous: float | None
    change_previous: float | None
    last_year: float | None
    change_last_year: float | None
    note: str | None

    @property
    def improved(self) -> bool | None:
        """Whether the change against last year goes the KPI's good way."""
        if self.change_last_year is None:
            return None
        good = self.change_last_year > 0
        return good if self.direction == "higher" else not good

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def period_scorecard(
    ws: Workspace,
    names: Sequence[str] | None = None,
    grains: Sequence[Grain] = SCORECARD_GRAINS,
    as_of: datetime | None = None,
) -> list[ScorecardRow]:
    """Rows for every KPI (or ``names``) and grain, for the last complete period."""
    as_of = as_of or ws.now()
    wanted = list(names) if names is not None else list(ws.kpis)
    session = ws.session()
    computable = [n for n in wanted if not session.missing_data(n)]
    rows: list[ScorecardRow] = []
    cal = ws.calendar
    for grain in grains:
        current = period_start(as_of.date(), grain, cal)
        last = shift_period(current, grain, -1)
        previous = shift_period(last, grain, -1)
        year_ago = period_start(same_period_last_year(last, grain), grain, cal)
        frame = ws.compute(
            computable,
            grain=grain,
            start=min(year_ago, previous),
            end_before=next_period_start(last, grain),
            as_of=as_of,
        )
        by_key = {(r.kpi, r.period): r for r in frame.itertuples(index=False)}
        for name in computable:
            kpi = ws.kpis[name]
            now = by_key.get((name, last))
            value = as_number(now.value) if now is not None else None
            prev = by_key.get((name, previous))
            ago = by_key.get((name, year_ago))
            prev_value = as_number(prev.value) if prev is not None else None
            ago_value = as_number(ago.value) if ago is not None else None
            rows.append(
                ScorecardRow(
                    kpi=name,
                    label=kpi.label,
                    area=kpi.area,
                    unit=kpi.unit,
                    direction=kpi.direction,
                    grain=grain,
                    period=period_label(last, grain, cal),
                    value=value,
                    previous=prev_value,
                    change_previous=change(value, prev_value, kpi.unit),
                    last_year=ago_value,
                    change_last_year=change(value, ago_value, kpi.unit),
                    note=(now.note if now is not None and value is None else None),
                )
            )
    return rows
