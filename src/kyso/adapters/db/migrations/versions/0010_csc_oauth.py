"""csc: OAuth2 redirect URIs, authorizations, tokens (hashed), asynchronous signHash responses

Revision ID: 0010_csc_oauth
Revises: 0004_relying
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kyso.adapters.db.tables.base

revision = "0010_csc_oauth"
down_revision = "0004_relying"
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = kyso.adapters.db.tables.base.UtcDateTime(timezone=True)
    op.create_table(
        "csc_redirect_uris",
        sa.Column("party_id", sa.String(length=36), nullable=False),
        sa.Column("uri", sa.String(length=500), nullable=False),
        sa.Column("created_at", utc, nullable=False),
        sa.ForeignKeyConstraint(["party_id"], ["relying_parties.id"],
                                name=op.f("fk_csc_redirect_uris_party_id_relying_parties")),
        sa.PrimaryKeyConstraint("party_id", "uri", name=op.f("pk_csc_redirect_uris")),
    )
    op.create_table(
        "csc_authorizations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("party_id", sa.String(length=36), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("redirect_uri", sa.String(length=500), nullable=False),
        sa.Column("state", sa.String(length=500), nullable=True),
        sa.Column("code_challenge", sa.String(length=128), nullable=False),
        sa.Column("credential_id", sa.String(length=80), nullable=True),
        sa.Column("num_signatures", sa.Integer(), nullable=False),
        sa.Column("hashes", sa.Text(), nullable=False),
        sa.Column("hash_algo", sa.String(length=64), nullable=True),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("created_at", utc, nullable=False),
        sa.Column("expires_at", utc, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=True),
        sa.Column("challenge_id", sa.String(length=36), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("code_expires_at", utc, nullable=True),
        sa.Column("sealed_sad", sa.LargeBinary(), nullable=True),
        sa.Column("sad_expires_at", utc, nullable=True),
        sa.ForeignKeyConstraint(["party_id"], ["relying_parties.id"],
                                name=op.f("fk_csc_authorizations_party_id_relying_parties")),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_csc_authorizations_account_id_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_csc_authorizations")),
        sa.UniqueConstraint("challenge_id", name=op.f("uq_csc_authorizations_challenge_id")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_csc_authorizations_code_hash")),
    )
    op.create_table(
        "csc_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("authorization_id", sa.String(length=36), nullable=False),
        sa.Column("party_id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("credential_id", sa.String(length=80), nullable=True),
        sa.Column("created_at", utc, nullable=False),
        sa.Column("expires_at", utc, nullable=False),
        sa.Column("revoked_at", utc, nullable=True),
        sa.ForeignKeyConstraint(["authorization_id"], ["csc_authorizations.id"],
                                name=op.f("fk_csc_tokens_authorization_id_csc_authorizations")),
        sa.ForeignKeyConstraint(["party_id"], ["relying_parties.id"],
                                name=op.f("fk_csc_tokens_party_id_relying_parties")),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_csc_tokens_account_id_accounts")),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_csc_tokens")),
    )
    op.create_index("ix_csc_tokens_authorization", "csc_tokens", ["authorization_id"])
    op.create_table(
        "csc_responses",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("credential_id", sa.String(length=80), nullable=False),
        sa.Column("scheme", sa.String(length=32), nullable=False),
        sa.Column("hashes", sa.Text(), nullable=False),
        sa.Column("created_at", utc, nullable=False),
        sa.Column("expires_at", utc, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("challenge_id", sa.String(length=36), nullable=True),
        sa.Column("signatures", sa.Text(), nullable=True),
        sa.Column("error", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_csc_responses_account_id_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_csc_responses")),
        sa.UniqueConstraint("challenge_id", name=op.f("uq_csc_responses_challenge_id")),
    )


def downgrade() -> None:
    op.drop_table("csc_responses")
    op.drop_index("ix_csc_tokens_authorization", table_name="csc_tokens")
    op.drop_table("csc_tokens")
    op.drop_table("csc_authorizations")
    op.drop_table("csc_redirect_uris")
