"""foundation: accounts, sessions, otp codes, outbox, notifications, audit

Revision ID: 0001
Revises:
Create Date: 2026-11-22 07:18:13.533026
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kyso.adapters.db.tables.base

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("id_number", sa.String(length=32), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("pin_hash", sa.String(length=255), nullable=False),
        sa.Column("password_failures", sa.Integer(), nullable=False),
        sa.Column("password_locks", sa.Integer(), nullable=False),
        sa.Column(
            "password_locked_until",
            kyso.adapters.db.tables.base.UtcDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column("pin_failures", sa.Integer(), nullable=False),
        sa.Column("pin_locks", sa.Integer(), nullable=False),
        sa.Column(
            "pin_locked_until",
            kyso.adapters.db.tables.base.UtcDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "created_at", kyso.adapters.db.tables.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("email", name=op.f("uq_accounts_email")),
        sa.UniqueConstraint("id_number", name=op.f("uq_accounts_id_number")),
        sa.UniqueConstraint("phone", name=op.f("uq_accounts_phone")),
        sa.UniqueConstraint("username", name=op.f("uq_accounts_username")),
    )
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "audit_records",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", kyso.adapters.db.tables.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.Text(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_records")),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "created_at", kyso.adapters.db.tables.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "read_at", kyso.adapters.db.tables.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notifications_account_created", ["account_id", "created_at"], unique=False
        )

    op.create_table(
        "outbox",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=True),
        sa.Column("purpose", sa.String(length=64), nullable=True),
        sa.Column("sealed_body", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "next_attempt_at",
            kyso.adapters.db.tables.base.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column(
            "leased_until", kyso.adapters.db.tables.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "created_at", kyso.adapters.db.tables.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "sent_at", kyso.adapters.db.tables.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("delivered_locally", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_account_id"), ["account_id"], unique=False)
        batch_op.create_index("ix_outbox_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_outbox_due", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "otp_codes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("code_mac", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at", kyso.adapters.db.tables.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "expires_at", kyso.adapters.db.tables.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "consumed_at", kyso.adapters.db.tables.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("superseded", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_otp_codes_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_otp_codes")),
    )
    with op.batch_alter_table("otp_codes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_otp_codes_lookup", ["account_id", "purpose", "created_at"], unique=False
        )

    op.create_table(
        "sessions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at", kyso.adapters.db.tables.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "expires_at", kyso.adapters.db.tables.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "last_seen_at", kyso.adapters.db.tables.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "revoked_at", kyso.adapters.db.tables.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("user_agent", sa.String(length=200), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_sessions_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sessions_token_hash")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index("ix_sessions_account", ["account_id", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_sessions_account")

    op.drop_table("sessions")
    with op.batch_alter_table("otp_codes", schema=None) as batch_op:
        batch_op.drop_index("ix_otp_codes_lookup")

    op.drop_table("otp_codes")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_due")
        batch_op.drop_index("ix_outbox_created_at")
        batch_op.drop_index(batch_op.f("ix_outbox_account_id"))

    op.drop_table("outbox")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_account_created")

    op.drop_table("notifications")
    op.drop_table("audit_records")
    op.drop_table("audit_head")
    op.drop_table("accounts")
