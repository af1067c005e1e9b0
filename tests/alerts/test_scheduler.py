"""The schedule: a restart neither skips nor repeats a run (slots claimed in the state store)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from onpace.alerts.rules import DigestSettings
from onpace.alerts.scheduler import alerts_slot, digest_slot, run_due
from onpace.auth import Auth
from onpace.cli.web_commands import app_scheduler
from onpace.reports.digest_send import digest_since
from onpace.reports.schedule_runs import runs
from onpace.web.app import create_app
from onpace.workspace import Workspace
from tests.support.guards import GuardedConnection
from tests.support.receivers import smtp_server

ALERTS = """\
channels:
  email: {host: 127.0.0.1, port: 9, starttls: false, sender: onpace@example.com}
people:
  nobody: {language: en}
check_every_minutes: 30
digest: {every: week, weekday: mon, hour: 7}
rules:
  - name: orders_slipping
    when: status
    kpis: [orders]
    recipients: {users: [nobody]}
"""


def test_slots() -> None:
    assert alerts_slot(datetime(2025, 10, 25, 10, 47), 30) == datetime(2025, 10, 25, 10, 30)
    assert alerts_slot(datetime(2025, 10, 25, 10, 30), 30) == datetime(2025, 10, 25, 10, 30)
    weekly = DigestSettings(every="week", weekday="fri", hour=7)
    assert digest_slot(datetime(2025, 10, 24, 7, 0), weekly) == datetime(2025, 10, 24, 7, 0)
    assert digest_slot(datetime(2025, 10, 23, 23, 0), weekly) == datetime(2025, 10, 17, 7, 0)
    daily = DigestSettings(every="day", hour=8)
    assert digest_slot(datetime(2025, 10, 24, 7, 59), daily) == datetime(2025, 10, 23, 8, 0)
    monthly = DigestSettings(every="month", day=5, hour=6)
    assert digest_slot(datetime(2025, 1, 4, 12), monthly) == datetime(2024, 12, 5, 6, 0)
    assert digest_slot(datetime(2025, 3, 5, 6), monthly) == datetime(2025, 3, 5, 6, 0)


def test_a_restart_neither_skips_nor_repeats(demo_ws: Workspace) -> None:
    (demo_ws.root / "alerts.yml").write_text(ALERTS)
    first = run_due(demo_ws, datetime(2025, 10, 25, 10, 47))
    assert [line.split(":")[0] for line in first] == [
        "alerts 2025-10-25 10",
        "digest 2025-10-20 07",
    ]
    assert run_due(demo_ws, datetime(2025, 10, 25, 10, 59)) == []  # same slots: nothing again
    restarted = Workspace.open(demo_ws.root)  # a new process on the same state store
    assert run_due(restarted, datetime(2025, 10, 25, 10, 50)) == []
    later = run_due(
        restarted, datetime(2025, 10, 25, 11, 31)
    )  # missed 11:00 while down: 11:30 runs
    assert [line.split(" 2025")[0] for line in later] == ["alerts"]
    assert [(job, slot.strftime("%H:%M")) for job, slot, _ in runs(restarted.store)] == [
        ("alerts", "10:30"),
        ("digest", "07:00"),
        ("alerts", "11:30"),
    ]


DIGESTS = """\
channels:
  email: {{host: 127.0.0.1, port: {port}, starttls: false, sender: onpace@example.com}}
people:
  ann: {{email: ann@example.com}}
digest: {{every: week, weekday: mon, hour: 7}}
"""


def test_weekly_digests_go_out_by_the_schedule_each_with_the_changes_since_the_last(
    demo_ws: Workspace,
) -> None:
    Auth(demo_ws.store.engine).add_user("ann", "manager", "pw-ann-123456", actor="test")
    with smtp_server() as box:
        (demo_ws.root / "alerts.yml").write_text(DIGESTS.format(port=box.port))
        # Monday 20 October 2025, 07:05 in Amsterdam: the 07:00 slot is due
        assert run_due(demo_ws, datetime(2025, 10, 20, 7, 5)) == ["digest 2025-10-20 07:00: 1 sent"]
        assert digest_since(demo_ws, datetime(2025, 10, 27, 7, 5)) == datetime(2025, 10, 20, 7, 0)
        # an aware moment: 06:01 UTC is 07:01 in Amsterdam (winter time from 26 October)
        later = datetime(2025, 10, 27, 6, 1, tzinfo=UTC)
        assert run_due(demo_ws, later) == ["digest 2025-10-27 07:00: 1 sent"]
        assert run_due(demo_ws, later) == []  # claimed: not twice
    assert [str(m["To"]) for m in box.messages] == ["ann@example.com"] * 2
    assert [slot for job, slot, _ in runs(demo_ws.store)] == [
        datetime(2025, 10, 20, 7, 0),
        datetime(2025, 10, 27, 7, 0),
    ]


def test_the_servers_scheduler_computes_under_the_servers_lock(demo_ws: Workspace) -> None:
    """A tick shares the server's warehouse connection, so it runs under the same lock."""
    (demo_ws.root / "alerts.yml").write_text(ALERTS)
    app = create_app(demo_ws)
    ctx = app.state.ctx
    unlocked: list[str] = []
    guarded = GuardedConnection(ctx.ws.warehouse.backend.con, ctx.lock, unlocked)
    ctx.ws.warehouse.backend.con = guarded
    guarded.route = "scheduler tick"
    scheduler = app_scheduler(app, datetime(2025, 10, 25, 10, 47), first_in=0)
    try:
        deadline = time.monotonic() + 600  # a tick computes every alert: slow on a busy machine
        while len(runs(ctx.ws.store)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        scheduler.shutdown(wait=True)
    assert [job for job, _, _ in runs(ctx.ws.store)] == ["alerts", "digest"]
    assert guarded.route == "scheduler tick" and ctx.ws.warehouse.backend.con is guarded
    assert not unlocked, sorted(set(unlocked))
