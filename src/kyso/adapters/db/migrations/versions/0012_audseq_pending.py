"""audseq: audit events pending their place on the chain (group commit of the audit trail)

Revision ID: 0012_audseq_pending
Revises: 0001
Create Date: 2026-12-03 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kyso.adapters.db.tables.base

revision = "0012_audseq_pending"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = kyso.adapters.db.tables.base.UtcDateTime(timezone=True)
    op.create_table(
        "audit_pending",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), sa.Identity(),
                  nullable=False),
        sa.Column("at", utc, nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.Text(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_pending")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("audit_records") as batch:
        batch.add_column(sa.Column("pending_id", sa.BigInteger(), nullable=True))
        batch.create_index("ix_audit_records_pending_id", ["pending_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("audit_records") as batch:
        batch.drop_index("ix_audit_records_pending_id")
        batch.drop_column("pending_id")
    op.drop_table("audit_pending")
