"""Shared fixtures: a small, hand-checkable sales data set, on every backend.

Every number the catalog tests expect is worked out by hand from ``SALES_DATA``
(tests/support/sales_data.py; see tests/catalog/test_catalog_values.py), so keep the
two in step. The workspace time zone is UTC and timestamps are given naive (already
local). Churn: a customer is lost 30 days after their last order.

``sales_session`` and ``make_session`` run on the ``backend`` fixture, which is
parametrized over DuckDB, PySpark and PostgreSQL (tests/support/backends.py): a test
that uses them runs once per engine.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator, Mapping

import ibis
import pandas as pd
import pytest

from onpace.calendar import Calendar
from onpace.catalog import load_catalog
from onpace.query.session import ComputeRequest, Session
from onpace.query.warehouse import Warehouse
from onpace.spec.kpi import AnyKpi
from onpace.spec.workspace_config import ChurnSettings
from onpace.views import charts
from tests.support.backends import BACKENDS, Backend, make_backend, mark_gaps
from tests.support.pg_server import pg_url  # noqa: F401
from tests.support.sales_data import SALES_DATA

# Pages draw their charts without Altair's schema check; in the tests every chart
# drawn is checked against the Vega-Lite schema.
charts.VALIDATE_CHARTS = True


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        default=False,
        help="rewrite the SQL snapshots under tests/query/snapshots instead of comparing",
    )


@pytest.fixture(scope="session")
def update_snapshots(request: pytest.FixtureRequest) -> bool:
    """Whether to rewrite snapshots: ``--update-snapshots`` or ``ONPACE_UPDATE_SNAPSHOTS=1``."""
    return bool(request.config.getoption("--update-snapshots")) or os.environ.get(
        "ONPACE_UPDATE_SNAPSHOTS", ""
    ) not in ("", "0")


@pytest.fixture(scope="session")
def catalog() -> dict[str, AnyKpi]:
    return load_catalog()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        mark_gaps(item)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    """Where the KPI tests run: DuckDB, PySpark or PostgreSQL (one test session each)."""
    made = make_backend(request.param, request, tmp_path_factory.mktemp(request.param))
    yield made
    made.release(made.opened)


@pytest.fixture(scope="session")
def sales_session(backend: Backend, catalog: dict[str, AnyKpi]) -> Session:
    """``SALES_DATA`` on ``backend``; calendar years, churn after 30 days."""
    wh = backend.warehouse(SALES_DATA, "UTC")
    return Session(catalog, wh, Calendar(fiscal_year_start=1), ChurnSettings(days=30))


@pytest.fixture(scope="session")
def duckdb_sales_session(
    tmp_path_factory: pytest.TempPathFactory, catalog: dict[str, AnyKpi]
) -> Session:
    """``SALES_DATA`` in a DuckDB file, for tests about DuckDB itself."""
    path = tmp_path_factory.mktemp("sales") / "warehouse.duckdb"
    wh = Warehouse(ibis.duckdb.connect(str(path)), "duckdb")
    wh.load_all(SALES_DATA, "UTC")
    return Session(catalog, wh, Calendar(fiscal_year_start=1), ChurnSettings(days=30))


@pytest.fixture
def make_session(backend: Backend, catalog: dict[str, AnyKpi]) -> Iterator[Callable[..., Session]]:
    """Build a session on a fresh warehouse of ``backend`` from ``{entity: DataFrame}``."""
    made: list[Warehouse] = []

    def make(
        frames: Mapping[str, pd.DataFrame],
        timezone: str = "UTC",
        calendar: Calendar = Calendar(),
        churn: ChurnSettings = ChurnSettings(days=30),
        kpis: dict[str, AnyKpi] | None = None,
    ) -> Session:
        wh = backend.warehouse(frames, timezone)
        made.append(wh)
        return Session(kpis if kpis is not None else catalog, wh, calendar, churn)

    yield make
    backend.release(made)


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
