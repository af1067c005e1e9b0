"""The demo shows the review loop: cadences, check-ins, alert rules and its emails as .eml."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

from typer.testing import CliRunner

from onpace.alerts.rules import workspace_alerts
from onpace.cli.main import app
from onpace.reviews.checkins import list_checkins
from onpace.reviews.records import list_reviews
from onpace.reviews.schedule import review_schedule
from onpace.workspace import Workspace


def test_demo_with_a_mail_folder(tmp_path: Path) -> None:
    root, mail = tmp_path / "demo", tmp_path / "mail"
    result = CliRunner().invoke(
        app,
        ["demo", str(root), "--orders", "3000", "--years", "1", "--no-serve",
         "--mail-to-dir", str(mail)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    ws = Workspace.open(root)
    schedule = review_schedule(ws.kpis, list_reviews(ws.store), ws.now().date())
    assert not [r for r in schedule if r.status == "no cadence"]
    assert {r.cadence for r in schedule} == {"monthly", "quarterly"}
    assert len(list_checkins(ws.store)) == 3
    assert [r.name for r in workspace_alerts(ws).rules] == [
        "slipping", "rep_quota_off_track", "stale_data",
    ]  # fmt: skip
    files = sorted(mail.glob("*.eml"))
    assert "written to" in result.output and files
    mails = [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    digests = [
        m for m in mails if "digest" in str(m["Subject"]) or "overzicht" in str(m["Subject"])
    ]
    assert {str(m["To"]) for m in digests} >= {"ceo@northwind.example", "sales@northwind.example"}
    assert all(m.get_body(("html",)) is not None for m in digests)
