"""The rule behind every per-rep view: own rows only, and no total of too few reps."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from onpace.auth import Identity
from onpace.views.scope import Scope, rep_contributors
from onpace.workspace import Workspace
from tests.support.sales_workspace import sales_workspace

REP1 = Scope(restricted=True, rep_id="r1", min_group=3)


@pytest.mark.parametrize(
    ("members", "visible"),
    [
        (set(), True),  # no rep contributes (web orders): nothing to subtract
        ({"r1"}, True),  # only the viewer: they know it already
        ({"r2"}, False),  # one colleague: the total is their number
        ({"r1", "r2"}, False),  # own + one colleague: subtract and read it
        ({"r2", "r3"}, False),  # two colleagues: their sum, below the group of 3
        ({"r1", "r2", "r3"}, True),
        ({"r2", "r3", "r4"}, True),
        (None, True),  # the KPI has no rep dimension: no rep number to subtract
    ],
)
def test_total_visible_to_a_rep(members: set[str] | None, visible: bool) -> None:
    assert REP1.total_visible(members) is visible


def test_managers_and_a_group_of_one_see_every_total() -> None:
    manager = Scope.of(Identity(1, "m", "manager", None, "token"))
    assert manager.total_visible({"r2"}) and not manager.checks_totals
    off = Scope(restricted=True, rep_id="r1", min_group=1)
    assert off.total_visible({"r2"}) and not off.checks_totals
    assert Scope.of(Identity(2, "a", "rep", "r1", "token"), 5).min_group == 5


def test_hide_totals_blanks_the_value_and_says_why() -> None:
    rows = [{"kpi": "k", "period": "2024-01-01", "value": 5.0, "note": None}]

    def key(row: dict[str, object]) -> tuple[str, date, None]:
        return ("k", date(2024, 1, 1), None)

    hidden = REP1.hide_totals(rows, {("k", date(2024, 1, 1), None): frozenset({"r2"})}, key)
    assert hidden == [{**rows[0], "value": None, "note": REP1.hidden_note()}]
    assert REP1.hide_totals(rows, {}, key) == rows  # nobody contributes: unchanged


def test_rep_contributors_count_reps_with_rows(tmp_path: Path) -> None:
    ws = Workspace.open(sales_workspace(tmp_path / "ws"))
    as_of = datetime(2024, 3, 20, 12)
    q1 = (date(2024, 1, 1), date(2024, 4, 1))
    found = rep_contributors(ws, ["revenue", "quote_win_rate"], "quarter", *q1, "rep.team", as_of)
    assert found[("revenue", date(2024, 1, 1), "North")] == {"r1", "r2"}
    assert found[("revenue", date(2024, 1, 1), "South")] == {"r3"}
    # r2's quotes in Q1 (q2 lost, q8 lost) give a win rate of 0, which still weighs in
    assert found[("quote_win_rate", date(2024, 1, 1), "North")] == {"r1", "r2"}
    # a month in which r3 sold nothing: a sum of 0 is no contribution
    jan = rep_contributors(
        ws, ["revenue"], "month", date(2024, 1, 1), date(2024, 2, 1), None, as_of
    )
    assert jan[("revenue", date(2024, 1, 1), None)] == {"r1", "r2"}  # o4 of r3 is cancelled
    # by rep: every row is one rep's own, there is no total to check
    assert rep_contributors(ws, ["revenue"], "quarter", *q1, "rep", as_of) == {}
    # a KPI that cannot be split by rep is left out
    assert not rep_contributors(ws, ["website_visits"], "quarter", *q1, None, as_of)


def test_other_members_folded_into_one_row_only_when_enough_of_them() -> None:
    from onpace.views.compare_pages import OTHERS, _fold_hidden

    def row(member: str | None, change: float) -> dict[str, object]:
        # a member with no value in either period (r4) contributes nothing
        before, after = (100.0, 100.0 + change) if change else (0.0, 0.0)
        return {"member": member, "before": before, "after": after, "change": change,
                "mix": None, "rate": None}  # fmt: skip

    two = [row("r1", -60.0), row("r2", 15.5), row("r3", 4.0), row("r4", 0.0)]
    # r2 + r3: two colleagues, too few: the other members' row says so and shows no number
    mine, others = _fold_hidden(two, "rep", REP1)
    assert mine == row("r1", -60.0)
    assert others["member"] == OTHERS and others["note"] == REP1.hidden_note()
    assert (others["before"], others["after"], others["change"]) == (None, None, None)
    three = [*two, row("r5", 1.0)]
    folded = _fold_hidden(three, "rep", REP1)
    assert folded[0] == row("r1", -60.0)
    assert folded[1]["member"] == OTHERS and folded[1]["change"] == pytest.approx(20.5)
