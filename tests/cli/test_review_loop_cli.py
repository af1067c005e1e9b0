"""The review loop from the command line: alerts check/run, checkin, report, digest send."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from onpace.cli.main import app
from onpace.workspace import Workspace
from tests.support.review_demo import demo_ws, review_demo_root

__all__ = ["demo_ws", "review_demo_root"]

RULES = """\
channels:
  email: {host: 127.0.0.1, port: 9, starttls: false, sender: onpace@example.com}
people:
  ann: {email: ann@example.com, role: manager}
rules:
  - name: orders_slipping
    when: status
    kpis: [orders]
    recipients: {users: [ann]}
"""


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_the_review_loop_commands(demo_ws: Workspace, tmp_path: Path) -> None:
    w = str(demo_ws.root)
    (demo_ws.root / "alerts.yml").write_text(RULES.replace("[orders]", "[ordrs]"))
    code, out = invoke("alerts", "check", "-w", w)
    assert code == 1 and "alerts.yml:8" in out and "Did you mean 'orders'" in out
    (demo_ws.root / "alerts.yml").write_text(RULES)
    code, out = invoke("alerts", "check", "-w", w)
    assert code == 0 and "1 alert rule(s) ok" in out
    code, out = invoke("alerts", "run", "-w", w, "--as-of", "2025-10-25", "--dry-run",
                       "--format", "json")  # fmt: skip
    planned = json.loads(out)
    assert code == 0 and planned["fired"] == 1
    assert [(s["channel"], s["address"], s["ok"]) for s in planned["sent"]] == [
        ("email", "ann@example.com", None)
    ]
    code, out = invoke("alerts", "history", "-w", w, "--format", "json")
    assert json.loads(out) == []  # a dry run records nothing
    code, out = invoke("checkin", "orders", "--period", "2025-Q4", "--confidence", "6",
                       "--comment", "pipeline recovering", "-w", w)  # fmt: skip
    assert code == 0 and "check-in on orders for 2025-Q4 recorded: 6" in out
    code, out = invoke("checkin", "orders", "--period", "2025-Q4", "--confidence", "12",
                       "--comment", "x", "-w", w)  # fmt: skip
    assert code == 1 and "1 to 10" in out
    code, out = invoke("digest", "send", "-w", w, "--as-of", "2025-11-10", "--dry-run")
    assert code == 0 and "ann@example.com: Your onpace digest: 2025-Q4" in out and "Orders" in out
    target = tmp_path / "pack.xlsx"
    code, out = invoke("report", "--period", "2025-Q4", "--as-of", "2025-11-27", "--by", "total",
                       "-o", str(target), "-w", w)  # fmt: skip
    assert code == 0 and target.exists() and target.read_bytes()[:2] == b"PK"
    code, out = invoke("report", "--period", "2025-Q4", "--format", "doc", "-w", w)
    assert code == 2 and "use pdf, xlsx or html" in out
