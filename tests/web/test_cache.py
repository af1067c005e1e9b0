"""The app's cache: fresh values served, stale ones served while recomputed, new data seen."""

from __future__ import annotations

import threading
import time

from tests.web.conftest import Site


def _wait_for(condition, seconds: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_stale_entry_is_served_while_recomputed(fresh_site: Site) -> None:
    ctx = fresh_site.app.state.ctx
    calls: list[int] = []
    release = threading.Event()

    def compute() -> int:
        calls.append(1)
        if len(calls) > 1:
            release.wait(5)  # the background recompute is slow
        return len(calls)

    ctx.ttl = 0.0  # entries are past their time to live as soon as they are stored
    assert ctx.cached(("probe",), compute) == 1
    time.sleep(0.01)
    started = time.monotonic()
    assert ctx.cached(("probe",), compute) == 1  # the stale value, at once
    assert time.monotonic() - started < 1.0
    assert ctx.cached(("probe",), compute) == 1  # still stale: one refresh at a time
    ctx.ttl = 60.0
    release.set()
    assert _wait_for(lambda: ctx.peek(("probe",)) == 2)
    assert len(calls) == 2


def test_new_data_version_is_never_served_stale(fresh_site: Site) -> None:
    ctx = fresh_site.app.state.ctx
    assert ctx.cached(("probe2",), lambda: "old") == "old"
    ctx.clear()  # what a write through the app does; a new version has the same effect
    assert ctx.cached(("probe2",), lambda: "new") == "new"


def test_warm_start_computes_the_default_scorecard(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from onpace.web.app import create_app
    from tests.web.conftest import AS_OF, make_workspace

    root = make_workspace(tmp_path / "ws")
    app = create_app(root, as_of=AS_OF, warm=True)
    ctx = app.state.ctx
    from onpace.auth.service import Identity
    from onpace.web import cached_views

    viewer = Identity(user_id=1, name="v", role="viewer", rep_id=None, via="token")
    params = {"grain": "quarter", "period": None, "start": None, "end": None, "compare": "previous"}
    assert _wait_for(
        lambda: cached_views.cached_scorecard_json(ctx, viewer, by=None, **params) is not None,
        seconds=60,
    )
    ctx.store.close()
