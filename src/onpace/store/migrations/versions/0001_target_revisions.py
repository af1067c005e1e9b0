"""Target revisions: an append-only table, guarded by triggers on both databases.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_PG_FUNCTION = """
CREATE FUNCTION onpace_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'target_revisions is append-only: % is not allowed', TG_OP;
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "target_revisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("target_key", sa.String(400), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("kpi", sa.String(100), nullable=False),
        sa.Column("period", sa.String(40), nullable=False),
        sa.Column("grain", sa.String(10), nullable=False),
        sa.Column("start", sa.Date, nullable=False),
        sa.Column("end", sa.Date, nullable=False),
        sa.Column("dimension", sa.String(100), nullable=True),
        sa.Column("dimension_value", sa.String(200), nullable=True),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("basis", sa.String(10), nullable=False),
        sa.Column("change_kind", sa.String(10), nullable=True),
        sa.Column("change", sa.Float, nullable=True),
        sa.Column("baseline", sa.String(20), nullable=True),
        sa.Column("baseline_period", sa.String(40), nullable=True),
        sa.Column("baseline_value", sa.Float, nullable=True),
        sa.Column("phasing", sa.String(10), nullable=False),
        sa.Column("weights", sa.Text, nullable=True),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_target_revisions"),
        sa.UniqueConstraint("target_key", "revision", name="uq_target_revisions_target_key"),
    )
    op.create_index("ix_target_revisions_target_key", "target_revisions", ["target_key"])
    op.create_index("ix_target_revisions_kpi", "target_revisions", ["kpi"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER target_revisions_no_{event.lower()} "
                f"BEFORE {event} ON target_revisions BEGIN "
                f"SELECT RAISE(ABORT, 'target_revisions is append-only: {event} is not allowed'); "
                "END"
            )
    elif dialect == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER target_revisions_append_only BEFORE UPDATE OR DELETE "
            "ON target_revisions FOR EACH ROW EXECUTE FUNCTION onpace_append_only()"
        )
        op.execute(
            "CREATE TRIGGER target_revisions_no_truncate BEFORE TRUNCATE "
            "ON target_revisions FOR EACH STATEMENT EXECUTE FUNCTION onpace_append_only()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS target_revisions_no_truncate ON target_revisions")
        op.execute("DROP TRIGGER IF EXISTS target_revisions_append_only ON target_revisions")
        op.execute("DROP FUNCTION IF EXISTS onpace_append_only()")
    op.drop_table("target_revisions")
