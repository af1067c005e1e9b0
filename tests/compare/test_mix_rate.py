"""Mix and rate effects by member, worked out by hand on three channels.

Conversion by channel (volume = visits, rate = orders per visit):

    channel  visits before  rate before   visits after  rate after
    web      100            0.10          150           0.12
    store    200            0.20          150           0.20
    sales    100            0.30          100           0.25

Total before (10 + 40 + 30) / 400 = 0.2000, after (18 + 30 + 25) / 400 = 0.1825:
a change of -0.0175. Shares before 0.25 / 0.50 / 0.25, after 0.375 / 0.375 / 0.25;
the mean overall rate is (0.2 + 0.1825) / 2 = 0.19125.

    rate effect = mean share x change of rate
        web   0.3125 x 0.02  =  0.00625
        store 0.4375 x 0     =  0
        sales 0.25   x -0.05 = -0.0125
    mix effect = change of share x (mean rate - mean overall rate)
        web    0.125 x (0.11 - 0.19125) = -0.01015625  (gained share at a low rate)
        store -0.125 x (0.20 - 0.19125) = -0.00109375  (lost share at a high rate)
        sales  0     x ...             =  0

Rates: -0.00625, mix: -0.01125, together -0.0175.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onpace.compare.mix_rate import additive_members, mix_rate_members
from onpace.errors import AttributionError

BEFORE = {"web": (100.0, 0.10), "store": (200.0, 0.20), "sales": (100.0, 0.30)}
AFTER = {"web": (150.0, 0.12), "store": (150.0, 0.20), "sales": (100.0, 0.25)}


def test_three_members_by_hand() -> None:
    split = mix_rate_members(BEFORE, AFTER)
    by = {p.member: p for p in split.parts}
    assert split.total_before == pytest.approx(0.2)
    assert split.total_after == pytest.approx(0.1825)
    assert by["web"].rate == pytest.approx(0.00625)
    assert by["store"].rate == pytest.approx(0.0)
    assert by["sales"].rate == pytest.approx(-0.0125)
    assert by["web"].mix == pytest.approx(-0.01015625)
    assert by["store"].mix == pytest.approx(-0.00109375)
    assert by["sales"].mix == pytest.approx(0.0)
    assert split.rate == pytest.approx(-0.00625)
    assert split.mix == pytest.approx(-0.01125)
    assert math.fsum(p.change for p in split.parts) == pytest.approx(-0.0175, abs=1e-15)
    assert by["web"].volume_before == pytest.approx(0.25)
    assert by["web"].volume_after == pytest.approx(0.375)


def test_a_new_member_is_all_mix() -> None:
    # before: A 100 visits at 0.1; after: A 100 at 0.1 and B (new) 100 at 0.3
    # total 0.1 -> 0.2; B: share 0 -> 0.5 at 0.3, overall mean 0.15: mix 0.5 x 0.15 = 0.075
    # A: share 1 -> 0.5 at 0.1: mix -0.5 x (0.1 - 0.15) = 0.025; no rate effects
    split = mix_rate_members({"A": (100.0, 0.1)}, {"A": (100.0, 0.1), "B": (100.0, 0.3)})
    by = {p.member: p for p in split.parts}
    assert by["B"].before is None
    assert by["B"].rate == 0.0
    assert by["B"].mix == pytest.approx(0.075)
    assert by["A"].mix == pytest.approx(0.025)
    assert math.fsum(p.change for p in split.parts) == pytest.approx(0.1)


def test_members_without_volume_and_empty_periods() -> None:
    split = mix_rate_members({"A": (10.0, 0.5), "B": (0.0, None)}, {"A": (10.0, 0.6)})
    assert [p.member for p in split.parts] == ["A"]
    with pytest.raises(AttributionError, match="no volume before"):
        mix_rate_members({"A": (0.0, None)}, {"A": (10.0, 0.6)})
    with pytest.raises(AttributionError, match="no rate"):
        mix_rate_members({"A": (5.0, None)}, {"A": (10.0, 0.6)})


def test_additive_members_are_their_own_changes() -> None:
    parts = additive_members({"web": 100.0, "store": 50.0}, {"web": 130.0, "sales": 20.0})
    assert {p.member: p.change for p in parts} == {"web": 30.0, "store": -50.0, "sales": 20.0}


member = st.sampled_from(["a", "b", "c", "d", None])
side = st.dictionaries(
    member,
    st.tuples(
        st.floats(min_value=0.0, max_value=1e5, allow_nan=False),
        st.floats(min_value=-10.0, max_value=10.0, allow_nan=False),
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=300, deadline=None)
@given(side, side)
def test_mix_and_rate_always_add_up_to_the_change(
    before: dict[str | None, tuple[float, float]], after: dict[str | None, tuple[float, float]]
) -> None:
    if sum(v for v, _ in before.values()) <= 0 or sum(v for v, _ in after.values()) <= 0:
        return
    split = mix_rate_members(before, after)
    total = math.fsum(p.change for p in split.parts)
    assert total == pytest.approx(split.total_after - split.total_before, abs=1e-9)
    for p in split.parts:
        assert p.change == pytest.approx((p.mix or 0) + (p.rate or 0), abs=1e-12)
