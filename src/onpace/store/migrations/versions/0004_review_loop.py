"""The review loop: alert events and deliveries, snoozes, scheduled runs and check-ins.

All five tables are append-only like the target revisions and the reviews: an alert
that fired, a message that was (or was not) delivered, a snooze, a run of a
schedule and a check-in are records of something that happened, so triggers
refuse UPDATE and DELETE on both databases.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ("alert_events", "alert_deliveries", "alert_snoozes", "schedule_runs", "checkins")

_PG_FUNCTION = """
CREATE FUNCTION onpace_review_loop_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql
"""


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer, autoincrement=True, nullable=False)


def _when(name: str = "at") -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "alert_events",
        _id(),
        sa.Column("rule", sa.String(100), nullable=False),
        sa.Column("subject", sa.String(400), nullable=False),
        sa.Column("kpi", sa.String(100)),
        sa.Column("member", sa.String(200)),
        sa.Column("period", sa.String(40)),
        sa.Column("event", sa.String(10), nullable=False),
        sa.Column("condition", sa.String(100), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        _when("as_of"),
        _when(),
        sa.PrimaryKeyConstraint("id", name="pk_alert_events"),
    )
    op.create_index("ix_alert_events_rule", "alert_events", ["rule"])
    op.create_table(
        "alert_deliveries",
        _id(),
        sa.Column("event_id", sa.Integer, nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("recipient", sa.String(100), nullable=False),
        sa.Column("address", sa.String(400), nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        _when(),
        sa.PrimaryKeyConstraint("id", name="pk_alert_deliveries"),
    )
    op.create_index("ix_alert_deliveries_event_id", "alert_deliveries", ["event_id"])
    op.create_table(
        "alert_snoozes",
        _id(),
        sa.Column("rule", sa.String(100), nullable=False),
        sa.Column("kpi", sa.String(100)),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        _when(),
        sa.PrimaryKeyConstraint("id", name="pk_alert_snoozes"),
    )
    op.create_table(
        "schedule_runs",
        _id(),
        sa.Column("job", sa.String(100), nullable=False),
        sa.Column("slot", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
        _when(),
        sa.PrimaryKeyConstraint("id", name="pk_schedule_runs"),
        sa.UniqueConstraint("job", "slot", name="uq_schedule_runs_job"),
    )
    op.create_table(
        "checkins",
        _id(),
        sa.Column("kpi", sa.String(100)),
        sa.Column("objective", sa.String(100)),
        sa.Column("period", sa.String(40), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("confidence", sa.String(20), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        _when(),
        sa.PrimaryKeyConstraint("id", name="pk_checkins"),
    )
    op.create_index("ix_checkins_kpi", "checkins", ["kpi"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in TABLES:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} "
                    f"BEFORE {event} ON {table} BEGIN "
                    f"SELECT RAISE(ABORT, '{table} is append-only: {event} is not allowed'); "
                    "END"
                )
    elif dialect == "postgresql":
        op.execute(_PG_FUNCTION)
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE "
                f"ON {table} FOR EACH ROW EXECUTE FUNCTION onpace_review_loop_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION onpace_review_loop_append_only()"
            )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in reversed(TABLES):
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.drop_table(table)
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS onpace_review_loop_append_only()")
