"""Helpers of the ingest tests: small workspaces (onpace.yml, sources.yml, data files)."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from typing import Any

import pandas as pd

from onpace.ingest import IngestResult, ingest_workspace
from onpace.workspace import Workspace

NOW = dt.datetime(2024, 6, 30, 12, 0)

CONFIG = """\
name: test shop
timezone: {timezone}
currency: EUR
warehouse:
  backend: duckdb
  path: warehouse.duckdb
kpi_files: []
"""
# orders.csv with id, date, amount, qty and customer columns, mapped onto orders
ORDERS_SOURCES = """\
sources:
  shop:
    file: orders.csv
    entities:
      orders:
        columns:
          order_id: id
          ordered_at: {from: date, format: "%Y-%m-%d"}
          amount: amount
          quantity: {from: qty, min: 0}
          customer_id: customer
"""


def write_workspace(
    root: Path, sources: str, files: dict[str, str | bytes], timezone: str = "UTC"
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "onpace.yml").write_text(CONFIG.format(timezone=timezone), encoding="utf-8")
    (root / "sources.yml").write_text(textwrap.dedent(sources), encoding="utf-8")
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")  # data as given: no dedent
    return root


def ingest(root: Path, now: dt.datetime = NOW, **kwargs: Any) -> IngestResult:
    ws = Workspace.open(root)
    try:
        return ingest_workspace(ws, now=now, **kwargs)
    finally:
        if ws._warehouse is not None:
            ws._warehouse.backend.disconnect()


def table(root: Path, name: str, order: str | None = None) -> pd.DataFrame:
    import duckdb

    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        query = f'SELECT * FROM "{name}"' + (f" ORDER BY {order}" if order else "")
        return con.execute(query).fetch_arrow_table().to_pandas()
    finally:
        con.close()


def quarantine(root: Path) -> list[tuple[str, int, str]]:
    """(file, line, reason) of every quarantined row, in file order."""
    frame = table(root, "onpace_quarantine", "file, line")
    return [
        (str(f), int(n), str(r))
        for f, n, r in zip(frame["file"], frame["line"], frame["reason"], strict=True)
    ]
