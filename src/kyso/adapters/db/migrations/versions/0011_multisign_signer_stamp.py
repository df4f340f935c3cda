"""multisign: each signer's stamp (reason, location, signature image), the signature record
their signature made (the public verification page ``/v/<id>``) and its place in the order
the signatures were made

Revision ID: 0011_multisign_signer_stamp
Revises: 0010_multisign_envelopes
Create Date: 2026-12-03 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_multisign_signer_stamp"
down_revision = "0010_multisign_envelopes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("multisign_signers") as batch:
        batch.add_column(sa.Column("reason", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("location", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("image", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("record_id", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("signed_order", sa.Integer(), nullable=True))
    op.create_index("ix_multisign_signers_record", "multisign_signers", ["record_id"])


def downgrade() -> None:
    op.drop_index("ix_multisign_signers_record", table_name="multisign_signers")
    with op.batch_alter_table("multisign_signers") as batch:
        for column in ("signed_order", "record_id", "image", "location", "reason"):
            batch.drop_column(column)
