"""onpace.yml: the settings of one workspace (time zone, calendar, churn, warehouse, state)."""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from onpace.spec.kpi import AnyKpi


def known_time_zone(value: str) -> str:
    """``value`` when it names an IANA time zone; a ValueError with the fix otherwise."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {value!r}; use an IANA name such as Europe/Amsterdam or UTC"
        ) from exc
    return value


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChurnSettings(_Frozen):
    """When a customer counts as lost.

    ``inactivity``: lost ``days`` after their last order when no order follows.
    ``end_date``: lost at ``customers.churned_at``, for businesses with contracts.
    """

    method: Literal["inactivity", "end_date"] = "inactivity"
    days: int = Field(default=365, gt=0)
    order_filter: str | None = "status is null or status <> 'cancelled'"

    @property
    def window_words(self) -> str:
        """How the rule reads in a KPI label: what ``{churn_window}`` in a label becomes."""
        if self.method == "end_date":
            return "until their end date"
        return f"ordered in the last {self.days} days"


CHURN_WINDOW_PLACEHOLDER = "{churn_window}"


class WarehouseSettings(_Frozen):
    """Where the sales data lives.

    ``duckdb`` (default): an embedded DuckDB file at ``path`` (relative to the workspace).
    ``pyspark``: a local or cluster Spark session reading Parquet folders under
    ``parquet_dir`` (one per entity). ``url``: any backend Ibis connects to by URL
    (``postgres://user@host/db``); secrets belong in the environment, so
    ``${VAR}`` in the URL is replaced by the environment variable VAR.
    """

    backend: Literal["duckdb", "pyspark", "url"] = "duckdb"
    path: str = "warehouse.duckdb"
    url: str | None = None
    parquet_dir: str | None = None
    spark_master: str = "local[2]"


class ValueSettings(_Frozen):
    """The value store: every KPI stored ahead for every grain and breakdown.

    ``enabled`` (default): reads are answered from stored values where they can be,
    and every write to the embedded warehouse (ingest, demo, ``onpace refresh``)
    brings them up to date. Off, every read computes from the data.
    """

    enabled: bool = True


class StatusThresholds(_Frozen):
    """Where a KPI's status changes, as a fraction of its target (attainment or projection).

    ``on_track``: at or above it the KPI is on track; ``at_risk``: at or above it (and
    below ``on_track``) it is at risk; below it is off track. ``too_early``: the share
    of a period, from its start, during which the status is "too early to tell"
    (pace and projection are shown, but no alarm is raised).
    """

    on_track: float = Field(default=0.98, gt=0)
    at_risk: float = Field(default=0.90, gt=0)
    too_early: float = Field(default=0.20, ge=0, lt=1)

    @model_validator(mode="after")
    def _ordered(self) -> StatusThresholds:
        if self.at_risk > self.on_track:
            raise ValueError(
                f"at_risk ({self.at_risk}) must not be above on_track ({self.on_track})"
            )
        return self


class StatusSettings(StatusThresholds):
    """Status thresholds of the workspace, with optional overrides per KPI.

    ``unrealistic_below`` and ``unambitious_above`` are the probabilities of reaching
    a target below (above) which ``onpace check`` calls it unrealistic (unambitious).
    """

    kpis: dict[str, StatusThresholds] = {}
    unrealistic_below: float = Field(default=0.10, ge=0, le=1)
    unambitious_above: float = Field(default=0.95, ge=0, le=1)

    def for_kpi(self, name: str) -> StatusThresholds:
        return self.kpis.get(
            name,
            StatusThresholds(
                on_track=self.on_track, at_risk=self.at_risk, too_early=self.too_early
            ),
        )


class PrivacySettings(_Frozen):
    """What a rep, who sees only their own per-rep rows, may read off totals.

    ``min_group_size``: a total (a team, a region, a channel, the whole company) is
    hidden from a rep when another rep contributes to it and fewer reps than this
    do, so nobody can subtract their own number and read a colleague's. 1 turns
    the rule off.
    """

    min_group_size: int = Field(default=3, ge=1, le=1000)


class IngestSettings(_Frozen):
    """Where ``onpace ingest`` may read files from.

    Sources resolve inside the workspace folder; ``allowed_dirs`` adds folders outside
    it (absolute, or relative to the workspace) that a source's ``file`` may name, such
    as a shared export folder. Symbolic links count by where they point.
    """

    allowed_dirs: tuple[str, ...] = ()


class WorkspaceConfig(_Frozen):
    """The content of onpace.yml."""

    name: str = "onpace workspace"
    template: str | None = None
    timezone: str = "UTC"
    currency: str = "EUR"
    locale: str = "en"
    fiscal_year_start: int = Field(default=1, ge=1, le=12)
    churn: ChurnSettings = ChurnSettings()
    warehouse: WarehouseSettings = WarehouseSettings()
    kpi_files: tuple[str, ...] = ("kpis/*.yml",)
    state_url: str | None = None
    objectives_file: str = "objectives.yml"
    status: StatusSettings = StatusSettings()
    privacy: PrivacySettings = PrivacySettings()
    values: ValueSettings = ValueSettings()
    ingest: IngestSettings = IngestSettings()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_time_zone(value)

    @field_validator("currency")
    @classmethod
    def _iso_currency(cls, value: str) -> str:
        if len(value) != 3 or not value.isalpha():
            raise ValueError("use a three-letter ISO currency code such as EUR or USD")
        return value.upper()


def with_churn_words(kpi: AnyKpi, churn: ChurnSettings) -> AnyKpi:
    """``kpi`` with ``{churn_window}`` in its label and description replaced by the rule.

    The label of ``active_customers`` must say which window it counts ("ordered in
    the last 365 days"), and that window is the workspace's ``churn.days``, so the
    words are filled in when the workspace is opened, not fixed in the KPI file.
    """
    words = churn.window_words

    def fill(text: str) -> str:
        return text.replace(CHURN_WINDOW_PLACEHOLDER, words)

    update: dict[str, object] = {
        "label": fill(kpi.label),
        "description": fill(kpi.description),
        "labels": {k: fill(v) for k, v in kpi.labels.items()},
        "descriptions": {k: fill(v) for k, v in kpi.descriptions.items()},
    }
    if all(update[k] == getattr(kpi, k) for k in update):
        return kpi
    return kpi.model_copy(update=update)
