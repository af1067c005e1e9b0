"""`onpace review` and `onpace reviews` on a real workspace and state store."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from onpace.cli.main import app

runner = CliRunner()


def test_review_then_schedule(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    assert runner.invoke(app, ["init", str(root)]).exit_code == 0
    sales = root / "kpis" / "sales.yml"
    sales.write_text(
        sales.read_text().replace(
            "- name: revenue\n", "- name: revenue\n  review_cadence: monthly\n  owner: ann\n", 1
        )
    )
    done = runner.invoke(
        app,
        [
            "review",
            "revenue",
            "--note",
            "on plan after the Q3 push",
            "--reviewer",
            "ann",
            "-w",
            str(root),
        ],
    )
    assert done.exit_code == 0, done.output
    assert "review of revenue recorded: keep by ann" in done.output
    listed = runner.invoke(app, ["reviews", "-w", str(root), "--format", "json"])
    assert listed.exit_code == 0, listed.output
    rows = {r["kpi"]: r for r in json.loads(listed.output)}
    assert rows["revenue"]["status"] == "ok"
    assert rows["revenue"]["cadence"] == "monthly" and rows["revenue"]["last_decision"] == "keep"
    assert rows["orders"]["status"] == "no cadence"
    history = runner.invoke(
        app, ["reviews", "--kpi", "revenue", "-w", str(root), "--format", "json"]
    )
    assert [r["note"] for r in json.loads(history.output)] == ["on plan after the Q3 push"]
    table = runner.invoke(app, ["reviews", "-w", str(root)])
    assert table.exit_code == 0, table.output
    revenue_line = next(line for line in table.output.splitlines() if "revenue " in line)
    assert "monthly" in revenue_line and "ann" in revenue_line and "ok" in revenue_line
    due_only = runner.invoke(app, ["reviews", "--due", "-w", str(root), "--format", "json"])
    assert "revenue" not in {r["kpi"] for r in json.loads(due_only.output)}
    refused = runner.invoke(
        app, ["review", "revenue", "--note", "x", "--decision", "drop", "-w", str(root)]
    )
    assert refused.exit_code == 1 and "unknown decision 'drop'" in refused.output
