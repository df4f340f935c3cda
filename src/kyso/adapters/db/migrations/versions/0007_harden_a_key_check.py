"""keys: the master key's check value (a node with another master key refuses to start)

Revision ID: 0007_harden_a_key_check
Revises: 0007_harden_a_quota_expiry
Create Date: 2026-12-02 14:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kyso.adapters.db.tables.base

revision = "0007_harden_a_key_check"
down_revision = "0007_harden_a_quota_expiry"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "key_checks",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", kyso.adapters.db.tables.base.UtcDateTime(timezone=True),
                  nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_key_checks")),
    )


def downgrade() -> None:
    op.drop_table("key_checks")
