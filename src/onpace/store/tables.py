"""The tables of the state store, as SQLAlchemy 2 declarative models.

The store keeps what people decide (targets and their revisions), next to but
apart from the sales data in the warehouse. Target revisions are append-only: a
change is a new row with who, when and why, never an update, so the history of a
target can be read back exactly as it happened.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class TargetRevision(Base):
    """One revision of one target: its value and how it was derived, who set it and why.

    A target is identified by ``target_key`` (KPI, period and optional dimension
    value); its current state is the revision with the highest ``revision`` number.
    ``action`` is ``set`` or ``retire`` (a retired target no longer counts, but its
    history stays).
    """

    __tablename__ = "target_revisions"
    __table_args__ = (UniqueConstraint("target_key", "revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    target_key: Mapped[str] = mapped_column(String(400), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(10))
    kpi: Mapped[str] = mapped_column(String(100), index=True)
    period: Mapped[str] = mapped_column(String(40))
    grain: Mapped[str] = mapped_column(String(10))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    dimension: Mapped[str | None] = mapped_column(String(100))
    dimension_value: Mapped[str | None] = mapped_column(String(200))
    value: Mapped[float | None] = mapped_column(Float)
    basis: Mapped[str] = mapped_column(String(10))
    change_kind: Mapped[str | None] = mapped_column(String(10))
    change: Mapped[float | None] = mapped_column(Float)
    baseline: Mapped[str | None] = mapped_column(String(20))
    baseline_period: Mapped[str | None] = mapped_column(String(40))
    baseline_value: Mapped[float | None] = mapped_column(Float)
    phasing: Mapped[str] = mapped_column(String(10))
    weights: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(Text)


class KpiReview(Base):
    """One review of a KPI: who looked at it and its targets, when, what they decided, why.

    Reviews are append-only (triggers on both databases): the review history is the
    record that a KPI is followed up on its cadence.
    """

    __tablename__ = "kpi_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kpi: Mapped[str] = mapped_column(String(100), index=True)
    reviewed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reviewer: Mapped[str] = mapped_column(String(100))
    decision: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text)
