"""recover: identity-recovery cases (both the password and the account PIN lost)

Revision ID: 0009_recover_identity_cases
Revises: 0008_journeys_verified_id_number
Create Date: 2026-12-02 17:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kyso.adapters.db.tables.base

revision = "0009_recover_identity_cases"
down_revision = "0008_journeys_verified_id_number"
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = kyso.adapters.db.tables.base.UtcDateTime(timezone=True)
    op.create_table(
        "recovery_cases",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=True),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("created_at", utc, nullable=False),
        sa.Column("updated_at", utc, nullable=False),
        sa.Column("expires_at", utc, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("image_attempts", sa.Integer(), nullable=False),
        sa.Column("front", sa.String(length=64), nullable=True),
        sa.Column("back", sa.String(length=64), nullable=True),
        sa.Column("portrait", sa.String(length=64), nullable=True),
        sa.Column("submitted_at", utc, nullable=True),
        sa.Column("officer", sa.String(length=36), nullable=True),
        sa.Column("decided_at", utc, nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("code_hash", sa.String(length=255), nullable=True),
        sa.Column("code_attempts", sa.Integer(), nullable=False),
        sa.Column("completed_at", utc, nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_recovery_cases_account_id_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_cases")),
    )
    op.create_index("ix_recovery_cases_account", "recovery_cases", ["account_id", "created_at"])
    op.create_index("ix_recovery_cases_state", "recovery_cases", ["state", "expires_at"])


def downgrade() -> None:
    op.drop_index("ix_recovery_cases_state", table_name="recovery_cases")
    op.drop_index("ix_recovery_cases_account", table_name="recovery_cases")
    op.drop_table("recovery_cases")
