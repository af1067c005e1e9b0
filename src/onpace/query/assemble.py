"""Assemble KPI values from query results: spine, empty periods, ratios, derived formulas.

Queries return only the periods and dimension values that have rows. Here every
KPI is laid on a full spine of periods (and of the dimension values seen), so an
empty month shows 0 orders rather than disappearing, and a value that cannot be
computed is null *with a reason* (``denominator is 0: no orders``) instead of a
crash or a silent 0.

A spine is a grid of periods by members, and every KPI on it is three flat arrays
(value, note, presence) in period-major order. Formulas are numpy operations on
those arrays, so assembling costs little next to the queries even when the value
store assembles eighty slices of forty KPIs at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlglot import exp

from onpace.calendar import same_period_last_year, shift_period
from onpace.query.build import TableSource, Window, dim_column, snapshot_expr
from onpace.query.plan import MeasureRef, Plan
from onpace.spec.filters import parse_derived_expression, parse_row_expression
from onpace.spec.kpi import (
    ConversionKpi,
    DerivedKpi,
    DurationKpi,
    RatioKpi,
    SimpleKpi,
    SnapshotKpi,
)
from onpace.values.layout import ALWAYS, SEEN

_ZERO_WHEN_EMPTY = ("count", "count_distinct", "sum")
_NULL = "\x00null"  # stands for a missing member while codes are looked up

Member = tuple[Any, ...]
Executor = Callable[[Any], pd.DataFrame]


def member_order(member: Member) -> tuple[str, ...]:
    """How members are sorted on a spine: by text, a missing value first."""
    return tuple("" if v is None else str(v) for v in member)


@dataclass
class Spine:
    """Periods by members, flattened period-major: cell ``i * len(members) + j``."""

    periods: list[date]
    members: list[Member]
    _codes: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)

    @property
    def size(self) -> int:
        return len(self.periods) * len(self.members)

    @property
    def width(self) -> int:
        return len(self.members)

    def period_codes(self, periods: Any) -> np.ndarray:
        return _codes(self.periods, periods)

    def member_codes(self, df: pd.DataFrame, keys: list[str]) -> np.ndarray:
        """The member position of every row of ``df`` (-1: not on this spine)."""
        if not keys:
            return np.zeros(len(df), dtype=np.int64)
        if len(keys) == 1:
            known = [_NULL if m[0] is None else str(m[0]) for m in self.members]
            values = df[keys[0]].astype(object).where(df[keys[0]].notna(), _NULL)
            return _codes(known, values.astype(str))
        lookup = {m: i for i, m in enumerate(self.members)}
        rows = df[keys].astype(object).where(df[keys].notna(), None).itertuples(index=False)
        return np.array([lookup.get(tuple(r), -1) for r in rows], dtype=np.int64)

    def positions(self, df: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Flat cell of every row of ``df`` and which rows lie on the spine (cached per frame)."""
        cached = self._codes.get(id(df))
        if cached is not None:
            return cached
        if not len(df):
            out = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool))
        else:
            pc = self.period_codes(df["period"])
            mc = self.member_codes(df, keys)
            ok = (pc >= 0) & (mc >= 0)
            out = (pc * self.width + mc, ok)
        self._codes[id(df)] = out
        return out

    def cell_periods(self) -> np.ndarray:
        return np.repeat(np.array(self.periods, dtype=object), self.width)

    def cell_members(self, level: int) -> np.ndarray:
        values = np.array([m[level] for m in self.members], dtype=object)
        return np.tile(values, len(self.periods))


@dataclass
class KpiFrame:
    """One KPI on a spine: flat value, note and presence arrays.

    ``present`` says why a cell is on the spine: 1 (``SEEN``) when its period has rows
    for its member, 2 (``ALWAYS``) for a stock's member that has flows at any time, 0
    when only another period or another input brought the member in. Which members a
    range shows follows from it (the value store relies on this).
    """

    spine: Spine
    value: np.ndarray
    note: np.ndarray
    present: np.ndarray


def _codes(known: Sequence[Any], values: Any) -> np.ndarray:
    """Position of every one of ``values`` in ``known`` (-1 where it is not there)."""
    index = pd.Index(list(known))
    return np.asarray(index.get_indexer(pd.Index(list(values))), dtype=np.int64)


def _is_none(notes: np.ndarray) -> np.ndarray:
    return np.asarray(pd.isna(notes), dtype=bool)


def _nones(n: int) -> np.ndarray:
    return np.full(n, None, dtype=object)


def _missing_note(values: np.ndarray, text: str) -> np.ndarray:
    note = _nones(len(values))
    note[np.isnan(values)] = text
    return note


def _first_note(*notes: np.ndarray) -> np.ndarray:
    """Per cell, the first of ``notes`` that is not None."""
    out = notes[0].copy()
    for other in notes[1:]:
        empty = _is_none(out)
        out[empty] = other[empty]
    return out


def _divide(
    num: np.ndarray, den: np.ndarray, num_note: np.ndarray, den_note: np.ndarray, zero: str
) -> tuple[np.ndarray, np.ndarray]:
    """``num / den`` with a reason wherever the result is null."""
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(den != 0, num / np.where(den != 0, den, 1.0), np.nan)
    value[np.isnan(den) | np.isnan(num)] = np.nan
    note = _nones(len(num))
    note[(den == 0) & ~np.isnan(num)] = zero
    note = _first_note(note, den_note, num_note)
    note[~np.isnan(value)] = None
    return value.astype("float64"), note


class Evaluator:
    """Evaluates every KPI of a plan for one slice (grain and breakdown) from query results.

    ``members`` adds members to a KPI's spine beyond those its rows bring (a refresh of
    a few periods keeps every member the stored periods have).
    """

    def __init__(
        self,
        plan: Plan,
        window: Window,
        periods: list[date],
        tables: TableSource,
        available: Callable[[str], set[str]],
        execute: Executor,
        members: dict[str, set[Member]] | None = None,
    ) -> None:
        self.plan = plan
        self.window = window
        self.periods = periods
        self.tables = tables
        self.available = available
        self.execute = execute
        self.members = members or {}
        self.keys = ["period", *(dim_column(i) for i in range(len(window.dims)))]
        self.results: dict[Any, pd.DataFrame] = {}
        self.frames: dict[str, KpiFrame] = {}
        self._spines: dict[tuple[Any, ...], Spine] = {}
        self._on_spine: dict[tuple[str, int], KpiFrame] = {}
        # the period in progress read like for like: per prior/last_year, that period,
        # the period it is compared with, and an evaluator of the latter up to the
        # same point (see Session.run)
        self.to_date: dict[str, tuple[date, date, Evaluator]] = {}

    # -- queries --------------------------------------------------------------

    def _batch(self) -> Any:
        from onpace.query.batch import Batch

        return Batch([self], self.tables, self.available, self.execute)

    def expressions(self) -> dict[str, Any]:
        """Every Ibis expression the plan runs, named for display (``explain``)."""
        out: dict[str, Any] = self._batch().expressions()
        return out

    def run_queries(self) -> None:
        """Run this slice's queries on its own (see :class:`~onpace.query.batch.Batch`)."""
        self._batch().run()

    def normalize(self, df: pd.DataFrame) -> pd.DataFrame:
        """A query result with dates for periods and None for missing members."""
        df = df.copy()
        df["period"] = pd.to_datetime(df["period"]).dt.date
        for k in self.keys[1:]:
            df[k] = df[k].astype(object).where(df[k].notna(), None)
        return df

    def _cutoffs(self) -> list[tuple[date, datetime]]:
        out = []
        for p in self.periods:
            end = self.window.period_end(p)
            cutoff = min(datetime(end.year, end.month, end.day), self.window.as_of)
            out.append((p, cutoff))
        return out

    def uses_flows(self, name: str) -> bool:
        """Whether snapshot ``name`` is a running sum of flows (``count`` and ``sum``)."""
        kpi = self.plan.kpis[name]
        return isinstance(kpi, SnapshotKpi) and kpi.agg in ("count", "sum")

    def stock_from_flows(self, flows: pd.DataFrame) -> pd.DataFrame:
        """Running sum of in- and outflows, read at every period of the spine."""
        dims = self.keys[1:]
        if not len(flows):
            return flows[[*self.keys, "value"]]
        every = sorted(set(flows["period"]) | set(self.periods))
        groups = flows.groupby(dims, dropna=False, sort=False) if dims else [((), flows)]
        parts = []
        wanted = _codes(every, self.periods)
        for key, group in groups:
            totals = np.zeros(len(every))
            np.add.at(totals, _codes(every, group["period"]), group["value"].to_numpy(float))
            stock = np.cumsum(totals)[wanted]
            part = pd.DataFrame({"period": self.periods, "value": stock})
            values: tuple[Any, ...] = key if isinstance(key, tuple) else (key,)
            for dim, value in zip(dims, values, strict=True):
                part[str(dim)] = [None if pd.isna(value) else value] * len(part)
            parts.append(part)
        return pd.concat(parts, ignore_index=True)[[*self.keys, "value"]]

    def snapshot_expr(self, name: str) -> Any:
        """The query of a stock that is not a running sum (a distinct count at each cutoff)."""
        kpi = self.plan.kpis[name]
        assert isinstance(kpi, SnapshotKpi)
        flt = parse_row_expression(kpi.filter, kind="filter") if kpi.filter else None
        return snapshot_expr(
            kpi.entity,
            kpi.agg,
            kpi.column,
            kpi.start,
            kpi.end,
            kpi.window_days,
            flt,
            self._cutoffs(),
            self.window,
            self.tables,
            self.available,
        )

    # -- spine ----------------------------------------------------------------

    def _spine(self, frames: Sequence[pd.DataFrame], name: str | None = None) -> Spine:
        """The spine of the members ``frames`` have rows for (and ``name``'s extra members)."""
        extra = frozenset(self.members.get(name, ())) if name else frozenset()
        key = (tuple(sorted(id(df) for df in frames)), extra)
        cached = self._spines.get(key)
        if cached is not None:
            return cached
        if not self.window.dims:
            spine = Spine(self.periods, [()])
        else:
            combos: set[Member] = set(extra)
            dims = self.keys[1:]
            for df in frames:
                if len(df):
                    combos.update(df[dims].itertuples(index=False, name=None))
            combos = {tuple(None if pd.isna(v) else v for v in c) for c in combos}
            spine = Spine(self.periods, sorted(combos, key=member_order))
        self._spines[key] = spine
        return spine

    def _union(self, spines: Sequence[Spine], name: str) -> Spine:
        members: set[Member] = set(self.members.get(name, ()))
        for s in spines:
            members.update(s.members)
        key = ("union", frozenset(members))
        if key not in self._spines:
            if not self.window.dims:
                self._spines[key] = Spine(self.periods, [()])
            else:
                self._spines[key] = Spine(self.periods, sorted(members, key=member_order))
        return self._spines[key]

    def _series(self, df: pd.DataFrame, column: str, spine: Spine) -> np.ndarray:
        out = np.full(spine.size, np.nan)
        if not len(df):
            return out
        pos, ok = spine.positions(df, self.keys[1:])
        out[pos[ok]] = df[column].to_numpy(dtype="float64", na_value=np.nan)[ok]
        return out

    def _present(self, frames: Sequence[pd.DataFrame], spine: Spine) -> np.ndarray:
        """1 where a cell of ``spine`` has a row in one of ``frames``, else 0."""
        seen = np.zeros(spine.size, dtype="int8")
        for df in frames:
            if len(df):
                pos, ok = spine.positions(df, self.keys[1:])
                seen[pos[ok]] = SEEN
        return seen

    def _frames_of(self, ref: MeasureRef) -> pd.DataFrame:
        return self.results[ref.query]

    def _measure(self, ref: MeasureRef, spine: Spine) -> tuple[np.ndarray, np.ndarray]:
        values = self._series(self._frames_of(ref), ref.column, spine)
        if ref.spec.agg in _ZERO_WHEN_EMPTY or ref.spec.kind == "rows":
            return np.nan_to_num(values, nan=0.0), _nones(spine.size)
        what = f"no {ref.entity} rows" + (" matching the filter" if ref.spec.filter else "")
        return values, _missing_note(values, f"{what} in this period")

    # -- KPI types ------------------------------------------------------------

    def evaluate(self) -> dict[str, KpiFrame]:
        for name in self.plan.order:
            self.frames[name] = self._evaluate(name)
        return self.frames

    def _evaluate(self, name: str, spine: Spine | None = None) -> KpiFrame:
        """KPI ``name`` on its own spine, or on ``spine`` (another KPI's, for a formula)."""
        kpi = self.plan.kpis[name]
        refs = self.plan.refs[name]
        if isinstance(kpi, SimpleKpi | DurationKpi):
            frames = [self._frames_of(refs["value"])]
            spine = spine or self._spine(frames, name)
            value, note = self._measure(refs["value"], spine)
            return KpiFrame(spine, value, note, self._present(frames, spine))
        if isinstance(kpi, RatioKpi):
            return self._ratio(name, kpi, refs, spine)
        if isinstance(kpi, SnapshotKpi):
            df = self.results[("snapshot", name)]
            spine = spine or self._spine([df], name)
            value = np.nan_to_num(self._series(df, "value", spine), nan=0.0)
            present = self._present([df], spine)
            if self.uses_flows(name):  # a stock of every member that ever had a flow
                present = present * ALWAYS
            return KpiFrame(spine, value, _nones(spine.size), present.astype("int8"))
        if isinstance(kpi, ConversionKpi):
            return self._conversion(kpi, spine)
        assert isinstance(kpi, DerivedKpi)
        return self._derived(kpi, spine)

    def _on(self, name: str, spine: Spine) -> KpiFrame:
        """KPI ``name`` on ``spine``: its members missing there get the value of no rows."""
        own = self.frames[name]
        if own.spine is spine or own.spine.members == spine.members:
            return own
        key = (name, id(spine))
        if key not in self._on_spine:
            self._on_spine[key] = self._evaluate(name, spine)
        return self._on_spine[key]

    def _ratio(
        self, name: str, kpi: RatioKpi, refs: dict[str, MeasureRef], spine: Spine | None
    ) -> KpiFrame:
        frames = [self._frames_of(refs["numerator"]), self._frames_of(refs["denominator"])]
        spine = spine or self._spine(frames, name)
        num, num_note = self._measure(refs["numerator"], spine)
        den, den_note = self._measure(refs["denominator"], spine)
        value, note = _divide(
            num,
            den,
            num_note,
            den_note,
            f"denominator is 0 (no {refs['denominator'].entity}"
            + (" matching its filter" if refs["denominator"].spec.filter else "")
            + " in this period)",
        )
        return KpiFrame(spine, value * kpi.multiplier, note, self._present(frames, spine))

    def _conversion(self, kpi: ConversionKpi, spine: Spine | None) -> KpiFrame:
        base_df = self.results[("conversion_base", kpi.name)]
        conv_df = self.results[("conversion_conv", kpi.name)]
        spine = spine or self._spine([base_df], kpi.name)
        base = np.nan_to_num(self._series(base_df, "value", spine), nan=0.0)
        conv = np.nan_to_num(self._series(conv_df, "value", spine), nan=0.0)
        empty = _nones(spine.size)
        value, note = _divide(
            conv, base, empty, empty, f"no {kpi.base.entity} in this period to convert"
        )
        open_periods = [_window_open(p, self.window, kpi.window_days) for p in spine.periods]
        open_cells = np.repeat(np.array(open_periods, dtype=bool), spine.width)
        partial = f"conversion window of {kpi.window_days} days still open at the as-of date"
        note[open_cells & ~np.isnan(value)] = partial
        return KpiFrame(spine, value, note, self._present([base_df], spine))

    def _lagged(self, name: str, how: str, spine: Spine) -> tuple[np.ndarray, np.ndarray]:
        grain = self.window.grain
        if grain == "all":  # one total over the whole range: nothing came before it
            v = np.full(spine.size, np.nan)
            return v, _missing_note(v, f"{name}: a total over the whole range has no earlier one")
        src = self._on(name, spine)
        # look each period's source period up (rather than shifting the source forward):
        # at day grain 28 and 29 February 2024 would both land on 28 February 2025
        back: Callable[[date], date] = (
            (lambda p: shift_period(p, grain, -1))
            if how == "prior"
            else (lambda p: same_period_last_year(p, grain))
        )
        label = "the previous period" if how == "prior" else "the same period last year"
        source = spine.period_codes([back(p) for p in spine.periods])
        rows = np.repeat(source, spine.width) * spine.width + np.tile(
            np.arange(spine.width), len(spine.periods)
        )
        found = np.repeat(source >= 0, spine.width)
        v = np.full(spine.size, np.nan)
        v[found] = src.value[rows[found]]
        running = self.to_date.get(how)
        if running is not None and running[0] in spine.periods:
            # the period in progress against the other one up to the same point, not
            # against all of it: day 1 of a month is not 100% down on last month
            period, earlier, evaluator = running
            at = spine.periods.index(period) * spine.width
            same_span = evaluator._evaluate(name, Spine([earlier], spine.members))
            v[at : at + spine.width] = same_span.value
        return v, _missing_note(v, f"{name} has no value for {label}")

    def _derived(self, kpi: DerivedKpi, spine: Spine | None = None) -> KpiFrame:
        parsed = parse_derived_expression(kpi.expr)
        refs = list(dict.fromkeys(parsed.columns))
        if spine is None:
            spine = self._union([self.frames[r].spine for r in refs], kpi.name)
        # every input on the formula's spine: a member an input has no rows for counts as
        # that input's empty value (0 orders), not as unknown
        inputs = {r: self._on(r, spine) for r in refs}
        present = np.zeros(spine.size, dtype="int8")
        for f in inputs.values():
            present = np.maximum(present, f.present)
        n = spine.size

        def walk(node: Any) -> tuple[np.ndarray, np.ndarray]:
            if isinstance(node, exp.Paren):
                return walk(node.this)
            if isinstance(node, exp.Literal):
                return np.full(n, float(node.this)), _nones(n)
            if isinstance(node, exp.Column):
                f = inputs[node.name]
                missing = np.isnan(f.value)
                note = _missing_note(f.value, f"{node.name} has no value")
                detailed = missing & ~_is_none(f.note)
                note[detailed] = [f"{node.name}: {r}" for r in f.note[detailed]]
                return f.value.copy(), note
            if isinstance(node, exp.Anonymous):
                return self._lagged(node.expressions[0].name, node.name.lower(), spine)
            if isinstance(node, exp.Neg):
                v, note = walk(node.this)
                return -v, note
            if isinstance(node, exp.Abs):
                v, note = walk(node.this)
                return np.abs(v), note
            left, lnote = walk(node.left)
            right, rnote = walk(node.right)
            if isinstance(node, exp.Div):
                divisor = node.right.sql(normalize_functions=False)  # as written: prior(x)
                return _divide(left, right, lnote, rnote, f"division by zero: {divisor} is 0")
            op = {exp.Add: np.add, exp.Sub: np.subtract, exp.Mul: np.multiply}[type(node)]
            return op(left, right), _first_note(lnote, rnote)

        value, note = walk(parsed.tree)
        value = value.astype("float64")
        value[~np.isfinite(value)] = np.nan
        note[~np.isnan(value)] = None
        return KpiFrame(spine, value, note, present)

    # -- output ---------------------------------------------------------------

    def to_long(self, names: list[str], first_period: date, presence: bool = False) -> pd.DataFrame:
        """One row per KPI, period and dimension value: the public result shape.

        ``presence`` adds the ``present`` column of :class:`KpiFrame` (for the value store).
        """
        dims = list(self.window.dims)
        data = self.long_arrays(names, lambda p: p >= first_period)
        labels = {p: self.window.label(p) for p in self.periods}
        return long_frame(
            data["kpi"],
            data["period"],
            [labels[p] for p in data["period"]],
            {d: data[d] for d in dims},
            data["value"],
            data["note"],
            data["present"].astype("int8") if presence else None,
        )

    def long_arrays(self, names: list[str], keep: Callable[[date], bool]) -> dict[str, np.ndarray]:
        """The columns of :meth:`to_long` as arrays (no labels), for the periods ``keep`` keeps.

        kpi, period, one per dimension, value, note and present; a period that starts
        after the as-of moment has no value yet, and says so.
        """
        dims = list(self.window.dims)
        parts: dict[str, list[np.ndarray]] = {k: [] for k in ("kpi", "period", "value", "note")}
        parts.update({d: [] for d in dims})
        parts["present"] = []
        for name in names:
            f = self.frames[name]
            kept_periods = np.array([keep(p) for p in f.spine.periods], dtype=bool)
            kept = np.repeat(kept_periods, f.spine.width)  # cells run period by period
            parts["kpi"].append(np.full(int(kept.sum()), name, dtype=object))
            parts["period"].append(f.spine.cell_periods()[kept])
            for i, d in enumerate(dims):
                parts[d].append(f.spine.cell_members(i)[kept])
            parts["value"].append(f.value[kept])
            parts["note"].append(f.note[kept])
            parts["present"].append(f.present[kept])
        data = {k: np.concatenate(v) if v else np.zeros(0, dtype=object) for k, v in parts.items()}
        value = data["value"].astype("float64")
        note = data["note"].astype(object)
        as_of = self.window.as_of
        day = as_of.date()
        midnight = as_of.time() == datetime.min.time()
        future_periods = {p for p in set(data["period"]) if p > day or (p == day and midnight)}
        future = np.array([p in future_periods for p in data["period"]], dtype=bool)
        value[future] = np.nan
        note[future] = f"the period starts after the as-of moment {as_of}"
        data["value"], data["note"] = value, note
        return data


def long_frame(
    kpis: Any,
    periods: Any,
    labels: Any,
    members: dict[str, Any],
    values: np.ndarray,
    notes: Any,
    present: np.ndarray | None = None,
) -> pd.DataFrame:
    """The public result frame: kpi, period, period_label, one column per dimension, value, note.

    Computed and stored values are both shaped here, so they cannot differ in form.
    """
    data: dict[str, Any] = {
        "kpi": pd.array(list(kpis), dtype="str"),
        "period": pd.Series(list(periods), dtype=object),
        "period_label": pd.array(list(labels), dtype="str"),
    }
    for dim, values_of in members.items():
        data[dim] = pd.Series(list(values_of), dtype=object)
    data["value"] = pd.Series(values, dtype="float64")
    data["note"] = pd.Series(list(notes), dtype=object)
    if present is not None:
        data["present"] = pd.Series(present, dtype="int8")
    frame = pd.DataFrame(data)
    return frame.reset_index(drop=True)


def _window_open(period: date, window: Window, days: int) -> bool:
    end = window.period_end(period)
    return datetime(end.year, end.month, end.day) + timedelta(days=days) > window.as_of
