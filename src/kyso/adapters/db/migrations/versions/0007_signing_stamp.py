"""documents: where the visible stamp goes (page, box) and its signature image; several
documents may share one transaction (signed together in one approval)

Revision ID: 0007_signing_stamp
Revises: 0004_documents
Create Date: 2026-12-02 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_signing_stamp"
down_revision = "0004_documents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("stamp_page", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("stamp_box", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("stamp_image", sa.String(length=64), nullable=True))
        batch.drop_constraint("uq_documents_transaction_id", type_="unique")
    op.create_index("ix_documents_transaction", "documents", ["transaction_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_documents_transaction", table_name="documents")
    with op.batch_alter_table("documents") as batch:
        batch.create_unique_constraint("uq_documents_transaction_id", ["transaction_id"])
        batch.drop_column("stamp_image")
        batch.drop_column("stamp_box")
        batch.drop_column("stamp_page")
