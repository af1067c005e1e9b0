"""Scorecard preferences: each viewer's pinned and hidden KPIs.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scorecard_preferences",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("user_name", sa.String(100), nullable=False),
        sa.Column("kpi", sa.String(100), nullable=False),
        sa.Column("choice", sa.String(10), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_scorecard_preferences"),
        sa.UniqueConstraint("user_name", "kpi", name="uq_scorecard_preferences_user_name"),
    )
    op.create_index("ix_scorecard_preferences_user_name", "scorecard_preferences", ["user_name"])


def downgrade() -> None:
    op.drop_index("ix_scorecard_preferences_user_name", table_name="scorecard_preferences")
    op.drop_table("scorecard_preferences")
