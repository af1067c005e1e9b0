"""Compiled statements reused per shape: the same numbers as compiling afresh, every time.

A computation of a shape seen before runs the SQL recorded for it with its own moments
written in (onpace.query.statements). These compare every such run with the same
request computed without the cache, on the sales data, and pin some values by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pytest

import onpace.query.session as session_module
from onpace.query.session import ComputeRequest, Session
from onpace.query.statements import statements_for
from onpace.spec.kpi import SimpleKpi

KPIS = (
    "revenue",
    "orders",
    "buying_customers",
    "new_customers",
    "active_customers",
    "customers_lost",
    "lead_to_sale_conversion",
    "average_order_value",
)


@pytest.fixture
def session(duckdb_sales_session: Session) -> Iterator[Session]:
    yield duckdb_sales_session


def uncached(
    session: Session, req: ComputeRequest, monkeypatch: pytest.MonkeyPatch
) -> pd.DataFrame:
    with monkeypatch.context() as m:
        m.setattr(session_module, "statements_for", lambda *_: None)
        return session.compute(req)


def counts(session: Session) -> tuple[int, int]:
    statements = statements_for(session.warehouse.backend, "duckdb")
    assert statements is not None
    return statements.compiled, statements.queries


def request(as_of: dt.datetime, start: dt.date = dt.date(2024, 1, 1)) -> ComputeRequest:
    return ComputeRequest(KPIS, "month", start, dt.date(2024, 4, 1), as_of=as_of)


def test_a_replayed_computation_equals_a_fresh_one_at_every_as_of(  # type: ignore[no-untyped-def]
    session, monkeypatch
) -> None:
    first = session.compute(request(dt.datetime(2024, 7, 1)))
    compiled, queries = counts(session)
    # the same shape, other moments: nothing compiled again, every query still sent
    for as_of in (dt.datetime(2024, 6, 2, 13, 30), dt.datetime(2024, 9, 30, 23, 59, 59, 999999)):
        got = session.compute(request(as_of))
        pd.testing.assert_frame_equal(got, uncached(session, request(as_of), monkeypatch))
        assert counts(session)[0] == compiled
    assert counts(session)[1] > queries
    revenue = first[first["kpi"] == "revenue"].set_index("period")["value"]
    # by hand: January o1 100 + o2 50 + o3 80 (o4 cancelled); February 120 + 40.50 + 30 + 25;
    # March 60 + 90 + 70
    assert revenue.to_dict() == {
        dt.date(2024, 1, 1): 230.0,
        dt.date(2024, 2, 1): 215.5,
        dt.date(2024, 3, 1): 220.0,
    }


def test_moments_that_compare_otherwise_are_another_shape(  # type: ignore[no-untyped-def]
    session, monkeypatch
) -> None:
    # as_of inside the range read: the months after it are read up to as_of only
    inside = request(dt.datetime(2024, 2, 10, 12))
    after = request(dt.datetime(2024, 5, 1))
    for req in (after, inside, after, inside):
        pd.testing.assert_frame_equal(session.compute(req), uncached(session, req, monkeypatch))
    got = session.compute(inside)
    revenue = got[got["kpi"] == "revenue"].set_index("period")["value"]
    # as of 10 February noon: January 230, February o5 on the 3rd (120) only, March not yet
    assert revenue[dt.date(2024, 1, 1)] == 230.0
    assert revenue[dt.date(2024, 2, 1)] == 120.0
    assert pd.isna(revenue[dt.date(2024, 3, 1)])


def test_a_changed_definition_is_compiled_again(  # type: ignore[no-untyped-def]
    session, monkeypatch
) -> None:
    req = ComputeRequest(("revenue",), "month", dt.date(2024, 1, 1), dt.date(2024, 4, 1),
                         as_of=dt.datetime(2024, 7, 1))  # fmt: skip
    session.compute(req)
    revenue = session.kpis["revenue"]
    assert isinstance(revenue, SimpleKpi)
    web_only = revenue.model_copy(update={"filter": "channel = 'web'"})
    changed = Session({**session.kpis, "revenue": web_only}, session.warehouse, session.calendar,
                      session.churn)  # fmt: skip
    compiled = counts(session)[0]
    got = changed.compute(req)
    assert counts(session)[0] > compiled
    pd.testing.assert_frame_equal(got, uncached(changed, req, monkeypatch))
    # web orders: o2 50 in January, o6 40.50 and o7 30 in February, o10 70 in March
    values = got.set_index("period")["value"]
    assert values[dt.date(2024, 1, 1)] == 50.0
    assert values[dt.date(2024, 2, 1)] == 70.5
    assert values[dt.date(2024, 3, 1)] == 70.0


def test_a_breakdown_and_a_grain_are_shapes_of_their_own(  # type: ignore[no-untyped-def]
    session, monkeypatch
) -> None:
    for by, grain in ((("channel",), "month"), (("rep",), "month"), (("channel",), "quarter")):
        req = ComputeRequest(("revenue", "orders"), grain, dt.date(2024, 1, 1),
                             dt.date(2024, 4, 1), by=by, as_of=dt.datetime(2024, 7, 1))  # fmt: skip
        for _ in range(2):
            pd.testing.assert_frame_equal(session.compute(req), uncached(session, req, monkeypatch))


def test_a_shape_recorded_on_one_warehouse_runs_right_on_another(  # type: ignore[no-untyped-def]
    session, monkeypatch, tmp_path
) -> None:
    import ibis

    from onpace.query.warehouse import Warehouse
    from tests.support.sales_data import SALES_DATA

    req = request(dt.datetime(2024, 7, 1))
    session.compute(req)  # recorded on the shared sales warehouse
    fewer = {**SALES_DATA, "orders": SALES_DATA["orders"].query("order_id != 'o1'")}
    other = Warehouse(ibis.duckdb.connect(str(tmp_path / "other.duckdb")), "duckdb")
    other.load_all(fewer, "UTC")
    elsewhere = Session(session.kpis, other, session.calendar, session.churn)
    got = elsewhere.compute(req)
    pd.testing.assert_frame_equal(got, uncached(elsewhere, req, monkeypatch))
    revenue = got[got["kpi"] == "revenue"].set_index("period")["value"]
    assert revenue[dt.date(2024, 1, 1)] == 130.0  # 230 without o1's 100
    other.backend.disconnect()


def test_scattered_periods_on_another_connection_run_the_sql_of_the_whole_range(  # type: ignore[no-untyped-def]
    session, monkeypatch, tmp_path
) -> None:
    """What a refresh of the value store does: some periods, on a new warehouse version."""
    import ibis

    from onpace.query.statements import statements_for
    from onpace.query.warehouse import Warehouse
    from tests.support.sales_data import SALES_DATA

    names = ["revenue", "orders"]
    as_of = dt.datetime(2024, 7, 1)
    whole = session.slice_evaluator(names, "month", ("channel",), [dt.date(2024, m, 1)
                                    for m in (1, 2, 3)], as_of)  # fmt: skip
    session.run([whole])
    other = Warehouse(ibis.duckdb.connect(str(tmp_path / "next.duckdb")), "duckdb")
    other.load_all(SALES_DATA, "UTC")
    later = Session(session.kpis, other, session.calendar, session.churn)
    some = later.slice_evaluator(names, "month", ("channel",), [dt.date(2024, 1, 1),
                                 dt.date(2024, 3, 1)], as_of)  # fmt: skip
    later.run([some])
    statements = statements_for(other.backend, "duckdb")
    assert statements is not None
    assert statements.compiled == 0  # the first connection's SQL, its moments written in
    got = some.to_long(names, dt.date(2024, 1, 1))
    with monkeypatch.context() as m:
        m.setattr(session_module, "statements_for", lambda *_: None)
        fresh = later.slice_evaluator(names, "month", ("channel",), [dt.date(2024, 1, 1),
                                      dt.date(2024, 3, 1)], as_of)  # fmt: skip
        later.run([fresh])
    pd.testing.assert_frame_equal(got, fresh.to_long(names, dt.date(2024, 1, 1)))
    assert set(got["period"]) == {dt.date(2024, 1, 1), dt.date(2024, 3, 1)}
    web = got[(got["kpi"] == "revenue") & (got["channel"] == "web")].set_index("period")
    # by hand: web orders o2 50 in January, o10 70 in March (February is not asked for)
    assert web["value"].to_dict() == {dt.date(2024, 1, 1): 50.0, dt.date(2024, 3, 1): 70.0}
    other.backend.disconnect()


def test_any_number_of_ranges_runs_one_statement_with_the_numbers_of_a_fresh_compile(  # type: ignore[no-untyped-def]
    session, monkeypatch
) -> None:
    """Scattered days (one range to many, touching or apart) read exactly their rows."""
    import random

    names = ["revenue", "orders", "buying_customers"]
    as_of = dt.datetime(2024, 3, 20, 12, 0)
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=n) for n in range(90)]
    rng = random.Random(11)
    compiled = None
    for size in (1, 2, 5, 17, 40, 90):
        picked = sorted(rng.sample(days, size))
        some = session.slice_evaluator(names, "day", ("channel",), picked, as_of)
        session.run([some])
        got = some.to_long(names, picked[0])
        with monkeypatch.context() as m:
            m.setattr(session_module, "statements_for", lambda *_: None)
            fresh = session.slice_evaluator(names, "day", ("channel",), picked, as_of)
            session.run([fresh])
        pd.testing.assert_frame_equal(got, fresh.to_long(names, picked[0]))
        assert set(got["period"]) <= set(picked)
        if compiled is None:
            compiled = counts(session)[0]
        assert counts(session)[0] == compiled  # however many ranges: the first one's SQL


def test_moments_are_written_as_ibis_writes_them() -> None:
    """The literal written without Ibis is the one Ibis compiles, for any moment."""
    import random

    from onpace.query.statements import _direct, _rendering_agrees, _through_ibis

    assert _rendering_agrees()
    rng = random.Random(7)
    moments = [dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59, 999999)]
    for _ in range(200):
        moments.append(
            dt.datetime(
                rng.randint(1, 9999),
                rng.randint(1, 12),
                rng.randint(1, 28),
                rng.randint(0, 23),
                rng.randint(0, 59),
                rng.randint(0, 59),
                rng.choice([0, 1, 500000, rng.randint(0, 999999)]),
            )
        )
    for moment in moments:
        assert _direct(moment) == _through_ibis(moment), moment
    assert (
        _direct(dt.datetime(2024, 1, 2, 3, 4, 5, 6)) == "MAKE_TIMESTAMP(2024, 1, 2, 3, 4, 5.000006)"
    )


def test_many_ranges_are_coarsened_by_closing_the_shortest_gaps() -> None:
    from onpace.query.batch import coarsened

    def day(n: int) -> dt.datetime:
        return dt.datetime(2024, 1, 1) + dt.timedelta(days=n)

    ranges = [(day(0), day(1)), (day(3), day(4)), (day(4 + 1), day(6)), (day(20), day(21))]
    # gaps by hand: 2 days, 1 day, 14 days; at most 3 ranges closes the 1-day gap,
    # at most 2 the 2-day gap too, and one range is the whole span
    assert coarsened(ranges, 4) == ranges
    assert coarsened(ranges, 3) == [(day(0), day(1)), (day(3), day(6)), (day(20), day(21))]
    assert coarsened(ranges, 2) == [(day(0), day(6)), (day(20), day(21))]
    assert coarsened(ranges, 1) == [(day(0), day(21))]
