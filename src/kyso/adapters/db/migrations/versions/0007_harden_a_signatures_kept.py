"""signing: the signatures a SAD produced, kept for its life (a repeated signHash after a
lost response gets them back without a second charge)

Revision ID: 0007_harden_a_signatures_kept
Revises: 0007_harden_a_key_check
Create Date: 2026-12-02 14:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kyso.adapters.db.tables.base

revision = "0007_harden_a_signatures_kept"
down_revision = "0007_harden_a_key_check"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signatures_kept",
        sa.Column("activation_id", sa.String(length=36), nullable=False),
        sa.Column("hash", sa.String(length=100), nullable=False),
        sa.Column("scheme", sa.String(length=32), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", kyso.adapters.db.tables.base.UtcDateTime(timezone=True),
                  nullable=False),
        sa.ForeignKeyConstraint(
            ["activation_id"], ["signature_activations.id"],
            name=op.f("fk_signatures_kept_activation_id_signature_activations")),
        sa.PrimaryKeyConstraint("activation_id", "hash", name=op.f("pk_signatures_kept")),
    )
    op.create_index("ix_signatures_kept_expiry", "signatures_kept", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_signatures_kept_expiry", table_name="signatures_kept")
    op.drop_table("signatures_kept")
