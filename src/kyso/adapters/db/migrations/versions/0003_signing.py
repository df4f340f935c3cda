"""signing: signature activation data

Revision ID: 0003_signing
Revises: 0002_smartotp
Create Date: 2026-11-22 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kyso.adapters.db.tables.base

revision = "0003_signing"
down_revision = "0002_smartotp"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signature_activations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("credential_id", sa.String(length=80), nullable=False),
        sa.Column("hash_algo", sa.String(length=16), nullable=False),
        sa.Column("hashes", sa.Text(), nullable=False),
        sa.Column("signed", sa.Text(), nullable=False),
        sa.Column("created_at", kyso.adapters.db.tables.base.UtcDateTime(timezone=True),
                  nullable=False),
        sa.Column("expires_at", kyso.adapters.db.tables.base.UtcDateTime(timezone=True),
                  nullable=False),
        sa.Column("revoked_at", kyso.adapters.db.tables.base.UtcDateTime(timezone=True),
                  nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_signature_activations_account_id_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signature_activations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_signature_activations_token_hash")),
    )
    op.create_index("ix_signature_activations_account", "signature_activations",
                    ["account_id", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_signature_activations_account", table_name="signature_activations")
    op.drop_table("signature_activations")
