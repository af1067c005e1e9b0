"""Alert runs on the demo with a moving as-of date: fire once per change, scoped, recorded."""

from __future__ import annotations

from datetime import datetime

from onpace.alerts.dispatch import run_alerts
from onpace.alerts.history import channel_health, events, snooze
from onpace.auth import Auth
from onpace.workspace import Workspace
from tests.support.receivers import free_port, http_receiver, smtp_server

EARLY, SLIPPED, LATER = datetime(2025, 10, 10), datetime(2025, 10, 25), datetime(2025, 11, 10)


def _setup(ws: Workspace, smtp_port: int, hook_url: str, rules: str) -> None:
    auth = Auth(ws.store.engine)
    auth.add_user("ann", "manager", "pw-ann-123456", actor="test")
    auth.add_user("yasmin", "rep", "pw-yas-123456", rep_id="R03", actor="test")
    auth.add_user("lukas", "rep", "pw-luk-123456", rep_id="R04", actor="test")
    (ws.root / "alerts.yml").write_text(
        f"""\
channels:
  email: {{host: 127.0.0.1, port: {smtp_port}, starttls: false, sender: onpace@example.com}}
  webhook: {{url: "{hook_url}", secret: s3cret}}
people:
  ann: {{email: ann@example.com}}
  yasmin: {{email: yasmin@example.com, language: nl}}
  lukas: {{email: lukas@example.com}}
retry: {{attempts: 2, backoff_seconds: 0}}
rules:
{rules}"""
    )


ORDERS_RULE = """\
  - name: orders_slipping
    when: status
    kpis: [orders]
    recipients: {users: [ann]}
    channels: [email, webhook]
"""

REP_RULE = """\
  - name: rep_revenue
    when: status
    kpis: [revenue]
    scope: each rep
    at_least: off track
    recipients: {roles: [rep, manager]}
    channels: [email]
"""


def test_an_alert_goes_out_once_per_change_by_email_and_webhook(demo_ws: Workspace) -> None:
    with smtp_server() as box, http_receiver() as hook:
        _setup(demo_ws, box.port, hook.url, ORDERS_RULE)
        early = run_alerts(demo_ws, EARLY)
        assert (early.fired, early.sent) == (0, [])  # too early in the quarter to judge
        slipped = run_alerts(demo_ws, SLIPPED)
        assert slipped.fired == 1
        assert sorted((s.channel, s.recipient, s.ok) for s in slipped.sent) == [
            ("email", "ann", True),
            ("webhook", "webhook", True),
        ]
        again = run_alerts(demo_ws, LATER)
        assert (again.fired, again.unchanged, again.sent) == (0, 1, [])
    [mail] = box.messages
    assert mail["To"] == "ann@example.com"
    # the alert says what the scorecard says on that day: at risk or worse
    row = next(r for r in demo_ws.status(as_of=SLIPPED) if r.kpi == "orders")
    assert row.status in ("at risk", "off track")
    assert mail["Subject"].startswith(f"[onpace] Orders is {row.status} in 2025-Q4")
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"Target: {row.target:,.0f}" in text
    assert f"Status: {row.status}" in text
    [payload] = hook.json()
    assert payload["rule"] == "orders_slipping" and payload["condition"] == row.status
    assert payload["target"] == row.target and payload["pace"] == row.pace
    [fired] = [e for e in events(demo_ws.store) if e["event"] == "fired"]
    assert fired["kpi"] == "orders" and fired["as_of"].startswith("2025-10-25")
    assert {(d["channel"], d["ok"]) for d in fired["deliveries"]} == {
        ("email", True),
        ("webhook", True),
    }


def test_a_dry_run_sends_and_records_nothing(demo_ws: Workspace) -> None:
    with smtp_server() as box, http_receiver() as hook:
        _setup(demo_ws, box.port, hook.url, ORDERS_RULE)
        planned = run_alerts(demo_ws, SLIPPED, dry_run=True)
        assert planned.fired == 1
        assert {(s.channel, s.address, s.ok) for s in planned.sent} == {
            ("email", "ann@example.com", None),
            ("webhook", hook.url.rsplit("/", 1)[0] + "/...", None),
        }
        assert box.messages == [] and hook.requests == []
        assert events(demo_ws.store) == []
        assert run_alerts(demo_ws, SLIPPED).fired == 1  # the real run still fires


def test_a_snoozed_rule_stays_quiet_until_the_snooze_ends(demo_ws: Workspace) -> None:
    with smtp_server() as box, http_receiver() as hook:
        _setup(demo_ws, box.port, hook.url, ORDERS_RULE)
        snooze(demo_ws.store, "orders_slipping", datetime(2025, 11, 1), "known, plan agreed")
        assert run_alerts(demo_ws, SLIPPED).snoozed == 1
        assert box.messages == []
        assert run_alerts(demo_ws, LATER).fired == 1
        assert len(box.messages) == 1


def test_a_rep_receives_only_their_own_row(demo_ws: Workspace) -> None:
    with smtp_server() as box, http_receiver() as hook:
        _setup(demo_ws, box.port, hook.url, REP_RULE)
        run = run_alerts(demo_ws, LATER)
    off = {
        r.member
        for r in demo_ws.status(by="rep", as_of=LATER)
        if r.kpi == "revenue" and r.status == "off track"
    }
    assert off  # the demo has reps off track on 10 Nov
    assert run.fired == len(off)
    for rep_user, rep_id in (("yasmin", "R03"), ("lukas", "R04")):
        mine = box.to(f"{rep_user}@example.com")
        assert len(mine) == (1 if rep_id in off else 0)
    assert len(box.to("ann@example.com")) == len(off)  # the manager gets every rep's alert
    yasmin = box.to("yasmin@example.com")
    if yasmin:  # Dutch, and about herself
        body = yasmin[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert "Doel:" in body and "Yasmin Berger" in body
        assert "Lukas" not in body


def test_an_unreachable_channel_is_recorded_and_reported(demo_ws: Workspace) -> None:
    _setup(demo_ws, free_port(), f"http://127.0.0.1:{free_port()}/hook", ORDERS_RULE)
    run = run_alerts(demo_ws, SLIPPED)
    assert run.fired == 1 and len(run.failed) == 2
    assert all(s.attempts == 2 for s in run.failed)
    health = {h["channel"]: h for h in channel_health(demo_ws.store)}
    assert health["email"]["status"] == "failing" and health["webhook"]["status"] == "failing"
    assert "Connection refused" in health["email"]["last_error"]
    assert run_alerts(demo_ws, LATER).fired == 0  # reported once, not re-fired on every run
