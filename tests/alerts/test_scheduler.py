"""The schedule: a restart neither skips nor repeats a run (slots claimed in the state store)."""

from __future__ import annotations

from datetime import datetime

from onpace.alerts.rules import DigestSettings
from onpace.alerts.scheduler import alerts_slot, digest_slot, run_due
from onpace.reports.schedule_runs import runs
from onpace.workspace import Workspace

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
