"""audseq: ``audit_records.pending_id`` indexed only where set (issue 14: an inline append, the
SQLite default, wrote an index entry for its NULL — one page more in every audited commit,
and an index as long as the trail that no query reads)

Revision ID: 0013_audseq_partial_pending
Revises: 0012_audseq_pending
Create Date: 2026-12-06 05:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_audseq_partial_pending"
down_revision = "0012_audseq_pending"
branch_labels = None
depends_on = None

_SET = sa.text("pending_id IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_audit_records_pending_id", table_name="audit_records")
    op.create_index("ix_audit_records_pending_id", "audit_records", ["pending_id"],
                    unique=True, sqlite_where=_SET, postgresql_where=_SET)


def downgrade() -> None:
    op.drop_index("ix_audit_records_pending_id", table_name="audit_records")
    op.create_index("ix_audit_records_pending_id", "audit_records", ["pending_id"],
                    unique=True)
