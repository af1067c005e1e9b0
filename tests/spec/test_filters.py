"""Filters and row expressions: parsed, checked against a whitelist, translated to Ibis."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from onpace.errors import FilterError
from onpace.model.entities import ENTITIES
from onpace.spec.filters import (
    check_columns,
    parse_derived_expression,
    parse_row_expression,
    to_ibis,
)
from onpace.spec.kpi import SimpleKpi
from onpace.spec.validate import validate_kpis

# --- parsing --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "columns"),
    [
        ("status = 'won'", ("status",)),
        ("status in ('won', 'lost')", ("status",)),
        ("status is null or status <> 'cancelled'", ("status",)),
        ("rep_id is not null and (status is null or status <> 'cancelled')", ("rep_id", "status")),
        ("is_paid", ("is_paid",)),
        ("not is_paid", ("is_paid",)),
        ("amount between 10 and 20", ("amount",)),
        ("lower(channel) like 'w%'", ("channel",)),
        ("coalesce(cost, 0) < amount", ("cost", "amount")),
        (
            "kind = 'return' and (order.status is null or order.status <> 'cancelled')",
            ("kind", "order.status"),
        ),
        ("order.rep.team = 'North'", ("order.rep.team",)),
    ],
)
def test_filters_parse_with_their_columns(text, columns):
    parsed = parse_row_expression(text, kind="filter")
    assert parsed.text == text
    assert parsed.kind == "filter"
    assert sorted(parsed.columns) == sorted(columns)


def test_value_expressions_parse():
    assert parse_row_expression("amount - coalesce(cost, 0)", kind="value").columns == (
        "amount",
        "cost",
    )
    case = "case when score >= 9 then 1 when score <= 6 then -1 else 0 end"
    assert parse_row_expression(case, kind="value").columns == ("score",)


def test_a_number_is_not_a_condition():
    with pytest.raises(FilterError, match="is a number, not a condition"):
        parse_row_expression("amount + cost", kind="filter")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1=1; DROP TABLE orders", "only one expression is allowed: remove the ';'"),
        ("status = 'won' -- x", "comments are not allowed"),
        ("/* c */ status = 'won'", "comments are not allowed"),
        ("amount > (select max(amount) from orders)", "subqueries are not allowed"),
        ("read_csv('/etc/passwd') is not null", "function read_csv() is not allowed"),
        ("exists (select 1)", "is not allowed"),
        ("pg_sleep(10) = 1", "function pg_sleep() is not allowed"),
        ("status = 'a' union select 1", "subqueries are not allowed"),
        ("1 = 1 union all select password from users", "subqueries are not allowed"),
        ("amount in (select amount from orders)", "IN must list values"),
        ("(select 1) = 1", "subqueries are not allowed"),
        ("drop table orders", "is not allowed"),
        ("cast(amount as int) > 1", "function cast() is not allowed"),
        ("amount::int > 1", "is not allowed"),
        ("sum(amount) > 0", "function sum() is not allowed"),
        ("now() > ordered_at", "function now() is not allowed"),
        ("status = 'a' || 'b'", "is not allowed"),
        ("status = :p", "is not allowed"),
        ("amount > all (select 1)", "is not allowed"),
        ("amount > 0 limit 1", "cannot read"),
        ("status = 'won", "cannot read"),
        ("", "the expression is empty"),
        ("   ", "the expression is empty"),
    ],
)
def test_injection_and_unsupported_syntax_is_refused(text, message):
    with pytest.raises(FilterError) as info:
        parse_row_expression(text, kind="filter")
    assert message in str(info.value)
    assert info.value.fix  # every refusal says what to write instead


def test_refusal_message_names_the_allowed_functions():
    with pytest.raises(FilterError) as info:
        parse_row_expression("pg_sleep(10) = 1", kind="filter")
    assert "lower, upper, trim, length, abs, coalesce, round, nullif" in str(info.value)


def test_derived_formulas():
    assert parse_derived_expression("revenue / prior(revenue) - 1").columns == ("revenue",)
    assert parse_derived_expression("gross_profit - operating_costs").columns == (
        "gross_profit",
        "operating_costs",
    )
    with pytest.raises(FilterError, match=r"function priorr\(\) is not allowed.*'prior'"):
        parse_derived_expression("revenue / priorr(revenue)")
    with pytest.raises(FilterError, match="takes one KPI name"):
        parse_derived_expression("prior(revenue, 2)")
    with pytest.raises(FilterError, match="text 'x' is not allowed"):
        parse_derived_expression("revenue + 'x'")
    with pytest.raises(FilterError, match="is not a KPI name"):
        parse_derived_expression("orders.revenue * 2")
    with pytest.raises(FilterError, match="only one expression"):
        parse_derived_expression("revenue; drop table orders")
    with pytest.raises(FilterError, match="is not allowed"):
        parse_derived_expression("revenue > 1")


# --- unknown columns ------------------------------------------------------------


def test_check_columns_suggests_the_closest_name():
    parsed = parse_row_expression("stauts = 'won' and amount > 0", kind="filter")
    problems = check_columns(parsed, ENTITIES["orders"].column_names)
    assert problems == [
        "unknown column 'stauts' in \"stauts = 'won' and amount > 0\". Did you mean 'status'?"
    ]
    assert (
        check_columns(
            parse_row_expression("amount > 0", kind="filter"), ENTITIES["orders"].column_names
        )
        == []
    )


def test_validate_reports_unknown_filter_columns_with_did_you_mean():
    kpi = SimpleKpi(
        name="back",
        label="Back",
        type="simple",
        entity="returns",
        agg="count",
        filter="reson = 'x' and order.stauts = 'y' and order.rep.teem = 'z'",
        time="order.ordered",
        unit="count",
    )
    issues = validate_kpis([kpi], {})
    assert all(i.level == "error" for i in issues)
    filter_messages = sorted(i.message for i in issues if i.field == "back.filter")
    assert filter_messages == [
        "'order.rep.teem' is not a column of returns nor reachable from it."
        " Did you mean 'order.rep.team' or 'order.rep.name'?",
        "'order.stauts' is not a column of returns nor reachable from it."
        " Did you mean 'order.status' or 'order.amount'?",
        "'reson' is not a column of returns nor reachable from it. Did you mean 'reason'?",
    ]
    [time_issue] = [i for i in issues if i.field == "back.time"]
    assert "Did you mean 'order.ordered_at'" in time_issue.message
    assert len(issues) == 4


def test_validate_reports_a_refused_filter():
    kpi = SimpleKpi(
        name="bad",
        label="Bad",
        type="simple",
        entity="orders",
        agg="count",
        filter="1=1; DROP TABLE orders",
        time="ordered_at",
        unit="count",
    )
    issues = validate_kpis([kpi], {})
    assert [(i.field, i.message) for i in issues] == [
        ("bad.filter", "only one expression is allowed: remove the ';' and what follows it")
    ]


# --- translation --------------------------------------------------------------------

ROWS = pd.DataFrame(
    {
        "id": ["a", "b", "c", "d", "e"],
        "status": ["won", "lost", None, "open", "Won"],
        "amount": [10.0, 20.0, 30.0, None, 5.0],
        "cost": [4.0, None, 10.0, 1.0, 5.0],
        "is_paid": [True, False, None, True, False],
    }
)


@pytest.fixture(scope="module")
def table():
    con = ibis.duckdb.connect()
    return con, con.create_table("rows", ROWS)


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("status = 'won'", "a"),
        ("status <> 'won'", "bde"),  # null status is neither
        ("status is null or status <> 'won'", "bcde"),
        ("status in ('won', 'lost')", "ab"),
        ("status not in ('won', 'lost')", "de"),
        ("lower(status) = 'won'", "ae"),
        ("upper(status) like 'W%'", "ae"),
        ("status like 'w%'", "a"),
        ("status not like 'w%'", "bde"),
        ("status ilike 'w%'", "ae"),
        ("status not ilike 'w%'", "bd"),
        ("amount between 10 and 20", "ab"),
        ("amount not between 10 and 20", "ce"),
        ("amount > 10 and cost is not null", "c"),
        ("amount - coalesce(cost, 0) > 10", "bc"),  # 6, 20, 20, null, 0
        ("amount / 4 > 2.5", "bc"),  # division is not integer division
        ("amount * 2 >= 20", "abc"),
        ("-amount < -15", "bc"),
        ("round(amount / 3) = 3", "a"),  # 3.33, 6.67, 10, null, 1.67
        ("nullif(status, 'won') is null", "ac"),
        ("length(status) = 3", "ae"),
        ("trim('  won ') = status", "a"),
        ("case when amount >= 20 then true else false end", "bc"),
        ("if(amount >= 20, true, false)", "bc"),
        ("is_paid", "ad"),
        ("not is_paid", "be"),
        ("is_paid is true", "ad"),
        ("is_paid is false", "be"),
        ("is_paid is not true", "bce"),  # SQL: a null is not true
        ("is_paid is not false", "acd"),
        ("not (status = 'won' or amount > 15)", "e"),
    ],
)
def test_filters_translate_to_the_rows_sql_would_keep(table, text, ids):
    con, t = table
    expr = to_ibis(parse_row_expression(text, kind="filter"), lambda c: t[c])
    kept = con.execute(t.filter(expr).select("id").order_by("id"))["id"].tolist()
    assert "".join(kept) == ids


def test_value_expressions_translate(table):
    con, t = table
    expr = to_ibis(parse_row_expression("amount - coalesce(cost, 0)", kind="value"), lambda c: t[c])
    # (10 - 4) + (20 - 0) + (30 - 10) + null + (5 - 5)
    assert con.execute(expr.sum()) == pytest.approx(6 + 20 + 20 + 0)
    nps = to_ibis(
        parse_row_expression(
            "case when amount >= 20 then 1 when amount <= 5 then -1 else 0 end", kind="value"
        ),
        lambda c: t[c],
    )
    assert con.execute(nps.sum()) == 1 + 1 - 1  # b, c promoters; e detractor; d null
