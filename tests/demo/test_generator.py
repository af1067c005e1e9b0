"""Tests of the demo data generator: schema, determinism, integrity and business shapes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import duckdb
import pytest

from onpace.demo.generator import DemoSpec, write_demo_data
from onpace.model.entities import ENTITIES, LOADED_ENTITIES

START = dt.date(2023, 1, 1)
END = dt.date(2025, 1, 1)
SPEC = DemoSpec(orders=3000, seed=7, start=START, end=END)

# Written out here rather than imported, so a wrong mapping in the generator fails.
EXPECTED_TYPES = {
    "id": "VARCHAR",
    "string": "VARCHAR",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
    "money": "DECIMAL(18,2)",
    "number": "DOUBLE",
    "integer": "BIGINT",
    "boolean": "BOOLEAN",
}


def _generate(spec: DemoSpec) -> tuple[duckdb.DuckDBPyConnection, dict[str, int]]:
    con = duckdb.connect()
    return con, write_demo_data(con, spec)


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[duckdb.DuckDBPyConnection, dict[str, int]]]:
    con, counts = _generate(SPEC)
    yield con, counts
    con.close()


@pytest.fixture(scope="module")
def con(demo: tuple[duckdb.DuckDBPyConnection, dict[str, int]]) -> duckdb.DuckDBPyConnection:
    return demo[0]


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> object:
    row = con.execute(sql, params or []).fetchone()
    assert row is not None
    return row[0]


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> int:
    value = _one(con, sql, params)
    assert isinstance(value, int)
    return value


def _sorted_rows(con: duckdb.DuckDBPyConnection, name: str) -> list[tuple[object, ...]]:
    key = ENTITIES[name].key
    return con.execute(f'SELECT * FROM "{name}" ORDER BY "{key}"').fetchall()


# -- schema -----------------------------------------------------------------------------


def test_every_loaded_entity_has_its_table_with_the_model_columns_and_types(
    con: duckdb.DuckDBPyConnection,
) -> None:
    for name in LOADED_ENTITIES:
        rows = con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = ? ORDER BY ordinal_position",
            [name],
        ).fetchall()
        expected = [(c.name, EXPECTED_TYPES[c.kind]) for c in ENTITIES[name].columns]
        assert rows == expected, name


def test_returned_counts_match_the_tables_and_no_table_is_empty(
    demo: tuple[duckdb.DuckDBPyConnection, dict[str, int]],
) -> None:
    con, counts = demo
    assert list(counts) == list(LOADED_ENTITIES)
    for name, n in counts.items():
        assert n > 0, name
        assert _count(con, f'SELECT count(*) FROM "{name}"') == n, name


def test_derived_entities_are_not_written(con: duckdb.DuckDBPyConnection) -> None:
    tables = {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    assert tables == set(LOADED_ENTITIES)


def test_tables_are_replaced_not_appended_on_a_second_run() -> None:
    con, first = _generate(SPEC)
    second = write_demo_data(con, SPEC)
    assert second == first
    assert _count(con, "SELECT count(*) FROM orders") == first["orders"]


# -- determinism ----------------------------------------------------------------------


def test_same_spec_gives_identical_tables(con: duckdb.DuckDBPyConnection) -> None:
    other, _ = _generate(SPEC)
    for name in LOADED_ENTITIES:
        assert _sorted_rows(con, name) == _sorted_rows(other, name), name


def test_different_seed_gives_different_data(con: duckdb.DuckDBPyConnection) -> None:
    other, _ = _generate(DemoSpec(orders=SPEC.orders, seed=8, start=START, end=END))
    for name in ("customers", "orders", "web_sessions", "quotes"):
        assert _sorted_rows(con, name) != _sorted_rows(other, name), name


# -- volume ---------------------------------------------------------------------------


def test_total_orders_close_to_spec(demo: tuple[duckdb.DuckDBPyConnection, dict[str, int]]) -> None:
    n = demo[1]["orders"]
    assert 0.85 * SPEC.orders <= n <= 1.15 * SPEC.orders


def test_volume_scales_with_orders(demo: tuple[duckdb.DuckDBPyConnection, dict[str, int]]) -> None:
    _, counts = demo
    _, double = _generate(DemoSpec(orders=2 * SPEC.orders, seed=7, start=START, end=END))
    for name in ("orders", "web_sessions", "customers", "carts"):
        ratio = double[name] / counts[name]
        assert 1.7 <= ratio <= 2.3, (name, ratio)


def test_customer_and_rep_counts_follow_the_spec(
    con: duckdb.DuckDBPyConnection,
) -> None:
    assert _count(con, "SELECT count(*) FROM customers") == SPEC.orders // 6
    reps = _count(con, "SELECT count(*) FROM salespeople")
    assert reps == 6  # max(6, round(12 * (3000 / 60000) ** 0.3))


# -- keys and integrity -----------------------------------------------------------------


def test_keys_unique_and_required_columns_not_null(con: duckdb.DuckDBPyConnection) -> None:
    for name in LOADED_ENTITIES:
        entity = ENTITIES[name]
        total = _count(con, f'SELECT count(*) FROM "{name}"')
        distinct = _count(con, f'SELECT count(DISTINCT "{entity.key}") FROM "{name}"')
        assert distinct == total, name
        for column in entity.required_columns:
            nulls = _count(con, f'SELECT count(*) FROM "{name}" WHERE "{column}" IS NULL')
            assert nulls == 0, (name, column)


REFERENCES = [
    ("orders", "customer_id", "customers", "customer_id"),
    ("orders", "rep_id", "salespeople", "rep_id"),
    ("quotes", "customer_id", "customers", "customer_id"),
    ("quotes", "rep_id", "salespeople", "rep_id"),
    ("quotes", "order_id", "orders", "order_id"),
    ("leads", "customer_id", "customers", "customer_id"),
    ("leads", "rep_id", "salespeople", "rep_id"),
    ("web_sessions", "customer_id", "customers", "customer_id"),
    ("carts", "customer_id", "customers", "customer_id"),
    ("carts", "session_id", "web_sessions", "session_id"),
    ("carts", "order_id", "orders", "order_id"),
    ("returns", "order_id", "orders", "order_id"),
    ("complaints", "customer_id", "customers", "customer_id"),
    ("complaints", "order_id", "orders", "order_id"),
    ("invoices", "customer_id", "customers", "customer_id"),
    ("invoices", "order_id", "orders", "order_id"),
    ("satisfaction", "customer_id", "customers", "customer_id"),
    ("satisfaction", "order_id", "orders", "order_id"),
]


def test_every_declared_relation_is_checked() -> None:
    declared = {
        (name, rel.column, rel.target)
        for name in LOADED_ENTITIES
        for rel in ENTITIES[name].relations
    }
    assert declared <= {(t, c, target) for t, c, target, _ in REFERENCES}


@pytest.mark.parametrize(("table", "column", "target", "key"), REFERENCES)
def test_no_orphan_references(
    con: duckdb.DuckDBPyConnection, table: str, column: str, target: str, key: str
) -> None:
    orphans = _count(
        con,
        f'SELECT count(*) FROM "{table}" t WHERE t."{column}" IS NOT NULL '
        f'AND NOT EXISTS (SELECT 1 FROM "{target}" x WHERE x."{key}" = t."{column}")',
    )
    assert orphans == 0
    used = _count(con, f'SELECT count("{column}") FROM "{table}"')
    assert used > 0  # the reference is actually filled somewhere


def test_id_formats(con: duckdb.DuckDBPyConnection) -> None:
    assert _one(con, "SELECT min(order_id) FROM orders") == "O000000001"
    assert _one(con, "SELECT min(customer_id) FROM customers") == "C00001"
    assert _one(con, "SELECT min(rep_id) FROM salespeople") == "R01"


# -- time -----------------------------------------------------------------------------


def test_all_timestamps_lie_in_the_range(con: duckdb.DuckDBPyConnection) -> None:
    low, high = dt.datetime(2023, 1, 1), dt.datetime(2025, 1, 1)
    checked = 0
    for name in LOADED_ENTITIES:
        for column in ENTITIES[name].columns:
            if column.kind != "timestamp" or (name, column.name) == ("invoices", "due_at"):
                continue  # a due date is a term, and may lie after the simulated range
            outside = _count(
                con,
                f'SELECT count(*) FROM "{name}" WHERE "{column.name}" < ? OR "{column.name}" >= ?',
                [low, high],
            )
            assert outside == 0, (name, column.name)
            checked += 1
    assert checked >= 15
    # due dates are 30 days after the invoice date, wherever that lands
    assert (
        _count(con, "SELECT count(*) FROM invoices WHERE due_at <> issued_at + INTERVAL 30 DAY")
        == 0
    )
    outside = _count(
        con, "SELECT count(*) FROM costs WHERE incurred_on < ? OR incurred_on >= ?", [START, END]
    )
    assert outside == 0


def test_returns_come_after_their_order_and_some_cross_a_month(
    con: duckdb.DuckDBPyConnection,
) -> None:
    assert (
        _count(
            con,
            "SELECT count(*) FROM returns r JOIN orders o USING (order_id) "
            "WHERE r.returned_at <= o.ordered_at",
        )
        == 0
    )
    crossing = _count(
        con,
        "SELECT count(*) FROM returns r JOIN orders o USING (order_id) "
        "WHERE date_trunc('month', r.returned_at) <> date_trunc('month', o.ordered_at)",
    )
    assert crossing >= 1
    assert _count(con, "SELECT count(*) FROM returns WHERE amount < 0") == 0
    assert (
        _count(
            con,
            "SELECT count(*) FROM returns r JOIN orders o USING (order_id) "
            "WHERE r.amount > o.amount",
        )
        == 0
    )


def test_quotes_are_decided_after_submission_and_won_ones_became_b2b_orders(
    con: duckdb.DuckDBPyConnection,
) -> None:
    assert _count(con, "SELECT count(*) FROM quotes WHERE decided_at < submitted_at") == 0
    assert (
        _count(con, "SELECT count(*) FROM quotes WHERE (status = 'open') <> (decided_at IS NULL)")
        == 0
    )
    assert (
        _count(con, "SELECT count(*) FROM quotes WHERE (status = 'won') <> (order_id IS NOT NULL)")
        == 0
    )
    mismatched = _count(
        con,
        "SELECT count(*) FROM quotes q JOIN orders o USING (order_id) "
        "WHERE o.channel <> 'sales' OR o.ordered_at <> q.decided_at",
    )
    assert mismatched == 0
    win_rate = _one(
        con,
        "SELECT avg(CASE WHEN status = 'won' THEN 1.0 ELSE 0.0 END) FROM quotes "
        "WHERE status <> 'open'",
    )
    assert isinstance(win_rate, float)
    assert 0.2 <= win_rate <= 0.45


def test_converted_leads_have_an_order_within_90_days(con: duckdb.DuckDBPyConnection) -> None:
    assert _count(con, "SELECT count(converted_at) FROM leads") > 0
    missing = _count(
        con,
        "SELECT count(*) FROM leads l WHERE converted_at IS NOT NULL AND NOT EXISTS ("
        " SELECT 1 FROM orders o WHERE o.customer_id = l.customer_id"
        " AND o.ordered_at >= l.converted_at"
        " AND o.ordered_at < l.converted_at + INTERVAL 90 DAY)",
    )
    assert missing == 0
    assert (
        _count(
            con,
            "SELECT count(*) FROM leads WHERE first_contact_at < created_at "
            "OR converted_at <= first_contact_at "
            "OR (converted_at IS NOT NULL AND first_contact_at IS NULL)",
        )
        == 0
    )


def test_customers_are_seen_before_their_first_order(con: duckdb.DuckDBPyConnection) -> None:
    late = _count(
        con,
        "SELECT count(*) FROM customers c JOIN ("
        " SELECT customer_id, min(ordered_at) AS first_order FROM orders GROUP BY 1"
        ") f USING (customer_id) WHERE c.first_seen_at > f.first_order",
    )
    assert late == 0
    never_ordered = _count(
        con,
        "SELECT count(*) FROM customers c WHERE NOT EXISTS "
        "(SELECT 1 FROM orders o WHERE o.customer_id = c.customer_id)",
    )
    assert never_ordered > 0  # prospects
    after_churn = _count(
        con,
        "SELECT count(*) FROM orders o JOIN customers c USING (customer_id) "
        "WHERE o.ordered_at >= c.churned_at",
    )
    assert after_churn == 0


def test_invoices_follow_completed_b2b_orders(con: duckdb.DuckDBPyConnection) -> None:
    completed_b2b = _count(
        con, "SELECT count(*) FROM orders WHERE channel = 'sales' AND status = 'completed'"
    )
    assert _count(con, "SELECT count(*) FROM invoices") == completed_b2b
    assert (
        _count(
            con,
            "SELECT count(*) FROM invoices i JOIN orders o USING (order_id) "
            "WHERE i.issued_at <> o.ordered_at OR i.amount <> o.amount OR i.paid_amount > i.amount",
        )
        == 0
    )
    late = _one(con, "SELECT avg(CASE WHEN paid_at > due_at THEN 1.0 ELSE 0.0 END) FROM invoices")
    assert isinstance(late, float)
    assert 0.01 <= late <= 0.1


# -- business shapes ------------------------------------------------------------------


def test_rep_only_on_b2b_orders(con: duckdb.DuckDBPyConnection) -> None:
    wrong = _count(
        con, "SELECT count(*) FROM orders WHERE (rep_id IS NULL) <> (channel <> 'sales')"
    )
    assert wrong == 0
    channels = {r[0] for r in con.execute("SELECT DISTINCT channel FROM orders").fetchall()}
    assert channels == {"web", "store", "sales"}


def test_abandoned_cart_share(con: duckdb.DuckDBPyConnection) -> None:
    share = _one(con, "SELECT avg(CASE WHEN order_id IS NULL THEN 1.0 ELSE 0.0 END) FROM carts")
    assert isinstance(share, float)
    assert 0.6 <= share <= 0.8


def test_q4_is_the_peak(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        "SELECT quarter(ordered_at) = 4 AS q4, count(*) / count(DISTINCT date_trunc('month', "
        "ordered_at)) FROM orders GROUP BY 1"
    ).fetchall()
    per_month = dict(rows)
    assert per_month[True] > per_month[False]


def test_orders_grow_year_over_year(con: duckdb.DuckDBPyConnection) -> None:
    by_year = dict(
        con.execute("SELECT year(ordered_at), count(*) FROM orders GROUP BY 1").fetchall()
    )
    assert by_year[2024] > by_year[2023]


def test_b2b_orders_on_weekdays_and_stores_closed_on_sunday(
    con: duckdb.DuckDBPyConnection,
) -> None:
    assert (
        _count(
            con, "SELECT count(*) FROM orders WHERE channel = 'sales' AND isodow(ordered_at) >= 6"
        )
        == 0
    )
    assert (
        _count(
            con, "SELECT count(*) FROM orders WHERE channel = 'store' AND isodow(ordered_at) = 7"
        )
        == 0
    )


def test_shares_of_the_smaller_tables(con: duckdb.DuckDBPyConnection) -> None:
    web_orders = _count(con, "SELECT count(*) FROM orders WHERE channel = 'web'")
    sessions = _count(con, "SELECT count(*) FROM web_sessions")
    assert 15 <= sessions / web_orders <= 25
    paid = _one(con, "SELECT avg(CASE WHEN is_paid THEN 1.0 ELSE 0.0 END) FROM web_sessions")
    assert isinstance(paid, float)
    assert 0.25 <= paid <= 0.35
    cancelled = _one(
        con, "SELECT avg(CASE WHEN status = 'cancelled' THEN 1.0 ELSE 0.0 END) FROM orders"
    )
    assert isinstance(cancelled, float)
    assert 0.005 <= cancelled <= 0.04
    target = _one(
        con, "SELECT avg(CASE WHEN is_target_audience THEN 1.0 ELSE 0.0 END) FROM customers"
    )
    assert isinstance(target, float)
    assert 0.2 <= target <= 0.4
    scales = dict(con.execute("SELECT scale, count(*) FROM satisfaction GROUP BY 1").fetchall())
    assert set(scales) == {"csat_5", "nps_10"}
    assert (
        _count(
            con,
            "SELECT count(*) FROM satisfaction "
            "WHERE (scale = 'csat_5' AND score NOT BETWEEN 1 AND 5)"
            " OR (scale = 'nps_10' AND score NOT BETWEEN 0 AND 10)",
        )
        == 0
    )


def test_spec_validation() -> None:
    with pytest.raises(ValueError):
        DemoSpec(orders=10)
    with pytest.raises(ValueError):
        DemoSpec(start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 10))
    with pytest.raises(TypeError):
        DemoSpec(end=dt.datetime(2025, 1, 1))  # type: ignore[arg-type]
