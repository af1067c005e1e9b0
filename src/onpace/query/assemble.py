"""Run a plan and assemble KPI values: spine, empty periods, ratios, derived formulas.

Queries return only the periods and dimension values that have rows. Here every
KPI is laid on a full spine of periods (and of the dimension values seen), so an
empty month shows 0 orders rather than disappearing, and a value that cannot be
computed is null *with a reason* (``denominator is 0: no orders``) instead of a
crash or a silent 0.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlglot import exp

from onpace.calendar import same_period_last_year, shift_period
from onpace.query.build import (
    TableSource,
    Window,
    aggregate_expr,
    conversion_exprs,
    dim_column,
    snapshot_expr,
    snapshot_flows_expr,
)
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

_ZERO_WHEN_EMPTY = ("count", "count_distinct", "sum")


@dataclass
class KpiFrame:
    """Values of one KPI on its spine: index (period, dims...), float values, notes."""

    value: pd.Series
    note: pd.Series


Executor = Callable[[Any], pd.DataFrame]


class Evaluator:
    """Executes the queries of a plan and evaluates every KPI of it."""

    def __init__(
        self,
        plan: Plan,
        window: Window,
        periods: list[date],
        tables: TableSource,
        available: Callable[[str], set[str]],
        execute: Executor,
    ) -> None:
        self.plan = plan
        self.window = window
        self.periods = periods
        self.tables = tables
        self.available = available
        self.execute = execute
        self.keys = ["period", *(dim_column(i) for i in range(len(window.dims)))]
        self.results: dict[Any, pd.DataFrame] = {}
        self.frames: dict[str, KpiFrame] = {}
        self._spines: dict[tuple[int, ...], pd.Index] = {}
        self._indexed: dict[int, pd.DataFrame] = {}

    # -- queries --------------------------------------------------------------

    def expressions(self) -> dict[str, Any]:
        """Every Ibis expression the plan runs, named for display (``explain``)."""
        out: dict[str, Any] = {}
        for key, query in self.plan.aggregates.items():
            out[f"{key[0]} by {key[1]}"] = aggregate_expr(
                query, self.window, self.tables, self.available
            )
        for name in self.plan.snapshots:
            out[f"snapshot {name}"] = self._snapshot_expr(name)
        for name in self.plan.conversions:
            base, conv = self._conversion_exprs(name)
            out[f"conversion {name}: base"] = base
            out[f"conversion {name}: converted"] = conv
        return out

    def _normalize(self, df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        df["period"] = pd.to_datetime(df["period"]).dt.date
        for k in self.keys[1:]:
            df[k] = df[k].astype(object).where(df[k].notna(), None)
        return df

    def run_queries(self) -> None:
        for key, query in self.plan.aggregates.items():
            expr = aggregate_expr(query, self.window, self.tables, self.available)
            self.results[key] = self._normalize(self.execute(expr))
        for name in self.plan.snapshots:
            snapshot = self.execute(self._snapshot_expr(name))
            frame = self._normalize(snapshot)
            if self._uses_flows(name):
                frame = self._stock_from_flows(frame)
            self.results[("snapshot", name)] = frame
        for name in self.plan.conversions:
            base, conv = self._conversion_exprs(name)
            self.results[("conversion_base", name)] = self._normalize(self.execute(base))
            self.results[("conversion_conv", name)] = self._normalize(self.execute(conv))

    def _cutoffs(self) -> list[tuple[date, datetime]]:
        out = []
        for p in self.periods:
            end = self.window.period_end(p)
            cutoff = min(datetime(end.year, end.month, end.day), self.window.as_of)
            out.append((p, cutoff))
        return out

    def _uses_flows(self, name: str) -> bool:
        kpi = self.plan.kpis[name]
        return isinstance(kpi, SnapshotKpi) and kpi.agg in ("count", "sum")

    def _stock_from_flows(self, flows: pd.DataFrame) -> pd.DataFrame:
        """Running sum of in- and outflows, read at every period of the spine."""
        dims = self.keys[1:]
        if not len(flows):
            return flows
        parts = []
        groups = flows.groupby(dims, dropna=False, sort=False) if dims else [((), flows)]
        for key, group in groups:
            per = group.groupby("period")["value"].sum()
            periods = sorted(set(per.index) | set(self.periods))
            stock = per.reindex(periods, fill_value=0.0).cumsum().reindex(self.periods)
            part = pd.DataFrame({"period": self.periods, "value": stock.to_numpy()})
            values: tuple[Any, ...] = key if isinstance(key, tuple) else (key,)
            for dim, value in zip(dims, values, strict=True):
                missing = value is None or (isinstance(value, float) and math.isnan(value))
                part[str(dim)] = [None if missing else value] * len(part)
            parts.append(part)
        return pd.concat(parts, ignore_index=True)[[*self.keys, "value"]]

    def _snapshot_expr(self, name: str) -> Any:
        kpi = self.plan.kpis[name]
        assert isinstance(kpi, SnapshotKpi)
        flt = parse_row_expression(kpi.filter, kind="filter") if kpi.filter else None
        if kpi.agg in ("count", "sum"):
            return snapshot_flows_expr(
                kpi.entity,
                kpi.agg,
                kpi.column,
                kpi.start,
                kpi.end,
                kpi.window_days,
                flt,
                self.window,
                self.tables,
                self.available,
            )
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

    def _conversion_exprs(self, name: str) -> tuple[Any, Any]:
        kpi = self.plan.kpis[name]
        assert isinstance(kpi, ConversionKpi)
        b, c = kpi.base, kpi.conversion
        bf = parse_row_expression(b.filter, kind="filter") if b.filter else None
        cf = parse_row_expression(c.filter, kind="filter") if c.filter else None
        return conversion_exprs(
            b.entity,
            b.time,
            b.key,
            bf,
            c.entity,
            c.time,
            c.key,
            cf,
            kpi.window_days,
            self.window,
            self.tables,
            self.available,
        )

    # -- spine ----------------------------------------------------------------

    def _index(self, frames: list[pd.DataFrame]) -> pd.Index:
        if not self.window.dims:
            return pd.Index(self.periods, name="period")
        # many KPIs share their query results: build each spine once
        key = tuple(sorted(id(df) for df in frames))
        cached = self._spines.get(key)
        if cached is not None:
            return cached
        combos: set[tuple[Any, ...]] = set()
        for df in frames:
            if len(df):
                combos.update(df[self.keys[1:]].itertuples(index=False, name=None))
        ordered = sorted(combos, key=lambda c: tuple("" if v is None else str(v) for v in c))
        tuples = [(p, *c) for p, c in itertools.product(self.periods, ordered)]
        index = (
            pd.MultiIndex.from_tuples(tuples, names=self.keys)
            if tuples
            else pd.MultiIndex.from_arrays([[] for _ in self.keys], names=self.keys)
        )
        self._spines[key] = index
        return index

    def _series(self, df: pd.DataFrame, column: str, index: pd.Index) -> pd.Series:
        if not len(df):
            return pd.Series(np.nan, index=index, dtype="float64")
        indexed = self._indexed.get(id(df))
        if indexed is None:
            indexed = df.set_index(self.keys if self.window.dims else "period")
            indexed = indexed[~indexed.index.duplicated()]
            self._indexed[id(df)] = indexed
        return indexed[column].astype("float64").reindex(index)

    def _frames_of(self, ref: MeasureRef) -> pd.DataFrame:
        return self.results[ref.query]

    def _measure(self, ref: MeasureRef, index: pd.Index) -> tuple[pd.Series, pd.Series]:
        values = self._series(self._frames_of(ref), ref.column, index)
        notes = pd.Series(None, index=index, dtype=object)
        if ref.spec.agg in _ZERO_WHEN_EMPTY or ref.spec.kind == "rows":
            values = values.fillna(0.0)
        else:
            what = f"no {ref.entity} rows" + (" matching the filter" if ref.spec.filter else "")
            notes = notes.where(values.notna(), f"{what} in this period")
        return values, notes

    # -- KPI types ------------------------------------------------------------

    def evaluate(self) -> dict[str, KpiFrame]:
        for name in self.plan.order:
            kpi = self.plan.kpis[name]
            refs = self.plan.refs[name]
            if isinstance(kpi, SimpleKpi | DurationKpi):
                index = self._index([self._frames_of(refs["value"])])
                value, note = self._measure(refs["value"], index)
                self.frames[name] = KpiFrame(value, note)
            elif isinstance(kpi, RatioKpi):
                self.frames[name] = self._ratio(kpi, refs)
            elif isinstance(kpi, SnapshotKpi):
                df = self.results[("snapshot", name)]
                index = self._index([df])
                value = self._series(df, "value", index).fillna(0.0)
                self.frames[name] = KpiFrame(value, pd.Series(None, index=index, dtype=object))
            elif isinstance(kpi, ConversionKpi):
                self.frames[name] = self._conversion(kpi)
            elif isinstance(kpi, DerivedKpi):
                self.frames[name] = self._derived(kpi)
        return self.frames

    def _ratio(self, kpi: RatioKpi, refs: dict[str, MeasureRef]) -> KpiFrame:
        index = self._index(
            [self._frames_of(refs["numerator"]), self._frames_of(refs["denominator"])]
        )
        num, num_note = self._measure(refs["numerator"], index)
        den, den_note = self._measure(refs["denominator"], index)
        value, note = _divide(
            num,
            den,
            num_note,
            den_note,
            f"denominator is 0 (no {refs['denominator'].entity}"
            + (" matching its filter" if refs["denominator"].spec.filter else "")
            + " in this period)",
        )
        return KpiFrame(value * kpi.multiplier, note)

    def _conversion(self, kpi: ConversionKpi) -> KpiFrame:
        base_df = self.results[("conversion_base", kpi.name)]
        conv_df = self.results[("conversion_conv", kpi.name)]
        index = self._index([base_df])
        base = self._series(base_df, "value", index).fillna(0.0)
        conv = self._series(conv_df, "value", index).fillna(0.0)
        empty = pd.Series(None, index=index, dtype=object)
        value, note = _divide(
            conv, base, empty, empty, f"no {kpi.base.entity} in this period to convert"
        )
        periods = pd.Series(index.get_level_values("period"), index=index)
        open_window = periods.map(lambda p: _window_open(p, self.window, kpi.window_days))
        partial = f"conversion window of {kpi.window_days} days still open at the as-of date"
        note = note.where(~(open_window & value.notna()), partial)
        return KpiFrame(value, note)

    def _lagged(self, name: str, how: str, index: pd.Index) -> tuple[pd.Series, pd.Series]:
        src = self.frames[name]
        grain = self.window.grain
        if grain == "all":  # one total over the whole range: nothing came before it
            v = pd.Series(np.nan, index=index, dtype="float64")
            return v, _missing_note(v, f"{name}: a total over the whole range has no earlier one")
        # look each period's source period up (rather than shifting the source forward):
        # at day grain 28 and 29 February 2024 would both land on 28 February 2025
        back: Callable[[date], date] = (
            (lambda p: shift_period(p, grain, -1))
            if how == "prior"
            else (lambda p: same_period_last_year(p, grain))
        )
        label = "the previous period" if how == "prior" else "the same period last year"
        v = src.value.reindex(_map_period(index, back))
        v.index = index
        return v, _missing_note(v, f"{name} has no value for {label}")

    def _derived(self, kpi: DerivedKpi) -> KpiFrame:
        parsed = parse_derived_expression(kpi.expr)
        refs = parsed.columns
        frames = [self._as_frame(self.frames[r]) for r in refs]
        index = self._index(frames) if self.window.dims else pd.Index(self.periods, name="period")

        def walk(node: Any) -> tuple[pd.Series, pd.Series]:
            if isinstance(node, exp.Paren):
                return walk(node.this)
            if isinstance(node, exp.Literal):
                return (
                    pd.Series(float(node.this), index=index),
                    pd.Series(None, index=index, dtype=object),
                )
            if isinstance(node, exp.Column):
                f = self.frames[node.name]
                v = f.value.reindex(index)
                reason = f.note.reindex(index)
                generic = _missing_note(v, f"{node.name} has no value")
                detailed = node.name + ": " + reason.astype(str)
                return v, detailed.where(reason.notna() & v.isna(), generic)
            if isinstance(node, exp.Anonymous):
                return self._lagged(node.expressions[0].name, node.name.lower(), index)
            if isinstance(node, exp.Neg):
                v, n = walk(node.this)
                return -v, n
            if isinstance(node, exp.Abs):
                v, n = walk(node.this)
                return v.abs(), n
            left, lnote = walk(node.left)
            right, rnote = walk(node.right)
            if isinstance(node, exp.Div):
                divisor = node.right.sql(normalize_functions=False)  # as written: prior(x)
                return _divide(left, right, lnote, rnote, f"division by zero: {divisor} is 0")
            op = {exp.Add: "__add__", exp.Sub: "__sub__", exp.Mul: "__mul__"}[type(node)]
            return getattr(left, op)(right), lnote.fillna(rnote)

        value, note = walk(parsed.tree)
        value = value.astype("float64")
        value[~np.isfinite(value)] = np.nan
        return KpiFrame(value, note.where(value.isna(), None))

    def _as_frame(self, f: KpiFrame) -> pd.DataFrame:
        return f.value.reset_index()

    # -- output ---------------------------------------------------------------

    def to_long(self, names: list[str], first_period: date) -> pd.DataFrame:
        """One row per KPI, period and dimension value: the public result shape."""
        parts = []
        for name in names:
            f = self.frames[name]
            df = pd.DataFrame({"value": f.value, "note": f.note}).reset_index()
            if "index" in df.columns:
                df = df.rename(columns={"index": "period"})
            df.insert(0, "kpi", name)
            parts.append(df)
        dims = list(self.window.dims)
        columns = ["kpi", "period", "period_label", *dims, "value", "note"]
        if not parts:
            return pd.DataFrame(columns=columns)
        out = pd.concat(parts, ignore_index=True)
        out = out[out["period"] >= first_period]
        labels = {p: self.window.label(p) for p in self.periods}
        out.insert(2, "period_label", out["period"].map(labels))
        out = out.rename(columns={dim_column(i): d for i, d in enumerate(dims)})
        for d in dims:  # a MultiIndex turns None into NaN; a missing dimension value is None
            out[d] = out[d].astype(object).where(out[d].notna(), None)
        out["value"] = out["value"].astype("float64")
        out["note"] = out["note"].astype(object).where(out["note"].notna(), None)
        # a period that starts after the data's as-of moment has no value yet
        as_of_day = self.window.as_of.date()
        future = (out["period"] > as_of_day) | (
            (out["period"] == as_of_day) & (self.window.as_of.time() == datetime.min.time())
        )
        out.loc[future, "value"] = np.nan
        out.loc[future, "note"] = f"the period starts after the as-of moment {self.window.as_of}"
        return out[columns].reset_index(drop=True)


def _missing_note(values: pd.Series, text: str) -> pd.Series:
    note = pd.Series(None, index=values.index, dtype=object)
    note[values.isna()] = text
    return note


def _divide(
    num: pd.Series, den: pd.Series, num_note: pd.Series, den_note: pd.Series, zero_reason: str
) -> tuple[pd.Series, pd.Series]:
    with np.errstate(divide="ignore", invalid="ignore"):
        value = num / den.where(den != 0)
    note = pd.Series(None, index=num.index, dtype=object)
    note = note.where(~((den == 0) & num.notna()), zero_reason)
    note = note.where(den.notna() | num.isna(), None).fillna(den_note).fillna(num_note)
    note = note.where(value.isna(), None)
    return value.astype("float64"), note


def _map_period(index: pd.Index, shift: Callable[[date], date]) -> pd.Index:
    """``index`` with its period level moved by ``shift`` (computed once per period)."""
    if isinstance(index, pd.MultiIndex):
        if not len(index):
            return index
        periods = index.get_level_values(0)
        moved = {p: shift(p) for p in dict.fromkeys(periods)}
        arrays = [periods.map(moved.__getitem__)]
        arrays += [index.get_level_values(i) for i in range(1, index.nlevels)]
        return pd.MultiIndex.from_arrays(arrays, names=index.names)
    return pd.Index([shift(p) for p in index], name=index.name)


def _window_open(period: date, window: Window, days: int) -> bool:
    from datetime import timedelta

    end = window.period_end(period)
    return datetime(end.year, end.month, end.day) + timedelta(days=days) > window.as_of
