"""The whole review loop on the demo, with a moving as-of date.

A KPI slips, its alert goes out once by email and webhook, the rep's digest shows
only the rep's rows (and the manager's the team), a check-in is recorded and
shows in the digest, and the review pack of the quarter renders with the
scorecard's numbers.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from onpace.alerts.dispatch import run_alerts
from onpace.reports.digest_send import send_digests
from onpace.reports.pack import review_pack
from onpace.reports.writers import write_pack
from onpace.reviews.checkins import add_checkin
from onpace.workspace import Workspace
from tests.alerts.test_run import ORDERS_RULE, _setup
from tests.support.receivers import http_receiver, smtp_server

EARLY, SLIPPED, LATER = datetime(2025, 10, 10), datetime(2025, 10, 25), datetime(2025, 11, 10)


def test_the_review_cycle(demo_ws: Workspace, tmp_path: Path) -> None:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    with smtp_server() as box, http_receiver() as hook:
        _setup(demo_ws, box.port, hook.url, ORDERS_RULE)
        # the KPI slips: nothing at first, one alert when it does, none while it stays
        assert run_alerts(demo_ws, EARLY).fired == 0
        assert run_alerts(demo_ws, SLIPPED).fired == 1
        assert run_alerts(demo_ws, LATER).fired == 0
        assert [m["To"] for m in box.messages] == ["ann@example.com"]
        assert len(hook.requests) == 1
        # the owner checks in on it
        add_checkin(demo_ws, "2025-Q4", "two big orders moved to December", "at risk",
                    kpi="orders", author="ann", when=LATER)  # fmt: skip
        box.messages.clear()
        sent = send_digests(demo_ws, LATER, since=SLIPPED, sleep=lambda s: None)
    assert {s.recipient: s.ok for s in sent} == {"ann": True, "yasmin": True, "lukas": True}
    rep_rows = demo_ws.scorecard("2025-Q4", as_of=LATER, by="rep").rows
    yasmin = box.to("yasmin@example.com")[0]
    text = yasmin.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = yasmin.get_body(("html",)).get_content()  # type: ignore[union-attr]
    own = [r for r in rep_rows if r.member == "R03" and r.target is not None]
    others = {r.member_label for r in rep_rows if r.member != "R03" and r.member_label}
    assert own and all(f"{r.label} (Yasmin Berger)" in text for r in own)
    assert not any(name in text or name in html for name in others)
    assert "Doel" in text  # in her language
    assert "two big orders" not in text  # the check-in is on the total, which she cannot see
    assert "cid:attainment-chart" in html
    assert [p.get_content_type() for p in yasmin.walk()].count("image/png") == 1
    ann = box.to("ann@example.com")[0]
    ann_text = ann.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    orders = next(r for r in demo_ws.status(as_of=LATER) if r.kpi == "orders")
    assert orders.status in ("at risk", "off track")  # it stayed slipped: no second alert
    assert f"Orders: {orders.status}" in ann_text and "Lukas Fischer" in ann_text
    assert "Check-in: at risk - two big orders moved to December (ann)" in ann_text
    # the review pack of the quarter renders, with the scorecard's numbers
    pack = review_pack(demo_ws, "2025-Q4", as_of=LATER)
    book = load_workbook(write_pack(pack, "xlsx", tmp_path / "pack.xlsx"))
    sheet = book["Scorecard"]
    header = [c.value for c in sheet[1]]
    got = {
        row[header.index("kpi")]: row[header.index("attainment")]
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    for row in demo_ws.scorecard("2025-Q4", as_of=LATER, by="total").rows:
        want = row.attainment
        assert got[row.kpi] == (pytest.approx(want, rel=1e-12) if want is not None else None)
    comments = [c[5] for c in book["Check-ins"].iter_rows(min_row=2, values_only=True)]
    assert comments[-1] == "two big orders moved to December"
    pdf = write_pack(pack, "pdf", tmp_path / "pack.pdf")
    assert pdf.read_bytes()[:4] == b"%PDF"
    artifacts = Path("/work/artifacts")
    if artifacts.is_dir():
        (artifacts / "digest_rep.eml").write_bytes(bytes(yasmin))
        (artifacts / "digest_rep.html").write_text(html)
        (artifacts / "digest_manager.eml").write_bytes(bytes(ann))
