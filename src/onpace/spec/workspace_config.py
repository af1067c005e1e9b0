"""onpace.yml: the settings of one workspace (time zone, calendar, churn rule, warehouse)."""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator


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

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name such as Europe/Amsterdam or UTC"
            ) from exc
        return value

    @field_validator("currency")
    @classmethod
    def _iso_currency(cls, value: str) -> str:
        if len(value) != 3 or not value.isalpha():
            raise ValueError("use a three-letter ISO currency code such as EUR or USD")
        return value.upper()
