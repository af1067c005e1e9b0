"""Trees and funnels beside the KPIs: every mistake reported with file, line, field and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from onpace.catalog import catalog_files
from onpace.catalog.scaffold import create_workspace
from onpace.compare.loading import load_comparisons
from onpace.errors import IssueOwner, SpecIssue, UnknownNameError
from onpace.spec.loader import load_kpi_file, merge
from onpace.workspace import Workspace

BROKEN = """\
trees:
  - kpi: revenue
    formual: orders * average_order_value
  - kpi: revenue
    name: by_orders
    formula: orders * average_order_valu
  - kpi: gross_profit
    formula: revenue * gross_margin + orders
  - kpi: revenue
    name: by_orders
    formula: orders * average_order_value
  - kpi: net_customer_growth
    name: mixed_units
    formula: customers_won - revenue
funnels:
  - name: broken
    label: Broken
    steps:
      - {name: visits, entity: web_sessions, time: started_at, key: session_id}
      - {name: carts, entity: carts, time: created}
      - {name: orders, entity: order, time: ordered_at, key: order_id}
    dimensions: [sorce]
  - name: tiny
    label: One step
    steps:
      - {name: visits, entity: web_sessions, time: started_at}
  - name: good
    label: Good
    steps:
      - {name: visits, entity: web_sessions, time: started_at}
      - {name: carts, entity: carts, time: created_at, key: session_id, filter: "valu > 0"}
"""


def _issues(tmp_path: Path, text: str) -> tuple[Workspace, list[SpecIssue]]:
    root = tmp_path / "ws"
    create_workspace(root, "multichannel")
    (root / "kpis" / "more.yml").write_text(text, encoding="utf-8")
    ws = Workspace.open(root)
    return ws, [i for i in ws.issues if i.file and i.file.name == "more.yml"]


def _find(issues: list[SpecIssue], field: str) -> SpecIssue:
    found = [i for i in issues if i.field == field]
    assert found, f"no issue on {field}: {[str(i) for i in issues]}"
    return found[0]


def test_every_mistake_is_located(tmp_path: Path) -> None:
    ws, issues = _issues(tmp_path, BROKEN)
    typo = _find(issues, "tree revenue.formual")
    assert typo.line == 3 and "Did you mean 'formula'" in typo.message
    assert "allowed here" in typo.fix
    assert typo.owner == IssueOwner("tree", "revenue/default") and typo.kpi is None
    assert _find(issues, "tree revenue.formula").message == "required field is missing"
    unknown = _find(issues, "tree revenue/by_orders.formula")
    assert unknown.line == 6 and "Did you mean 'average_order_value'" in unknown.message
    mixed = _find(issues, "tree gross_profit.formula")
    assert mixed.line == 8 and "either multiplies or adds" in mixed.message
    twice = [i for i in issues if "two trees called 'by_orders'" in i.message]
    assert twice == []  # the first by_orders was invalid, so the second one is the only one
    units = _find(issues, "tree net_customer_growth/mixed_units.formula")
    assert units.level == "warning" and "mixes units" in units.message
    first_key = _find(issues, "funnel broken.steps.0.key")
    assert first_key.line == 19 and "first step" in first_key.message
    no_key = _find(issues, "funnel broken.steps.1")
    assert no_key.line == 20 and "needs 'key'" in no_key.message
    assert "created" in _find(issues, "funnel broken.steps.1.time").message
    entity = _find(issues, "funnel broken.steps.2.entity")
    assert entity.line == 21 and "Did you mean 'orders'" in entity.message
    dim = _find(issues, "funnel broken.dimensions.0")
    assert dim.line == 22 and dim.owner == IssueOwner("funnel", "broken")
    assert "at least 2" in _find(issues, "funnel tiny.steps").message
    bad_filter = _find(issues, "funnel good.steps.1.filter")
    assert bad_filter.line == 31
    # the valid definitions load; the broken ones are left out, and the KPIs are untouched
    assert "revenue/by_orders" in ws.comparisons.trees
    assert "broken" not in ws.comparisons.funnels and "good" not in ws.comparisons.funnels
    assert "revenue" in ws.kpis and ws.comparisons.trees["revenue/default"]


def test_duplicates_point_at_the_first(tmp_path: Path) -> None:
    text = """\
trees:
  - kpi: web_orders
    formula: website_visits * visit_to_order_conversion
funnels:
  - name: web_shop
    label: again
    steps:
      - {name: visits, entity: web_sessions, time: started_at}
      - {name: carts, entity: carts, time: created_at, key: session_id}
"""
    ws, issues = _issues(tmp_path, text)
    # files load in name order: more.yml comes first, so the catalog's trees.yml is the repeat
    tree = _find(ws.issues, "tree web_orders.kpi")
    assert tree.file is not None and tree.file.name == "trees.yml"
    assert "two trees called 'default'" in tree.message and "more.yml:2" in tree.message
    funnel = _find(issues, "funnel web_shop.name")
    assert "already defined at" in funnel.message and "funnels.yml" in funnel.message


def test_a_kpi_file_may_hold_only_trees_but_not_other_keys(tmp_path: Path) -> None:
    file = tmp_path / "x.yml"
    file.write_text("tres:\n  - kpi: revenue\n", encoding="utf-8")
    loaded = load_kpi_file(file)
    assert "a KPI file is a mapping" in loaded.issues[0].message
    file.write_text("trees: []\nextra: 1\n", encoding="utf-8")
    loaded = load_kpi_file(file)
    assert loaded.issues[0].field == "extra" and loaded.issues[0].line == 2
    file.write_text("trees: {kpi: revenue}\n", encoding="utf-8")
    _, issues = load_comparisons(load_kpi_file(file).documents, {})
    assert issues[0].message == "'trees' must be a list" and issues[0].line == 1


def test_the_catalog_trees_and_funnels_are_valid() -> None:
    from onpace.catalog import load_catalog

    loaded = merge([load_kpi_file(f) for f in catalog_files()])
    comparisons, issues = load_comparisons(loaded.documents, load_catalog())
    assert issues == []
    assert {t.kpi for t in comparisons.trees.values()} >= {
        "revenue",
        "gross_profit",
        "quotes_won",
        "web_orders",
        "net_customer_growth",
    }
    assert set(comparisons.funnels) == {"web_shop", "quotes", "inquiries"}


def test_derived_formulas_are_trees_and_lookups_say_what_exists(tmp_path: Path) -> None:
    ws, _ = _issues(tmp_path, "trees: []\n")
    assert ws.comparisons.formula(ws.comparisons.tree("net_profit")).text == (
        "gross_profit - operating_costs"
    )
    # net customer growth is written out already, so its formula is not added twice
    assert [t.name for t in ws.comparisons.trees_of("net_customer_growth")] == ["default"]
    with pytest.raises(UnknownNameError, match="has no driver tree"):
        ws.comparisons.tree("orders")
    with pytest.raises(UnknownNameError, match="no tree 'nope'"):
        ws.comparisons.tree("revenue", "nope")
    with pytest.raises(UnknownNameError, match="Did you mean 'quotes'"):
        ws.comparisons.funnel("quote")
