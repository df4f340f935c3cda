"""quota: ``ix_quota_entries_at`` holds only credits and unlimited grants, the entries the
provisioning report looks up by time (issue 14: a signature's ledger entry, the one row every
signature adds, was one index entry more in every signHash commit, a page on SQLite)

Revision ID: 0015_quota_partial_at
Revises: 0014_quota_partial_source
Create Date: 2026-12-06 17:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_quota_partial_at"
down_revision = "0014_quota_partial_source"
branch_labels = None
depends_on = None

_PROVISIONED = sa.text("kind IN ('credit', 'unlimited')")


def upgrade() -> None:
    op.drop_index("ix_quota_entries_at", table_name="quota_entries")
    op.create_index("ix_quota_entries_at", "quota_entries", ["at"],
                    sqlite_where=_PROVISIONED, postgresql_where=_PROVISIONED)


def downgrade() -> None:
    op.drop_index("ix_quota_entries_at", table_name="quota_entries")
    op.create_index("ix_quota_entries_at", "quota_entries", ["at"])
