"""The plan: one grouped scan per entity and time column, identical measures computed once.

These pin the claim of docs/architecture.md by counting: the queries a plan holds,
the aggregates in each, and the queries a computation actually sends to the
warehouse.
"""

from __future__ import annotations

from dataclasses import replace

from onpace.query.plan import build_plan
from onpace.query.session import ComputeRequest
from onpace.query.statements import statements_for
from onpace.spec.kpi import DurationKpi, Measure, RatioKpi, SimpleKpi
from tests.support.compiled_sql import plan_expressions, to_sql


def _measure_key(m: Measure) -> tuple[object, ...]:
    agg = m.agg if (m.column or m.expr) else "count"
    return (m.entity, m.time, agg, m.column, m.expr, m.filter)


def test_order_kpis_share_one_scan_and_identical_measures_are_computed_once(catalog) -> None:  # type: ignore[no-untyped-def]
    names = ["revenue", "orders", "average_order_value", "gross_profit", "gross_margin"]
    plan = build_plan(names, catalog)
    assert list(plan.aggregates) == [("orders", "ordered_at")]
    measures = plan.aggregates[("orders", "ordered_at")].measures
    # all five read completed orders (status null or not cancelled):
    # sum(amount): revenue, AOV's numerator, gross margin's denominator
    # count(*): orders, AOV's denominator
    # sum(amount - coalesce(cost, 0)): gross profit, gross margin's numerator
    assert sorted((m.agg, m.kind) for m in measures.values()) == [
        ("count", "rows"),
        ("sum", "column"),
        ("sum", "expr"),
    ]
    refs = plan.refs
    assert refs["revenue"]["value"].column == refs["average_order_value"]["numerator"].column
    assert refs["revenue"]["value"].column == refs["gross_margin"]["denominator"].column
    assert refs["orders"]["value"].column == refs["average_order_value"]["denominator"].column
    assert refs["gross_profit"]["value"].column == refs["gross_margin"]["numerator"].column
    # and the SQL holds three aggregates, not seven
    [(title, expr)] = plan_expressions(names, catalog).items()
    assert title == "orders by ordered_at"
    assert to_sql(expr, "duckdb").count(" FILTER(WHERE") == 3


def test_the_catalog_plan_has_one_query_per_entity_and_time_column(catalog) -> None:  # type: ignore[no-untyped-def]
    plan = build_plan(sorted(catalog), catalog)
    # the (entity, time column) pairs the catalog's simple, ratio and duration KPIs use,
    # read off catalog/kpis/*.yml
    assert sorted(plan.aggregates) == sorted(
        [
            ("orders", "ordered_at"),
            ("returns", "returned_at"),
            ("returns", "order.ordered_at"),  # return rate: by the order's date
            ("quotes", "submitted_at"),
            ("quotes", "decided_at"),
            ("leads", "created_at"),
            ("leads", "converted_at"),  # sales cycle
            ("web_sessions", "started_at"),
            ("carts", "created_at"),
            ("complaints", "opened_at"),
            ("satisfaction", "responded_at"),
            ("invoices", "due_at"),
            ("costs", "incurred_on"),
            ("customer_spells", "started_at"),  # won, new
            ("customer_spells", "lost_at"),  # lost, lifetime
        ]
    )
    assert plan.snapshots == ["active_customers", "active_target_customers"]
    assert plan.conversions == ["lead_to_sale_conversion"]
    # every simple KPI and duration reads one measure, every ratio two; the different
    # ones (same entity, time, aggregation, value and filter) are computed once
    reads = []
    for kpi in catalog.values():
        if isinstance(kpi, SimpleKpi):
            reads.append(_measure_key(kpi.measure))
        elif isinstance(kpi, RatioKpi):
            reads += [_measure_key(kpi.numerator), _measure_key(kpi.denominator)]
        elif isinstance(kpi, DurationKpi):
            reads.append((kpi.entity, kpi.time_column, kpi.agg, kpi.start, kpi.end, kpi.filter))
    assert sum(len(r) for r in plan.refs.values()) == len(reads)
    assert sum(len(q.measures) for q in plan.aggregates.values()) == len(set(reads))
    assert len(set(reads)) < len(reads)


def test_computing_the_catalog_sends_exactly_the_planned_queries(  # type: ignore[no-untyped-def]
    duckdb_sales_session, catalog
) -> None:
    import datetime as dt

    session = duckdb_sales_session
    statements = statements_for(session.warehouse.backend, session.warehouse.dialect)
    assert statements is not None
    plan = build_plan(sorted(catalog), catalog)
    planned = len(plan.aggregates) + len(plan.snapshots) + 2 * len(plan.conversions)
    assert planned == 15 + 2 + 2  # scans, snapshots, base and converted events per conversion

    def sent(req: ComputeRequest) -> tuple[int, int]:
        queries, tables = statements.queries, statements.materialized
        frame = session.compute(req)
        assert set(frame["kpi"]) == set(req.names)
        return statements.queries - queries, statements.materialized - tables

    whole = ComputeRequest(
        tuple(sorted(catalog)), "month", dt.date(2024, 1, 1), dt.date(2024, 4, 1),
        as_of=dt.datetime(2024, 7, 1),
    )  # fmt: skip
    # the queries of the plan, and the customer spells written once for the four that read them
    assert sent(whole) == (planned, 1)
    # asked again (a later as_of: the same shape), the recorded statements run: the same count
    assert sent(replace(whole, as_of=dt.datetime(2024, 8, 1))) == (planned, 1)
    # a breakdown does not add queries: the dimension is a group-by key of the same scans
    by_channel = ComputeRequest(
        ("revenue", "orders", "average_order_value", "gross_margin", "units_sold"),
        "quarter", dt.date(2024, 1, 1), dt.date(2024, 4, 1), by=("channel",),
        as_of=dt.datetime(2024, 7, 1),
    )  # fmt: skip
    assert sent(by_channel) == (1, 0)


def test_customer_spells_join_customers_only_for_an_attribute_asked(catalog) -> None:  # type: ignore[no-untyped-def]
    def sql(names: tuple[str, ...], by: tuple[str, ...] = ()) -> str:
        return "\n".join(to_sql(e, "duckdb") for e in plan_expressions(names, catalog, by).values())

    lean = sql(("new_customers", "active_customers", "customers_lost"))
    assert '"customers"' not in lean  # no customer attribute asked: orders alone
    assert "spell_id" not in lean  # nor the text id nobody reads
    assert '"customers"' in sql(("active_customers",), ("segment",))  # a breakdown by one
    assert '"customers"' in sql(("active_target_customers",))  # a filter on one


def test_reading_earlier_periods_is_told_without_building_the_plan(catalog) -> None:  # type: ignore[no-untyped-def]
    from onpace.query.plan import reads_earlier_periods

    lagged = {n for n in catalog if reads_earlier_periods([n], catalog)}
    assert lagged == {n for n in catalog if build_plan([n], catalog).uses_lag}
    assert "revenue_growth_prior" in lagged and "revenue" not in lagged
    assert reads_earlier_periods(["revenue", "revenue_growth_prior"], catalog)
