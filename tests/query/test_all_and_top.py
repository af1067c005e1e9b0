"""Grain ``all`` (one total over the range) and top N members, against values worked by hand.

The data is ``SALES_DATA``; the monthly and quarterly values of every catalog KPI are
worked out in tests/catalog/test_catalog_values.py, and this module leans on them.
"""

from __future__ import annotations

import math
from datetime import date, datetime

import pytest

from onpace.errors import RequestError
from onpace.query.session import ComputeRequest, Session
from onpace.workspace import Workspace
from tests.catalog.test_catalog_values import QUARTER
from tests.support.sales_workspace import sales_workspace

AS_OF = datetime(2024, 7, 1)
Q1 = (date(2024, 1, 1), date(2024, 4, 1))
LAGGED = ("customer_portfolio_growth", "revenue_growth_prior", "revenue_growth_yoy")


def _all(session: Session, names: tuple[str, ...], **kw: object) -> dict[str, float]:
    frame = session.compute(ComputeRequest(names, "all", *Q1, as_of=AS_OF, **kw))  # type: ignore[arg-type]
    assert set(frame["period"]) == {date(2024, 1, 1)}
    assert set(frame["period_label"]) == {"2024-01-01 to 2024-03-31"}
    return dict(zip(frame["kpi"], frame["value"], strict=True))


def test_all_over_a_quarter_equals_the_quarter(sales_session: Session) -> None:
    """Counts, sums, ratios, distinct counts, snapshots, durations, conversions alike."""
    names = tuple(sorted(QUARTER))
    got = _all(sales_session, names)
    for name, want in QUARTER.items():
        if name in LAGGED:
            continue
        assert got[name] == pytest.approx(want, abs=1e-9), name


def test_all_has_no_earlier_period_for_growth(sales_session: Session) -> None:
    frame = sales_session.compute(
        ComputeRequest(("revenue_growth_prior",), "all", *Q1, as_of=AS_OF)
    )
    assert math.isnan(frame["value"].iloc[0])
    assert "a total over the whole range has no earlier one" in frame["note"].iloc[0]


def test_all_by_channel(sales_session: Session) -> None:
    frame = sales_session.compute(
        ComputeRequest(("revenue", "buying_customers"), "all", *Q1, ("channel",), AS_OF)
    )
    got = {(r["kpi"], r["channel"]): r["value"] for r in frame.to_dict("records")}
    assert got == {
        ("revenue", "sales"): 100 + 120 + 60,  # o4 is cancelled
        ("revenue", "web"): 50 + 40.5 + 30 + 70,
        ("revenue", "store"): 80 + 25 + 90,
        # sales c1 (o1, o5), c2 (o8); web c2, c4, c1 (o7 is a guest); store c3, c4, c5
        ("buying_customers", "sales"): 2,
        ("buying_customers", "web"): 3,
        ("buying_customers", "store"): 3,
    }


def test_all_takes_snapshots_at_the_as_of_moment_inside_the_range(sales_session: Session) -> None:
    frame = sales_session.compute(
        ComputeRequest(("active_customers", "revenue"), "all", *Q1, as_of=datetime(2024, 3, 15))
    )
    got = dict(zip(frame["kpi"], frame["value"], strict=True))
    # on 15 March: c2#2 (since 2 Mar), c4#1 (lost only on 26 Mar), c5#1 (since 10 Mar)
    assert got["active_customers"] == 3
    assert got["revenue"] == 230 + 215.5 + 60 + 90  # o10 of 28 March is not there yet


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return Workspace.open(sales_workspace(tmp_path_factory.mktemp("all") / "ws"))


def test_all_without_a_range_is_all_the_data(ws: Workspace) -> None:
    rng = ws.compute_range(["revenue", "orders"], "all", as_of=AS_OF)
    assert (rng.start, rng.end_before) == (date(2023, 1, 15), date(2024, 3, 29))
    assert rng.note == "no range given: the data from 2023-01-15 to 2024-03-28"
    frame = ws.compute(["revenue", "orders"], grain="all", as_of=AS_OF)
    assert list(frame["period_label"]) == ["2023-01-15 to 2024-03-28"] * 2
    got = dict(zip(frame["kpi"], frame["value"], strict=True))
    assert got == {"revenue": 115 + 230 + 215.5 + 220, "orders": 1 + 10}


# --- top N ---------------------------------------------------------------------


def _top(session: Session, names: tuple[str, ...], by: str, n: int, per: str) -> list[tuple]:
    frame = session.compute(
        ComputeRequest(names, "month", *Q1, (by,), AS_OF, top=n, top_per=per)  # type: ignore[arg-type]
    )
    assert list(frame.columns) == ["kpi", "period", "period_label", by, "rank", "value", "note"]
    return [
        (r["kpi"], r["period_label"], r[by], r["rank"], r["value"])
        for r in frame.to_dict("records")
    ]


def test_top_over_the_range_keeps_the_same_members(sales_session: Session) -> None:
    # Q1 revenue by rep: r1 180+120+70 = 370, r3 150, r2 50+65.5 = 115.5, no rep 30
    assert _top(sales_session, ("revenue",), "rep", 2, "range") == [
        ("revenue", "2024-01", "r1", 1, 180),
        ("revenue", "2024-01", "r3", 2, 0),
        ("revenue", "2024-02", "r1", 1, 120),
        ("revenue", "2024-02", "r3", 2, 0),
        ("revenue", "2024-03", "r1", 1, 70),
        ("revenue", "2024-03", "r3", 2, 150),
    ]


def test_top_per_period_ranks_each_period(sales_session: Session) -> None:
    assert _top(sales_session, ("revenue",), "rep", 2, "period") == [
        ("revenue", "2024-01", "r1", 1, 180),
        ("revenue", "2024-01", "r2", 2, 50),
        ("revenue", "2024-02", "r1", 1, 120),
        ("revenue", "2024-02", "r2", 2, 65.5),
        ("revenue", "2024-03", "r3", 1, 150),
        ("revenue", "2024-03", "r1", 2, 70),
    ]


def test_ties_go_to_the_name_and_missing_values_rank_last(sales_session: Session) -> None:
    # quotes won: Jan r1 (q1); Feb r1 (q3); Mar r3 (q6); the others tie at 0
    assert _top(sales_session, ("quotes_won",), "rep", 2, "period") == [
        ("quotes_won", "2024-01", "r1", 1, 1),
        ("quotes_won", "2024-01", "r2", 2, 0),
        ("quotes_won", "2024-02", "r1", 1, 1),
        ("quotes_won", "2024-02", "r2", 2, 0),
        ("quotes_won", "2024-03", "r3", 1, 1),
        ("quotes_won", "2024-03", "r1", 2, 0),
    ]
    rows = _top(sales_session, ("quote_win_rate",), "rep.team", 2, "period")
    jan = [r for r in rows if r[1] == "2024-01"]
    # North decided q1 (won); South decided nothing in January: no value, ranked last
    assert [(r[2], r[3]) for r in jan] == [("North", 1), ("South", 2)]
    assert math.isnan(jan[1][4])


def test_each_kpi_is_ranked_on_its_own(sales_session: Session) -> None:
    rows = _top(sales_session, ("revenue", "orders"), "channel", 1, "range")
    # Q1: revenue sales 280 > store 195 > web 190.5; orders web 4 > sales 3 = store 3
    assert {(r[0], r[2]) for r in rows} == {("revenue", "sales"), ("orders", "web")}
    assert [r[4] for r in rows if r[0] == "orders"] == [1, 2, 1]  # web o2; o6 o7; o10


def test_a_ratio_ranks_by_its_value_over_the_range(sales_session: Session) -> None:
    # average order value over Q1: sales 280/3, store 195/3, web 190.5/4
    rows = _top(sales_session, ("average_order_value",), "channel", 2, "range")
    assert {(r[2], r[3]) for r in rows} == {("sales", 1), ("store", 2)}


def test_top_needs_a_dimension_and_a_positive_number(sales_session: Session) -> None:
    with pytest.raises(RequestError, match="a dimension to rank"):
        sales_session.compute(ComputeRequest(("revenue",), "month", *Q1, (), AS_OF, top=3))
    with pytest.raises(RequestError, match="at least 1"):
        sales_session.compute(ComputeRequest(("revenue",), "month", *Q1, ("rep",), AS_OF, top=0))


def test_top_through_the_python_api(ws: Workspace) -> None:
    frame = ws.compute(
        "revenue", grain="all", start="2024-01", end="2024-03", by="rep", top=1, as_of=AS_OF
    )
    assert frame[["rep", "rank", "value"]].to_dict("records") == [
        {"rep": "r1", "rank": 1, "value": 370.0}
    ]
