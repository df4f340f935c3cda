"""pki: key handles, authorities, issued certificates, current CRLs

Revision ID: 0002_pki
Revises: 0001
Create Date: 2026-11-22 08:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kyso.adapters.db.tables.base

revision = "0002_pki"
down_revision = "0001"
branch_labels = None
depends_on = None

_Utc = kyso.adapters.db.tables.base.UtcDateTime


def upgrade() -> None:
    op.create_table(
        "pki_keys",
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("algorithm", sa.String(length=16), nullable=False),
        sa.Column("backend", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("ref", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", _Utc(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_pki_keys")),
    )
    op.create_table(
        "pki_authorities",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("issuer", sa.String(length=64), nullable=True),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("serial", sa.String(length=40), nullable=False),
        sa.Column("certificate", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", _Utc(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer"], ["pki_authorities.name"],
            name=op.f("fk_pki_authorities_issuer_pki_authorities"),
        ),
        sa.ForeignKeyConstraint(
            ["key_id"], ["pki_keys.key_id"], name=op.f("fk_pki_authorities_key_id_pki_keys")
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_pki_authorities")),
    )
    op.create_table(
        "pki_certificates",
        sa.Column("issuer", sa.String(length=64), nullable=False),
        sa.Column("serial", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=True),
        sa.Column("key_id", sa.String(length=64), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=True),
        sa.Column("certificate", sa.LargeBinary(), nullable=False),
        sa.Column("not_before", _Utc(timezone=True), nullable=False),
        sa.Column("not_after", _Utc(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("revoked_at", _Utc(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("created_at", _Utc(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_pki_certificates_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["issuer"], ["pki_authorities.name"],
            name=op.f("fk_pki_certificates_issuer_pki_authorities"),
        ),
        sa.ForeignKeyConstraint(
            ["key_id"], ["pki_keys.key_id"], name=op.f("fk_pki_certificates_key_id_pki_keys")
        ),
        sa.PrimaryKeyConstraint("issuer", "serial", name=op.f("pk_pki_certificates")),
    )
    with op.batch_alter_table("pki_certificates", schema=None) as batch_op:
        batch_op.create_index(
            "ix_pki_certificates_account", ["account_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_pki_certificates_serial", ["serial"], unique=False)
        batch_op.create_index("ix_pki_certificates_status", ["issuer", "status"], unique=False)

    op.create_table(
        "pki_crls",
        sa.Column("issuer", sa.String(length=64), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("this_update", _Utc(timezone=True), nullable=False),
        sa.Column("next_update", _Utc(timezone=True), nullable=False),
        sa.Column("der", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer"], ["pki_authorities.name"], name=op.f("fk_pki_crls_issuer_pki_authorities")
        ),
        sa.PrimaryKeyConstraint("issuer", name=op.f("pk_pki_crls")),
    )


def downgrade() -> None:
    op.drop_table("pki_crls")
    with op.batch_alter_table("pki_certificates", schema=None) as batch_op:
        batch_op.drop_index("ix_pki_certificates_status")
        batch_op.drop_index("ix_pki_certificates_serial")
        batch_op.drop_index("ix_pki_certificates_account")

    op.drop_table("pki_certificates")
    op.drop_table("pki_authorities")
    op.drop_table("pki_keys")
