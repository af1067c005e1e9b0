"""Explaining changes on the hand-checked sales data (tests/support/sales_data.py).

February against January 2024 (completed orders):
    January:  o1 100 (c1 sales), o2 50 (c2 web), o3 80 (c3 store): 230, 3 orders, 3 customers
    February: o5 120 (c1 sales), o6 40.50 (c4 web), o7 30 (guest web), o11 25 (c4 store):
              215.50, 4 orders, 2 customers
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import pytest

from onpace.compare.explain import explain_change
from onpace.compare.identity import check_identities
from onpace.errors import AttributionError, UnknownNameError
from onpace.store import workspace_store
from onpace.targets.definition import Target, parse_target_period
from onpace.workspace import Workspace
from tests.web.conftest import make_workspace

AS_OF = datetime(2024, 3, 20, 12, 0)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return Workspace.open(make_workspace(tmp_path_factory.mktemp("explain") / "ws"))


def test_gross_profit_expanded_to_four_drivers(ws: Workspace) -> None:
    # gross profit: January 100-60 + 50-20 + 80-0 = 150; February 120-70 + 40.5-10.5 + 30-15
    # + 25-5 = 115; margin 150/230 -> 115/215.5
    e = explain_change(ws, "gross_profit", "2024-02", "2024-01", depth=2, as_of=AS_OF)
    assert (e.before, e.after) == pytest.approx((150.0, 115.0))
    assert [d.kpi for d in e.drivers] == [
        "buying_customers",
        "orders_per_buying_customer",
        "average_order_value",
        "gross_margin",
    ]
    margin = next(d for d in e.drivers if d.kpi == "gross_margin")
    assert (margin.before, margin.after) == pytest.approx((150 / 230, 115 / 215.5))
    assert math.fsum(d.part for d in e.drivers) == pytest.approx(-35.0)
    one_level = explain_change(ws, "gross_profit", "2024-02", "2024-01", as_of=AS_OF)
    # revenue x margin, two drivers: revenue (215.5-230) x mean margin, margin x mean revenue
    parts = {d.kpi: d.part for d in one_level.drivers}
    mean_margin = (150 / 230 + 115 / 215.5) / 2
    assert parts["revenue"] == pytest.approx(-14.5 * mean_margin)
    assert parts["gross_margin"] == pytest.approx((115 / 215.5 - 150 / 230) * (230 + 215.5) / 2)


def test_distinct_counts_overlap_between_members(ws: Workspace) -> None:
    # buying customers: January c1 (sales) c2 (web) c3 (store) = 3; February c1 (sales),
    # c4 (web and store) = 2. Each channel has one customer in both months: no member moved,
    # and the drop of 1 is c4 counted in two channels: the overlap line says so.
    e = explain_change(ws, "buying_customers", "2024-02", "2024-01", by="channel", as_of=AS_OF)
    assert e.members is not None
    assert {p.member: p.change for p in e.members.parts} == {"sales": 0, "web": 0, "store": 0}
    assert e.members.unexplained == pytest.approx(-1.0)
    assert "distinct count" in e.members.unexplained_reason


def test_sums_need_no_method_and_lmdi_refuses_zero(ws: Workspace) -> None:
    # net customer growth = won - lost: the parts are the changes themselves
    e = explain_change(ws, "net_profit", "2024-02", "2024-01", as_of=AS_OF)
    parts = {d.kpi: d.part for d in e.drivers}
    # net profit = gross profit - operating costs: 150 - 120 = 30 -> 115 - 100 = 15
    assert parts == pytest.approx({"gross_profit": -35.0, "operating_costs": 20.0})
    # web orders = visits x conversion: February 3 visits (s4 s5 s6) x 2/3 (o6, o7) = 2; March
    # to the 20th 1 visit (s7) x 0 = 0. Shapley: visits (1-3) x (2/3 + 0)/2 = -2/3,
    # conversion (0 - 2/3) x (3 + 1)/2 = -4/3. The log split cannot take the 0.
    e = explain_change(ws, "web_orders", "2024-03", "previous", as_of=AS_OF)
    parts = {d.kpi: d.part for d in e.drivers}
    assert parts == pytest.approx({"website_visits": -2 / 3, "visit_to_order_conversion": -4 / 3})
    assert any("in progress" in n for n in e.notes)
    with pytest.raises(AttributionError, match="Shapley"):
        explain_change(ws, "web_orders", "2024-03", "previous", method="lmdi", as_of=AS_OF)


def test_bad_requests_are_clear(ws: Workspace) -> None:
    with pytest.raises(UnknownNameError, match="Did you mean 'revenue'"):
        explain_change(ws, "revenu", as_of=AS_OF)
    with pytest.raises(UnknownNameError, match="cannot be broken down by 'colour'"):
        explain_change(ws, "revenue", by="colour", as_of=AS_OF)
    with pytest.raises(UnknownNameError, match="compare a month with a month"):
        explain_change(ws, "revenue", "2024-02", "2024", as_of=AS_OF)
    with pytest.raises(UnknownNameError, match="the period itself"):
        explain_change(ws, "revenue", "2024-02", "2024-02", as_of=AS_OF)
    with pytest.raises(AttributionError, match="has no value in 2023-02"):
        explain_change(ws, "revenue", "2024-02", as_of=AS_OF)  # a year earlier: no orders
    with pytest.raises(UnknownNameError, match="has no driver tree"):
        explain_change(ws, "orders", "2024-02", "previous", as_of=AS_OF)
    # without a tree the members still explain it
    e = explain_change(ws, "orders", "2024-02", "previous", by="channel", as_of=AS_OF)
    assert e.drivers == [] and sum(p.change for p in e.members.parts) == 1  # type: ignore[union-attr]


def test_against_targets_of_the_drivers(tmp_path: Path) -> None:
    """Revenue target 240 for February; drivers' targets 2 customers, 2 orders each, 65 per order
    (2 x 2 x 65 = 260, not 240: the line 'drivers' targets do not multiply' holds the 20).

    Actual 2 x 2 x 53.875 = 215.5: customers and frequency on target, the basket 11.125 short:
    the whole gap of the product to its drivers' targets (215.5 - 260 = -44.5) is the basket's.
    """
    ws = Workspace.open(make_workspace(tmp_path / "ws"))
    store = workspace_store(ws)
    period = parse_target_period("2024-02", ws.calendar)
    for kpi, value in (
        ("revenue", 240.0),
        ("buying_customers", 2.0),
        ("orders_per_buying_customer", 2.0),
        ("average_order_value", 65.0),
    ):
        store.set_target(Target(kpi, period, value), reason="plan", author="test")
    e = explain_change(ws, "revenue", "2024-02", "target", as_of=AS_OF, store=store)
    store.close()
    assert (e.before, e.after) == (240.0, pytest.approx(215.5))
    parts = {d.kpi: d.part for d in e.drivers}
    assert parts["buying_customers"] == pytest.approx(0.0)
    assert parts["orders_per_buying_customer"] == pytest.approx(0.0)
    assert parts["average_order_value"] == pytest.approx(215.5 - 260.0)
    assert e.tree_gap == pytest.approx(260.0 - 240.0)
    assert "do not multiply" in e.tree_gap_reason
    assert math.fsum(parts.values()) + e.tree_gap == pytest.approx(215.5 - 240.0)


def test_identities_hold_on_the_data_and_a_wrong_tree_is_caught(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    ws = Workspace.open(root)
    assert [i for i in check_identities(ws, AS_OF) if i.level == "error"] == []
    (root / "kpis" / "wrong.yml").write_text(
        "trees:\n  - kpi: revenue\n    name: wrong\n"
        "    formula: orders * average_margin_per_sale\n",
        encoding="utf-8",
    )
    ws = Workspace.open(root)
    errors = [i for i in check_identities(ws, AS_OF) if i.level == "error"]
    assert len(errors) == 1
    issue = errors[0]
    assert issue.file is not None and issue.file.name == "wrong.yml" and issue.line == 2
    assert issue.field == "tree revenue/wrong.formula"
    # January: 3 orders x 150/3 margin per sale = 150, not the revenue of 230
    assert "in 2024-01 revenue is 230 but orders * average_margin_per_sale gives 150" in (
        issue.message
    )


def test_no_data_no_check(tmp_path: Path) -> None:
    from onpace.catalog.scaffold import create_workspace

    create_workspace(tmp_path / "empty", "multichannel")
    ws = Workspace.open(tmp_path / "empty")
    assert check_identities(ws) == []
    assert not (tmp_path / "empty" / "warehouse.duckdb").exists()  # not created by the check


def test_a_period_in_progress_is_measured_against_the_target_due_so_far(tmp_path: Path) -> None:
    """March 2024 as of the 20th at noon: 19 of its 31 days are over (the pace's rule).

    A March revenue target of 310 is due 310 x 19/31 = 190 by then; a 2024 target of 3,660
    spread linearly gives March 3,660 x 31/366 = 310 and so the same 190. March so far:
    o8 60 + o9 90 = 150. A rate keeps its whole target: gross profit's target of 124 is due
    124 x 19/31 = 76, its driver gross margin keeps 40% (March so far: (30 + 45) / 150).
    """
    ws = Workspace.open(make_workspace(tmp_path / "ws"))
    store = workspace_store(ws)
    march = parse_target_period("2024-03", ws.calendar)
    monthly = store.set_target(Target("revenue", march, 310.0), reason="plan", author="test")
    store.set_target(Target("gross_profit", march, 124.0), reason="plan", author="test")
    store.set_target(Target("gross_margin", march, 0.4), reason="plan", author="test")
    month = explain_change(ws, "revenue", "2024-03", "target", as_of=AS_OF, store=store)
    profit = explain_change(ws, "gross_profit", "2024-03", "target", as_of=AS_OF, store=store)
    store.retire_target(monthly, reason="yearly now", author="test")
    year = parse_target_period("2024", ws.calendar)
    store.set_target(Target("revenue", year, 3660.0), reason="plan", author="test")
    yearly = explain_change(ws, "revenue", "2024-03", "target", as_of=AS_OF, store=store)
    store.close()
    assert (month.before, month.after) == (pytest.approx(190.0), pytest.approx(150.0))
    assert any("part due by 2024-03-20 (61%) of the 2024-03 target" in n for n in month.notes)
    assert (yearly.before, yearly.after) == (pytest.approx(190.0), pytest.approx(150.0))
    assert any("share of the 2024 target" in n for n in yearly.notes)
    assert (profit.before, profit.after) == (pytest.approx(76.0), pytest.approx(75.0))
    drivers = {d.kpi: (d.before, d.after) for d in profit.drivers}
    assert drivers["revenue"] == (pytest.approx(190.0), pytest.approx(150.0))
    assert drivers["gross_margin"] == (pytest.approx(0.4), pytest.approx(0.5))
