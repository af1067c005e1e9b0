"""What one user may see of per-rep numbers: the row filter behind every per-rep view.

A rep sees the totals, and of any breakdown by rep only their own row. The
filter is applied by the data functions (scorecard, KPI breakdown, values,
targets, target history) before anything is rendered or returned as JSON or
CSV, so no template, URL or API parameter can show another rep's numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from onpace.auth import Identity

# Dimensions whose members are individual reps. Team and region roll-ups are not per rep.
REP_DIMENSIONS = frozenset({"rep", "rep.rep_id", "rep.name", "rep_id"})

T = TypeVar("T")


@dataclass(frozen=True)
class Scope:
    """``restricted``: only the rows of ``rep_id`` in per-rep views (None: no rep rows)."""

    restricted: bool = False
    rep_id: str | None = None

    @classmethod
    def of(cls, who: Identity) -> Scope:
        return cls(restricted=who.role == "rep", rep_id=who.rep_id)

    def allows(self, dimension: str | None, member: object) -> bool:
        """Whether a row of ``dimension`` = ``member`` may be shown."""
        if not self.restricted or dimension is None or dimension not in REP_DIMENSIONS:
            return True
        return self.rep_id is not None and member is not None and str(member) == self.rep_id

    def keep(
        self, dimension: str | None, rows: Iterable[T], member: Callable[[T], object]
    ) -> list[T]:
        return [r for r in rows if self.allows(dimension, member(r))]


UNRESTRICTED = Scope()
