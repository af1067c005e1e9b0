"""Stored values answer a compute request exactly as computing it would, or not at all."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import duckdb
import ibis
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onpace.catalog import load_catalog
from onpace.query.session import ComputeRequest, Session
from onpace.query.warehouse import Warehouse
from onpace.spec.kpi import AnyKpi
from onpace.values.keys import kpi_hashes, settings_hash
from onpace.values.reader import StoredValues
from tests.support.sales_data import SALES_DATA
from tests.support.value_store import CALENDAR, CHURN, build

AS_OF = datetime(2024, 3, 18, 10, 30)
CATALOG = load_catalog()
GRAINS = ("day", "week", "month", "quarter", "year")


@pytest.fixture(scope="module")
def stored() -> tuple[Warehouse, StoredValues]:
    wh = Warehouse(ibis.duckdb.from_connection(duckdb.connect()), "duckdb")
    wh.load_all(SALES_DATA, "UTC")
    build(CATALOG, wh, AS_OF)
    values = StoredValues(wh.backend, settings_hash(CALENDAR, CHURN, "UTC"), kpi_hashes(CATALOG))
    return wh, values


def _sessions(wh: Warehouse, values: StoredValues) -> tuple[Session, Session]:
    reading = Session(CATALOG, wh, CALENDAR, CHURN)
    reading.values = values
    return reading, Session(CATALOG, wh, CALENDAR, CHURN)


@st.composite
def requests(draw: st.DrawFn) -> ComputeRequest:
    names = draw(st.lists(st.sampled_from(sorted(CATALOG)), min_size=1, max_size=4, unique=True))
    shared = set.intersection(*(set(CATALOG[n].dimensions) for n in names))
    by: tuple[str, ...] = ()
    if shared and draw(st.booleans()):
        by = (draw(st.sampled_from(sorted(shared))),)
    start = date(2023, 1, 1) + timedelta(days=draw(st.integers(0, 480)))
    end = start + timedelta(days=draw(st.integers(1, 200)))
    later = timedelta(minutes=draw(st.integers(0, 13 * 60)))  # the rest of the store's day
    grain = draw(st.sampled_from(GRAINS))
    return ComputeRequest(tuple(names), grain, start, end, by, AS_OF + later)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(requests())
def test_a_stored_answer_equals_the_computed_one(
    stored: tuple[Warehouse, StoredValues], req: ComputeRequest
) -> None:
    wh, values = stored
    reading, computing = _sessions(wh, values)
    answer = values.answer(reading, req)
    computed = computing.compute(req)
    if req.start >= date(2023, 1, 15):  # the store starts with the data: it holds this
        assert answer is not None, req
    if answer is not None:
        pd.testing.assert_frame_equal(answer, computed, check_exact=True)


def test_the_store_does_not_answer_what_it_does_not_hold(
    stored: tuple[Warehouse, StoredValues],
) -> None:
    wh, values = stored
    reading, _ = _sessions(wh, values)
    ok = ComputeRequest(("revenue",), "month", date(2024, 1, 1), date(2024, 4, 1), (), AS_OF)
    assert values.answer(reading, ok) is not None
    unanswered = [
        replace(ok, as_of=AS_OF - timedelta(minutes=1)),  # before the store's moment
        replace(ok, as_of=datetime(2024, 3, 19, 0, 0)),  # the next day: refresh first
        replace(ok, by=("channel", "rep")),  # two dimensions at once
        replace(ok, grain="all"),  # one total over a chosen range
        replace(ok, start=date(2022, 6, 1)),  # before the first stored period
    ]
    for req in unanswered:
        assert values.answer(reading, req) is None, req


def test_days_after_the_as_of_show_the_stock_members_with_no_value_yet(
    stored: tuple[Warehouse, StoredValues],
) -> None:
    """The 19th and 20th of March hold no cells: the stock's members are carried onto them."""
    wh, values = stored
    reading, computing = _sessions(wh, values)
    req = ComputeRequest(
        ("active_customers",), "day", date(2024, 3, 19), date(2024, 3, 21), ("country",), AS_OF
    )
    answer = values.answer(reading, req)
    assert answer is not None
    # every customer ordered by the 18th (c1, c5 NL; c2 DE; c3, c4 US): three countries a day
    assert answer["country"].tolist() == ["DE", "NL", "US"] * 2
    assert answer["period"].tolist() == [date(2024, 3, 19)] * 3 + [date(2024, 3, 20)] * 3
    assert answer["value"].isna().all()
    assert set(answer["note"]) == {f"the period starts after the as-of moment {AS_OF}"}
    pd.testing.assert_frame_equal(answer, computing.compute(req), check_exact=True)
    flows = replace(req, names=("orders",), by=("channel",))  # a flow: no rows, no members
    flow_answer = values.answer(reading, flows)
    assert flow_answer is not None and flow_answer.empty
    pd.testing.assert_frame_equal(flow_answer, computing.compute(flows), check_exact=True)


def test_a_changed_definition_is_computed_not_read(stored: tuple[Warehouse, StoredValues]) -> None:
    wh, values = stored
    changed: dict[str, AnyKpi] = dict(CATALOG)
    changed["revenue"] = CATALOG["revenue"].model_copy(update={"dimensions": ("channel",)})
    mine = StoredValues(wh.backend, values.settings, kpi_hashes(changed))
    session = Session(changed, wh, CALENDAR, CHURN)
    session.values = mine
    req = ComputeRequest(("revenue",), "month", date(2024, 1, 1), date(2024, 4, 1), (), AS_OF)
    assert mine.answer(session, req) is None
    other = ComputeRequest(("orders",), "month", date(2024, 1, 1), date(2024, 4, 1), (), AS_OF)
    assert mine.answer(session, other) is not None  # the others still are


def test_new_data_is_computed_until_the_store_is_refreshed() -> None:
    wh = Warehouse(ibis.duckdb.from_connection(duckdb.connect()), "duckdb")
    wh.load_all(SALES_DATA, "UTC")
    build(CATALOG, wh, AS_OF)
    values = StoredValues(wh.backend, settings_hash(CALENDAR, CHURN, "UTC"), kpi_hashes(CATALOG))
    reading, _ = _sessions(wh, values)
    req = ComputeRequest(("revenue",), "month", date(2024, 3, 1), date(2024, 4, 1), (), AS_OF)
    assert values.answer(reading, req) is not None
    orders = SALES_DATA["orders"].copy()
    orders.loc[orders["order_id"] == "o9", "amount"] = 1000.0
    wh.load("orders", orders, "UTC")
    fresh = StoredValues(wh.backend, values.settings, values.hashes)
    reading.values = fresh
    assert fresh.answer(reading, req) is None  # the data version moved on
    # March to the 18th by hand: o8 60 + o9 (now 1000, was 90); o10 is dated the 28th
    assert reading.compute(req)["value"].tolist() == [1060.0]


def _built(frames: dict[str, pd.DataFrame]) -> tuple[Warehouse, StoredValues]:
    """``frames`` in an in-memory warehouse with the catalog's values stored as of AS_OF."""
    wh = Warehouse(ibis.duckdb.from_connection(duckdb.connect()), "duckdb")
    wh.load_all(frames, "UTC")
    build(CATALOG, wh, AS_OF)
    return wh, StoredValues(wh.backend, settings_hash(CALENDAR, CHURN, "UTC"), kpi_hashes(CATALOG))


def test_a_row_dated_later_the_same_day_ends_the_stored_values_early() -> None:
    later = SALES_DATA["orders"].copy()
    extra = later.iloc[[1]].copy()
    extra["order_id"], extra["ordered_at"] = "o_later", "2024-03-18 15:00"
    _, values = _built({**SALES_DATA, "orders": pd.concat([later, extra], ignore_index=True)})
    meta = values.meta()
    assert meta is not None and meta.valid_until == datetime(2024, 3, 18, 15, 0)


def test_a_row_coming_due_later_the_same_day_ends_only_the_values_that_read_its_table() -> None:
    """An invoice falling due at 15:00 ends the stored non-payment rate then, not the revenue."""
    from onpace.values.store import ValueStore

    invoices = SALES_DATA["invoices"].copy()
    due = invoices[invoices["invoice_id"] == "i2"].copy()  # unpaid, not written off
    due["invoice_id"], due["issued_at"], due["due_at"] = "i_due", "2024-03-01", "2024-03-18 15:00"
    due["amount"], due["order_id"] = 200.0, "o8"
    wh, values = _built({**SALES_DATA, "invoices": pd.concat([invoices, due], ignore_index=True)})
    meta = values.meta()
    assert meta is not None and meta.valid_until == datetime(2024, 3, 18, 15, 0)
    assert meta.until(["orders"]) == datetime(2024, 3, 19)
    assert meta.until(["invoices"]) == datetime(2024, 3, 18, 15, 0)
    reading, computing = _sessions(wh, values)
    later = datetime(2024, 3, 18, 16, 0)
    revenue = ComputeRequest(("revenue",), "month", date(2024, 3, 1), date(2024, 4, 1), (), later)
    stored = values.answer(reading, revenue)
    assert stored is not None  # the orders did not change at 15:00
    assert stored["value"].tolist() == [150.0]  # o8 60 + o9 90, by hand
    unpaid = replace(revenue, names=("non_payment_rate",))
    assert values.answer(reading, replace(unpaid, as_of=datetime(2024, 3, 18, 14, 0))) is not None
    assert values.answer(reading, unpaid) is None  # i_due counts from 15:00: computed
    # March's invoices due before 16:00: i5 (60, paid) and i_due (200, unpaid): 200 / 260
    assert computing.compute(unpaid)["value"].tolist() == pytest.approx([200 / 260])
    assert reading.compute(unpaid).equals(computing.compute(unpaid))
    store = ValueStore(CATALOG, CALENDAR, CHURN, "UTC")
    assert store.status(wh, datetime(2024, 3, 18, 14, 0)).current
    status = store.status(wh, later)
    assert not status.current and status.only_rows_due
    assert not store.status(wh, datetime(2024, 3, 19, 0, 30)).only_rows_due  # a new day
