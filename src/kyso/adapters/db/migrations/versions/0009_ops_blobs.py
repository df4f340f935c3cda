"""ops: blobs in the database, shared by every node (documents, outputs, eKYC images)

Revision ID: 0009_ops_blobs
Revises: 0001
Create Date: 2026-12-02 17:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kyso.adapters.db.tables.base

revision = "0009_ops_blobs"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = kyso.adapters.db.tables.base.UtcDateTime(timezone=True)
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("stored_at", utc, nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_blobs")),
    )
    op.create_index("ix_blobs_stored_at", "blobs", ["stored_at"])
    op.create_table(
        "blob_chunks",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", "seq", name=op.f("pk_blob_chunks")),
    )


def downgrade() -> None:
    op.drop_table("blob_chunks")
    op.drop_index("ix_blobs_stored_at", table_name="blobs")
    op.drop_table("blobs")
