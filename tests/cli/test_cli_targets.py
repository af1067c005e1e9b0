"""The target, objectives, scorecard and check commands on a real workspace folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onpace.cli.main import app
from tests.support.target_fixtures import make_workspace, revenue_q1_projection_by_hand

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    make_workspace(root)
    (root / "objectives.yml").write_text(
        "objectives:\n  - name: growth\n    label: Grow revenue\n"
        "    kpis: {revenue: 2, cancelled_orders: 1}\n"
    )
    return root


def test_set_list_history_remove(ws: Path) -> None:
    w = str(ws)
    code, out = invoke(
        "target", "set", "revenue", "2026-Q1", "900", "--why", "budget", "-w", w, "--user", "ann"
    )
    assert code == 0 and "€900" in out and "revision 1 by ann" in out
    code, out = invoke(
        "target", "set", "revenue", "2026-Q1", "950", "--why", "raised", "-w", w, "--user", "bob"
    )
    assert code == 0 and "revision 2 by bob" in out
    code, out = invoke(
        "target",
        "set",
        "revenue",
        "2026-02",
        "+10%",
        "--relative",
        "previous",
        "--why",
        "grow",
        "-w",
        w,
    )
    # previous month January 2026: 240 -> 264
    assert code == 0 and "€264" in out and "2026-01" in out
    code, out = invoke(
        "target",
        "set",
        "revenue",
        "2026-Q1",
        "400",
        "--by",
        "rep=r1",
        "--phasing",
        "weights",
        "--weights",
        "20,30,50",
        "--why",
        "quota",
        "-w",
        w,
    )
    assert code == 0 and "rep=r1" in out
    code, out = invoke("target", "list", "-w", w, "--milestones")
    assert code == 0 and "€950" in out and "€400" in out and "20.0%" in out
    code, out = invoke("target", "history", "revenue", "-w", w)
    assert code == 0 and "ann" in out and "bob" in out and "budget" in out and "raised" in out
    code, out = invoke(
        "target", "remove", "revenue", "2026-Q1", "--by", "rep=r1", "--why", "left", "-w", w
    )
    assert code == 0
    code, out = invoke("target", "history", "revenue", "-w", w)
    assert "retire" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["revenue", "2026-Q1", "+10%", "--relative", "last_year"], "baseline 2025-Q1 is 0"),
        (["revenu", "2026-Q1", "5"], "Did you mean 'revenue'"),
        (["revenue", "2026-Q5", "5"], "cannot read period"),
        (["revenue", "2026-Q1", "lots"], "not a number"),
        (["revenue", "2026-Q1", "5", "--by", "region=north"], "cannot be broken down by 'region'"),
        (["revenue", "2026-Q1", "5", "--phasing", "weights", "--weights", "50,40,5"], "sum to 100"),
        (["revenue", "2026-Q1", "5", "--relative", "lastyear"], "last_year or previous"),
    ],
)
def test_bad_input_is_a_message_not_a_traceback(ws: Path, args: list[str], message: str) -> None:
    code, out = invoke("target", "set", *args, "--why", "x", "-w", str(ws))
    assert code == 1 and message in out.replace("\n", " ")


def test_why_is_required(ws: Path) -> None:
    code, out = invoke("target", "set", "revenue", "2026-Q1", "5", "-w", str(ws))
    assert code == 2 and "--why" in out


def test_export_import_round_trip(ws: Path, tmp_path: Path) -> None:
    w = str(ws)
    invoke(
        "target",
        "set",
        "revenue",
        "2026-02",
        "+10%",
        "--relative",
        "previous",
        "--why",
        "grow",
        "-w",
        w,
    )
    code, out = invoke(
        "target",
        "set",
        "cancel_rate",
        "2026-Q1",
        "--relative",
        "previous",
        "--why",
        "fewer",
        "-w",
        w,
        "--",
        "-2pp",
    )
    # 2025-Q4: 2 cancelled of 5 orders = 40%, minus 2 points
    assert code == 0 and "38.0%" in out
    out_file = tmp_path / "targets.yml"
    code, _ = invoke("target", "export", "-w", w, "-o", str(out_file))
    assert code == 0
    text = out_file.read_text()
    assert "baseline_value: 240.0" in text and "change: +10%" in text and "-2pp" in text
    other = tmp_path / "other"
    make_workspace(other)
    code, out = invoke("target", "import", str(out_file), "-w", str(other))
    assert code == 0 and "2 new revision(s)" in out
    code, out = invoke("target", "import", str(out_file), "-w", str(other))
    assert "0 new revision(s)" in out
    code, out = invoke("target", "export", "-w", str(other))
    assert out == text


def test_import_errors_point_at_the_entry(ws: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "targets:\n  - kpi: revenue\n    period: 2026-Q1\n    why: x\n"
        "  - kpi: revenue\n    period: 2026-Q2\n    value: 5\n    colour: red\n    why: y\n"
    )
    code, out = invoke("target", "import", str(bad), "-w", str(ws))
    assert code == 1 and "bad.yml:8" in out and "colour" in out
    bad.write_text("targets:\n  - kpi: revenue\n    period: 2026-Q1\n    why: x\n")
    code, out = invoke("target", "import", str(bad), "-w", str(ws))
    assert code == 1 and "bad.yml:2" in out and "give either value or relative" in out


def test_scorecard_objectives_and_check(ws: Path) -> None:
    w = str(ws)
    invoke("target", "set", "revenue", "2026-Q1", "855", "--why", "b", "-w", w)
    invoke("target", "set", "cancelled_orders", "2026-Q1", "4", "--why", "b", "-w", w)
    invoke("target", "set", "revenue", "2026-Q1", "350", "--by", "rep=r1", "--why", "q", "-w", w)
    code, out = invoke("scorecard", "-w", w, "--as-of", "2026-02-15")
    assert code == 0 and "Grow revenue" in out and "on track" in out
    code, out = invoke("scorecard", "-w", w, "--as-of", "2026-02-15", "--format", "json")
    card = json.loads(out)
    rows = {r["kpi"]: r for g in card["groups"] for r in g["rows"]}
    # revenue: 450 so far, half run-rate (450 more), half model (360 more); see test_pace
    assert rows["revenue"]["value"] == 450.0
    assert rows["revenue"]["projection"] == pytest.approx(revenue_q1_projection_by_hand())
    # 45 of Q1's 90 days are gone: past the too-early 20%, judged on the projection
    assert card["elapsed"] == 0.5 and rows["revenue"]["status"] == "on track"
    # roll-up: revenue projected at 855 of 855, cancellations at 3.75 for at most 4 (inverted)
    assert card["groups"][0]["attainment"] == pytest.approx((2 * 1 + 1 * 4 / 3.75) / 3)
    code, out = invoke(
        "scorecard", "-w", w, "--as-of", "2026-02-15", "--by", "rep", "--format", "json"
    )
    by_rep = [r for g in json.loads(out)["groups"] for r in g["rows"]]
    ann = next(r for r in by_rep if r["member"] == "r1")
    # Ann: January 240 + February 110; the only rep with a quota, so ranked first
    assert ann["member_label"] == "Ann" and ann["value"] == 350.0 and ann["target"] == 350.0
    assert ann["rank"] == 1
    bob = next(r for r in by_rep if r["member"] == "r2")
    assert bob["target"] is None and bob["rank"] is None and bob["value"] == 100.0
    code, out = invoke("scorecard", "-w", w, "--period", "2025-Q1", "--targeted")
    assert code == 0 and "no KPI rows for 2025-Q1 with a target" in out
    code, out = invoke("objectives", "-w", w, "--as-of", "2026-02-15")
    assert code == 0 and "Grow revenue" in out and "revenue  weight 67%" in out
    code, out = invoke("check", "-w", w, "--as-of", "2026-02-15")
    assert code == 0, out
    invoke("target", "set", "revenue", "2026-Q1", "5000", "--why", "dream", "-w", w)
    code, out = invoke("check", "-w", w, "--as-of", "2026-02-15")
    # three months of history cannot calibrate the probability: a warning, not an error
    assert code == 0 and "probably unrealistic" in out


def test_state_url_from_onpace_yml(
    ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATE_DIR", str(tmp_path))
    config = ws / "onpace.yml"
    config.write_text(config.read_text() + "state_url: sqlite:///${STATE_DIR}/elsewhere.db\n")
    code, _ = invoke("target", "set", "revenue", "2026-Q1", "900", "--why", "b", "-w", str(ws))
    assert code == 0 and (tmp_path / "elsewhere.db").exists() and not (ws / "state.db").exists()


def test_demo_shows_every_status_and_an_unrealistic_target(tmp_path: Path) -> None:
    from datetime import date

    from onpace.demo.setup import create_demo

    root = tmp_path / "demo"
    create_demo(root, orders=3000, seed=3, years=2, today=date(2025, 11, 27))
    code, out = invoke("scorecard", "-w", str(root), "--as-of", "2025-11-27", "--format", "json")
    statuses = {r["status"] for g in json.loads(out)["groups"] for r in g["rows"]}
    assert {"on track", "at risk", "off track"} <= statuses
    code, out = invoke("scorecard", "-w", str(root), "--as-of", "2025-11-27", "--by", "rep")
    assert code == 0 and "unassigned" in out and "R01" not in out
    code, out = invoke("check", "-w", str(root), "--as-of", "2025-11-27", "--kpi", "revenue")
    assert code == 1 and "unrealistic" in out and "2026-Q1" in out
    code, out = invoke("target", "history", "revenue", "-w", str(root))
    assert "demo" in out and "stretch goal" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["revenue", "2026-Q1", "500", "--by", "rep.team=Nort"], "Did you mean 'North'"),
        (["revenue", "2026-Q1", "500", "--by", "rep.team=Nort"], "add --new-value"),
        (["revenue", "2026-Q1", "500", "--by", "rep=Zed"], "no rep 'Zed'"),
        (["cancel_rate", "2026-Q1", "35"], "as a fraction it is 3,500%, as a percentage 35%"),
        (["revenue", "2026-Q1", "10%"], "this KPI is measured in currency"),
        (["revenue", "2026-Q1", "900", "--floor", "950"], "must be below the target"),
        (["revenue", "2026-Q1", "900", "--stretch", "800"], "must be above the target"),
        (["cancel_rate", "2026-Q1", "5%", "--floor", "3%"], "must be above the target"),
        (["revenue", "9999-Q4", "900"], "outside the years 1900 to 2200"),
    ],
)
def test_values_units_and_levels_are_checked(ws: Path, args: list[str], message: str) -> None:
    code, out = invoke("target", "set", *args, "--why", "x", "-w", str(ws))
    assert code == 1 and message in out.replace("\n", " ")


def test_members_names_new_values_and_levels(ws: Path) -> None:
    w = str(ws)
    code, out = invoke(
        "target", "set", "revenue", "2026-Q1", "300", "--by", "rep=Ann", "--why", "q", "-w", w
    )
    assert code == 0 and "rep=r1" in out  # a rep named by name is stored by id
    code, out = invoke(
        "target",
        "set",
        "revenue",
        "2026-Q1",
        "500",
        "--by",
        "rep.team=West",
        "--new-value",
        "--why",
        "new team",
        "-w",
        w,
    )
    assert code == 0 and "rep.team=West" in out
    code, out = invoke(
        "target",
        "set",
        "revenue",
        "2026-Q1",
        "900",
        "--floor",
        "800",
        "--stretch",
        "1.1k",
        "--why",
        "b",
        "-w",
        w,
    )
    assert code == 0 and "floor €800" in out and "stretch €1,100" in out
    code, out = invoke(
        "scorecard", "-w", w, "--as-of", "2026-02-15", "--format", "json", "--kpi", "revenue"
    )
    row = next(r for g in json.loads(out)["groups"] for r in g["rows"])
    # 450 so far, projected 870 (see tests/targets/test_pace.py): between floor and target
    assert (row["floor"], row["stretch"], row["level"]) == (800.0, 1100.0, "floor to target")
    assert row["explanation"].endswith("; projected floor to target")


def test_try_records_nothing(ws: Path) -> None:
    w = str(ws)
    code, out = invoke(
        "target", "try", "revenue", "2026-Q1", "5k", "-w", w, "--as-of", "2026-02-15"
    )
    # 450 of 5,000 so far; the projection (855, worked out below) makes it unrealistic
    assert code == 0 and "tried, not recorded" in out and "€5,000" in out
    assert "unrealistic" in out
    code, out = invoke(
        "target",
        "try",
        "revenue",
        "2026-Q1",
        "900",
        "-w",
        w,
        "--as-of",
        "2026-02-15",
        "--format",
        "json",
    )
    trial = json.loads(out)
    assert trial["recorded"] is False
    assert trial["status"]["projection"] == pytest.approx(revenue_q1_projection_by_hand())
    assert revenue_q1_projection_by_hand() == 855.0
    assert trial["status"]["attainment"] == 0.5 and {f["letter"] for f in trial["findings"]} == set(
        "SMART"
    )
    code, out = invoke("target", "history", "revenue", "-w", w)
    assert code == 1 and "no target has ever been set" in out


def test_quotas_that_do_not_add_up_are_a_smart_warning(ws: Path) -> None:
    w = str(ws)
    invoke("target", "set", "revenue", "2026-Q1", "900", "--why", "b", "-w", w)
    invoke("target", "set", "revenue", "2026-Q1", "300", "--by", "rep=r1", "--why", "q", "-w", w)
    invoke("target", "set", "revenue", "2026-Q1", "100", "--by", "rep=r2", "--why", "q", "-w", w)
    _, out = invoke("check", "-w", w, "--as-of", "2026-02-15", "--kpi", "revenue")
    text = out.replace("\n", " ")
    assert "member targets are under-allocated" in text
    assert (
        "2 rep quotas for 2026-Q1 add up to 400: 500 (56%) short of the total target of 900" in text
    )


def test_a_quota_needs_a_rep_at_work(tmp_path: Path) -> None:
    import pandas as pd

    reps = pd.DataFrame(
        {
            "rep_id": ["r1", "r2"],
            "name": ["Ann", "Bob"],
            "team": ["North", "North"],
            "hired_at": [None, "2025-11-15"],
            "left_at": [None, "2026-01-31"],
        }
    )
    root = tmp_path / "ws"
    make_workspace(root, reps=reps)
    code, out = invoke(
        "target",
        "set",
        "revenue",
        "2026-Q2",
        "100",
        "--by",
        "rep=Bob",
        "--why",
        "q",
        "-w",
        str(root),
    )
    assert (
        code == 1
        and "Bob (r2) did not work in 2026-Q2 (hired 2025-11-15, left 2026-01-31)"
        in out.replace("\n", " ")
    )
    code, _ = invoke(
        "target",
        "set",
        "revenue",
        "2026-Q1",
        "100",
        "--by",
        "rep=Bob",
        "--why",
        "q",
        "-w",
        str(root),
    )
    assert code == 0
