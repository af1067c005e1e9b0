"""The server refreshes stored values when a day begins, not for every row that comes due."""

from __future__ import annotations

import threading
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import pytest

import onpace.web.context as context_module
from onpace.values.store import StoreStatus
from onpace.web.context import AppContext


class _Workspace:
    """A workspace whose store reports ``status``: what the server decides from."""

    def __init__(self, status: StoreStatus) -> None:
        self.status = status
        self.warehouse = SimpleNamespace(files=object())
        self.config = SimpleNamespace(values=SimpleNamespace(enabled=True))
        self.values = SimpleNamespace(status=lambda warehouse, now: self.status)

    def now(self) -> datetime:
        return datetime(2024, 3, 18, 16, 0)


def _refreshes(status: StoreStatus, monkeypatch: pytest.MonkeyPatch, clock: list[float]) -> Any:
    started: list[str] = []

    class Thread:
        def __init__(self, target: Any, daemon: bool) -> None:
            self.target = target

        def start(self) -> None:
            started.append("refresh")

        def is_alive(self) -> bool:
            return False

    monkeypatch.setattr(context_module.threading, "Thread", Thread)
    monkeypatch.setattr(context_module.time, "monotonic", lambda: clock[0])
    ctx = AppContext.__new__(AppContext)
    ctx.ws = _Workspace(status)  # type: ignore[assignment]
    ctx.as_of = None
    ctx.lock = threading.RLock()
    ctx._values_job = None
    ctx._values_tried = 0.0
    return ctx, started


def test_rows_coming_due_refresh_at_most_once_an_hour(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [10_000.0]
    due = StoreStatus(True, current=False, only_rows_due=True)
    ctx, started = _refreshes(due, monkeypatch, clock)
    ctx._keep_values_current()
    assert started == ["refresh"]  # the first time: refreshed
    for minutes in (6, 20, 59):  # an invoice falls due every few minutes: no refresh
        clock[0] = 10_000.0 + minutes * 60
        ctx._keep_values_current()
    assert started == ["refresh"]
    clock[0] = 10_000.0 + 61 * 60
    ctx._keep_values_current()
    assert started == ["refresh", "refresh"]


def test_a_new_day_or_new_data_refreshes_after_the_retry_pause(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [10_000.0]
    stale = StoreStatus(True, current=False, only_rows_due=False)
    ctx, started = _refreshes(stale, monkeypatch, clock)
    ctx._keep_values_current()
    clock[0] += context_module.VALUES_RETRY_SECONDS + 1
    ctx._keep_values_current()
    assert started == ["refresh", "refresh"]
    ctx.ws.status = StoreStatus(True, current=True)
    clock[0] += context_module.VALUES_RETRY_SECONDS + 1
    ctx._keep_values_current()
    assert started == ["refresh", "refresh"]  # current: nothing to do
