"""What a computation is asked for, as plain data (no query engine needed to say it).

Kept apart from :mod:`onpace.query.session` so that answering from stored values
(:mod:`onpace.values.direct`) can build a request without importing Ibis or pandas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from onpace.calendar import ComputeGrain

# how ``top`` ranks (see :mod:`onpace.query.top`)
TopPer = Literal["range", "period"]
TOP_PER: tuple[TopPer, ...] = ("range", "period")


@dataclass(frozen=True)
class ComputeRequest:
    """What to compute. ``start``/``end`` are dates; periods overlapping [start, end) are shown.

    Grain ``all`` gives one period: the whole range ``[start, end)``. ``top`` keeps the
    ``top`` members of the ``by`` dimensions with the highest values (see
    :mod:`onpace.query.top`): ranked by the value over the whole range
    (``top_per="range"``) or anew in each period (``top_per="period"``).
    """

    names: tuple[str, ...]
    grain: ComputeGrain
    start: date
    end: date
    by: tuple[str, ...] = ()
    as_of: datetime | None = None
    top: int | None = None
    top_per: TopPer = "range"
