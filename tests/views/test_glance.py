"""The scorecard at a glance: summary counts, tiles, sections and arrows, checked by hand."""

from __future__ import annotations

from typing import Any

from onpace.views.glance import glance, summary, trend


def _row(
    kpi: str,
    status: str,
    target: float | None,
    change: float | None,
    direction: str = "higher",
    member: str | None = None,
) -> dict[str, Any]:
    return {
        "kpi": kpi,
        "label": kpi.title(),
        "unit": "count",
        "direction": direction,
        "member": member,
        "value": 10.0,
        "target": target,
        "attainment": None if target is None else 10.0 / target,
        "status": status,
        "change": change,
        "sparkline": [1.0, None, 3.0],
    }


def _card(*rows: dict[str, Any], by: str | None = None) -> dict[str, Any]:
    return {
        "state": "current",
        "by": by,
        "groups": [
            {"name": "growth", "label": "Grow", "depth": 0, "rows": list(rows[:2])},
            {"name": "(no objective)", "label": "None", "depth": 0, "rows": list(rows[2:])},
        ],
    }


def test_arrow_colour_follows_the_direction() -> None:
    # a fall in days to close is good news; a fall in revenue is bad news
    assert trend(-0.2, "lower") == "good" and trend(-0.2, "higher") == "bad"
    assert trend(0.1, "lower") == "bad" and trend(0.1, "higher") == "good"
    assert trend(None, "lower") == "flat" and trend(0.0, "lower") == "flat"


def test_summary_counts_only_rows_with_a_target_in_order() -> None:
    rows = [
        _row("a", "off track", 5, 0.1),
        _row("b", "on track", 5, 0.1),
        _row("c", "on track", 5, 0.1),
        _row("d", "at risk", 5, 0.1),
        _row("e", "no target", None, 0.1),
    ]
    assert summary(rows) == [
        {"status": "on track", "count": 2},
        {"status": "at risk", "count": 1},
        {"status": "off track", "count": 1},
    ]


def test_tiles_sections_pins_and_hides() -> None:
    card = _card(
        _row("revenue", "on track", 20, 0.1),
        _row("orders", "no target", None, -0.1),
        _row("days_to_close", "off track", 5, -0.3, direction="lower"),
        _row("aov", "no target", None, 0.2),
    )
    out = glance(card, pinned=["days_to_close"], hidden=["aov"])
    assert [t["kpi"] for t in out["tiles"]] == ["days_to_close", "revenue"]  # pinned first
    assert out["tiles"][0]["pinned"] and out["tiles"][0]["trend"] == "good"
    assert [r["kpi"] for g in out["targeted_groups"] for r in g["rows"]] == [
        "revenue",
        "days_to_close",
    ]
    assert [r["kpi"] for r in out["untargeted"]] == ["orders"]  # aov is hidden
    assert out["hidden"] == [{"kpi": "aov", "label": "Aov"}]
    assert out["summary"] == [
        {"status": "on track", "count": 1},
        {"status": "off track", "count": 1},
    ]
    # the table, CSV and API keep every row
    assert "table" not in out or out["table"] == card.get("table")
    # the sparkline of a tile draws the target as a rule and the period in progress apart
    layers = out["tiles"][1]["chart"]["layer"]
    assert layers[-1]["mark"]["type"] == "rule" and layers[-1]["data"]["values"] == [{"t": 20}]
    points = layers[0]["data"]["values"]
    assert [p["part"] for p in points] == ["complete", "to date"]  # the None period is left out


def test_by_member_has_no_tiles_and_counts_members() -> None:
    card = _card(
        _row("revenue", "on track", 20, 0.1, member="r1"),
        _row("revenue", "off track", 20, 0.1, member="r2"),
        by="rep",
    )
    out = glance(card)
    assert out["tiles"] == []
    assert out["summary"] == [
        {"status": "on track", "count": 1},
        {"status": "off track", "count": 1},
    ]


def test_a_breakdown_with_data_is_not_an_empty_workspace() -> None:
    """A breakdown has no total rows; its members' values say there is data."""
    rows = [
        _row("revenue", "hidden", None, None, member="sales"),
        _row("revenue", "no target", None, None, member="store"),
    ]
    assert glance(_card(*rows, by="channel"))["empty"] is False
    nothing = [_row("revenue", "no data", None, None), _row("orders", "no data", None, None)]
    assert glance(_card(*nothing))["empty"] is True
    assert glance(_card(by="rep"))["empty"] is True  # no member has a row: nothing loaded
    assert glance(_card(_row("revenue", "no target", None, 0.1)))["empty"] is False
