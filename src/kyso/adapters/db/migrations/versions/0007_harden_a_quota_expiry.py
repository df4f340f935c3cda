"""quota: forgotten reservations expire any number of times

The unique index on ``(credential_id, kind, source)`` made a source an idempotence key for
every entry, so the second ``release`` with source ``expired`` on one credential raised
IntegrityError and wedged its sweep and every signature. It now covers only the entries
whose source is a key (credits, unlimited grants, late consumes); a release is unique by
its ``reservation``.

Revision ID: 0007_harden_a_quota_expiry
Revises: 0005_quota
Create Date: 2026-12-02 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_harden_a_quota_expiry"
down_revision = "0005_quota"
branch_labels = None
depends_on = None

_KEYED = sa.text("kind <> 'release'")


def upgrade() -> None:
    op.drop_index("ix_quota_entries_source", table_name="quota_entries")
    op.create_index("ix_quota_entries_source", "quota_entries",
                    ["credential_id", "kind", "source"], unique=True,
                    sqlite_where=_KEYED, postgresql_where=_KEYED)


def downgrade() -> None:
    # fails if two expired releases exist on one credential, as the old index would
    op.drop_index("ix_quota_entries_source", table_name="quota_entries")
    op.create_index("ix_quota_entries_source", "quota_entries",
                    ["credential_id", "kind", "source"], unique=True)
