"""``onpace periods``: every KPI in the last complete month, quarter and year.

Each grain's last *complete* period is the scorecard of that period (the same data
function as every other screen), read twice: against the period before it and
against the same period a year earlier. Both are complete periods, so they are
compared whole; one :class:`~onpace.views.scorecard.Computed` shares the frames,
so the whole table is three grouped computations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from onpace.calendar import Grain, period_start, shift_period
from onpace.store import Store
from onpace.targets.definition import standard_period
from onpace.views.comparison import compared_period
from onpace.views.scorecard import Computed, scorecard
from onpace.workspace import Workspace

PERIOD_GRAINS: tuple[Grain, ...] = ("month", "quarter", "year")


@dataclass(frozen=True)
class PeriodRow:
    """One KPI in one complete period, beside the previous period and the same one last year."""

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
    target: float | None
    attainment: float | None
    status: str
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


def period_rows(
    ws: Workspace,
    store: Store,
    names: Sequence[str] | None = None,
    grains: Sequence[Grain] = PERIOD_GRAINS,
    as_of: datetime | None = None,
) -> list[PeriodRow]:
    """Rows for every computable KPI (or ``names``) and grain, for the last complete period."""
    moment = as_of or ws.now()
    cache = Computed(ws, moment)
    session = ws.session()
    wanted = [n for n in (names or ws.kpis) if n in ws.kpis and not session.missing_data(n)]
    rows: list[PeriodRow] = []
    for grain in grains:
        current = period_start(moment.date(), grain, ws.calendar)
        last = standard_period(shift_period(current, grain, -1), grain, ws.calendar)
        earliest = min(
            compared_period(last, c, ws.calendar).start for c in ("previous", "last_year")
        )
        cache.frame(wanted, grain, earliest, last.end, None, moment)  # one frame for both
        cards = {
            c: scorecard(
                ws,
                store,
                grain=grain,
                period=last.label,
                compare=c,
                kpis=wanted,
                sparkline=False,
                cache=cache,
            )
            for c in ("previous", "last_year")
        }
        ago = {r.kpi: r for r in cards["last_year"].rows}
        for r in cards["previous"].rows:
            a = ago[r.kpi]
            rows.append(
                PeriodRow(
                    kpi=r.kpi,
                    label=r.label,
                    area=r.area,
                    unit=r.unit,
                    direction=r.direction,
                    grain=grain,
                    period=r.period,
                    value=r.value,
                    previous=r.compare_value,
                    change_previous=r.change,
                    last_year=a.compare_value,
                    change_last_year=a.change,
                    target=r.target,
                    attainment=r.attainment,
                    status=r.status,
                    note=r.note,
                )
            )
    return rows
