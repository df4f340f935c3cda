"""verify: signature records for the public verification page and signing receipts

Revision ID: 0010_verify_records
Revises: 0004_documents
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kyso.adapters.db.tables.base

revision = "0010_verify_records"
down_revision = "0004_documents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = kyso.adapters.db.tables.base.UtcDateTime(timezone=True)
    op.create_table(
        "signature_records",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("document_id", sa.String(length=36), nullable=True),
        sa.Column("credential_id", sa.String(length=80), nullable=False),
        sa.Column("issuer", sa.String(length=80), nullable=False),
        sa.Column("serial", sa.String(length=40), nullable=False),
        sa.Column("signer_name", sa.String(length=200), nullable=False),
        sa.Column("issuer_name", sa.String(length=200), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("signed_sha256", sa.String(length=64), nullable=False),
        sa.Column("signed_size", sa.BigInteger(), nullable=False),
        sa.Column("signed_at", utc, nullable=False),
        sa.Column("timestamp_at", utc, nullable=True),
        sa.Column("relying_party", sa.String(length=200), nullable=True),
        sa.Column("challenge_id", sa.String(length=36), nullable=True),
        sa.Column("audit_event", sa.String(length=36), nullable=False),
        sa.Column("receipt_sha256", sa.String(length=64), nullable=True),
        sa.Column("created_at", utc, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signature_records")),
    )
    op.create_index("ix_signature_records_account", "signature_records",
                    ["account_id", "created_at"])
    op.create_index("ix_signature_records_document", "signature_records", ["document_id"])


def downgrade() -> None:
    op.drop_index("ix_signature_records_document", table_name="signature_records")
    op.drop_index("ix_signature_records_account", table_name="signature_records")
    op.drop_table("signature_records")
