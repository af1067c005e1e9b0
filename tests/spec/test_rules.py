"""The semantic rules one by one, their order, and the owner every issue carries."""

from __future__ import annotations

from pathlib import Path

import pytest

from onpace.errors import IssueOwner, SpecIssue
from onpace.spec.kpi import AnyKpi, DerivedKpi, DurationKpi, RatioKpi, SimpleKpi, SnapshotKpi
from onpace.spec.loader import load_kpi_file
from onpace.spec.rules import RULES, RuleContext
from onpace.spec.rules.aggregations import aggregated_values
from onpace.spec.rules.columns import known_columns
from onpace.spec.rules.derived_dimensions import shared_dimensions
from onpace.spec.rules.derived_formulas import known_references
from onpace.spec.rules.derived_loops import no_loops
from onpace.spec.rules.dimensions import reachable_dimensions
from onpace.spec.rules.entity_names import known_entities
from onpace.spec.rules.expressions import allowed_expressions
from onpace.spec.rules.multipliers import sensible_multipliers
from onpace.spec.rules.units import fitting_units
from onpace.spec.validate import validate_kpis


def simple(name: str, **fields: object) -> SimpleKpi:
    base: dict[str, object] = {
        "name": name,
        "label": name,
        "type": "simple",
        "entity": "orders",
        "agg": "sum",
        "column": "amount",
        "time": "ordered_at",
        "unit": "currency",
    }
    return SimpleKpi.model_validate({**base, **fields})


def derived(name: str, expr: str, **fields: object) -> DerivedKpi:
    return DerivedKpi.model_validate(
        {"name": name, "label": name, "type": "derived", "expr": expr, "unit": "ratio", **fields}
    )


def run(rule, *kpis: AnyKpi) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    ctx = RuleContext({k.name: k for k in kpis}, {})
    return [(i.field, i.message) for i in rule(ctx)]


def test_rules_run_in_the_listed_order() -> None:
    assert (
        known_entities,
        aggregated_values,
        known_columns,
        allowed_expressions,
        reachable_dimensions,
        fitting_units,
        sensible_multipliers,
        known_references,
        shared_dimensions,
        no_loops,
    ) == RULES


def test_known_entities() -> None:
    kpi = simple("k", entity="ordres", dimensions=["channel"])
    assert run(known_entities, kpi) == [
        ("k.entity", "unknown entity 'ordres'. Did you mean 'orders'?")
    ]
    # the other rules skip what an unknown entity makes meaningless
    for rule in RULES[1:]:
        assert run(rule, kpi) == [], rule


def test_aggregated_values() -> None:
    both = simple("both", expr="amount - cost")
    nothing = simple("nothing", column=None, agg="avg")
    stock = SnapshotKpi.model_validate(
        {
            "name": "stock",
            "label": "Stock",
            "type": "snapshot",
            "entity": "customer_spells",
            "agg": "sum",
            "start": "started_at",
            "unit": "count",
        }
    )
    assert run(aggregated_values, both, nothing, stock, simple("fine")) == [
        ("both.expr", "give either 'column' or 'expr', not both"),
        ("nothing.column", "'avg' needs a column to aggregate"),
        ("stock.column", "'sum' needs a column"),
    ]


def test_known_columns_and_their_kinds() -> None:
    kpi = simple("k", column="channel", time="amount")
    assert run(known_columns, kpi) == [
        ("k.column", "'channel' is a string column; a column must be money or number or integer"),
        ("k.time", "'amount' is a money column; a time column must be timestamp or date"),
    ]
    assert run(known_columns, simple("u", column="amout")) == [
        (
            "u.column",
            "'amout' is not a column of orders nor reachable from it. Did you mean 'amount'?",
        )
    ]


def test_allowed_expressions() -> None:
    kpi = simple("k", filter="statuss = 'won'")
    refused = simple("r", filter="1=1; DROP TABLE orders")
    assert run(allowed_expressions, kpi, refused) == [
        (
            "k.filter",
            "'statuss' is not a column of orders nor reachable from it. Did you mean 'status'?",
        ),
        ("r.filter", "only one expression is allowed: remove the ';' and what follows it"),
    ]


def test_reachable_dimensions_reported_once_per_entity() -> None:
    ratio = RatioKpi.model_validate(
        {
            "name": "r",
            "label": "R",
            "type": "ratio",
            "unit": "ratio",
            "numerator": {"entity": "orders", "agg": "count", "time": "ordered_at"},
            "denominator": {"entity": "orders", "agg": "count", "time": "ordered_at"},
            "dimensions": ["chanel"],
        }
    )
    issues = run(reachable_dimensions, ratio)
    assert len(issues) == 1  # both sides read orders: one issue, not two
    assert issues[0][0] == "r.dimensions.0" and "Did you mean 'channel'" in issues[0][1]


def test_fitting_units() -> None:
    kpi = DurationKpi.model_validate(
        {
            "name": "d",
            "label": "D",
            "type": "duration",
            "entity": "leads",
            "start": "created_at",
            "end": "converted_at",
            "unit": "count",
        }
    )
    assert run(fitting_units, kpi) == [("d.unit", "a duration is measured in days, not count")]


def test_sensible_multipliers() -> None:
    def ratio(multiplier: float, unit: str) -> RatioKpi:
        side = {"entity": "orders", "agg": "count", "time": "ordered_at"}
        return RatioKpi.model_validate(
            {
                "name": f"r{multiplier:g}{unit}",
                "label": "R",
                "type": "ratio",
                "unit": unit,
                "multiplier": multiplier,
                "numerator": side,
                "denominator": side,
            }
        )

    ctx = RuleContext({k.name: k for k in (ratio(0, "ratio"), ratio(100, "percent"))}, {})
    found = [(i.field, i.level) for i in sensible_multipliers(ctx)]
    assert found == [("r0ratio.multiplier", "error"), ("r100percent.multiplier", "warning")]
    assert run(sensible_multipliers, ratio(100, "ratio"), ratio(1, "percent")) == []


def test_known_references() -> None:
    assert run(known_references, simple("revenue"), derived("g", "revenu / 2")) == [
        ("g.expr", "unknown KPI 'revenu' in 'revenu / 2'. Did you mean 'revenue'?")
    ]
    assert run(known_references, derived("s", "s + 1")) == [("s.expr", "'s' refers to itself")]
    assert run(known_references, derived("p", "p / prior(p)")) == [
        ("p.expr", "'p' refers to itself")
    ]


def test_shared_dimensions() -> None:
    revenue = simple("revenue", dimensions=["channel"])
    costs = simple("costs", entity="costs", time="incurred_on")
    margin = derived("margin", "revenue - costs", dimensions=["channel"])
    assert run(shared_dimensions, revenue, costs, margin) == [
        (
            "margin.dimensions.0",
            "'channel' is not a dimension of 'costs', which 'margin' is computed from",
        )
    ]


def test_no_loops() -> None:
    kpis = (derived("a", "b + 1"), derived("b", "c + 1"), derived("c", "a + 1"), derived("d", "a"))
    assert run(no_loops, *kpis) == [
        ("a.expr", "derived KPIs refer to each other in a loop: a -> b -> c -> a")
    ]


def test_every_issue_names_its_kpi_and_issues_come_in_file_order(tmp_path: Path) -> None:
    path = tmp_path / "kpis.yml"
    path.write_text(
        "kpis:\n"
        "  - name: first\n"  # 2
        "    type: simple\n"
        "    label: First\n"
        "    entity: orders\n"
        "    agg: sum\n"
        "    column: channel\n"  # 7: wrong kind (columns rule)
        "    filter: \"stauts = 'x'\"\n"  # 8: unknown column (expressions rule)
        "    time: ordered\n"  # 9: unknown column (columns rule)
        "    unit: currency\n"
        "    dimensions: [chanel]\n"  # 11
        "  - name: second\n"
        "    type: simple\n"
        "    label: Second\n"
        "    entity: ordres\n"  # 15
        "    agg: count\n"
        "    time: ordered_at\n"
        "    unit: count\n"
    )
    loaded = load_kpi_file(path)
    assert loaded.issues == []
    issues = validate_kpis(loaded.kpis, loaded.sources)
    assert [(i.line, i.field, i.kpi) for i in issues] == [
        (7, "first.column", "first"),
        (8, "first.filter", "first"),
        (9, "first.time", "first"),
        (11, "first.dimensions.0", "first"),
        (15, "second.entity", "second"),
    ]
    assert all(i.owner == IssueOwner("kpi", i.field.split(".")[0]) for i in issues)


def test_loader_issues_name_their_kpi_and_file_issues_none(tmp_path: Path) -> None:
    path = tmp_path / "kpis.yml"
    path.write_text(
        "kpis:\n"
        "  - name: a.b\n"  # a name with a dot: the owner is still the whole name
        "    type: simple\n"
        "    label: A\n"
        "    entity: orders\n"
        "    agg: summ\n"
        "    time: ordered_at\n"
        "    unit: count\n"
        "  - just text\n"
    )
    issues = load_kpi_file(path).issues
    owners = {i.owner for i in issues}
    assert IssueOwner("kpi", "a.b") in owners
    assert None in owners  # '- just text' is no KPI at all
    broken = tmp_path / "broken.yml"
    broken.write_text("kpis: [\n")
    [syntax] = load_kpi_file(broken).issues
    assert syntax.owner is None and syntax.kpi is None


def test_objective_issues_name_their_objective(tmp_path: Path) -> None:
    from onpace.objectives.tree import load_objectives

    (tmp_path / "objectives.yml").write_text(
        "objectives:\n"
        "  - name: growth\n"
        "    label: Grow\n"
        "    kpis: {revenu: 1}\n"
        "    objectives:\n"
        "      - name: web\n"
        "        label: Web\n"
        "        colour: red\n"
    )
    issues = load_objectives(tmp_path, "objectives.yml", {"revenue": object()}).issues
    assert [(i.line, i.owner) for i in issues] == [(8, IssueOwner("objective", "web"))]
    (tmp_path / "objectives.yml").write_text(
        "objectives:\n  - name: growth\n    label: Grow\n    kpis: {revenu: 1}\n"
    )
    [issue] = load_objectives(tmp_path, "objectives.yml", {"revenue": object()}).issues
    assert (issue.line, issue.owner) == (4, IssueOwner("objective", "growth"))
    assert issue.kpi is None


@pytest.mark.parametrize(
    ("issue", "kpi"),
    [
        (SpecIssue("error", None, None, "x.y", "m", owner=IssueOwner("kpi", "x")), "x"),
        (SpecIssue("error", None, None, "x.y", "m", owner=IssueOwner("objective", "x")), None),
        (SpecIssue("error", None, None, "x.y", "m"), None),
    ],
)
def test_issue_kpi_is_read_from_the_owner_not_the_field(issue: SpecIssue, kpi: str | None) -> None:
    assert issue.kpi == kpi
