"""journeys: who put a certificate on hold (the holder may resume only their own)

Revision ID: 0007_journeys_holder_suspension
Revises: 0002_pki
Create Date: 2026-12-02 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_journeys_holder_suspension"
down_revision = "0002_pki"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pki_certificates") as batch:
        batch.add_column(sa.Column("suspended_by", sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pki_certificates") as batch:
        batch.drop_column("suspended_by")
