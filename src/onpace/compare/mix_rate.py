"""Which members (reps, channels, segments) moved a total, and through volume or through rate.

For an amount or a count (revenue, orders) the total is the sum of the members,
so each member's part is simply its own change.

For a rate or an average (win rate, average order value) the total is the
members' rates weighted by their share of the volume underneath (quotes
decided, orders): ``R = sum(w_m * r_m)``. Its change splits exactly, per member,
into

- a **rate effect** ``mean(w_m) * (r_m after - r_m before)``: the member's own rate
  moved, at its average share of the volume;
- a **mix effect** ``(w_m after - w_m before) * (mean(r_m) - mean(R))``: the member
  gained or lost share of the volume; that raises the total only when its rate
  is above the overall rate. (Shares always add up to 1, so subtracting the
  overall rate changes no sum; it makes each member's mix effect say whether its
  move in share helped or hurt.)

The two effects of all members add up to ``R after - R before``. A member with
no volume in one of the periods has no rate there; its rate is taken as
unchanged, so all of its effect is mix (it arrived or left).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from onpace.errors import AttributionError

Member = str | None


@dataclass(frozen=True)
class MemberPart:
    """One member's part of the change of a total.

    For amounts ``mix`` and ``rate`` are None and ``change`` is the member's own
    change; for rates ``volume_*`` are its shares of the volume and ``change`` is
    ``mix + rate``.
    """

    member: Member
    before: float | None
    after: float | None
    change: float
    mix: float | None = None
    rate: float | None = None
    volume_before: float | None = None
    volume_after: float | None = None


def additive_members(
    before: Mapping[Member, float | None], after: Mapping[Member, float | None]
) -> list[MemberPart]:
    """Each member's change of an additive total (a member missing in a period is 0 there)."""
    out = []
    for member in dict.fromkeys([*before, *after]):
        b, a = before.get(member), after.get(member)
        out.append(MemberPart(member, b, a, (a or 0.0) - (b or 0.0)))
    return out


@dataclass(frozen=True)
class RateSplit:
    """The mix-and-rate split of a weighted total, with the totals it explains."""

    parts: list[MemberPart]
    total_before: float
    total_after: float

    @property
    def mix(self) -> float:
        return math.fsum(p.mix or 0.0 for p in self.parts)

    @property
    def rate(self) -> float:
        return math.fsum(p.rate or 0.0 for p in self.parts)


def _shares(
    values: Mapping[Member, tuple[float, float | None]], side: str
) -> tuple[dict[Member, float], float]:
    volume = math.fsum(v for v, _ in values.values() if v > 0)
    if volume <= 0:
        raise AttributionError(
            f"there is no volume {side} (every member's denominator is 0), so the rate has no value"
        )
    shares = {m: (v / volume if v > 0 else 0.0) for m, (v, _) in values.items()}
    total = math.fsum(shares[m] * (r or 0.0) for m, (v, r) in values.items() if v > 0)
    return shares, total


def mix_rate_members(
    before: Mapping[Member, tuple[float, float | None]],
    after: Mapping[Member, tuple[float, float | None]],
) -> RateSplit:
    """Split a weighted rate's change into mix and rate effects per member.

    ``before``/``after`` map each member to ``(volume, rate)``: the denominator (quotes
    decided) and the member's rate (its win rate; None when its volume is 0).
    """
    for side, values in (("before", before), ("after", after)):
        for member, (volume, rate) in values.items():
            if volume < 0 or not math.isfinite(volume):
                raise AttributionError(f"member {member!r} has volume {volume} {side}")
            if volume > 0 and (rate is None or not math.isfinite(rate)):
                raise AttributionError(f"member {member!r} has volume but no rate {side}")
    w0, r0_total = _shares(before, "before")
    w1, r1_total = _shares(after, "after")
    overall = (r0_total + r1_total) / 2
    parts = []
    for member in dict.fromkeys([*before, *after]):
        v0, r0 = before.get(member, (0.0, None))
        v1, r1 = after.get(member, (0.0, None))
        if v0 <= 0 and v1 <= 0:
            continue
        rate0 = r0 if v0 > 0 and r0 is not None else r1
        rate1 = r1 if v1 > 0 and r1 is not None else r0
        assert rate0 is not None and rate1 is not None  # one side has volume, so a rate
        s0, s1 = w0.get(member, 0.0), w1.get(member, 0.0)
        rate_effect = (s0 + s1) / 2 * (rate1 - rate0)
        mix_effect = (s1 - s0) * ((rate0 + rate1) / 2 - overall)
        parts.append(
            MemberPart(
                member,
                r0 if v0 > 0 else None,
                r1 if v1 > 0 else None,
                mix_effect + rate_effect,
                mix=mix_effect,
                rate=rate_effect,
                volume_before=s0,
                volume_after=s1,
            )
        )
    return RateSplit(parts, r0_total, r1_total)
