"""Exact attribution over drivers: hand-worked two-period examples and a property test.

The example: revenue = customers x orders per customer x average order value,
before 100 x 2 x 50 = 10,000 and after 110 x 2.2 x 45 = 10,890 (+890).

Shapley, by hand (f(S) = revenue with the drivers in S at their new value):

    f()=10000  f(B)=11000  f(O)=11000  f(A)=9000
    f(BO)=12100  f(BA)=9900  f(OA)=9900  f(BOA)=10890

    B: 1/3 (11000-10000) + 1/6 (12100-11000) + 1/6 (9900-9000) + 1/3 (10890-9900)
       = 1000/3 + 1100/6 + 900/6 + 990/3 = 2990/3 = 996.67
    O: the same as B (both grew by 10%, the Shapley split is symmetric): 2990/3
    A: 1/3 (9000-10000) + 1/6 (9900-11000) + 1/6 (9900-11000) + 1/3 (10890-12100)
       = -1000/3 - 1100/6 - 1100/6 - 1210/3 = -3310/3 = -1103.33
    sum: (2990 + 2990 - 3310) / 3 = 2670 / 3 = 890
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onpace.compare.attribution import attribute, lmdi_parts, log_mean, shapley_parts
from onpace.compare.formula import Term, TreeFormula, parse_tree_formula
from onpace.errors import AttributionError, FilterError

REVENUE = parse_tree_formula("customers * orders_per_customer * order_value")
BEFORE = {"customers": 100.0, "orders_per_customer": 2.0, "order_value": 50.0}
AFTER = {"customers": 110.0, "orders_per_customer": 2.2, "order_value": 45.0}


def test_shapley_split_of_a_product_by_hand() -> None:
    parts = shapley_parts(REVENUE, BEFORE, AFTER)
    assert parts["customers"] == pytest.approx(2990 / 3, abs=1e-9)
    assert parts["orders_per_customer"] == pytest.approx(2990 / 3, abs=1e-9)
    assert parts["order_value"] == pytest.approx(-3310 / 3, abs=1e-9)
    assert math.fsum(parts.values()) == pytest.approx(890.0, abs=1e-9)


def test_lmdi_split_of_the_same_product_by_hand() -> None:
    # L(10890, 10000) = 890 / ln(1.089); each part is L * ln(after / before)
    weight = 890 / math.log(10890 / 10000)
    parts = lmdi_parts(REVENUE, BEFORE, AFTER)
    assert parts["customers"] == pytest.approx(weight * math.log(1.1), rel=1e-12)
    assert parts["orders_per_customer"] == pytest.approx(weight * math.log(1.1), rel=1e-12)
    assert parts["order_value"] == pytest.approx(weight * math.log(0.9), rel=1e-12)
    assert parts["customers"] == pytest.approx(994.92, abs=0.01)
    assert parts["order_value"] == pytest.approx(-1099.83, abs=0.01)
    assert math.fsum(parts.values()) == pytest.approx(890.0, abs=1e-9)


def test_two_drivers_shapley_is_the_midpoint_rule() -> None:
    # gross profit = revenue x margin: 1000 x 0.30 = 300 -> 1200 x 0.25 = 300, no change;
    # revenue: (1200-1000) x (0.30+0.25)/2 = 55, margin: (0.25-0.30) x (1000+1200)/2 = -55
    formula = parse_tree_formula("revenue * gross_margin")
    parts = shapley_parts(
        formula, {"revenue": 1000, "gross_margin": 0.30}, {"revenue": 1200, "gross_margin": 0.25}
    )
    assert parts == pytest.approx({"revenue": 55.0, "gross_margin": -55.0})


def test_a_sum_splits_into_each_drivers_change_with_its_sign() -> None:
    formula = parse_tree_formula("customers_won - customers_lost")
    parts = attribute(
        formula,
        {"customers_won": 20, "customers_lost": 15},
        {"customers_won": 26, "customers_lost": 18},
    )
    # growth 5 -> 8: won +6, lost +3 takes 3 away
    assert parts == {"customers_won": 6.0, "customers_lost": -3.0}


def test_division_counts_as_a_negative_power() -> None:
    # average order value = revenue / orders: 1000/10 = 100 -> 1500/12 = 125 (+25)
    formula = parse_tree_formula("revenue / orders")
    assert formula.terms == (Term("revenue", 1), Term("orders", -1))
    parts = shapley_parts(formula, {"revenue": 1000, "orders": 10}, {"revenue": 1500, "orders": 12})
    # revenue: 1/2 (1500/10 - 1000/10) + 1/2 (1500/12 - 1000/12) = 25 + 20.8333 = 45.8333
    # orders:  1/2 (1000/12 - 1000/10) + 1/2 (1500/12 - 1500/10) = -8.3333 - 12.5 = -20.8333
    assert parts["revenue"] == pytest.approx(45.833333, abs=1e-6)
    assert parts["orders"] == pytest.approx(-20.833333, abs=1e-6)


def test_shapley_handles_a_driver_that_starts_at_zero_and_lmdi_refuses() -> None:
    formula = parse_tree_formula("visits * conversion")
    before = {"visits": 0.0, "conversion": 0.05}
    after = {"visits": 1000.0, "conversion": 0.04}
    parts = shapley_parts(formula, before, after)
    # 0 -> 40: visits 1/2 (1000*0.05 - 0) + 1/2 (1000*0.04 - 0) = 45; conversion -5
    assert parts == pytest.approx({"visits": 45.0, "conversion": -5.0})
    with pytest.raises(AttributionError, match="positive"):
        lmdi_parts(formula, before, after)


def test_missing_driver_and_zero_divisor_are_clear_errors() -> None:
    formula = parse_tree_formula("revenue / orders")
    with pytest.raises(AttributionError, match="orders"):
        attribute(formula, {"revenue": 1.0}, {"revenue": 2.0, "orders": 1.0})
    with pytest.raises(AttributionError, match="divides"):
        attribute(formula, {"revenue": 1.0, "orders": 0.0}, {"revenue": 2.0, "orders": 1.0})


def test_log_mean() -> None:
    assert log_mean(5.0, 5.0) == 5.0
    assert log_mean(math.e, 1.0) == pytest.approx((math.e - 1) / 1.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a * b + c", "either multiplies or adds"),
        ("a * 2", "number"),
        ("prior(a) * b", "functions"),
        ("a", "at least two"),
        ("a * b * a", "more than once"),
        ("a >", "cannot read"),
    ],
)
def test_formulas_that_cannot_be_trees(text: str, message: str) -> None:
    with pytest.raises(FilterError, match=message):
        parse_tree_formula(text)


def test_formula_text_and_substitution() -> None:
    outer = parse_tree_formula("revenue * gross_margin")
    inner = parse_tree_formula("customers * orders_per_customer * order_value")
    merged = outer.substitute("revenue", inner)
    assert merged is not None
    assert merged.text == "customers * orders_per_customer * order_value * gross_margin"
    assert parse_tree_formula("-a + b - (c + d)").text == "-a + b - c - d"
    assert parse_tree_formula("a / (b * c)").text == "a / b / c"
    assert outer.substitute("revenue", parse_tree_formula("x - y")) is None


names = st.integers(min_value=2, max_value=6)
positive = st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_infinity=False)
anything = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def cases(draw: st.DrawFn) -> tuple[TreeFormula, dict[str, float], dict[str, float], bool]:
    n = draw(names)
    kind = draw(st.sampled_from(["product", "sum"]))
    powers = draw(st.lists(st.sampled_from([1, -1]), min_size=n, max_size=n))
    if kind == "product":
        powers[0] = 1
    terms = tuple(Term(f"k{i}", p) for i, p in enumerate(powers))
    positive_only = draw(st.booleans())
    divides = kind == "product" and any(p < 0 for p in powers)
    values = positive if positive_only or divides else anything
    before = {t.kpi: draw(values) for t in terms}
    after = {t.kpi: draw(values) for t in terms}
    return TreeFormula(kind, terms), before, after, positive_only  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(cases())
def test_the_parts_always_sum_to_the_change(
    case: tuple[TreeFormula, dict[str, float], dict[str, float], bool],
) -> None:
    formula, before, after, positive_only = case
    change = formula.evaluate(after) - formula.evaluate(before)
    methods = ["shapley", "lmdi"] if positive_only else ["shapley"]
    for method in methods:
        parts = attribute(formula, before, after, method)  # type: ignore[arg-type]
        assert set(parts) == set(formula.kpis)
        # exact up to floating-point rounding of the largest number involved
        biggest = max(abs(v) for v in parts.values())
        scale = max(1.0, abs(formula.evaluate(after)), abs(formula.evaluate(before)), biggest)
        assert math.fsum(parts.values()) == pytest.approx(change, abs=1e-9 * scale)
        unchanged = [k for k in formula.kpis if before[k] == after[k]]
        for k in unchanged:  # a driver that did not move explains nothing
            assert parts[k] == pytest.approx(0.0, abs=1e-9 * scale)
