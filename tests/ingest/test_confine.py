"""Sources resolve inside the workspace (or folders onpace.yml allows); nothing else is opened."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from onpace.errors import IngestError
from tests.ingest.helpers import ingest, table

SOURCES = """\
sources:
  shop:
    file: {file}
    entities:
      orders: {{columns: {{order_id: id, ordered_at: at, amount: amount}}}}
"""
ORDERS = "id,at,amount\no1,2024-01-05,10\n"


def _refused(root: Path, message: str) -> None:
    opened: list[Path] = []
    with pytest.raises(IngestError) as info:
        ingest(root, hook=opened.append)
    assert message in str(info.value)
    assert opened == []  # refused before any file was read
    issue = info.value.issues[0]
    assert (issue.line, issue.field) == (3, "sources.shop.file")
    assert "root:" not in str(info.value)  # no line of the file is quoted


@pytest.mark.parametrize(
    "path", ["/etc/passwd", "../../../../etc/passwd", "data/../../outside.csv", "/etc/*"]
)
def test_paths_outside_the_workspace_are_refused(make_ws: Callable[..., Path], path: str) -> None:
    root = make_ws(SOURCES.format(file=path), {"orders.csv": ORDERS})
    (root.parent / "outside.csv").write_text(ORDERS, encoding="utf-8")
    _refused(root, f"'file' resolves outside the workspace: {path}")


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_a_link_pointing_out_is_refused(make_ws: Callable[..., Path]) -> None:
    root = make_ws(SOURCES.format(file="data/*.csv"), {"data/orders.csv": ORDERS})
    (root / "data" / "passwd.csv").symlink_to("/etc/passwd")
    _refused(root, "'file' matches a link that points outside the workspace: data/passwd.csv")
    # a folder link pointing out is refused the same way
    root2 = make_ws(SOURCES.format(file="shared/orders.csv"), {"x.csv": ORDERS})
    outside = root2.parent / "elsewhere"
    outside.mkdir()
    (outside / "orders.csv").write_text(ORDERS, encoding="utf-8")
    (root2 / "shared").symlink_to(outside)
    _refused(root2, "'file' resolves outside the workspace: shared/orders.csv")


def test_links_inside_and_allowed_folders_are_read(make_ws: Callable[..., Path]) -> None:
    root = make_ws(SOURCES.format(file="current.csv"), {"exports/2024.csv": ORDERS})
    (root / "current.csv").symlink_to(root / "exports" / "2024.csv")
    assert ingest(root).loaded == 1
    shared = root.parent / "shared-exports"
    shared.mkdir()
    (shared / "orders.csv").write_text(ORDERS, encoding="utf-8")
    allowed = make_ws(SOURCES.format(file=str(shared / "*.csv")), {})
    config = (allowed / "onpace.yml").read_text(encoding="utf-8")
    (allowed / "onpace.yml").write_text(
        config + "ingest:\n  allowed_dirs: [../shared-exports]\n", encoding="utf-8"
    )
    assert ingest(allowed).loaded == 1
    assert list(table(allowed, "orders")["order_id"]) == ["o1"]


def test_a_database_source_cannot_read_files(make_ws: Callable[..., Path]) -> None:
    memory = """\
    sources:
      sneaky:
        database: "duckdb:///:memory:"
        query: "SELECT * FROM read_csv('/etc/passwd')"
        entities:
          orders: {columns: {order_id: a, ordered_at: b, amount: c}}
    """
    root = make_ws(memory, {})
    with pytest.raises(IngestError, match="an in-memory database has no data of its own"):
        ingest(root)
    import duckdb

    db = make_ws(memory.replace("/:memory:", "crm.duckdb"), {})
    con = duckdb.connect(str(db / "crm.duckdb"))
    con.execute("CREATE TABLE t AS SELECT 1 AS a")
    con.close()
    with pytest.raises(IngestError, match="cannot read query from the database"):
        ingest(db)  # the query may not reach outside its own file
    outside = make_ws(memory.replace("/:memory:", "/tmp/other.duckdb"), {})
    with pytest.raises(IngestError, match="'database' resolves outside the workspace"):
        ingest(outside)
