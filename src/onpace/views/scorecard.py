"""The scorecard: every KPI in one period, its comparison, target and status, by objective.

One data function, :func:`scorecard`, serves ``onpace scorecard``, ``onpace periods``,
``onpace objectives``, the scorecard and objectives pages, their JSON and CSV twins,
``/api/v1/scorecard`` and :meth:`onpace.Workspace.scorecard`, so that a KPI has the
same numbers on every screen.

For a month, quarter, year or custom range (default: the quarter in progress)
each KPI gets its value so far, the value of the period it is compared with
(like for like while the period runs, see :mod:`onpace.views.comparison`), the
sparkline of the last 12 periods and, when a target applies to the period (see
:mod:`onpace.targets.selection`), the target and where it comes from, attainment,
pace, projection, probability, a status that knows where the period is, and the
one line that explains it.

With ``by`` the rows are per member of a dimension (``rep``, ``rep.team``,
``customer.segment``); reps are shown by name, orders without a rep as
"unassigned", and a rep has no value in a period they did not work in. The
:class:`~onpace.views.scope.Scope` keeps only the rows a viewer may see, and a
rep's scorecard is, by default, their own row (their quota).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from typing import Any

import pandas as pd

from onpace.calendar import Calendar, Grain, next_period_start, period_start, shift_period
from onpace.errors import SpecError, UnknownNameError, did_you_mean
from onpace.objectives.tree import KpiScore, Objectives, objective_groups, workspace_objectives
from onpace.query.plain import as_number
from onpace.store import Store
from onpace.targets.actuals import KpiData, is_additive, member_text, split_range
from onpace.targets.definition import Target, TargetPeriod
from onpace.targets.evaluation import TargetStatus, evaluate_target, period_state
from onpace.targets.pace import attainment
from onpace.targets.roster import REP_ID_DIMENSIONS, Roster, load_roster
from onpace.targets.selection import AppliedTarget, applicable_targets
from onpace.views import charts
from onpace.views.comparison import Comparison, comparison, pick_period
from onpace.views.formatting import change
from onpace.views.scope import (
    REP_DIMENSIONS,
    UNRESTRICTED,
    Contributors,
    Scope,
    rep_contributors,
)
from onpace.workspace import Workspace

SPARK_PERIODS = 12
UNLINKED = "(no objective)"
TOTAL = "total"  # by=total asks for the totals explicitly (a rep's default is their own row)

COLUMNS = [
    "objective",
    "kpi",
    "label",
    "member",
    "member_label",
    "period",
    "value",
    "compare_value",
    "change",
    "target",
    "target_source",
    "floor",
    "stretch",
    "attainment",
    "pace",
    "projection",
    "low",
    "high",
    "probability",
    "score",
    "status",
    "explanation",
    "rank",
    "rank_change",
    "note",
]

Key = tuple[str, str | None]


@dataclass(frozen=True)
class ScorecardRow:
    """One KPI (for one member of ``by``) in the scorecard's period."""

    kpi: str
    label: str
    area: str
    unit: str
    direction: str
    member: str | None
    member_label: str | None
    period: str
    state: str
    value: float | None
    compare_value: float | None
    change: float | None
    target: float | None = None
    target_source: str | None = None
    target_origin: str | None = None
    floor: float | None = None
    stretch: float | None = None
    floor_marker: float | None = None
    stretch_marker: float | None = None
    attainment: float | None = None
    target_to_date: float | None = None
    pace: float | None = None
    pace_marker: float | None = None
    projection: float | None = None
    low: float | None = None
    high: float | None = None
    probability: float | None = None
    method: str | None = None
    score: float | None = None
    status: str = "no target"
    level: str | None = None
    explanation: str = ""
    note: str | None = None
    rank: int | None = None
    rank_change: int | None = None
    sparkline: list[float | None] | None = None
    sparkline_chart: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ScorecardGroup:
    """The rows of one objective (or of KPIs linked to none), with its roll-up."""

    name: str
    label: str
    depth: int
    attainment: float | None
    status: str | None
    explanation: str
    drags: list[dict[str, Any]]
    rows: list[ScorecardRow]

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["rows"] = [r.as_dict() for r in self.rows]
        return out


@dataclass(frozen=True)
class Scorecard:
    """The scorecard of one period, as plain data (:meth:`as_dict`) or a table."""

    as_of: datetime
    period: TargetPeriod
    state: str
    elapsed: float
    compare: str
    comparison: Comparison
    by: str | None
    groups: list[ScorecardGroup]
    dimensions: list[str]
    objectives_problem: str | None = None

    @property
    def rows(self) -> list[ScorecardRow]:
        return [r for g in self.groups for r in g.rows]

    def table(self) -> list[dict[str, Any]]:
        """One flat record per row, with its objective (the CSV download)."""
        return [
            {"objective": g.name, **{c: getattr(r, c) for c in COLUMNS[1:]}}
            for g in self.groups
            for r in g.rows
        ]

    def to_pandas(self) -> pd.DataFrame:
        return pd.DataFrame(self.table(), columns=COLUMNS)

    def as_dict(self) -> dict[str, Any]:
        """The JSON of the page, its twin and ``/api/v1/scorecard``."""
        until = self.comparison.until
        return {
            "title": "Scorecard",
            "as_of": self.as_of.isoformat(timespec="seconds"),
            "grain": self.period.grain,
            "period": self.period.label,
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "state": self.state,
            "elapsed": self.elapsed,
            "compare": self.compare,
            "span": self.comparison.span,
            "compare_period": self.comparison.period.label,
            "compare_start": self.comparison.period.start.isoformat(),
            "compare_end": self.comparison.period.end.isoformat(),
            "compare_until": until.isoformat(timespec="minutes") if until else None,
            "compare_label": self.comparison.label,
            "by": self.by,
            "dimensions": self.dimensions,
            "objectives_problem": self.objectives_problem,
            "groups": [g.as_dict() for g in self.groups],
            "table": self.table(),
            "columns": COLUMNS,
        }


@dataclass
class Computed:
    """KPI frames and target inputs shared by several scorecards of one moment.

    ``onpace periods`` asks for three grains, each against two periods; with one
    ``Computed`` every frame is computed once.
    """

    ws: Workspace
    as_of: datetime
    data: KpiData = field(init=False)
    frames: dict[tuple[Any, ...], pd.DataFrame] = field(default_factory=dict)
    _roster: Roster | None = None

    def __post_init__(self) -> None:
        self.data = KpiData(self.ws, self.as_of)

    @property
    def roster(self) -> Roster:
        if self._roster is None:
            self._roster = load_roster(self.ws)
        return self._roster

    def frame(
        self,
        names: Sequence[str],
        grain: Grain,
        start: date,
        end: date,
        by: str | None,
        as_of: datetime,
    ) -> pd.DataFrame:
        """``ws.compute`` of ``names``; a frame already computed over a wider range is cut."""
        base = (tuple(names), grain, by, as_of)
        for key, known in self.frames.items():
            if key[:4] == base and key[4] <= start and end <= key[5]:
                first = pd.Timestamp(period_start(start, grain, self.ws.calendar))
                stamps = pd.to_datetime(known["period"])
                return known[(stamps >= first) & (stamps < pd.Timestamp(end))]
        frame: pd.DataFrame = self.ws.compute(
            list(names), grain=grain, start=start, end_before=end, by=by or (), as_of=as_of
        )
        self.frames[(*base, start, end)] = frame
        return frame


Values = dict[tuple[str, str | None, date], float | None]


def _by_period(frame: pd.DataFrame, by: str | None) -> tuple[Values, dict[Key, str]]:
    """(KPI, member, period start) -> value, and the compute notes of null values."""
    out: Values = {}
    notes: dict[Key, str] = {}
    members = frame[by] if by else [None] * len(frame)
    for kpi, period, member, value, note in zip(
        frame["kpi"], frame["period"], members, frame["value"], frame["note"], strict=True
    ):
        day = period if type(period) is date else period.date()
        key = (kpi, member_text(member))
        out[(*key, day)] = as_number(value)
        if isinstance(note, str) and note:
            notes[key] = note
    return out, notes


def _range_sums(
    cache: Computed,
    names: list[str],
    rng: TargetPeriod,
    by: str | None,
    as_of: datetime,
) -> dict[Key, float | None]:
    """Additive KPIs summed over a custom range (months and edge days)."""
    sums: dict[Key, float | None] = {}
    if not names or rng.start > as_of.date():
        return sums
    for grain, start, end in split_range(rng.start, rng.end):
        values, _ = _by_period(cache.frame(names, grain, start, end, by, as_of), by)
        for (kpi, member, _day), value in values.items():
            sums[(kpi, member)] = (sums.get((kpi, member)) or 0.0) + (value or 0.0)
    return sums


@dataclass(frozen=True)
class _Numbers:
    now: dict[Key, float | None]
    before: dict[Key, float | None]
    notes: dict[Key, str]
    spark: dict[Key, list[float | None]]


def _spark_dates(period: TargetPeriod, cal: Calendar) -> tuple[Grain, list[date]]:
    """The grain of the sparkline and the first days of its periods, the last one's last."""
    custom = period.grain == "custom"
    grain: Grain = "month" if custom else period.grain  # type: ignore[assignment]
    last = period_start(period.end if custom else period.start, grain, cal)
    if custom and last == period.end:
        last = shift_period(last, grain, -1)
    return grain, [shift_period(last, grain, -i) for i in range(SPARK_PERIODS - 1, -1, -1)]


def _numbers(
    cache: Computed,
    names: list[str],
    period: TargetPeriod,
    against: Comparison,
    by: str | None,
    sparkline: bool,
) -> _Numbers:
    """The period's values, the comparison's, compute notes and sparkline points."""
    if not names:
        return _Numbers({}, {}, {}, {})
    moment = cache.as_of
    custom = period.grain == "custom"
    grain, spark_dates = _spark_dates(period, cache.ws.calendar)
    last = spark_dates[-1]
    first = spark_dates[0] if sparkline else last
    if not custom and against.until is None:
        first = min(first, against.period.start)
    end = next_period_start(last, grain)
    if sparkline or not custom:
        values, notes = _by_period(cache.frame(names, grain, first, end, by, moment), by)
    else:
        values, notes = {}, {}
    keys = {(k, m) for k, m, _ in values}
    spark = {key: [values.get((*key, d)) for d in spark_dates] for key in keys}
    if custom:
        additive = [n for n in names if is_additive(n, cache.ws.kpis)]
        now = _range_sums(cache, additive, period, by, moment)
        before = _range_sums(cache, additive, against.period, by, against.until or moment)
        return _Numbers(now, before, {}, spark if sparkline else {})
    now = {key: values.get((*key, period.start)) for key in keys}
    if against.until is None:
        before = {key: values.get((*key, against.period.start)) for key in keys}
    else:
        frame = cache.frame(
            names, grain, against.period.start, against.period.end, by, against.until
        )
        earlier, _ = _by_period(frame, by)
        before = {(k, m): v for (k, m, d), v in earlier.items() if d == against.period.start}
    return _Numbers(now, before, notes, spark if sparkline else {})


def _check_by(ws: Workspace, by: str | None) -> None:
    if by is None:
        return
    dims = sorted({d for k in ws.kpis.values() for d in k.dimensions})
    if by not in dims:
        raise UnknownNameError(
            f"no KPI can be broken down by '{by}'."
            + did_you_mean(by, dims)
            + f" Dimensions: {', '.join(dims) or 'none'}"
        )


def default_by(ws: Workspace, scope: Scope, by: str | None) -> str | None:
    """``by`` as asked; a rep who asks for nothing gets their own row (``rep``)."""
    if by == TOTAL or by == "":
        return None
    if by is None and scope.restricted and any("rep" in k.dimensions for k in ws.kpis.values()):
        return "rep"
    return by


def _status_row(row: ScorecardRow, status: TargetStatus, applied: AppliedTarget) -> ScorecardRow:
    marker = None
    if status.target_to_date is not None and status.target:
        marker = status.target_to_date / status.target

    def at(level: float | None) -> float | None:  # where a level sits on the attainment bar
        return None if level is None else attainment(level, status.target, status.direction)

    return replace(
        row,
        value=status.actual if status.actual is not None else row.value,
        target=status.target,
        target_source=applied.source,
        target_origin=applied.origin,
        floor=status.floor,
        stretch=status.stretch,
        floor_marker=at(status.floor),
        stretch_marker=at(status.stretch),
        attainment=status.attainment,
        target_to_date=status.target_to_date,
        pace=status.pace,
        pace_marker=marker,
        projection=status.projection,
        low=status.low,
        high=status.high,
        probability=status.probability,
        method=status.method,
        score=status.score,
        status=status.status,
        level=status.level,
        explanation=status.explanation,
        note=status.note or row.note,
    )


@dataclass(frozen=True)
class _Request:
    period: TargetPeriod
    against: Comparison
    by: str | None
    state: str


def _members(
    names: list[str],
    numbers: _Numbers,
    targets: dict[Key, AppliedTarget],
    req: _Request,
    roster: Roster,
) -> dict[str, list[str | None]]:
    """The members each KPI shows: in the data or with a target; reps while employed."""
    if req.by is None:
        return {n: [None] for n in names}
    found: dict[str, set[str | None]] = {n: set() for n in names}
    for kpi, member in [*numbers.now, *numbers.before, *targets]:
        if kpi in found:
            found[kpi].add(member)
    if req.by in REP_ID_DIMENSIONS and req.state != "future":
        for rep in roster.reps.values():
            if rep.employed_during(req.period.start, req.period.end):
                for n in names:
                    found[n].add(rep.rep_id)
    return {n: sorted(found[n], key=lambda m: (m is None, str(m))) for n in names}


def _employment_note(
    roster: Roster, req: _Request, member: str | None
) -> tuple[bool, bool, str | None]:
    """(worked in the period, worked in the compared period, note) for a rep member."""
    rep = roster.get(member) if req.by in REP_ID_DIMENSIONS else None
    if rep is None:
        return True, True, None
    now = rep.employed_during(req.period.start, req.period.end)
    before = rep.employed_during(req.against.period.start, req.against.period.end)
    note = None
    if not now:
        note = f"{rep.display} did not work in {req.period.label} ({rep.employment()})"
    elif not before:
        note = f"{rep.display} did not work in {req.against.period.label} ({rep.employment()})"
    return now, before, note


def _base_row(
    ws: Workspace,
    name: str,
    member: str | None,
    req: _Request,
    numbers: _Numbers,
    missing: list[str],
    roster: Roster,
) -> ScorecardRow | None:
    """The row without its target; None for a rep who did not work in the period."""
    spec = ws.kpis[name]
    key = (name, member)
    additive = is_additive(name, ws.kpis)
    value = numbers.now.get(key)
    if value is None and additive and req.state != "future" and not missing:
        value = 0.0  # no rows: nothing was sold or counted (a rep at work who sold nothing)
    compare_value = numbers.before.get(key)
    if compare_value is None and additive and not missing:
        compare_value = 0.0  # nothing in the compared span (or none of it elapsed yet)
    worked, worked_before, note = _employment_note(roster, req, member)
    if not worked:
        if not value:
            return None
        value = None
    if not worked_before:
        compare_value = None
    if req.state == "future":
        value = None
    if missing:
        note = "the data lacks " + ", ".join(missing)
    elif req.period.grain == "custom" and not additive:
        note = "a rate or average has no value over a custom range; pick a month, quarter or year"
    elif value is None and note is None:
        note = numbers.notes.get(key)
    return ScorecardRow(
        kpi=name,
        label=spec.label,
        area=spec.area,
        unit=spec.unit,
        direction=spec.direction,
        member=member,
        member_label=roster.label(req.by, member),
        period=req.period.label,
        state=req.state,
        value=value,
        compare_value=compare_value,
        change=change(value, compare_value, spec.unit),
        status="no data" if missing else "no target",
        explanation=(note or "") if missing else f"no target applies to {req.period.label}",
        note=note,
    )


def _ranked(rows: list[ScorecardRow], previous: dict[Key, float | None]) -> list[ScorecardRow]:
    """Rank the members of each KPI by attainment, with the change against the compared period.

    Only members with a target are ranked (``unassigned`` never is); ``rank_change``
    is positive for a member who moved up.
    """

    def order(values: dict[str | None, float | None]) -> dict[str | None, int]:
        scored = sorted(
            ((m, v) for m, v in values.items() if m is not None and v is not None),
            key=lambda mv: (-(mv[1] or 0.0), str(mv[0])),
        )
        return {m: i + 1 for i, (m, _) in enumerate(scored)}

    out: list[ScorecardRow] = []
    for kpi in dict.fromkeys(r.kpi for r in rows):
        mine = [r for r in rows if r.kpi == kpi]
        now = order({r.member: r.attainment for r in mine})
        before = order({m: v for (k, m), v in previous.items() if k == kpi})
        for r in mine:
            rank = now.get(r.member)
            moved = before[r.member] - rank if rank and r.member in before else None
            out.append(replace(r, rank=rank, rank_change=moved))
        out.sort(key=lambda r: (r.kpi != kpi, r.rank is None, r.rank or 0))
    return out


def _targets(
    ws: Workspace,
    cache: Computed,
    current: Sequence[Target],
    period: TargetPeriod,
    by: str | None,
    names: Sequence[str],
) -> dict[Key, AppliedTarget]:
    return applicable_targets(
        current,
        period,
        by,
        lambda kpi: is_additive(kpi, ws.kpis),
        cache.data.monthly,
        cache.roster,
        names,
    )


def _previous_attainment(
    ws: Workspace,
    cache: Computed,
    current: Sequence[Target],
    req: _Request,
    names: list[str],
    numbers: _Numbers,
) -> dict[Key, float | None]:
    """Each member's attainment in the compared period (for the change of rank)."""
    targets = _targets(ws, cache, current, req.against.period, req.by, names)
    out: dict[Key, float | None] = {}
    for key, applied in targets.items():
        value = numbers.before.get(key)
        out[key] = attainment(value, applied.target.value, ws.kpis[key[0]].direction)
    return out


def scorecard(
    ws: Workspace,
    store: Store,
    scope: Scope = UNRESTRICTED,
    grain: str = "quarter",
    period: str | None = None,
    start: str | None = None,
    end: str | None = None,
    compare: str = "previous",
    span: str = "same",
    by: str | None = None,
    as_of: datetime | None = None,
    kpis: Sequence[str] | None = None,
    only_targets: bool = False,
    sparkline: bool = True,
    cache: Computed | None = None,
) -> Scorecard:
    """The scorecard of one period (see the module docstring)."""
    moment = as_of or (cache.as_of if cache else ws.now())
    cache = cache or Computed(ws, moment)
    by = default_by(ws, scope, by)
    _check_by(ws, by)
    for name in kpis or ():
        if name not in ws.kpis:
            raise UnknownNameError(f"unknown KPI '{name}'." + did_you_mean(name, ws.kpis))
    picked = pick_period(ws.calendar, grain, period, start, end, moment.date())
    state = period_state(Target("", picked, 0.0), moment.date())
    session = ws.session()
    wanted = list(kpis) if kpis else list(ws.kpis)
    names = [n for n in wanted if by is None or by in ws.kpis[n].dimensions]
    missing = {n: session.missing_data(n) for n in names}
    computable = [n for n in names if not missing[n]]
    data_until = None
    if state == "in progress" and span == "same" and computable:
        found = session.data_span(computable, moment)
        data_until = found[1] if found else None
    against = comparison(picked, compare, span, moment, ws.calendar, data_until)
    req = _Request(picked, against, by, state)
    numbers = _numbers(cache, computable, picked, against, by, sparkline and by is None)
    current = store.current()
    targets = _targets(ws, cache, current, picked, by, names)
    members = _members(names, numbers, targets, req, cache.roster)
    rows: list[ScorecardRow] = []
    for name in names:
        for member in scope.keep(by, members[name], lambda m: m):
            row = _base_row(ws, name, member, req, numbers, missing[name], cache.roster)
            if row is None:
                continue
            applied = targets.get((name, member))
            if applied is not None and not missing[name]:
                status = evaluate_target(cache.data, applied.target, ws.config.status)
                row = _status_row(row, status, applied)
            if sparkline and by is None:
                points = numbers.spark.get((name, member), [None] * SPARK_PERIODS)
                chart = charts.sparkline(points) if any(p is not None for p in points) else None
                row = replace(row, sparkline=points, sparkline_chart=chart)
            if only_targets and row.target is None:
                continue
            rows.append(row)
    if scope.checks_totals and by not in REP_DIMENSIONS:
        rows = _hide_small_totals(ws, scope, rows, req, moment)
    if by in REP_ID_DIMENSIONS:
        previous = _previous_attainment(ws, cache, current, req, computable, numbers)
        rows = _ranked(rows, previous)
    objectives, problem = _objectives(ws)
    groups = _groups(ws, objectives, rows, by)
    dims = sorted({d for k in ws.kpis.values() for d in k.dimensions})
    return Scorecard(
        as_of=moment,
        period=picked,
        state=state,
        elapsed=picked.elapsed(moment.date()),
        compare=compare,
        comparison=against,
        by=by,
        groups=groups,
        dimensions=dims,
        objectives_problem=problem,
    )


HIDDEN = "hidden"
_HIDDEN_FIELDS = (
    "value",
    "change",
    "attainment",
    "target_to_date",
    "pace",
    "pace_marker",
    "projection",
    "low",
    "high",
    "probability",
    "method",
    "score",
    "level",
    "rank",
    "rank_change",
    "sparkline",
    "sparkline_chart",
)


def _hide_small_totals(
    ws: Workspace, scope: Scope, rows: list[ScorecardRow], req: _Request, moment: datetime
) -> list[ScorecardRow]:
    """Rows whose total too few reps contribute to, blanked for a rep (see Scope).

    The period's value goes, and with it everything that would give it back
    (attainment, pace, projection, probability, status, sparkline); the
    comparison's value goes when its own total is too small. The target stays:
    it is a decision, not data.
    """
    names = sorted({r.kpi for r in rows})
    period, against = req.period, req.against
    now = rep_contributors(ws, names, "all", period.start, period.end, req.by, moment)
    before = rep_contributors(
        ws, names, "all", against.period.start, against.period.end, req.by, against.until or moment
    )
    grain, days = _spark_dates(period, ws.calendar)
    spark: Contributors = {}
    if any(r.sparkline for r in rows):
        end = next_period_start(days[-1], grain)
        spark = rep_contributors(ws, names, grain, days[0], end, req.by, moment)
    out = []
    for row in rows:
        if not scope.total_visible(now.get((row.kpi, period.start, row.member))):
            blank: dict[str, Any] = dict.fromkeys(_HIDDEN_FIELDS)
            row = replace(row, **blank, status=HIDDEN, explanation="", note=scope.hidden_note())
        if not scope.total_visible(before.get((row.kpi, against.period.start, row.member))):
            row = replace(row, compare_value=None, change=None)
        if row.sparkline:
            points = [
                p if scope.total_visible(spark.get((row.kpi, d, row.member))) else None
                for p, d in zip(row.sparkline, days, strict=True)
            ]
            if points != row.sparkline:
                chart = charts.sparkline(points) if any(p is not None for p in points) else None
                row = replace(row, sparkline=points, sparkline_chart=chart)
        out.append(row)
    return out


def scorecard_view(ws: Workspace, store: Store, scope: Scope, **params: Any) -> dict[str, Any]:
    """:func:`scorecard` as the plain dict of the page, its twins and the API."""
    return scorecard(ws, store, scope, **params).as_dict()


def _objectives(ws: Workspace) -> tuple[Objectives, str | None]:
    try:
        return workspace_objectives(ws), None
    except SpecError as exc:
        return Objectives(), "; ".join(str(i) for i in exc.issues)


def _groups(
    ws: Workspace, objectives: Objectives, rows: list[ScorecardRow], by: str | None
) -> list[ScorecardGroup]:
    scores = {
        r.kpi: KpiScore(r.score, r.status)  # type: ignore[arg-type]
        for r in rows
        if r.member is None and r.target is not None
    }
    groups: list[ScorecardGroup] = []
    linked: set[str] = set()
    for node, order in objective_groups(objectives, ws.kpis, scores, ws.config.status):
        linked |= set(order)
        totals = by is None
        groups.append(
            ScorecardGroup(
                name=node.objective.name,
                label=node.objective.label,
                depth=node.depth,
                attainment=node.attainment if totals else None,
                status=node.status if totals else None,
                explanation=node.explanation if totals else "",
                drags=[{"name": n, "shortfall": s} for n, s in node.drags] if totals else [],
                rows=[r for k in order for r in rows if r.kpi == k],
            )
        )
    rest = [r for r in rows if r.kpi not in linked]
    if rest:
        groups.append(
            ScorecardGroup(
                name=UNLINKED,
                label="KPIs linked to no objective",
                depth=0,
                attainment=None,
                status=None,
                explanation="",
                drags=[],
                rows=sorted(rest, key=lambda r: (ws.kpis[r.kpi].area, r.kpi)),
            )
        )
    return groups
