"""Opening a workspace is fast: validated definitions come from a cache keyed by the
content of the files, and the query engine is not imported until a query is built."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import onpace
from onpace.catalog.scaffold import create_workspace
from onpace.spec import definition_cache, loader
from onpace.spec.definition_cache import CACHE_FILE

REVENUE_LABEL = "\n    en: Revenue\n"  # the catalog labels its KPIs per language


@pytest.fixture(autouse=True)
def own_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test signs with its own key (a user cache folder of its own)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    definition_cache._secret.cache_clear()
    yield
    definition_cache._secret.cache_clear()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A workspace like the demo's: the multichannel catalog, a time zone, a currency."""
    folder = tmp_path / "shop"
    create_workspace(folder, "multichannel", name="Shop", timezone="Europe/Berlin", currency="EUR")
    return folder


class FileReads:
    """Counts the KPI files read (parsed and validated) while opening."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = loader.load_kpi_file

        def counting(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(loader, "load_kpi_file", counting)


def _revenue_file(root: Path) -> Path:
    return next(f for f in sorted((root / "kpis").glob("*.yml")) if REVENUE_LABEL in f.read_text())


def test_a_second_open_reads_no_kpi_file_and_gives_the_same_definitions(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = FileReads(monkeypatch)
    first = onpace.Workspace.open(root)
    assert reads.count == len(list((root / "kpis").glob("*.yml"))) > 0
    assert (root / CACHE_FILE).is_file()
    second = onpace.Workspace.open(root)
    assert reads.count == len(list((root / "kpis").glob("*.yml")))  # nothing read again
    assert second.kpis == first.kpis and list(second.kpis) == list(first.kpis)
    assert second.issues == first.issues and second.config == first.config
    assert second.sources["revenue"].line("label") == first.sources["revenue"].line("label")
    assert second.comparisons.funnels.keys() == first.comparisons.funnels.keys()
    assert second.comparisons.formulas == first.comparisons.formulas


def test_an_edit_an_added_file_and_a_broken_file_are_seen(root: Path) -> None:
    assert onpace.Workspace.open(root).kpis["revenue"].label == "Revenue"
    file = _revenue_file(root)
    file.write_text(file.read_text().replace(REVENUE_LABEL, "\n    en: Net sales\n", 1))
    assert onpace.Workspace.open(root).kpis["revenue"].label == "Net sales"

    extra = root / "kpis" / "extra.yml"
    extra.write_text(
        "kpis:\n  - name: big_orders\n    type: simple\n    label: Big orders\n"
        "    description: Orders over 1000.\n    entity: orders\n    agg: count\n"
        "    filter: amount > 1000\n    time: ordered_at\n    unit: count\n"
        "    direction: higher\n"
    )
    opened = onpace.Workspace.open(root)
    assert "big_orders" in opened.kpis, opened.errors

    extra.write_text(extra.read_text().replace("entity: orders", "entity: nowhere"))
    opened = onpace.Workspace.open(root)
    assert "big_orders" not in opened.kpis
    assert any(i.kpi == "big_orders" and i.file == extra for i in opened.errors)
    with pytest.raises(onpace.SpecError):
        onpace.Workspace.open(root, strict=True)

    extra.unlink()
    opened = onpace.Workspace.open(root)
    assert "big_orders" not in opened.kpis and not opened.errors


def test_a_settings_edit_is_seen(root: Path) -> None:
    config = root / "onpace.yml"
    assert onpace.Workspace.open(root).kpis["active_customers"].label.count("365") == 1
    config.write_text(config.read_text().replace("days: 365", "days: 90"))
    assert "90" in onpace.Workspace.open(root).kpis["active_customers"].label


def test_another_onpace_version_reads_the_files_again(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    onpace.Workspace.open(root)
    reads = FileReads(monkeypatch)
    monkeypatch.setattr(onpace, "__version__", "99.0")
    definition_cache._code_stamp.cache_clear()
    try:
        onpace.Workspace.open(root)
    finally:
        definition_cache._code_stamp.cache_clear()
    assert reads.count > 0


def test_an_entry_signed_by_someone_else_or_damaged_is_never_loaded(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = onpace.Workspace.open(root).kpis
    # a workspace handed over with its cache: this user's key does not verify it
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-user"))
    definition_cache._secret.cache_clear()
    reads = FileReads(monkeypatch)
    assert onpace.Workspace.open(root).kpis == expected
    assert reads.count > 0
    # and a damaged entry is a miss, not an error
    blob = bytearray((root / CACHE_FILE).read_bytes())
    blob[-5] ^= 0xFF
    (root / CACHE_FILE).write_bytes(bytes(blob))
    before = reads.count
    assert onpace.Workspace.open(root).kpis == expected
    assert reads.count > before


def test_an_unwritable_cache_only_costs_speed(root: Path) -> None:
    (root / ".onpace").write_text("not a folder")  # the cache cannot be made here
    assert "revenue" in onpace.Workspace.open(root).kpis
    assert "revenue" in onpace.Workspace.open(root).kpis


OPEN_AND_LIST = """
import json, sys
import onpace
ws = onpace.Workspace.open(sys.argv[1])
names = sorted(ws.kpis)
heavy = [m for m in ("ibis", "pandas", "pyarrow", "duckdb", "numpy", "sqlglot") if m in sys.modules]
print(json.dumps({"kpis": len(names), "heavy": heavy}))
"""


@pytest.mark.parametrize("cached", [False, True])
def test_opening_a_workspace_imports_no_query_engine(
    root: Path, tmp_path: Path, cached: bool
) -> None:
    if cached:
        onpace.Workspace.open(root)
    env = {"XDG_CACHE_HOME": str(tmp_path / "user-cache"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", OPEN_AND_LIST, str(root)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    found = json.loads(done.stdout)
    assert found["kpis"] == len(onpace.Workspace.open(root).kpis) > 40
    # from the cache nothing beyond the definitions is imported; reading and checking
    # the files parses formulas (sqlglot) but still builds no query
    assert found["heavy"] == ([] if cached else ["sqlglot"])
