"""csc: refresh tokens (hashed, rotated, by family) and the indexes of the clean-up chore

Revision ID: 0011_oauth_refresh
Revises: 0010_csc_oauth
Create Date: 2026-12-03 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kyso.adapters.db.tables.base

revision = "0011_oauth_refresh"
down_revision = "0010_csc_oauth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = kyso.adapters.db.tables.base.UtcDateTime(timezone=True)
    op.create_table(
        "csc_refresh_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("party_id", sa.String(length=36), nullable=True),
        sa.Column("authorization_id", sa.String(length=36), nullable=True),
        sa.Column("session_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", utc, nullable=False),
        sa.Column("expires_at", utc, nullable=False),
        sa.Column("used_at", utc, nullable=True),
        sa.Column("revoked_at", utc, nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_csc_refresh_tokens_account_id_accounts")),
        sa.ForeignKeyConstraint(["party_id"], ["relying_parties.id"],
                                name=op.f("fk_csc_refresh_tokens_party_id_relying_parties")),
        sa.ForeignKeyConstraint(
            ["authorization_id"], ["csc_authorizations.id"],
            name=op.f("fk_csc_refresh_tokens_authorization_id_csc_authorizations")),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_csc_refresh_tokens")),
    )
    op.create_index("ix_csc_refresh_tokens_family", "csc_refresh_tokens", ["family_id"])
    op.create_index("ix_csc_refresh_tokens_account_party", "csc_refresh_tokens",
                    ["account_id", "party_id"])
    op.create_index("ix_csc_refresh_tokens_expiry", "csc_refresh_tokens", ["expires_at"])
    op.create_index("ix_csc_tokens_expiry", "csc_tokens", ["expires_at"])
    op.create_index("ix_csc_tokens_account_party", "csc_tokens", ["account_id", "party_id"])
    op.create_index("ix_csc_authorizations_expiry", "csc_authorizations", ["expires_at"])
    op.create_index("ix_csc_responses_expiry", "csc_responses", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_csc_responses_expiry", table_name="csc_responses")
    op.drop_index("ix_csc_authorizations_expiry", table_name="csc_authorizations")
    op.drop_index("ix_csc_tokens_account_party", table_name="csc_tokens")
    op.drop_index("ix_csc_tokens_expiry", table_name="csc_tokens")
    op.drop_index("ix_csc_refresh_tokens_expiry", table_name="csc_refresh_tokens")
    op.drop_index("ix_csc_refresh_tokens_account_party", table_name="csc_refresh_tokens")
    op.drop_index("ix_csc_refresh_tokens_family", table_name="csc_refresh_tokens")
    op.drop_table("csc_refresh_tokens")
