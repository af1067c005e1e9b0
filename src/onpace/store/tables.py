"""The tables of the state store, as SQLAlchemy 2 declarative models.

The store keeps what people decide (targets and their revisions), next to but
apart from the sales data in the warehouse. Target revisions are append-only: a
change is a new row with who, when and why, never an update, so the history of a
target can be read back exactly as it happened.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import (
    Boolean,
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

VERSION_TABLE = "onpace_alembic_version"  # where Alembic keeps the schema's revision

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
    floor: Mapped[float | None] = mapped_column(Float, nullable=True)
    stretch: Mapped[float | None] = mapped_column(Float, nullable=True)


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


class AlertEvent(Base):
    """An alert rule's condition changing for one subject: ``fired`` or ``cleared``.

    ``subject`` is what the condition is about (a KPI and member, or an ingest);
    the latest event of a (rule, subject) is its state, so an alert fires once per
    change of condition and not on every run.
    """

    __tablename__ = "alert_events"
    append_only: ClassVar[str] = "alert events are append-only"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule: Mapped[str] = mapped_column(String(100), index=True)
    subject: Mapped[str] = mapped_column(String(400))
    kpi: Mapped[str | None] = mapped_column(String(100))
    member: Mapped[str | None] = mapped_column(String(200))
    period: Mapped[str | None] = mapped_column(String(40))
    event: Mapped[str] = mapped_column(String(10))
    condition: Mapped[str] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(Text)
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AlertDelivery(Base):
    """One attempt to deliver a fired alert to one recipient through one channel."""

    __tablename__ = "alert_deliveries"
    append_only: ClassVar[str] = "alert deliveries are append-only"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(Integer, index=True)
    channel: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(400))
    ok: Mapped[bool] = mapped_column(Boolean)
    attempts: Mapped[int] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AlertSnooze(Base):
    """A rule (for one KPI, or all of them) kept quiet until ``until``."""

    __tablename__ = "alert_snoozes"
    append_only: ClassVar[str] = "snoozes are append-only: snooze again to change one"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule: Mapped[str] = mapped_column(String(100))
    kpi: Mapped[str | None] = mapped_column(String(100))
    until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    author: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ScheduleRun(Base):
    """A scheduled job done for one slot (the moment it was due), so none runs twice."""

    __tablename__ = "schedule_runs"
    __table_args__ = (UniqueConstraint("job", "slot"),)
    append_only: ClassVar[str] = "scheduled runs are append-only"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job: Mapped[str] = mapped_column(String(100))
    slot: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CheckIn(Base):
    """An owner's or manager's word on a KPI or objective in a period: comment and confidence."""

    __tablename__ = "checkins"
    append_only: ClassVar[str] = "check-ins are append-only: record a new check-in instead"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kpi: Mapped[str | None] = mapped_column(String(100), index=True)
    objective: Mapped[str | None] = mapped_column(String(100))
    period: Mapped[str] = mapped_column(String(40))
    comment: Mapped[str] = mapped_column(Text)
    confidence: Mapped[str] = mapped_column(String(20))
    author: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ScorecardPreference(Base):
    """One viewer's choice for one KPI on the scorecard: ``pin`` it first or ``hide`` it.

    A preference is a setting, not a record of a decision: choosing again replaces it
    and clearing deletes it (the audit log keeps who changed what).
    """

    __tablename__ = "scorecard_preferences"
    __table_args__ = (UniqueConstraint("user_name", "kpi"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_name: Mapped[str] = mapped_column(String(100), index=True)
    kpi: Mapped[str] = mapped_column(String(100))
    choice: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
