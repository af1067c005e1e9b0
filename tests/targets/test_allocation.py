"""Do the quotas add up? Member targets against the target above them, by hand.

Pure: targets and a roster, no data (linear phasing needs no history).
Ann and Bob are in team North, Cem in team South.
"""

from __future__ import annotations

from datetime import date

import pytest

from onpace.targets.allocation import Allocation, allocations
from onpace.targets.definition import Target, parse_target_period
from onpace.targets.roster import Rep, Roster

ROSTER = Roster(
    {
        "r1": Rep("r1", "Ann", "North"),
        "r2": Rep("r2", "Bob", "North"),
        "r3": Rep("r3", "Cem", "South"),
    }
)
Q4 = parse_target_period("2026-Q4")
YEAR = parse_target_period("2026")


def check(targets: list[Target], additive: bool = True) -> list[Allocation]:
    return allocations(targets, "revenue", lambda _: additive, lambda *_: {}, ROSTER)


def quotas(*values: float) -> list[Target]:
    return [Target("revenue", Q4, v, "rep", f"r{i + 1}") for i, v in enumerate(values)]


def test_rep_quotas_short_of_a_phased_year_target() -> None:
    # 2026: 3,650 linear; Q4 has 92 of 365 days: 920 asked of the quarter
    found = check([Target("revenue", YEAR, 3650.0), *quotas(300, 200, 100)])
    (a,) = found
    assert (a.parent, a.parent_value, a.total, a.count) == ("all", pytest.approx(920.0), 600, 3)
    assert a.gap == pytest.approx(320.0) and a.share == pytest.approx(320 / 920)
    assert a.kind == "under"
    assert a.message() == (
        "3 rep quotas for 2026-Q4 add up to 600: 320 (35%) short of the total target of "
        "920 (2026 phased (linear)), under-allocated"
    )


def test_over_allocation_and_the_tolerance() -> None:
    over = check([Target("revenue", Q4, 500.0), *quotas(300, 200, 100)])
    assert over[0].kind == "over" and over[0].gap == -100.0
    assert "100 (20%) more than the total target of 500 (2026-Q4)" in over[0].message()
    # within half a percent it is balanced: 600 against 602
    even = check([Target("revenue", Q4, 602.0), *quotas(300, 200, 100)])
    assert even[0].kind == "balanced"
    assert even[0].message() == (
        "3 rep quotas for 2026-Q4 add up to 600, matching the total target (602)"
    )


def test_quotas_are_held_against_their_team_when_teams_have_targets() -> None:
    targets = [
        Target("revenue", Q4, 450.0, "rep.team", "North"),
        Target("revenue", Q4, 100.0, "rep.team", "South"),
        Target("revenue", Q4, 700.0),
        *quotas(300, 200, 100),
    ]
    by_scope = {a.parent: a for a in check(targets)}
    # North: Ann 300 + Bob 200 = 500 against 450; South: Cem 100 against 100
    assert by_scope["rep.team=North"].total == 500 and by_scope["rep.team=North"].kind == "over"
    assert by_scope["rep.team=South"].kind == "balanced"
    # team targets against the total: 450 + 100 = 550 against 700
    teams = by_scope["all"]
    assert (teams.children, teams.total, teams.kind) == ("team targets", 550, "under")


def test_a_team_without_a_target_counts_with_its_reps_quotas() -> None:
    # North has 450 of its own; South has none, so it counts with Cem's quota of 100:
    # 450 + 100 = 550 against the total of 700, 150 short (150 / 700 = 21%)
    targets = [
        Target("revenue", Q4, 450.0, "rep.team", "North"),
        Target("revenue", Q4, 700.0),
        *quotas(300, 200, 100),
    ]
    by_scope = {a.parent: a for a in check(targets)}
    teams = by_scope["all"]
    assert (teams.count, teams.total, teams.rolled_up, teams.kind) == (2, 550, 1, "under")
    assert teams.message() == (
        "2 team targets (1 summed from rep quotas) for 2026-Q4 add up to 550: 150 (21%) "
        "short of the total target of 700 (2026-Q4), under-allocated"
    )
    # Ann 300 + Bob 200 against North's 450; South's reps have no team target to meet
    assert by_scope["rep.team=North"].total == 500 and "rep.team=South" not in by_scope


def test_one_member_target_reads_in_the_singular() -> None:
    (a,) = check([Target("revenue", Q4, 500.0), *quotas(300)])
    assert a.message() == (
        "1 rep quota for 2026-Q4 is 300: 200 (40%) short of the total target of 500 "
        "(2026-Q4), under-allocated"
    )


def test_no_target_above_and_rates_are_not_checked() -> None:
    assert check(quotas(300, 200)) == []
    assert check([Target("revenue", Q4, 900.0), *quotas(300, 200)], additive=False) == []
    # member targets of another period are checked in their own period only
    june = Target("revenue", parse_target_period("2026-06"), 50.0, "channel", "web")
    (a,) = check([Target("revenue", YEAR, 3650.0), june])
    assert a.period == "2026-06" and a.parent_value == pytest.approx(3650 * 30 / 365)
    assert a.children == "channel targets" and a.count == 1


def test_employment_window() -> None:
    rep = Rep("r9", "Dee", hired_at=date(2026, 3, 1), left_at=date(2026, 8, 31))
    assert not rep.employed_during(date(2026, 2, 1), date(2026, 3, 1))  # February: before
    assert rep.employed_during(date(2026, 2, 1), date(2026, 3, 2))  # her first day
    assert rep.employed_during(date(2026, 8, 31), date(2026, 9, 1))  # her last day
    assert not rep.employed_during(date(2026, 9, 1), date(2026, 10, 1))  # after she left
    assert rep.employment() == "hired 2026-03-01, left 2026-08-31"
    assert ROSTER.label("rep", "r1") == "Ann" and ROSTER.label("rep", None) == "unassigned"
    assert ROSTER.label("rep.team", None) == "unassigned"
    assert ROSTER.label("channel", None) == "(none)"
    assert ROSTER.resolve("ann") == "r1" and ROSTER.resolve("r2") == "r2"
    with pytest.raises(LookupError, match="Did you mean 'Ann'"):
        ROSTER.resolve("Anne")
