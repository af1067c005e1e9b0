"""The active-customer labels say which window they count, taken from onpace.yml."""

from __future__ import annotations

from pathlib import Path

from onpace.catalog import load_catalog
from onpace.catalog.scaffold import create_workspace
from onpace.workspace import Workspace


def test_label_names_the_workspace_churn_window(tmp_path: Path) -> None:
    create_workspace(tmp_path / "ws", "b2b", churn_days=90)
    ws = Workspace.open(tmp_path / "ws")
    assert ws.kpis["active_customers"].label == "Active customers (ordered in the last 90 days)"
    assert ws.kpis["active_target_customers"].label == (
        "Active customers in the target segment (ordered in the last 90 days)"
    )
    # buying customers are a different count, and say nothing about a window
    assert ws.kpis["buying_customers"].label == "Buying customers"


def test_label_follows_an_edited_onpace_yml(tmp_path: Path) -> None:
    create_workspace(tmp_path / "ws", "ecommerce")
    config = tmp_path / "ws" / "onpace.yml"
    assert (
        Workspace.open(tmp_path / "ws")
        .kpis["active_customers"]
        .label.endswith("(ordered in the last 365 days)")
    )
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("days: 365", "days: 180"), encoding="utf-8")
    assert (
        Workspace.open(tmp_path / "ws")
        .kpis["active_customers"]
        .label.endswith("(ordered in the last 180 days)")
    )
    config.write_text(text.replace("method: inactivity", "method: end_date"), encoding="utf-8")
    assert Workspace.open(tmp_path / "ws").kpis["active_customers"].label == (
        "Active customers (until their end date)"
    )


def test_the_catalog_keeps_the_placeholder_for_each_workspace() -> None:
    assert load_catalog()["active_customers"].label == "Active customers ({churn_window})"
    page = (Path(__file__).resolve().parents[2] / "docs" / "catalog.md").read_text("utf-8")
    assert "Active customers (ordered in the last 365 days)" in page
