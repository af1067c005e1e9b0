"""Target levels: an optional floor and stretch beside each target revision.

A target can carry the least that is still acceptable (``floor``) and an
ambitious level (``stretch``); the status is judged against the target itself,
the levels are drawn as bands. Both are nullable, so every existing revision
stays as it was: adding columns is not an UPDATE, so the append-only triggers
are untouched.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("target_revisions", sa.Column("floor", sa.Float, nullable=True))
    op.add_column("target_revisions", sa.Column("stretch", sa.Float, nullable=True))


def downgrade() -> None:
    op.drop_column("target_revisions", "stretch")
    op.drop_column("target_revisions", "floor")
