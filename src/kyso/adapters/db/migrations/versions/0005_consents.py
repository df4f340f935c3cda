"""consents: which relying parties a customer lets see their certificates and ask for
signatures

Revision ID: 0005_consents
Revises: 0004_documents, 0004_relying
Create Date: 2026-11-22 10:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kyso.adapters.db.tables.base

revision = "0005_consents"
down_revision = ("0004_documents", "0004_relying")
branch_labels = None
depends_on = None

_Utc = kyso.adapters.db.tables.base.UtcDateTime


def upgrade() -> None:
    op.create_table(
        "rp_consents",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("party_id", sa.String(length=36), nullable=False),
        sa.Column("granted_at", _Utc(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_rp_consents_account_id_accounts")),
        sa.ForeignKeyConstraint(["party_id"], ["relying_parties.id"],
                                name=op.f("fk_rp_consents_party_id_relying_parties")),
        sa.PrimaryKeyConstraint("account_id", "party_id", name=op.f("pk_rp_consents")),
    )


def downgrade() -> None:
    op.drop_table("rp_consents")
