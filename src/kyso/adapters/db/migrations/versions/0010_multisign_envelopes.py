"""multisign: several signers on one PDF (envelopes and their signers)

Revision ID: 0010_multisign_envelopes
Revises: 0009_recover_identity_cases
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kyso.adapters.db.tables.base

revision = "0010_multisign_envelopes"
down_revision = "0009_recover_identity_cases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = kyso.adapters.db.tables.base.UtcDateTime(timezone=True)
    op.create_table(
        "multisign_envelopes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("initiator_id", sa.String(length=36), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("current_sha256", sa.String(length=64), nullable=False),
        sa.Column("mode", sa.String(length=12), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("signed_count", sa.Integer(), nullable=False),
        sa.Column("created_at", utc, nullable=False),
        sa.Column("expires_at", utc, nullable=True),
        sa.Column("finished_at", utc, nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("busy_until", utc, nullable=True),
        sa.ForeignKeyConstraint(["initiator_id"], ["accounts.id"],
                                name=op.f("fk_multisign_envelopes_initiator_id_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_multisign_envelopes")),
    )
    op.create_index("ix_multisign_envelopes_initiator", "multisign_envelopes",
                    ["initiator_id", "created_at"])
    op.create_table(
        "multisign_signers",
        sa.Column("envelope_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("login", sa.String(length=320), nullable=False),
        sa.Column("field_name", sa.String(length=80), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("box", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("transaction_id", sa.String(length=36), nullable=True),
        sa.Column("credential_id", sa.String(length=80), nullable=True),
        sa.Column("signed_at", utc, nullable=True),
        sa.Column("declined_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_multisign_signers_account_id_accounts")),
        sa.ForeignKeyConstraint(["envelope_id"], ["multisign_envelopes.id"],
                                name=op.f("fk_multisign_signers_envelope_id_multisign_envelopes")),
        sa.ForeignKeyConstraint(["transaction_id"], ["otp_challenges.id"],
                                name=op.f("fk_multisign_signers_transaction_id_otp_challenges")),
        sa.PrimaryKeyConstraint("envelope_id", "position", name=op.f("pk_multisign_signers")),
    )
    op.create_index("ix_multisign_signers_account", "multisign_signers", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_multisign_signers_account", table_name="multisign_signers")
    op.drop_table("multisign_signers")
    op.drop_index("ix_multisign_envelopes_initiator", table_name="multisign_envelopes")
    op.drop_table("multisign_envelopes")
