"""quota: ``ix_quota_entries_source`` holds only entries that have a source (issue 14: a
debit's two entries have none, and a NULL is never a duplicate, so their index entries only
cost every signature's commit two pages)

Revision ID: 0014_quota_partial_source
Revises: 0013_hash_kept_in_sad
Create Date: 2026-12-06 05:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_quota_partial_source"
down_revision = "0013_hash_kept_in_sad"
branch_labels = None
depends_on = None

_KEYED = sa.text("kind <> 'release' AND source IS NOT NULL")
_KEYED_BEFORE = sa.text("kind <> 'release'")


def upgrade() -> None:
    op.drop_index("ix_quota_entries_source", table_name="quota_entries")
    op.create_index("ix_quota_entries_source", "quota_entries",
                    ["credential_id", "kind", "source"], unique=True,
                    sqlite_where=_KEYED, postgresql_where=_KEYED)


def downgrade() -> None:
    op.drop_index("ix_quota_entries_source", table_name="quota_entries")
    op.create_index("ix_quota_entries_source", "quota_entries",
                    ["credential_id", "kind", "source"], unique=True,
                    sqlite_where=_KEYED_BEFORE, postgresql_where=_KEYED_BEFORE)
