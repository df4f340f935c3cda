"""quota: the signature quota ledger (entries, per-credential totals, open reservations)

Revision ID: 0005_quota
Revises: 0004_documents, 0004_relying
Create Date: 2026-11-22 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kyso.adapters.db.tables.base

revision = "0005_quota"
down_revision = ("0004_documents", "0004_relying")
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = kyso.adapters.db.tables.base.UtcDateTime(timezone=True)
    op.create_table(
        "quota_entries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("credential_id", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("basis", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("at", utc, nullable=False),
        sa.Column("source", sa.String(length=120), nullable=True),
        sa.Column("reservation", sa.String(length=36), nullable=True),
        sa.Column("until", utc, nullable=True),
        sa.Column("relying_party", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quota_entries")),
        sa.UniqueConstraint("reservation", name=op.f("uq_quota_entries_reservation")),
    )
    op.create_index("ix_quota_entries_credential", "quota_entries", ["credential_id", "at"])
    op.create_index("ix_quota_entries_source", "quota_entries",
                    ["credential_id", "kind", "source"], unique=True)
    op.create_index("ix_quota_entries_at", "quota_entries", ["at"])
    op.create_table(
        "quota_accounts",
        sa.Column("credential_id", sa.String(length=80), nullable=False),
        sa.Column("credited", sa.Integer(), nullable=False),
        sa.Column("consumed", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("unlimited_until", utc, nullable=True),
        sa.Column("updated_at", utc, nullable=False),
        sa.PrimaryKeyConstraint("credential_id", name=op.f("pk_quota_accounts")),
    )
    op.create_table(
        "quota_holds",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("credential_id", sa.String(length=80), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(length=16), nullable=False),
        sa.Column("expires_at", utc, nullable=False),
        sa.Column("relying_party", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quota_holds")),
    )
    op.create_index("ix_quota_holds_expiry", "quota_holds", ["credential_id", "expires_at"])
    op.create_index("ix_quota_holds_due", "quota_holds", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_quota_holds_due", table_name="quota_holds")
    op.drop_index("ix_quota_holds_expiry", table_name="quota_holds")
    op.drop_table("quota_holds")
    op.drop_table("quota_accounts")
    op.drop_index("ix_quota_entries_at", table_name="quota_entries")
    op.drop_index("ix_quota_entries_source", table_name="quota_entries")
    op.drop_index("ix_quota_entries_credential", table_name="quota_entries")
    op.drop_table("quota_entries")
