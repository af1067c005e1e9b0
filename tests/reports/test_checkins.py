"""Check-ins: a comment and a confidence on a KPI or objective, append-only, checked."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from onpace.errors import StoreError, UnknownNameError
from onpace.reviews.checkins import add_checkin, latest_checkins, list_checkins, may_check_in
from onpace.workspace import Workspace


def test_checkins_are_recorded_and_read_back(demo_ws: Workspace) -> None:
    add_checkin(demo_ws, "2025-Q4", "two deals moved to January", "7", kpi="orders", author="ann")
    add_checkin(demo_ws, "2025-q4", "now worse", "off_track", kpi="orders", author="ann")
    add_checkin(demo_ws, "2025-Q4", "growth plan holds", "on track", objective="profitable_growth")
    found = [c for c in list_checkins(demo_ws.store, kpi="orders") if c.author == "ann"]
    assert [(c.period, c.confidence) for c in found] == [("2025-Q4", "7"), ("2025-Q4", "off track")]
    latest = latest_checkins(demo_ws.store, "2025-Q4")
    assert latest["orders"].comment == "now worse"
    assert latest["profitable_growth"].confidence == "on track"


@pytest.mark.parametrize(
    ("kwargs", "error", "says"),
    [
        ({"kpi": "ordrs"}, UnknownNameError, "Did you mean 'orders'"),
        ({"objective": "growth"}, UnknownNameError, "unknown objective"),
        ({}, StoreError, "exactly one"),
        ({"kpi": "orders", "confidence": "11"}, StoreError, "1 to 10"),
        ({"kpi": "orders", "confidence": "fine"}, StoreError, "on track, at risk or off track"),
        ({"kpi": "orders", "comment": "  "}, StoreError, "needs a comment"),
    ],
)
def test_bad_checkins_are_refused(
    demo_ws: Workspace, kwargs: dict[str, str], error: type[Exception], says: str
) -> None:
    args = {"comment": "c", "confidence": "5", **kwargs}
    with pytest.raises(error, match=says):
        add_checkin(demo_ws, "2025-Q4", **args)  # type: ignore[arg-type]


def test_checkins_cannot_be_changed(demo_ws: Workspace) -> None:
    add_checkin(demo_ws, "2025-Q4", "first", "5", kpi="orders")
    with demo_ws.store.engine.connect() as con, pytest.raises(Exception, match="append-only"):
        con.execute(text("UPDATE checkins SET comment = 'rewritten'"))


def test_who_may_check_in(demo_ws: Workspace) -> None:
    assert may_check_in(demo_ws, "manager", "ann", "orders", None)
    assert not may_check_in(demo_ws, "rep", "yasmin", "orders", None)
    assert may_check_in(demo_ws, "viewer", "head_of_sales", None, "more_orders")  # its owner
