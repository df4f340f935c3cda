"""onboarding seal: when an accepted contract's seal is (again) due

Revision ID: 0006_onboarding_seal
Revises: 0005_onboarding
Create Date: 2026-11-22 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kyso.adapters.db.tables.base

revision = "0006_onboarding_seal"
down_revision = "0005_onboarding"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("onboarding_registrations") as batch:
        batch.add_column(sa.Column("seal_due",
                                   kyso.adapters.db.tables.base.UtcDateTime(timezone=True),
                                   nullable=True))
        batch.create_index("ix_onboarding_seal_due", ["seal_due"], unique=False)
    # contracts accepted before this revision whose seal failed: due now
    op.execute("UPDATE onboarding_registrations SET seal_due = updated_at"
               " WHERE body LIKE '%\"sealed_contract_sha256\": null%'"
               " AND body NOT LIKE '%\"contract_sha256\": null%'")


def downgrade() -> None:
    with op.batch_alter_table("onboarding_registrations") as batch:
        batch.drop_index("ix_onboarding_seal_due")
        batch.drop_column("seal_due")
