"""Reps as people in the scorecard: names, "unassigned", employment windows, rank.

The tiny workspace (tests/support/target_fixtures.py) with its own roster:

- Ann (r1), team North, always employed: Nov 200, Dec 300, Jan 240, Feb 1-14 110.
- Bob (r2), team North, hired 2025-11-15, left 2026-01-31: Nov 20 100, and one
  order of 100 on Feb 10, after he left.
- Cem (r3), team South, hired 2026-03-01: no orders.
- One order without a rep: 50 on 2026-01-20.

Evaluated as of 2026-02-15 (half of the quarter gone).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from onpace.store import Store, workspace_store
from onpace.targets.definition import Target, parse_target_period
from onpace.views.scorecard import scorecard
from onpace.workspace import Workspace
from tests.support.target_fixtures import ORDERS, make_workspace

AS_OF = datetime(2026, 2, 15)
REPS = pd.DataFrame(
    {
        "rep_id": ["r1", "r2", "r3"],
        "name": ["Ann", "Bob", "Cem"],
        "team": ["North", "North", "South"],
        "hired_at": [None, "2025-11-15", "2026-03-01"],
        "left_at": [None, "2026-01-31", None],
    }
)


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[tuple[Workspace, Store]]:
    orders = [*ORDERS, ("o9", "2026-01-20 10:00", 50.0, None, "completed")]
    ws = make_workspace(tmp_path / "ws", orders=orders, reps=REPS)
    store = workspace_store(ws)
    yield ws, store
    store.close()


def rows(ws: Workspace, store: Store, **params: object) -> dict[str | None, object]:
    card = scorecard(ws, store, kpis=["revenue"], as_of=AS_OF, **params)  # type: ignore[arg-type]
    return {r.member: r for r in card.rows}


def test_names_unassigned_and_employment(ws: tuple[Workspace, Store]) -> None:
    w, store = ws
    q1 = rows(w, store, by="rep")
    # Ann: Jan 240 + Feb 110; unassigned: o9 50; Cem joins in March, so he is in Q1 (0);
    # Bob worked in January, so Q1 shows what the data credits him with (Feb 10: 100)
    assert {m: (r.member_label, r.value) for m, r in q1.items()} == {  # type: ignore[attr-defined]
        "r1": ("Ann", 350.0),
        "r2": ("Bob", 100.0),
        "r3": ("Cem", 0.0),
        None: ("unassigned", 50.0),
    }
    feb = rows(w, store, by="rep", grain="month")
    # Bob left on 31 January: February's order credited to him is not shown as his
    assert feb["r2"].value is None  # type: ignore[attr-defined]
    assert "Bob did not work in 2026-02" in feb["r2"].note  # type: ignore[attr-defined]
    # Cem starts in March: not a row of February at all
    assert "r3" not in feb
    nov = scorecard(w, store, kpis=["revenue"], by="rep", grain="month", period="2025-11")
    bob = next(r for r in nov.rows if r.member == "r2")
    # Bob worked half of November (from the 15th) and sold 100; in October he was not
    # there, so there is no -100% or infinite growth, just no comparison
    assert (bob.value, bob.compare_value, bob.change) == (100.0, None, None)
    assert "did not work in 2025-10" in bob.note  # type: ignore[operator]


def test_rep_quota_rank_and_change_of_rank(ws: tuple[Workspace, Store]) -> None:
    w, store = ws
    q4 = parse_target_period("2025-Q4")
    q1 = parse_target_period("2026-Q1")
    # Q4: Ann 500 of 500 (100%), Bob 100 of 50 (200%); Q1: Ann 350 of 700, Bob 100 of 400
    for target in (
        Target("revenue", q4, 500.0, "rep", "r1"),
        Target("revenue", q4, 50.0, "rep", "r2"),
        Target("revenue", q1, 700.0, "rep", "r1"),
        Target("revenue", q1, 400.0, "rep", "r2"),
    ):
        store.set_target(target, "quota", "test")
    card = scorecard(w, store, kpis=["revenue"], by="rep", span="full", as_of=AS_OF)
    ranked = [(r.member, r.rank, r.rank_change) for r in card.rows]
    # Q1: Ann 50% first, Bob 25% second; over all of Q4 Bob was first, so Ann moved up one
    assert ranked[:2] == [("r1", 1, 1), ("r2", 2, -1)]
    assert all(r.rank is None for r in card.rows[2:])  # Cem and unassigned have no quota
    first = card.rows[0]
    assert first.attainment == pytest.approx(350 / 700)


def test_team_targets_roll_up_from_rep_quotas(ws: tuple[Workspace, Store]) -> None:
    w, store = ws
    q1 = parse_target_period("2026-Q1")
    store.set_target(Target("revenue", q1, 700.0, "rep", "r1"), "quota", "test")
    store.set_target(Target("revenue", q1, 100.0, "rep", "r2"), "quota", "test")
    teams = rows(w, store, by="rep.team")
    north = teams["North"]
    # no team target: North's is the sum of Ann's and Bob's quotas
    assert north.target == 800.0 and north.target_origin == "rolled up"  # type: ignore[attr-defined]
    assert north.target_source == "sum of 2 rep quotas"  # type: ignore[attr-defined]
    # North sold Ann's 350 (Bob's February order counts for the team, as in the data: 100)
    assert north.value == 450.0  # type: ignore[attr-defined]
    assert "South" not in teams  # Cem sold nothing yet and South has no target
    total = rows(w, store)[None]
    # no total target and no team target: the total is the sum of the rep quotas
    assert total.target == 800.0 and total.target_source == "sum of 2 rep quotas"  # type: ignore[attr-defined]
    store.set_target(Target("revenue", q1, 900.0, "rep.team", "North"), "team", "test")
    # a team's own target wins over its reps' quotas; the total now sums team targets
    assert rows(w, store, by="rep.team")["North"].target == 900.0  # type: ignore[attr-defined]
    total = rows(w, store)[None]
    assert total.target == 900.0 and total.target_source == "sum of 1 team target"  # type: ignore[attr-defined]
    store.set_target(Target("revenue", parse_target_period("2026"), 3650.0), "year", "test")
    # and a total target of its own (phased: Q1 is 90 of 365 days) wins over both
    total = rows(w, store)[None]
    assert total.target == pytest.approx(3650 * 90 / 365)  # type: ignore[attr-defined]
    assert total.target_source == "2026 phased (linear)"  # type: ignore[attr-defined]
