"""hash: a SAD's kept signatures live in its own row (``signature_activations.kept``), appended
by the UPDATE that spends its hashes, instead of one ``signatures_kept`` row each (issue 14:
one INSERT fewer a signHash, none per hash)

Revision ID: 0013_hash_kept_in_sad
Revises: 0007_harden_a_signatures_kept
Create Date: 2026-12-04 19:15:00
"""

from __future__ import annotations

import base64
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

import kyso.adapters.db.tables.base

revision = "0013_hash_kept_in_sad"
down_revision = "0007_harden_a_signatures_kept"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("signature_activations") as batch:
        batch.add_column(sa.Column("kept", sa.Text(), server_default="", nullable=False))
        batch.create_index("ix_signature_activations_expiry", ["expires_at"])
    # the signatures of SADs still live at the upgrade go with them (a retry gets them back)
    conn = op.get_bind()
    lines: dict[str, list[str]] = defaultdict(list)
    for row in conn.execute(sa.text("SELECT activation_id, hash, scheme, signature "
                                    "FROM signatures_kept")):
        lines[row.activation_id].append(
            f"{row.scheme} {row.hash} {base64.b64encode(row.signature).decode()}\n")
    for activation_id, kept in lines.items():
        conn.execute(sa.text("UPDATE signature_activations SET kept = :kept WHERE id = :id"),
                     {"kept": "".join(kept), "id": activation_id})
    op.drop_index("ix_signatures_kept_expiry", table_name="signatures_kept")
    op.drop_table("signatures_kept")


def downgrade() -> None:
    op.create_table(
        "signatures_kept",
        sa.Column("activation_id", sa.String(length=36), nullable=False),
        sa.Column("hash", sa.String(length=100), nullable=False),
        sa.Column("scheme", sa.String(length=32), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", kyso.adapters.db.tables.base.UtcDateTime(timezone=True),
                  nullable=False),
        sa.ForeignKeyConstraint(
            ["activation_id"], ["signature_activations.id"],
            name=op.f("fk_signatures_kept_activation_id_signature_activations")),
        sa.PrimaryKeyConstraint("activation_id", "hash", name=op.f("pk_signatures_kept")),
    )
    op.create_index("ix_signatures_kept_expiry", "signatures_kept", ["expires_at"])
    with op.batch_alter_table("signature_activations") as batch:
        batch.drop_index("ix_signature_activations_expiry")
        batch.drop_column("kept")
