"""smartotp: tokens, OTP-method state, transaction challenges

Revision ID: 0002_smartotp
Revises: 0001
Create Date: 2026-11-22 07:27:29.390850
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kyso.adapters.db.tables.base

revision = "0002_smartotp"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "otp_challenges",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("question", sa.String(length=128), nullable=True),
        sa.Column("ocra_suite", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", kyso.adapters.db.tables.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "expires_at", kyso.adapters.db.tables.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "decided_at", kyso.adapters.db.tables.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_otp_challenges_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_otp_challenges")),
    )
    with op.batch_alter_table("otp_challenges", schema=None) as batch_op:
        batch_op.create_index(
            "ix_otp_challenges_account", ["account_id", "status", "created_at"], unique=False
        )

    op.create_table(
        "otp_method_state",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("preferred", sa.String(length=16), nullable=False),
        sa.Column("locks", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_otp_method_state_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_otp_method_state")),
    )
    op.create_table(
        "smartotp_tokens",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sealed_seed", sa.LargeBinary(), nullable=False),
        sa.Column("algorithm", sa.String(length=8), nullable=False),
        sa.Column("digits", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("ocra_suite", sa.String(length=64), nullable=False),
        sa.Column("terms_version", sa.String(length=16), nullable=True),
        sa.Column("device_id", sa.String(length=64), nullable=True),
        sa.Column("device_name", sa.String(length=100), nullable=True),
        sa.Column("activation_mac", sa.String(length=64), nullable=True),
        sa.Column(
            "activation_expires_at",
            kyso.adapters.db.tables.base.UtcDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column("activation_attempts", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", kyso.adapters.db.tables.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "activated_at", kyso.adapters.db.tables.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "revoked_at", kyso.adapters.db.tables.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("last_counter", sa.BigInteger(), nullable=True),
        sa.Column("drift", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column(
            "locked_at", kyso.adapters.db.tables.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_smartotp_tokens_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_smartotp_tokens")),
    )
    with op.batch_alter_table("smartotp_tokens", schema=None) as batch_op:
        batch_op.create_index(
            "ix_smartotp_tokens_account", ["account_id", "status", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("smartotp_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_smartotp_tokens_account")

    op.drop_table("smartotp_tokens")
    op.drop_table("otp_method_state")
    with op.batch_alter_table("otp_challenges", schema=None) as batch_op:
        batch_op.drop_index("ix_otp_challenges_account")

    op.drop_table("otp_challenges")
