"""documents: uploaded files to sign, their transaction and their signed output

Revision ID: 0004_documents
Revises: 0003_signing
Create Date: 2026-11-22 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kyso.adapters.db.tables.base

revision = "0004_documents"
down_revision = "0003_signing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = kyso.adapters.db.tables.base.UtcDateTime(timezone=True)
    op.create_table(
        "documents",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("credential_id", sa.String(length=80), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("visible", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("transaction_id", sa.String(length=36), nullable=True),
        sa.Column("signed_sha256", sa.String(length=64), nullable=True),
        sa.Column("signed_size", sa.BigInteger(), nullable=True),
        sa.Column("created_at", utc, nullable=False),
        sa.Column("signed_at", utc, nullable=True),
        sa.Column("error", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_documents_account_id_accounts")),
        sa.ForeignKeyConstraint(["transaction_id"], ["otp_challenges.id"],
                                name=op.f("fk_documents_transaction_id_otp_challenges")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("transaction_id", name=op.f("uq_documents_transaction_id")),
    )
    op.create_index("ix_documents_account", "documents", ["account_id", "created_at"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_documents_account", table_name="documents")
    op.drop_table("documents")
