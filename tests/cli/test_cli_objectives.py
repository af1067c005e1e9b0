"""Editing objectives.yml from the command line keeps what people wrote and refuses bad edits."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from onpace.cli.main import app

runner = CliRunner()

OBJECTIVES = """\
# Our strategy for 2026-2029; reviewed every quarter.
objectives:
  - name: growth
    label: Grow sales 10% a year   # the board's number
    horizon: 2026..2029
    kpis: {revenue: 3}
"""


def _workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    assert runner.invoke(app, ["init", str(root)]).exit_code == 0
    (root / "objectives.yml").write_text(OBJECTIVES, encoding="utf-8")
    return root


def test_add_link_unlink_keep_comments(tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    added = runner.invoke(
        app,
        [
            "objective",
            "add",
            "web_first",
            "--label",
            "Web shop first",
            "--parent",
            "growth",
            "--kpi",
            "website_visits=2",
            "--kpi",
            "orders",
            "-w",
            str(root),
        ],
    )
    assert added.exit_code == 0, added.output
    linked = runner.invoke(
        app, ["objective", "link", "growth", "gross_margin", "--weight", "1.5", "-w", str(root)]
    )
    assert linked.exit_code == 0, linked.output
    text = (root / "objectives.yml").read_text(encoding="utf-8")
    assert "# Our strategy for 2026-2029; reviewed every quarter." in text
    assert "# the board's number" in text
    data = yaml.safe_load(text)
    growth = data["objectives"][0]
    assert growth["kpis"] == {"revenue": 3, "gross_margin": 1.5}
    assert growth["objectives"][0] == {
        "name": "web_first",
        "label": "Web shop first",
        "kpis": {"website_visits": 2.0, "orders": 1.0},
    }
    unlinked = runner.invoke(app, ["objective", "unlink", "growth", "revenue", "-w", str(root)])
    assert unlinked.exit_code == 0, unlinked.output
    assert yaml.safe_load((root / "objectives.yml").read_text())["objectives"][0]["kpis"] == {
        "gross_margin": 1.5
    }
    tree = runner.invoke(app, ["objectives", "-w", str(root), "--as-of", "2026-01-01"])
    assert tree.exit_code == 0, tree.output


def test_bad_edits_change_nothing(tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    before = (root / "objectives.yml").read_text(encoding="utf-8")
    unknown_kpi = runner.invoke(app, ["objective", "link", "growth", "revenu", "-w", str(root)])
    assert unknown_kpi.exit_code == 1
    assert "unknown KPI 'revenu'" in unknown_kpi.output and "revenue" in unknown_kpi.output
    unknown_obj = runner.invoke(app, ["objective", "link", "grwth", "orders", "-w", str(root)])
    assert unknown_obj.exit_code == 1 and "Did you mean 'growth'" in unknown_obj.output
    duplicate = runner.invoke(app, ["objective", "add", "growth", "--label", "x", "-w", str(root)])
    assert duplicate.exit_code == 1 and "exists already" in duplicate.output
    bad_name = runner.invoke(app, ["objective", "add", "Bad Name", "--label", "x", "-w", str(root)])
    assert bad_name.exit_code == 1
    zero = runner.invoke(
        app, ["objective", "link", "growth", "orders", "--weight", "0", "-w", str(root)]
    )
    assert zero.exit_code == 1
    assert (root / "objectives.yml").read_text(encoding="utf-8") == before
    assert not list(root.glob(".objectives-*"))


def test_first_objective_creates_the_file(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    assert runner.invoke(app, ["init", str(root)]).exit_code == 0
    result = runner.invoke(
        app,
        [
            "objective",
            "add",
            "loyalty",
            "--label",
            "Keep customers",
            "--kpi",
            "active_customers=1",
            "-w",
            str(root),
        ],
    )
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((root / "objectives.yml").read_text())
    assert data == {
        "objectives": [
            {"name": "loyalty", "label": "Keep customers", "kpis": {"active_customers": 1.0}}
        ]
    }
