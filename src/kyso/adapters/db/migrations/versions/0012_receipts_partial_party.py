"""receipts: ``signing_receipts.party_id`` indexed only where set (issue 14: a customer's own
signature, which names no relying party, wrote an index entry for its NULL — one page more
in its commit)

Revision ID: 0012_receipts_partial_party
Revises: 0011_receipts_jobs
Create Date: 2026-12-06 05:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_receipts_partial_party"
down_revision = "0011_receipts_jobs"
branch_labels = None
depends_on = None

_SET = sa.text("party_id IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_signing_receipts_party", table_name="signing_receipts")
    op.create_index("ix_signing_receipts_party", "signing_receipts", ["party_id"],
                    sqlite_where=_SET, postgresql_where=_SET)


def downgrade() -> None:
    op.drop_index("ix_signing_receipts_party", table_name="signing_receipts")
    op.create_index("ix_signing_receipts_party", "signing_receipts", ["party_id"])
