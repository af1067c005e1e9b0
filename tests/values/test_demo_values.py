"""On the demo business, stored values are exactly what computing from the data gives.

The demo workspace is made as a user makes it (``create_demo``: every table of the
multichannel business, every catalog KPI), its store built as of a fixed moment. Then
every KPI is read at every stored grain, overall and by every dimension it allows,
once from the store and once computed afresh with the store switched off: the two
frames must be equal, value for value and note for note. The same after an
incremental refresh that a write to the warehouse ends with (a new day of orders,
late corrections of old orders, a removed order, a customer in another segment), and
the refreshed store must equal one rebuilt from scratch, cell for cell.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from onpace.demo.setup import create_demo
from onpace.query.session import ComputeRequest, Session
from onpace.workspace import Workspace
from tests.support.value_store import cells, differences

TODAY = date(2024, 9, 16)
T0 = datetime(2024, 9, 15, 14, 0)  # the store's first moment: a day before the data ends
T1 = datetime(2024, 9, 16, 9, 0)  # the next morning, after the new day's orders
GRAINS = ("day", "week", "month", "quarter", "year")
START = date(2024, 2, 1)  # inside the data (which starts on 1 January 2024)
END = date(2024, 11, 1)  # past the as-of moment: the periods to come, with their note


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("demo-values") / "demo"
    ws = create_demo(root, orders=600, seed=3, years=0, today=TODAY).workspace
    report = ws.refresh(as_of=T0)  # before the demo's own (real) moment: a full build
    assert report.kind == "full"
    return ws


def _slices(ws: Workspace) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Per breakdown (none, then each dimension), the KPIs that allow it."""
    names = [n for n in ws.kpis if not ws.session().missing_data(n)]
    dims = sorted({d for n in names for d in ws.kpis[n].dimensions})
    out = [((), tuple(names))]
    for dim in dims:
        out.append(((dim,), tuple(n for n in names if dim in ws.kpis[n].dimensions)))
    return out


def _compare(ws: Workspace, as_of: datetime) -> int:
    """Every stored slice read from the store and computed afresh: equal. Returns the rows."""
    reading = ws.session()
    computing = Session(ws.kpis, ws.warehouse, ws.calendar, ws.config.churn)
    assert reading.values is not None and computing.values is None
    rows = 0
    for by, names in _slices(ws):
        for grain in GRAINS:
            req = ComputeRequest(names, grain, START, END, by, as_of)
            stored = reading.values.answer(reading, req)
            assert stored is not None, (grain, by)  # the store holds every one of these
            computed = computing.compute(req)
            pd.testing.assert_frame_equal(stored, computed, check_exact=True, obj=str(req))
            rows += len(stored)
    return rows


def test_the_demo_store_answers_as_computing_does(demo: Workspace) -> None:
    # at the store's moment: demo orders later that day end its values then (valid_until)
    rows = _compare(demo, T0)
    assert rows > 5_000  # every KPI, grain and member: not a handful of cells


def test_after_an_incremental_refresh_too(demo: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = demo
    orders = ws.warehouse.table("orders").execute()
    customers = ws.warehouse.table("customers").execute()
    # a new day: three orders of existing customers on the morning of T1
    new = orders.sort_values("ordered_at").tail(3).copy()
    new["order_id"] = ["late-1", "late-2", "late-3"]
    new["ordered_at"] = [pd.Timestamp("2024-09-16 07:15") + pd.Timedelta(minutes=m)
                         for m in (0, 20, 40)]  # fmt: skip
    # late corrections: old orders with another amount, one cancelled, one removed
    old = orders["ordered_at"] < pd.Timestamp("2024-05-01")
    fixed = orders.index[old][:5]
    orders.loc[fixed, "amount"] = orders.loc[fixed, "amount"] * 2
    orders.loc[orders.index[old][5], "status"] = "cancelled"
    orders = orders.drop(index=orders.index[old][6])
    orders = pd.concat([orders, new], ignore_index=True)
    moved = customers.index[0]
    segments = sorted(set(customers["segment"].dropna()))
    customers.loc[moved, "segment"] = next(
        s for s in segments if s != customers.at[moved, "segment"]
    )
    monkeypatch.setattr(ws, "now", lambda: T1)
    with ws.writing("a late correction") as warehouse:
        warehouse.load("orders", orders, ws.config.timezone)
        warehouse.load("customers", customers, ws.config.timezone)
        changes = warehouse.changes
    assert not changes.empty  # the rows that changed were recorded for the refresh
    status = ws.values.status(ws.warehouse, T1)
    assert status.current and status.as_of == T1
    _compare(ws, T1 + timedelta(minutes=30))
    refreshed = cells(ws.warehouse)
    assert ws.refresh(full=True, as_of=T1).kind == "full"
    assert differences(refreshed, cells(ws.warehouse)) == []


def test_a_stored_read_is_a_read_not_a_computation(demo: Workspace) -> None:
    """``Workspace.compute`` answers from the store: the same rows, no query of the orders."""
    ws = Workspace.open(demo.root)
    moment = ws.values.status(ws.warehouse, ws.now())
    assert moment.exists and moment.as_of is not None
    as_of = moment.as_of + timedelta(minutes=1)
    session = ws.session()
    req = ComputeRequest(("revenue",), "month", date(2024, 3, 1), date(2024, 9, 1), (), as_of)
    stored = session.values.answer(session, req)
    assert stored is not None
    ran: list[object] = []
    real = session._execute
    session._execute = lambda expr: ran.append(expr) or real(expr)  # type: ignore[method-assign]
    frame = session.compute(req)
    pd.testing.assert_frame_equal(frame, stored)
    assert ran == []
