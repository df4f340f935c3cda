"""relying: relying parties, SP769 sign requests, their files, webhook deliveries

Revision ID: 0004_relying
Revises: 0003_signing
Create Date: 2026-11-29 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kyso.adapters.db.tables.base

revision = "0004_relying"
down_revision = "0003_signing"
branch_labels = None
depends_on = None

_Utc = kyso.adapters.db.tables.base.UtcDateTime


def upgrade() -> None:
    op.create_table(
        "relying_parties",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("sp_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("secret_hash", sa.String(length=200), nullable=False),
        sa.Column("public_service", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("webhook_url", sa.String(length=500), nullable=True),
        sa.Column("sealed_webhook_secret", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("lock_count", sa.Integer(), nullable=False),
        sa.Column("locked_until", _Utc(timezone=True), nullable=True),
        sa.Column("created_at", _Utc(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relying_parties")),
        sa.UniqueConstraint("sp_id", name=op.f("uq_relying_parties_sp_id")),
    )
    op.create_table(
        "sp769_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("party_id", sa.String(length=36), nullable=False),
        sa.Column("transaction_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("credential_id", sa.String(length=80), nullable=False),
        sa.Column("challenge_id", sa.String(length=36), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", _Utc(timezone=True), nullable=False),
        sa.Column("expires_at", _Utc(timezone=True), nullable=False),
        sa.Column("ended_at", _Utc(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_sp769_requests_account_id_accounts")),
        sa.ForeignKeyConstraint(["challenge_id"], ["otp_challenges.id"],
                                name=op.f("fk_sp769_requests_challenge_id_otp_challenges")),
        sa.ForeignKeyConstraint(["party_id"], ["relying_parties.id"],
                                name=op.f("fk_sp769_requests_party_id_relying_parties")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sp769_requests")),
        sa.UniqueConstraint("challenge_id", name=op.f("uq_sp769_requests_challenge_id")),
        sa.UniqueConstraint("party_id", "transaction_id",
                            name=op.f("uq_sp769_requests_party_id")),
    )
    op.create_index("ix_sp769_requests_due", "sp769_requests", ["status", "expires_at"],
                    unique=False)
    op.create_table(
        "sp769_files",
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("doc_id", sa.String(length=128), nullable=False),
        sa.Column("file_type", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["request_id"], ["sp769_requests.id"],
                                name=op.f("fk_sp769_files_request_id_sp769_requests")),
        sa.PrimaryKeyConstraint("request_id", "position", name=op.f("pk_sp769_files")),
    )
    op.create_table(
        "sp769_webhooks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("party_id", sa.String(length=36), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _Utc(timezone=True), nullable=False),
        sa.Column("leased_until", _Utc(timezone=True), nullable=True),
        sa.Column("created_at", _Utc(timezone=True), nullable=False),
        sa.Column("sent_at", _Utc(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["party_id"], ["relying_parties.id"],
                                name=op.f("fk_sp769_webhooks_party_id_relying_parties")),
        sa.ForeignKeyConstraint(["request_id"], ["sp769_requests.id"],
                                name=op.f("fk_sp769_webhooks_request_id_sp769_requests")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sp769_webhooks")),
    )
    op.create_index("ix_sp769_webhooks_due", "sp769_webhooks", ["status", "next_attempt_at"],
                    unique=False)
    op.create_index(op.f("ix_sp769_webhooks_request_id"), "sp769_webhooks", ["request_id"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_sp769_webhooks_request_id"), table_name="sp769_webhooks")
    op.drop_index("ix_sp769_webhooks_due", table_name="sp769_webhooks")
    op.drop_table("sp769_webhooks")
    op.drop_table("sp769_files")
    op.drop_index("ix_sp769_requests_due", table_name="sp769_requests")
    op.drop_table("sp769_requests")
    op.drop_table("relying_parties")
