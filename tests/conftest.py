"""Shared fixtures: a small, hand-checkable sales data set and sessions on DuckDB files.

Every number the catalog tests expect is worked out by hand from ``SALES_DATA``
below (see tests/catalog/test_catalog_values.py), so keep the two in step. The
workspace time zone is UTC and timestamps are given naive (already local).
Churn: a customer is lost 30 days after their last order.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Mapping
from pathlib import Path

import ibis
import pandas as pd
import pytest

from onpace.calendar import Calendar
from onpace.catalog import load_catalog
from onpace.query.session import ComputeRequest, Session
from onpace.query.warehouse import Warehouse
from onpace.spec.kpi import AnyKpi
from onpace.spec.workspace_config import ChurnSettings
from tests.support.sales_data import SALES_DATA

_counter = itertools.count()


@pytest.fixture(scope="session")
def catalog() -> dict[str, AnyKpi]:
    return load_catalog()


@pytest.fixture(scope="session")
def sales_session(tmp_path_factory: pytest.TempPathFactory, catalog: dict[str, AnyKpi]) -> Session:
    """``SALES_DATA`` in a DuckDB file; calendar years, churn after 30 days."""
    path = tmp_path_factory.mktemp("sales") / "warehouse.duckdb"
    wh = Warehouse(ibis.duckdb.connect(str(path)), "duckdb")
    wh.load_all(SALES_DATA, "UTC")
    return Session(catalog, wh, Calendar(fiscal_year_start=1), ChurnSettings(days=30))


@pytest.fixture
def make_session(tmp_path: Path, catalog: dict[str, AnyKpi]) -> Callable[..., Session]:
    """Build a session on a fresh DuckDB file from ``{entity: DataFrame}``."""

    def make(
        frames: Mapping[str, pd.DataFrame],
        timezone: str = "UTC",
        calendar: Calendar = Calendar(),
        churn: ChurnSettings = ChurnSettings(days=30),
        kpis: dict[str, AnyKpi] | None = None,
    ) -> Session:
        path = tmp_path / f"w{next(_counter)}.duckdb"
        wh = Warehouse(ibis.duckdb.connect(str(path)), "duckdb")
        wh.load_all(frames, timezone)
        return Session(kpis if kpis is not None else catalog, wh, calendar, churn)

    return make


@pytest.fixture(scope="session")
def compute() -> Callable[..., pd.DataFrame]:
    """``compute(session, names, grain, start, end, by=(), as_of=...)`` -> long frame."""

    def run(
        session: Session,
        names: tuple[str, ...] | str,
        grain: str = "month",
        start: dt.date = dt.date(2024, 1, 1),
        end: dt.date = dt.date(2024, 4, 1),
        by: tuple[str, ...] = (),
        as_of: dt.datetime = dt.datetime(2024, 7, 1),
    ) -> pd.DataFrame:
        names = (names,) if isinstance(names, str) else tuple(names)
        return session.compute(
            ComputeRequest(
                names,
                grain,
                start,
                end,
                by=by,  # type: ignore[arg-type]
                as_of=as_of,
            )
        )

    return run
