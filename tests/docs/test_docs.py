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


def test_cli_reference_is_current() -> None:
    from onpace.cli.command_reference import cli_markdown

    committed = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert committed == cli_markdown(), (
        "docs/cli.md is stale: run python -m onpace.cli.command_reference"
    )


def test_every_command_argument_and_option_says_what_it_is_for() -> None:
    from typer.main import get_command

    from onpace.cli.command_reference import _commands
    from onpace.cli.main import app

    root = get_command(app)
    ctx = root.make_context("onpace", [], resilient_parsing=True)
    silent = []
    for path, command in _commands(root, ctx, "onpace"):
        if not (command.help or "").strip():
            silent.append(path)
        silent += [f"{path} {p.name}" for p in command.params if not (p.help or "").strip()]
    assert silent == [], f"add help= to: {silent}"
    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    for path, _ in _commands(root, ctx, "onpace"):
        assert f"`{path}`" in page, path
