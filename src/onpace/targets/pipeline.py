"""The projection from the open pipeline, for KPIs that count or sum won quotes.

A quote open today is won in the rest of the period with the probability that
quotes like it were: of the past quotes that were still open at the same age
(and, where the data has a ``stage`` column, in the same stage), the share won
within as many days as are left. The projection is::

    pipeline = actual so far + sum over open quotes of value x P(won in time)
               + the wins of quotes not sent yet (their mean over past windows)

Only what was known at the moment counts: a past quote tells how quotes of age
``a`` fare over ``r`` days only once ``a + r`` days have passed since it was
sent. So the same computation can be made at any past moment, which is how
:mod:`onpace.targets.projection` backtests it on past windows and chooses how
much weight it gets beside the time-series projection.

A KPI qualifies when it counts quotes (or sums a column of them) with the
filter ``status = 'won'`` (alone or and-ed with conditions on other columns,
which then apply to every quote) and dates them by ``decided_at``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import sqlglot
from sqlglot import exp

from onpace.spec.kpi import AnyKpi, SimpleKpi
from onpace.targets.candidates import Array

if TYPE_CHECKING:
    from onpace.workspace import Workspace

Bools = npt.NDArray[np.bool_]
DAY = 86400.0
PRIOR = 1.0  # pseudo-quotes at the overall rate: a rate from three quotes is not 0% or 100%
NEW_WINDOWS = 12  # past windows the wins of quotes not sent yet are averaged over


@dataclass(frozen=True)
class QuoteKpi:
    """How a KPI reads quotes: the column summed (None: a count) and the other conditions."""

    value: str | None
    condition: str | None


def quote_kpi(kpi: AnyKpi) -> QuoteKpi | None:
    """The quote reading of ``kpi`` if it counts or sums won quotes by decision date."""
    if not isinstance(kpi, SimpleKpi) or kpi.entity != "quotes":
        return None
    if kpi.agg not in ("count", "sum") or kpi.time.split(".")[-1] != "decided_at":
        return None
    if not kpi.filter:
        return None
    try:
        tree = sqlglot.parse_one(kpi.filter)
    except sqlglot.errors.ParseError:
        return None
    parts = list(tree.flatten()) if isinstance(tree, exp.And) else [tree]
    won = [p for p in parts if isinstance(p, exp.Expression) and _is_won(p)]
    rest = [p for p in parts if isinstance(p, exp.Expression) and p not in won]
    if len(won) != 1 or any(_mentions_status(p) for p in rest):
        return None
    condition = " and ".join(f"({p.sql()})" for p in rest) or None
    return QuoteKpi(kpi.column if kpi.agg == "sum" else None, condition)


def _is_won(node: exp.Expression) -> bool:
    if not isinstance(node, exp.EQ):
        return False
    left, right = node.this, node.expression
    return (
        isinstance(left, exp.Column)
        and left.name == "status"
        and isinstance(right, exp.Literal)
        and right.this == "won"
    )


def _mentions_status(node: exp.Expression) -> bool:
    return any(c.name == "status" for c in node.find_all(exp.Column))


@dataclass(frozen=True, eq=False)
class Quotes:
    """Quotes as arrays: sent and decided (seconds since the epoch; NaN while open), won, value."""

    sent: Array
    decided: Array
    won: Bools
    value: Array
    stage: tuple[str | None, ...] | None = None

    @classmethod
    def of(
        cls,
        rows: Sequence[tuple[datetime, datetime | None, str, float | None]],
        stages: Sequence[str | None] | None = None,
    ) -> Quotes:
        """From (submitted_at, decided_at, status, value) rows.

        A won or lost quote without a decision date cannot be placed in time and
        is left out; an open one with a date counts as open.
        """
        keep = [
            i
            for i, (_, decided, status, _) in enumerate(rows)
            if status not in ("won", "lost") or decided is not None
        ]
        sent = np.array([_seconds(rows[i][0]) for i in keep])
        decided = np.array([_seconds_or_nan(rows[i][1]) for i in keep])
        # an open quote with a decision date counts as open
        won = np.array([rows[i][2] == "won" for i in keep], dtype=bool)
        decided[np.array([rows[i][2] not in ("won", "lost") for i in keep], dtype=bool)] = np.nan
        value = np.array([float(rows[i][3] or 0.0) for i in keep])
        stage = tuple(stages[i] for i in keep) if stages is not None else None
        return cls(sent, decided, won, value, stage)

    def open_at(self, moment: float) -> Bools:
        return (self.sent <= moment) & ~(self.decided <= moment)


def _seconds_or_nan(moment: datetime | None) -> float:
    return math.nan if moment is None else _seconds(moment)


def _seconds(moment: datetime | date) -> float:
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, datetime.min.time())
    return (moment.replace(tzinfo=None) - datetime(1970, 1, 1)).total_seconds()


def win_probability(
    quotes: Quotes, moment: float, age: float, horizon: float, stage: str | None
) -> float:
    """P(an open quote of ``age`` seconds is won within ``horizon``), as known at ``moment``.

    From the past quotes still open at that age whose fate over the horizon
    was settled by ``moment``; with a stage, only quotes of that stage (when
    there are any); shrunk towards the rate over all ages by :data:`PRIOR`.
    """
    seen = quotes.sent + age + horizon <= moment
    at_age = quotes.sent + age
    still_open = ~(quotes.decided <= at_age)
    won_in_time = quotes.won & (quotes.decided > at_age) & (quotes.decided <= at_age + horizon)
    base = seen & still_open
    if stage is not None and quotes.stage is not None:
        same = np.array([s == stage for s in quotes.stage], dtype=bool)
        if (base & same).any():
            base = base & same
    overall = _overall_rate(quotes, moment, horizon)
    n = float(base.sum())
    return float((won_in_time & base).sum() + PRIOR * overall) / (n + PRIOR)


def _overall_rate(quotes: Quotes, moment: float, horizon: float) -> float:
    """Share of quotes won within ``horizon`` of being sent, among those settled by ``moment``."""
    seen = quotes.sent + horizon <= moment
    won = quotes.won & (quotes.decided <= quotes.sent + horizon)
    return float((won & seen).sum()) / float(seen.sum()) if seen.any() else 0.0


def open_pipeline(quotes: Quotes, moment: float, end: float) -> float:
    """Expected value won in ``(moment, end]`` from the quotes open at ``moment``."""
    horizon = end - moment
    if horizon <= 0:
        return 0.0
    expected = 0.0
    cache: dict[tuple[float, str | None], float] = {}
    for i in np.flatnonzero(quotes.open_at(moment)):
        age = math.floor((moment - quotes.sent[i]) / DAY) * DAY  # whole days: quotes like it
        stage = quotes.stage[i] if quotes.stage is not None else None
        key = (age, stage)
        if key not in cache:
            cache[key] = win_probability(quotes, moment, age, horizon, stage)
        expected += cache[key] * quotes.value[i]
    return expected


def new_quote_wins(quotes: Quotes, moment: float, end: float) -> float:
    """Value won by ``end`` from quotes sent after ``moment`` (an outcome, for past windows)."""
    sel = quotes.won & (quotes.sent > moment) & (quotes.decided <= end)
    return float(quotes.value[sel].sum())


def won_between(quotes: Quotes, start: float, end: float) -> float:
    """Value of the quotes won in ``(start, end]``."""
    sel = quotes.won & (quotes.decided > start) & (quotes.decided <= end)
    return float(quotes.value[sel].sum())


@dataclass(frozen=True)
class PipelineEstimate:
    """The expected rest from the pipeline: open quotes, and quotes not sent yet."""

    open_quotes: float
    new_quotes: float
    count: int  # open quotes at the moment

    @property
    def rest(self) -> float:
        return self.open_quotes + self.new_quotes


def expected_rest(
    quotes: Quotes, moment: datetime, end: datetime, past: Sequence[tuple[datetime, datetime]]
) -> PipelineEstimate:
    """The pipeline's rest of ``(moment, end]``; ``past``: earlier (moment, end) pairs alike.

    The wins of quotes not sent yet are their mean over the past pairs settled
    by ``moment`` (up to :data:`NEW_WINDOWS` of them).
    """
    now, stop = _seconds(moment), _seconds(end)
    settled = [(m, e) for m, e in past if _seconds(e) <= now][:NEW_WINDOWS]
    new = [new_quote_wins(quotes, _seconds(m), _seconds(e)) for m, e in settled]
    return PipelineEstimate(
        open_quotes=open_pipeline(quotes, now, stop),
        new_quotes=float(np.mean(new)) if new else 0.0,
        count=int(quotes.open_at(now).sum()),
    )


def load_quotes(
    ws: Workspace,
    reading: QuoteKpi,
    dimension: str | None,
    dimension_value: str | None,
    as_of: datetime,
) -> Quotes | None:
    """The quotes a KPI reads, as known at ``as_of`` (None without a quotes table).

    ``dimension`` may be a column of quotes or one of its relations (``rep``
    means ``rep_id``); a dimension through a relation's table (``rep.team``)
    is not supported here, and gives None.
    """
    from onpace.model.entities import ENTITIES
    from onpace.spec.filters import parse_row_expression, to_ibis

    warehouse = ws.warehouse
    if not warehouse.has_table("quotes"):
        return None
    table = warehouse.table("quotes")
    columns = warehouse.columns("quotes")
    needed = {"submitted_at", "decided_at", "status"} | (
        {reading.value} if reading.value else set()
    )
    if not needed <= columns:
        return None
    if reading.condition:
        parsed = parse_row_expression(reading.condition, "filter")
        if not set(parsed.columns) <= columns:
            return None
        table = table.filter(to_ibis(parsed, lambda name: table[name]))
    if dimension is not None:
        relations = {r.name: r.column for r in ENTITIES["quotes"].relations}
        column = relations.get(dimension, dimension)
        if column not in columns:
            return None
        table = table.filter(table[column].cast("string") == dimension_value)
    stamp = as_of.replace(tzinfo=None)
    table = table.filter(table.submitted_at <= stamp)
    picked = ["submitted_at", "decided_at", "status"]
    picked += [reading.value] if reading.value else []
    picked += ["stage"] if "stage" in columns else []
    frame = warehouse.backend.execute(table.select(*picked))
    rows = []
    for rec in frame.itertuples(index=False):
        decided = _moment(rec.decided_at)
        status = str(rec.status)
        if decided is not None and decided > stamp:
            decided, status = None, "open"  # decided after as_of: open as of then
        value = float(getattr(rec, reading.value)) if reading.value else 1.0
        rows.append((_moment(rec.submitted_at) or stamp, decided, status, value))
    stages = [None if s is None else str(s) for s in frame["stage"]] if "stage" in frame else None
    return Quotes.of(rows, stages)


def _moment(value: Any) -> datetime | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
        stamp: datetime = pd.Timestamp(value).to_pydatetime()
    except (TypeError, ValueError):
        return None
    return stamp.replace(tzinfo=None)
