"""A workspace: a folder with onpace.yml, KPI files and (by default) a DuckDB warehouse.

The Python API of onpace: everything the command line and the dashboard show,
from the same data functions, without importing anything internal.

>>> ws = Workspace.open("demo")                                     # doctest: +SKIP
>>> ws.compute(["revenue", "win_rate"], grain="quarter", by="rep")  # doctest: +SKIP
>>> card = ws.scorecard(period="2026-Q4")                           # doctest: +SKIP
>>> card.rows[0].status, card.rows[0].explanation                   # doctest: +SKIP
>>> ws.status(period="2026-Q4", by="rep", output="pandas")          # doctest: +SKIP
>>> ws.check().errors                                               # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from pydantic import ValidationError

from onpace.calendar import (
    Calendar,
    ComputeGrain,
    Grain,
    next_period_start,
    period_start,
    shift_period,
)
from onpace.errors import SpecError, SpecIssue, WorkspaceError
from onpace.query.ranges import Bound, ComputeRange, resolve_range
from onpace.spec.definition_cache import definitions_key, load_definitions, save_definitions
from onpace.spec.validation_issues import validation_issues
from onpace.spec.workspace_config import WorkspaceConfig, with_churn_words
from onpace.spec.yaml_lines import YamlSyntaxError, load_located

# the query engine (Ibis, pandas, pyarrow) is imported when a query is built, not
# when a workspace is opened: listing KPIs or answering from stored values needs none
if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from onpace.compare.loading import Comparisons
    from onpace.query.session import Session
    from onpace.query.top import TopPer
    from onpace.query.warehouse import Warehouse
    from onpace.spec.kpi import AnyKpi
    from onpace.spec.loader import KpiSource
    from onpace.store import Store
    from onpace.targets.definition import Target
    from onpace.targets.smart import SmartReport
    from onpace.values.refresh import RefreshReport
    from onpace.values.store import ValueStore
    from onpace.views.scorecard import Scorecard, ScorecardRow

CONFIG_FILE = "onpace.yml"
Objects = Literal["objects"]
Pandas = Literal["pandas"]
Arrow = Literal["arrow"]


_OPENING_STORE = threading.Lock()


def wall_time(moment: datetime, timezone: str) -> datetime:
    """``moment`` on the wall clock of ``timezone``, naive like the stored data (a naive
    moment is taken to be one already)."""
    from zoneinfo import ZoneInfo

    if moment.tzinfo is None:
        return moment
    return moment.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


def local_now(timezone: str) -> datetime:
    """The current wall-clock time in ``timezone``, naive, like the stored data."""
    from datetime import UTC

    return wall_time(datetime.now(UTC), timezone)


@dataclass
class Workspace:
    """Everything onpace knows about one business: settings, KPIs and where the data is."""

    root: Path
    config: WorkspaceConfig
    kpis: dict[str, AnyKpi]
    sources: dict[str, KpiSource]
    issues: list[SpecIssue]
    _warehouse: Warehouse | None = field(default=None, repr=False)
    comparisons: Comparisons = field(default_factory=lambda: _no_comparisons(), repr=False)
    _store: Store | None = field(default=None, repr=False)
    _values: ValueStore | None = field(default=None, repr=False)

    @classmethod
    def open(cls, path: str | Path, strict: bool = False) -> Workspace:
        """Read ``path``/onpace.yml and its KPI files.

        Invalid KPIs are left out and listed in ``issues``; with ``strict`` any
        error raises :class:`SpecError` instead.
        """
        root = Path(path)
        config_file = root / CONFIG_FILE
        if not config_file.exists():
            raise WorkspaceError(
                f"{root} is not an onpace workspace: {CONFIG_FILE} is missing "
                f"(create one with: onpace init {root} --template multichannel)"
            )
        try:
            doc = load_located(config_file)
        except YamlSyntaxError as exc:
            raise SpecError(
                [SpecIssue("error", config_file, exc.line, "(yaml)", exc.message)]
            ) from exc
        try:
            config = WorkspaceConfig.model_validate(doc.data or {})
        except ValidationError as exc:
            raise SpecError(validation_issues(exc, doc, config_file)) from exc
        files: list[Path] = []
        for pattern in config.kpi_files:
            files.extend(sorted(root.glob(pattern)))
        files = list(dict.fromkeys(files))
        try:
            key = definitions_key(root, [config_file, *files])
        except OSError:  # a file went away meanwhile: read what is there, keep nothing
            key = None
        found = load_definitions(root, key) if key else None
        if found is None:
            found = _read_definitions(config, files)
            if key:
                save_definitions(root, key, found)
        kpis, sources, issues, comparisons = found
        ws = cls(root, config, kpis, sources, issues, comparisons=comparisons)
        if strict and ws.errors:
            raise SpecError(ws.issues)
        return ws

    @property
    def errors(self) -> list[SpecIssue]:
        return [i for i in self.issues if i.level == "error"]

    @property
    def calendar(self) -> Calendar:
        return Calendar(self.config.fiscal_year_start)

    @property
    def warehouse(self) -> Warehouse:
        if self._warehouse is None:
            from onpace.query.warehouse import connect

            self._warehouse = connect(self.config.warehouse, self.root)
        return self._warehouse

    def use_warehouse(self, warehouse: Warehouse) -> None:
        """Compute against ``warehouse`` instead of the configured one (tests, notebooks)."""
        self._warehouse = warehouse

    @contextlib.contextmanager
    def writing(self, purpose: str, fresh: bool = False) -> Iterator[Warehouse]:
        """A writable copy of the embedded warehouse, published when the block ends.

        Readers (the dashboard, other commands) go on reading the previous version
        meanwhile; this workspace reads the new one afterwards. ``fresh`` starts from
        an empty warehouse instead of a copy. A second writer gets
        :class:`~onpace.errors.WarehouseBusyError` saying who is writing.
        """
        if self.config.warehouse.backend != "duckdb":
            raise WorkspaceError(
                f"only the embedded DuckDB warehouse is written by onpace; this workspace "
                f"uses '{self.config.warehouse.backend}'"
            )
        from onpace.query.warehouse import duckdb_files, writing

        files = duckdb_files(self.config.warehouse, self.root)
        with writing(files, purpose, fresh=fresh) as warehouse:
            yield warehouse
            draft = warehouse.draft
            if self.config.values.enabled and (draft is None or draft.publish):
                # data and values are published together: a reader never sees one without
                # the other
                self.values.refresh(warehouse, self.now(), warehouse.changes)
        if self._warehouse is not None:
            self._warehouse.sync()

    @property
    def values(self) -> ValueStore:
        """The value store of this workspace (see :mod:`onpace.values`)."""
        if self._values is None:
            from onpace.values.store import ValueStore

            self._values = ValueStore(
                self.kpis, self.calendar, self.config.churn, self.config.timezone
            )
        return self._values

    def refresh(self, full: bool = False, as_of: datetime | None = None) -> RefreshReport:
        """Bring the stored values up to the data and to now (``full``: recompute all).

        On the embedded warehouse this writes a new version (readers go on meanwhile);
        on any other backend it writes the value tables there.
        """
        moment = as_of or self.now()
        if self.config.warehouse.backend != "duckdb" or (
            self._warehouse is not None and self._warehouse.files is None
        ):
            report = self.values.refresh(self.warehouse, moment, full=full)
            self.warehouse.refresh()
            return report
        from onpace.query.warehouse import duckdb_files, writing

        files = duckdb_files(self.config.warehouse, self.root)
        with writing(files, "onpace refresh") as warehouse:
            report = self.values.refresh(warehouse, moment, warehouse.changes, full=full)
            if warehouse.draft is not None and report.kind == "unchanged":
                warehouse.draft.publish = False
        if self._warehouse is not None:
            self._warehouse.sync()
        return report

    def session(self) -> Session:
        from onpace.query.session import Session

        session = Session(self.kpis, self.warehouse, self.calendar, self.config.churn)
        if self.config.values.enabled:
            session.values = self.values.reader(self.warehouse)
        return session

    def now(self) -> datetime:
        return local_now(self.config.timezone)

    def default_range(
        self, grain: Grain, periods: int = 12, as_of: datetime | None = None
    ) -> tuple[date, date]:
        """The last ``periods`` periods up to and including the one in progress."""
        today = (as_of or self.now()).date()
        current = period_start(today, grain, self.calendar)
        return shift_period(current, grain, -(periods - 1)), next_period_start(current, grain)

    def compute_range(
        self,
        kpis: Sequence[str] | str,
        grain: ComputeGrain = "month",
        start: Bound | None = None,
        end: Bound | None = None,
        as_of: datetime | None = None,
        end_before: date | None = None,
    ) -> ComputeRange:
        """The days :meth:`compute` would cover for these bounds, and a note when defaulted.

        See :mod:`onpace.query.ranges`: both ends are included; without a range it is
        the last 12 periods of the data the KPIs read.
        """
        names = (kpis,) if isinstance(kpis, str) else tuple(kpis)
        moment = as_of or self.now()
        return resolve_range(
            grain,
            self.calendar,
            moment,
            lambda: self.session().data_span(names, moment),
            start=start,
            end=end,
            end_before=end_before,
        )

    def compute(
        self,
        kpis: Sequence[str] | str,
        grain: ComputeGrain = "month",
        start: Bound | None = None,
        end: Bound | None = None,
        by: Sequence[str] | str | None = None,
        as_of: datetime | None = None,
        output: str = "pandas",
        *,
        end_before: date | None = None,
        top: int | None = None,
        top_per: TopPer = "range",
    ) -> Any:
        """Values of ``kpis`` per period (and per value of ``by``) as a long table.

        Columns: kpi, period (first day), period_label, one per dimension, value,
        note (why a value is null). ``output="arrow"`` gives a pyarrow Table.

        ``start`` and ``end`` are periods (``"2017-12"``, ``"2025-Q1"``, ``"2026"``,
        ``"2026-W10"``) or days (``"2017-12-31"``, a ``date``), and both are included,
        like ``--from``/``--to`` on the command line: ``end="2017-12"`` includes
        December. ``end_before`` is the exclusive form (the first day not included);
        give one of the two. Without ``start`` and ``end`` the range is the last 12
        periods of the data these KPIs read (ending with the period of the latest row
        before ``as_of``; the period in progress when the data is current); with only
        one of them, the other comes from the data in the same way.
        :meth:`compute_range` tells which range that is.

        ``grain="all"`` gives one total over the whole range (all the data when no
        range is given). ``top=N`` keeps the N members of ``by`` with the highest
        values, ranked over the whole range (``top_per="range"``) or in each period
        (``top_per="period"``), and adds their ``rank``; see :mod:`onpace.query.top`.
        """
        names = (kpis,) if isinstance(kpis, str) else tuple(kpis)
        dims = (by,) if isinstance(by, str) else tuple(by or ())
        as_of = as_of or self.now()
        rng = self.compute_range(names, grain, start, end, as_of, end_before)
        from onpace.query.session import ComputeRequest

        request = ComputeRequest(
            names, grain, rng.start, rng.end_before, dims, as_of, top=top, top_per=top_per
        )
        frame = self.session().compute(request)
        if output == "arrow":
            import pyarrow as pa

            return pa.Table.from_pandas(frame, preserve_index=False)
        return frame

    def ingest(self, force: bool = False, allow_empty: bool = False) -> Any:
        """Read every source of sources.yml, validate, quarantine bad rows, load atomically.

        Returns the ingest result (rows read, loaded and quarantined per source);
        ``force`` reads the sources even when nothing changed since the last run;
        ``allow_empty`` lets a run empty a table that has rows (refused otherwise).
        """
        from onpace.ingest import ingest_workspace

        return ingest_workspace(self, force=force, allow_empty=allow_empty)

    def explain(
        self, kpi: str, grain: Grain = "month", by: Sequence[str] = ()
    ) -> list[tuple[str, str]]:
        return self.session().explain(kpi, grain, by, as_of=self.now())

    @property
    def store(self) -> Store:
        """The state store (targets, reviews, users): ``state_url`` or state.db, opened once."""
        if self._store is None:
            from onpace.store import workspace_store

            with _OPENING_STORE:  # the first requests of a server ask for it at once
                if self._store is None:
                    self._store = workspace_store(self)
        return self._store

    def close(self) -> None:
        """Release the state store's connections (the warehouse stays open)."""
        if self._store is not None:
            self._store.close()
            self._store = None

    @overload
    def targets(self, kpi: str | None = None, output: Objects = "objects") -> list[Target]: ...
    @overload
    def targets(self, kpi: str | None, output: Pandas) -> pd.DataFrame: ...
    @overload
    def targets(self, kpi: str | None = None, *, output: Pandas) -> pd.DataFrame: ...
    @overload
    def targets(self, kpi: str | None = None, *, output: Arrow) -> pa.Table: ...

    def targets(self, kpi: str | None = None, output: str = "objects") -> Any:
        """The current targets (latest revision of each, retired ones left out).

        ``output="pandas"`` or ``"arrow"`` gives a table with one row per target.
        """
        current = sorted(self.store.current(kpi), key=lambda t: (t.kpi, t.period.start, t.scope))
        if output == "objects":
            return current
        from onpace.views.target_pages import target_row

        return _table([target_row(t) for t in current], output)

    @overload
    def scorecard(
        self,
        period: str | None = None,
        *,
        grain: str = "quarter",
        compare: str = "previous",
        span: str = "same",
        by: str | None = None,
        kpis: Sequence[str] | None = None,
        as_of: datetime | None = None,
        output: Objects = "objects",
    ) -> Scorecard: ...
    @overload
    def scorecard(
        self,
        period: str | None = None,
        *,
        grain: str = "quarter",
        compare: str = "previous",
        span: str = "same",
        by: str | None = None,
        kpis: Sequence[str] | None = None,
        as_of: datetime | None = None,
        output: Pandas,
    ) -> pd.DataFrame: ...
    @overload
    def scorecard(
        self,
        period: str | None = None,
        *,
        grain: str = "quarter",
        compare: str = "previous",
        span: str = "same",
        by: str | None = None,
        kpis: Sequence[str] | None = None,
        as_of: datetime | None = None,
        output: Arrow,
    ) -> pa.Table: ...

    def scorecard(
        self,
        period: str | None = None,
        *,
        grain: str = "quarter",
        compare: str = "previous",
        span: str = "same",
        by: str | None = None,
        kpis: Sequence[str] | None = None,
        as_of: datetime | None = None,
        output: str = "objects",
    ) -> Any:
        """The scorecard of ``period`` (default: the ``grain``'s period in progress).

        The same data as ``onpace scorecard`` and ``GET /api/v1/scorecard``: every KPI's
        value, comparison (like for like; ``span="full"`` for the whole compared
        period), target, attainment, pace, projection, probability, status and the
        line explaining it, grouped by objective. ``by`` breaks it down per member
        (``rep``, ``rep.team``, ``customer.segment``). ``output="pandas"``/``"arrow"``
        gives the flat table (one row per KPI and member).
        """
        from onpace.views.scorecard import scorecard

        card = scorecard(
            self,
            self.store,
            grain=grain,
            period=period,
            compare=compare,
            span=span,
            by=by,
            as_of=as_of,
            kpis=kpis,
        )
        return card if output == "objects" else _table(card.table(), output)

    @overload
    def status(
        self,
        period: str | None = None,
        by: str | None = None,
        *,
        grain: str = "quarter",
        as_of: datetime | None = None,
        output: Objects = "objects",
    ) -> list[ScorecardRow]: ...
    @overload
    def status(
        self,
        period: str | None = None,
        by: str | None = None,
        *,
        grain: str = "quarter",
        as_of: datetime | None = None,
        output: Pandas,
    ) -> pd.DataFrame: ...
    @overload
    def status(
        self,
        period: str | None = None,
        by: str | None = None,
        *,
        grain: str = "quarter",
        as_of: datetime | None = None,
        output: Arrow,
    ) -> pa.Table: ...

    def status(
        self,
        period: str | None = None,
        by: str | None = None,
        *,
        grain: str = "quarter",
        as_of: datetime | None = None,
        output: str = "objects",
    ) -> Any:
        """The scorecard rows that have a target: is each KPI on pace to hit it?

        A target set for the period itself counts, else a longer one phased down
        (``target_source`` says which), else the sum of the targets below it.
        """
        from onpace.views.scorecard import scorecard

        card = scorecard(
            self,
            self.store,
            grain=grain,
            period=period,
            by=by,
            as_of=as_of,
            only_targets=True,
            sparkline=False,
        )
        if output == "objects":
            return card.rows
        return _table(card.table(), output)

    def check(
        self, kpis: Sequence[str] | None = None, as_of: datetime | None = None
    ) -> SmartReport:
        """The SMART check of every KPI (or ``kpis``): one finding per KPI and letter.

        ``report.errors`` are what makes ``onpace check`` exit 1.
        """
        from onpace.objectives.tree import workspace_objectives
        from onpace.targets.smart import smart_check

        return smart_check(
            self, self.store.current(), workspace_objectives(self), as_of, list(kpis or []) or None
        )


def _no_comparisons() -> Comparisons:
    from onpace.compare.loading import Comparisons

    return Comparisons()


Definitions = tuple["dict[str, AnyKpi]", "dict[str, KpiSource]", list[SpecIssue], "Comparisons"]


def _read_definitions(config: WorkspaceConfig, files: list[Path]) -> Definitions:
    """Read and validate the KPI files (what :mod:`onpace.spec.definition_cache` keeps)."""
    from onpace.compare.loading import load_comparisons
    from onpace.spec.loader import load_kpi_file, merge
    from onpace.spec.validate import validate_kpis

    loaded = merge([load_kpi_file(f) for f in files])
    issues = loaded.issues + validate_kpis(loaded.kpis, loaded.sources)
    bad = {i.kpi for i in issues if i.level == "error" and i.kpi}
    kpis = {k.name: with_churn_words(k, config.churn) for k in loaded.kpis if k.name not in bad}
    # driver trees and funnels are written beside the KPIs and checked against them
    comparisons, more = load_comparisons(loaded.documents, kpis, bad)
    return kpis, loaded.sources, issues + more, comparisons


def _table(records: list[dict[str, Any]], output: str) -> Any:
    """Records as a pandas DataFrame or a pyarrow Table."""
    if output not in ("pandas", "arrow"):
        raise WorkspaceError(f"output {output!r}: use objects, pandas or arrow")
    import pandas as pd

    frame = pd.DataFrame(records)
    if output == "pandas":
        return frame
    import pyarrow as pa

    return pa.Table.from_pandas(frame, preserve_index=False)


__all__ = ["CONFIG_FILE", "Workspace"]
