"""Documentation that mirrors code must match it; every KPI and field is documented."""

from __future__ import annotations

from pathlib import Path

from onpace.catalog import load_catalog
from onpace.catalog.reference import GENERATED
from onpace.compare.models import DriverTree, Funnel, FunnelStep
from onpace.spec.kpi import (
    ConversionKpi,
    ConversionSide,
    DerivedKpi,
    DurationKpi,
    Measure,
    RatioKpi,
    SimpleKpi,
    SnapshotKpi,
)
from onpace.spec.workspace_config import ChurnSettings, WarehouseSettings, WorkspaceConfig

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_generated_pages_are_current() -> None:
    for name, make in GENERATED.items():
        committed = (DOCS / name).read_text(encoding="utf-8")
        assert committed == make(), f"docs/{name} is stale: run python -m onpace.catalog.reference"


def test_catalog_page_lists_every_kpi_with_formula() -> None:
    page = (DOCS / "catalog.md").read_text(encoding="utf-8")
    for name in load_catalog():
        section = page.split(f"### `{name}`", 1)
        assert len(section) == 2, f"{name} missing from docs/catalog.md"
        assert "**Formula**" in section[1].split("###", 1)[0]


def test_spec_reference_documents_every_field() -> None:
    page = (DOCS / "spec.md").read_text(encoding="utf-8")
    models = (
        SimpleKpi,
        RatioKpi,
        DerivedKpi,
        SnapshotKpi,
        DurationKpi,
        ConversionKpi,
        Measure,
        ConversionSide,
        WorkspaceConfig,
        ChurnSettings,
        WarehouseSettings,
        DriverTree,
        Funnel,
        FunnelStep,
    )
    missing = [f"{m.__name__}.{f}" for m in models for f in m.model_fields if f"`{f}`" not in page]
    assert not missing, f"undocumented fields in docs/spec.md: {missing}"
