"""KPI reviews: who looked at a KPI and its targets, when, what they decided and why.

Append-only like the target revisions and the audit log: a review is a record of
something that happened, so triggers refuse UPDATE and DELETE on both databases.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_PG_FUNCTION = """
CREATE FUNCTION onpace_reviews_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'kpi_reviews is append-only: % is not allowed', TG_OP;
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "kpi_reviews",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("kpi", sa.String(100), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("decision", sa.String(10), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_kpi_reviews"),
    )
    op.create_index("ix_kpi_reviews_kpi", "kpi_reviews", ["kpi"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER kpi_reviews_no_{event.lower()} "
                f"BEFORE {event} ON kpi_reviews BEGIN "
                f"SELECT RAISE(ABORT, 'kpi_reviews is append-only: {event} is not allowed'); "
                "END"
            )
    elif dialect == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER kpi_reviews_append_only BEFORE UPDATE OR DELETE "
            "ON kpi_reviews FOR EACH ROW EXECUTE FUNCTION onpace_reviews_append_only()"
        )
        op.execute(
            "CREATE TRIGGER kpi_reviews_no_truncate BEFORE TRUNCATE "
            "ON kpi_reviews FOR EACH STATEMENT EXECUTE FUNCTION onpace_reviews_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS kpi_reviews_no_truncate ON kpi_reviews")
        op.execute("DROP TRIGGER IF EXISTS kpi_reviews_append_only ON kpi_reviews")
        op.execute("DROP FUNCTION IF EXISTS onpace_reviews_append_only()")
    op.drop_index("ix_kpi_reviews_kpi", table_name="kpi_reviews")
    op.drop_table("kpi_reviews")
