"""A workspace: a folder with onpace.yml, KPI files and (by default) a DuckDB warehouse.

>>> ws = Workspace.open("demo")                                     # doctest: +SKIP
>>> ws.compute(["revenue", "win_rate"], grain="quarter", by="rep")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from onpace.calendar import Calendar, Grain, next_period_start, period_start, shift_period
from onpace.errors import SpecError, SpecIssue, WorkspaceError
from onpace.query.session import ComputeRequest, Session
from onpace.query.warehouse import Warehouse, connect
from onpace.spec.kpi import AnyKpi
from onpace.spec.loader import KpiSource, load_kpi_file, merge
from onpace.spec.validate import validate_kpis
from onpace.spec.validation_issues import validation_issues
from onpace.spec.workspace_config import WorkspaceConfig, with_churn_words
from onpace.spec.yaml_lines import YamlSyntaxError, load_located

CONFIG_FILE = "onpace.yml"


def local_now(timezone: str) -> datetime:
    """The current wall-clock time in ``timezone``, naive, like the stored data."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(timezone)).replace(tzinfo=None)


@dataclass
class Workspace:
    """Everything onpace knows about one business: settings, KPIs and where the data is."""

    root: Path
    config: WorkspaceConfig
    kpis: dict[str, AnyKpi]
    sources: dict[str, KpiSource]
    issues: list[SpecIssue]
    _warehouse: Warehouse | None = field(default=None, repr=False)

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
        loaded = merge([load_kpi_file(f) for f in dict.fromkeys(files)])
        issues = loaded.issues + validate_kpis(loaded.kpis, loaded.sources)
        bad = {i.field.split(".")[0] for i in issues if i.level == "error"}
        kpis = {k.name: with_churn_words(k, config.churn) for k in loaded.kpis if k.name not in bad}
        ws = cls(root, config, kpis, loaded.sources, issues)
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
            self._warehouse = connect(self.config.warehouse, self.root)
        return self._warehouse

    def use_warehouse(self, warehouse: Warehouse) -> None:
        """Compute against ``warehouse`` instead of the configured one (tests, notebooks)."""
        self._warehouse = warehouse

    def session(self) -> Session:
        return Session(self.kpis, self.warehouse, self.calendar, self.config.churn)

    def now(self) -> datetime:
        return local_now(self.config.timezone)

    def default_range(
        self, grain: Grain, periods: int = 12, as_of: datetime | None = None
    ) -> tuple[date, date]:
        """The last ``periods`` periods up to and including the one in progress."""
        today = (as_of or self.now()).date()
        current = period_start(today, grain, self.calendar)
        return shift_period(current, grain, -(periods - 1)), next_period_start(current, grain)

    def compute(
        self,
        kpis: Sequence[str] | str,
        grain: Grain = "month",
        start: date | str | None = None,
        end: date | str | None = None,
        by: Sequence[str] | str | None = None,
        as_of: datetime | None = None,
        output: str = "pandas",
    ) -> Any:
        """Values of ``kpis`` per period (and per value of ``by``) as a long table.

        Columns: kpi, period (first day), period_label, one per dimension, value,
        note (why a value is null). ``output="arrow"`` gives a pyarrow Table.
        """
        names = (kpis,) if isinstance(kpis, str) else tuple(kpis)
        dims = (by,) if isinstance(by, str) else tuple(by or ())
        as_of = as_of or self.now()
        default_start, default_end = self.default_range(grain, as_of=as_of)
        first = _as_date(start) if start is not None else default_start
        last = _as_date(end) if end is not None else default_end
        if last <= first:
            raise WorkspaceError(f"the range is empty: end {last} is not after start {first}")
        frame = self.session().compute(ComputeRequest(names, grain, first, last, dims, as_of))
        if output == "arrow":
            import pyarrow as pa

            return pa.Table.from_pandas(frame, preserve_index=False)
        return frame

    def ingest(self, force: bool = False) -> Any:
        """Read every source of sources.yml, validate, quarantine bad rows, load atomically.

        Returns the ingest result (rows read, loaded and quarantined per source);
        ``force`` reads the sources even when nothing changed since the last run.
        """
        from onpace.ingest import ingest_workspace

        return ingest_workspace(self, force=force)

    def explain(
        self, kpi: str, grain: Grain = "month", by: Sequence[str] = ()
    ) -> list[tuple[str, str]]:
        return self.session().explain(kpi, grain, by, as_of=self.now())


def _as_date(value: date | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


__all__ = ["CONFIG_FILE", "Workspace"]
