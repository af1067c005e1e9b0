"""The digest: one email per person with their scorecard, what changed, and what is due.

A manager (or admin, or viewer) gets the scorecard by objective and the team's
rows (the breakdown by rep); a rep gets only their own numbers. Both come from
the one scorecard data function under the person's
:class:`~onpace.views.scope.Scope`, exactly as the web app would show them, so a
digest never carries a number its reader could not open on the site. Status
changes are the rows whose status differs from the scorecard at the last digest;
KPIs due for review come from the review cadences; check-ins of the period are
quoted beside their KPI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from onpace.alerts.people import Recipient

if TYPE_CHECKING:
    from onpace.reviews.checkins import CheckIn
    from onpace.reviews.schedule import ReviewDue
    from onpace.views.scope import Scope
    from onpace.views.scorecard import Scorecard, ScorecardRow
    from onpace.workspace import Workspace

DUE = ("overdue", "due soon", "never reviewed")


@dataclass(frozen=True)
class Change:
    kpi: str
    label: str
    member: str | None
    before: str
    after: str


@dataclass
class Digest:
    recipient: Recipient
    as_of: datetime
    since: datetime
    card: Scorecard
    team: Scorecard | None
    changes: list[Change] = field(default_factory=list)
    reviews: list[ReviewDue] = field(default_factory=list)
    checkins: dict[str, CheckIn] = field(default_factory=dict)

    @property
    def rows(self) -> list[ScorecardRow]:
        """Every row the digest shows (its scorecard and, for managers, the team)."""
        return self.card.rows + (self.team.rows if self.team is not None else [])


Cards = dict[tuple[object, ...], tuple["Scorecard", "Scorecard | None"]]


def _cards(
    ws: Workspace, person: Recipient, grain: str, as_of: datetime, cache: Cards | None = None
) -> tuple[Scorecard, Scorecard | None]:
    scope = person.scope(ws.config.privacy.min_group_size)
    key = (scope.key, grain, as_of)
    if cache is not None and key in cache:
        return cache[key]
    found = _scope_cards(ws, scope, grain, as_of)
    if cache is not None:
        cache[key] = found
    return found


def _scope_cards(
    ws: Workspace, scope: Scope, grain: str, as_of: datetime
) -> tuple[Scorecard, Scorecard | None]:
    from onpace.views.scorecard import scorecard

    common = {"grain": grain, "as_of": as_of, "only_targets": True, "sparkline": False}
    if scope.restricted:
        return scorecard(ws, ws.store, scope, **common), None  # type: ignore[arg-type]
    card = scorecard(ws, ws.store, scope, by="total", **common)  # type: ignore[arg-type]
    team = None
    if any("rep" in k.dimensions for k in ws.kpis.values()):
        team = scorecard(ws, ws.store, scope, by="rep", **common)  # type: ignore[arg-type]
    return card, team


def _statuses(card: Scorecard | None) -> dict[tuple[str, str | None], str]:
    return {} if card is None else {(r.kpi, r.member): r.status for r in card.rows}


def build_digest(
    ws: Workspace,
    person: Recipient,
    as_of: datetime,
    since: datetime,
    grain: str = "quarter",
    cache: Cards | None = None,
) -> Digest:
    """The digest of ``person`` at ``as_of``, with the changes since ``since``."""
    from onpace.reviews.checkins import latest_checkins
    from onpace.reviews.records import list_reviews
    from onpace.reviews.schedule import review_schedule

    card, team = _cards(ws, person, grain, as_of, cache)
    then_card, then_team = _cards(ws, person, grain, since, cache)
    before = {**_statuses(then_card), **_statuses(then_team)}
    changes = []
    for row in card.rows + (team.rows if team else []):
        was = before.get((row.kpi, row.member))
        if was is not None and was != row.status:
            changes.append(Change(row.kpi, row.label, row.member_label, was, row.status))
    names = {r.kpi for r in card.rows + (team.rows if team else [])}
    schedule = review_schedule(
        {n: ws.kpis[n] for n in sorted(names)}, list_reviews(ws.store), as_of.date()
    )
    checkins = {k: c for k, c in latest_checkins(ws.store, card.period.label).items() if k in names}
    return Digest(
        person,
        as_of,
        since,
        card,
        team,
        changes,
        [r for r in schedule if r.status in DUE],
        checkins,
    )
