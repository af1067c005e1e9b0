"""Small workspaces on real DuckDB files, from hand-written rows, for the compare tests."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import ibis
import pandas as pd

from onpace.catalog.scaffold import create_workspace
from onpace.query.warehouse import Warehouse
from onpace.workspace import Workspace


def workspace_with(
    root: Path, frames: Mapping[str, pd.DataFrame], extra_yaml: str = ""
) -> Workspace:
    """A multichannel workspace whose warehouse holds ``frames``; ``extra_yaml`` is added as
    kpis/extra.yml (more KPIs, trees or funnels)."""
    create_workspace(root, "multichannel", name="Compare test", timezone="UTC", churn_days=30)
    wh = Warehouse(ibis.duckdb.connect(str(root / "warehouse.duckdb")), "duckdb")
    wh.load_all(frames, "UTC")
    wh.backend.disconnect()
    if extra_yaml:
        (root / "kpis" / "extra.yml").write_text(extra_yaml, encoding="utf-8")
    return Workspace.open(root)


def frame(columns: str, *rows: tuple[object, ...]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=columns.split())
