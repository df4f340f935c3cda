"""receipts: signing receipts made by the worker after the signature (a job row each)

Revision ID: 0011_receipts_jobs
Revises: 0010_verify_records
Create Date: 2026-12-03 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kyso.adapters.db.tables.base

revision = "0011_receipts_jobs"
down_revision = "0010_verify_records"
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = kyso.adapters.db.tables.base.UtcDateTime(timezone=True)
    op.create_table(
        "signing_receipts",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("party_id", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("claims", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", utc, nullable=False),
        sa.Column("leased_until", utc, nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("receipt_sha256", sa.String(length=64), nullable=True),
        sa.Column("created_at", utc, nullable=False),
        sa.Column("made_at", utc, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_receipts")),
    )
    op.create_index("ix_signing_receipts_due", "signing_receipts", ["receipt_sha256", "due_at"])
    op.create_index("ix_signing_receipts_account", "signing_receipts",
                    ["account_id", "created_at"])
    op.create_index("ix_signing_receipts_party", "signing_receipts", ["party_id"])


def downgrade() -> None:
    op.drop_index("ix_signing_receipts_party", table_name="signing_receipts")
    op.drop_index("ix_signing_receipts_account", table_name="signing_receipts")
    op.drop_index("ix_signing_receipts_due", table_name="signing_receipts")
    op.drop_table("signing_receipts")
