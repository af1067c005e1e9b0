"""A workspace folder with ``SALES_DATA`` in its DuckDB file: the catalog on checked data."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import ibis
import pandas as pd

from onpace.catalog.scaffold import create_workspace
from onpace.query.warehouse import Warehouse
from tests.support.sales_data import SALES_DATA


def sales_workspace(root: Path, data: Mapping[str, pd.DataFrame] = SALES_DATA) -> Path:
    """Every catalog KPI, UTC, churn after 30 days, the data of tests/support/sales_data.py.

    ``data`` replaces it (a variant of it, for tests of hostile values).
    """
    create_workspace(root, "multichannel", name="Test shop", timezone="UTC", churn_days=30)
    wh = Warehouse(ibis.duckdb.connect(str(root / "warehouse.duckdb")), "duckdb")
    wh.load_all(data, "UTC")
    wh.backend.disconnect()
    return root
