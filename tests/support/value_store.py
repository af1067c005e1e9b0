"""Helpers of the value store tests: warehouses on DuckDB or PySpark, builds, cell tables."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pandas as pd

from onpace.calendar import Calendar
from onpace.query.session import Session
from onpace.query.warehouse import Warehouse
from onpace.spec.kpi import AnyKpi
from onpace.spec.workspace_config import ChurnSettings
from onpace.values.changes import ChangeSet, diff
from onpace.values.keys import kpi_hashes, settings_hash
from onpace.values.refresh import Refresher, RefreshReport

CALENDAR = Calendar()
CHURN = ChurnSettings(days=30)


def refresher(kpis: dict[str, AnyKpi], wh: Warehouse) -> Refresher:
    session = Session(kpis, wh, CALENDAR, CHURN)
    return Refresher(session, settings_hash(CALENDAR, CHURN, "UTC"), kpi_hashes(kpis))


def build(kpis: dict[str, AnyKpi], wh: Warehouse, as_of: datetime) -> RefreshReport:
    return refresher(kpis, wh).full(as_of)


def replace_tables(wh: Warehouse, frames: Mapping[str, pd.DataFrame]) -> ChangeSet:
    """Load new versions of some tables, keeping the old ones to tell what changed."""
    backend = wh.backend
    changes = ChangeSet()
    for entity, frame in frames.items():
        old_name = f"{entity}__before"
        if wh.kind == "pyspark":
            backend._session.table(entity).createOrReplaceTempView(old_name)
        else:
            backend.create_table(old_name, backend.table(entity).to_pyarrow(), overwrite=True)
        wh.load(entity, frame, "UTC")
        changes.add(diff(entity, backend.table(old_name), backend.table(entity)))
    return changes


def cells(wh: Warehouse) -> pd.DataFrame:
    """Every stored cell, in a fixed order, for comparing two stores cell for cell."""
    frame: pd.DataFrame = wh.backend.table("onpace_values").execute()
    frame["member"] = frame["member"].astype(object).where(frame["member"].notna(), None)
    frame["note"] = frame["note"].astype(object).where(frame["note"].notna(), None)
    frame["period"] = pd.to_datetime(frame["period"]).dt.date
    keys = ["kpi", "grain", "dim", "member", "period"]
    ordered = frame.assign(_m=frame["member"].map(lambda m: "" if m is None else "\x01" + m))
    ordered = ordered.sort_values(["kpi", "grain", "dim", "_m", "period"]).drop(columns="_m")
    return ordered[[*keys, "value", "note", "present"]].reset_index(drop=True)


def differences(a: pd.DataFrame, b: pd.DataFrame, limit: int = 20) -> list[dict[str, Any]]:
    """Cells that differ between two stores (missing on one side, or another value)."""
    keys = ["kpi", "grain", "dim", "member", "period"]
    merged = a.merge(b, on=keys, how="outer", suffixes=("_a", "_b"), indicator=True)
    same_value = (merged["value_a"] == merged["value_b"]) | (
        merged["value_a"].isna() & merged["value_b"].isna()
    )
    same_note = merged["note_a"].fillna("") == merged["note_b"].fillna("")
    same = (merged["_merge"] == "both") & same_value & same_note
    same &= merged["present_a"] == merged["present_b"]
    return merged[~same].head(limit).to_dict("records")  # type: ignore[return-value]
