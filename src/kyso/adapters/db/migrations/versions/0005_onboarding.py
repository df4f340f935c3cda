"""onboarding: registrations for a certificate

Revision ID: 0005_onboarding
Revises: 0004_documents, 0004_relying
Create Date: 2026-11-22 11:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kyso.adapters.db.tables.base

revision = "0005_onboarding"
down_revision = ("0004_documents", "0004_relying")
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = kyso.adapters.db.tables.base.UtcDateTime(timezone=True)
    op.create_table(
        "onboarding_registrations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=128), nullable=False),
        sa.Column("credential_id", sa.String(length=80), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", utc, nullable=False),
        sa.Column("updated_at", utc, nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_onboarding_registrations_account_id_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onboarding_registrations")),
        sa.UniqueConstraint("credential_id",
                            name=op.f("uq_onboarding_registrations_credential_id")),
    )
    op.create_index("ix_onboarding_account", "onboarding_registrations",
                    ["account_id", "seq"], unique=True)
    op.create_index("ix_onboarding_state", "onboarding_registrations", ["state", "updated_at"])
    op.create_index("ix_onboarding_uid", "onboarding_registrations", ["uid"])
    op.create_index("ix_onboarding_device", "onboarding_registrations", ["device_id"])


def downgrade() -> None:
    for name in ("ix_onboarding_device", "ix_onboarding_uid", "ix_onboarding_state",
                 "ix_onboarding_account"):
        op.drop_index(name, table_name="onboarding_registrations")
    op.drop_table("onboarding_registrations")
