"""Each viewer's scorecard: which KPIs they pin first and which they hide.

Kept in the state store next to targets (table ``scorecard_preferences``), per user
name, so a manager's choices follow them from laptop to phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from onpace.errors import RequestError
from onpace.store.tables import ScorecardPreference

CHOICES = ("pin", "hide", "clear")


@dataclass(frozen=True)
class Choices:
    """One viewer's pinned KPIs (in the order they were pinned) and hidden KPIs."""

    pinned: list[str]
    hidden: list[str]


class Preferences:
    """Read and change scorecard preferences in the state store's database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def of(self, user: str) -> Choices:
        with Session(self.engine) as session:
            rows = session.scalars(
                select(ScorecardPreference)
                .where(ScorecardPreference.user_name == user)
                .order_by(ScorecardPreference.position, ScorecardPreference.id)
            ).all()
        return Choices(
            pinned=[r.kpi for r in rows if r.choice == "pin"],
            hidden=[r.kpi for r in rows if r.choice == "hide"],
        )

    def choose(self, user: str, kpi: str, choice: str) -> None:
        """``pin`` (after the ones pinned before), ``hide``, or ``clear`` ``kpi``."""
        if choice not in CHOICES:
            raise RequestError(f"choice {choice!r}: use pin, hide or clear")
        with Session(self.engine) as session, session.begin():
            session.execute(
                delete(ScorecardPreference).where(
                    ScorecardPreference.user_name == user, ScorecardPreference.kpi == kpi
                )
            )
            if choice == "clear":
                return
            last = session.scalar(
                select(func.max(ScorecardPreference.position)).where(
                    ScorecardPreference.user_name == user
                )
            )
            session.add(
                ScorecardPreference(
                    user_name=user,
                    kpi=kpi,
                    choice=choice,
                    position=(last or 0) + 1,
                    updated_at=datetime.now(UTC),
                )
            )
