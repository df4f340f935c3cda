"""webhook outbox: relying-party webhooks are an outbox channel; their own queue goes

The outbox's recipient grows to 500 characters (a webhook URL). Calls still waiting in
``sp769_webhooks`` are not moved (an outbox body is sealed with the master key, which a
migration does not hold); they go with the table, and a relying party still learns the end
of each request from ``signatures/sign/{id}/status``.

Revision ID: 0006_webhook_outbox
Revises: 0005_consents
Create Date: 2026-11-22 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kyso.adapters.db.tables.base

revision = "0006_webhook_outbox"
down_revision = "0005_consents"
branch_labels = None
depends_on = None

_Utc = kyso.adapters.db.tables.base.UtcDateTime


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("recipient", existing_type=sa.String(length=320),
                           type_=sa.String(length=500), existing_nullable=False)
    op.drop_index(op.f("ix_sp769_webhooks_request_id"), table_name="sp769_webhooks")
    op.drop_index("ix_sp769_webhooks_due", table_name="sp769_webhooks")
    op.drop_table("sp769_webhooks")


def downgrade() -> None:
    op.create_table(
        "sp769_webhooks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("party_id", sa.String(length=36), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _Utc(timezone=True), nullable=False),
        sa.Column("leased_until", _Utc(timezone=True), nullable=True),
        sa.Column("created_at", _Utc(timezone=True), nullable=False),
        sa.Column("sent_at", _Utc(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["party_id"], ["relying_parties.id"],
                                name=op.f("fk_sp769_webhooks_party_id_relying_parties")),
        sa.ForeignKeyConstraint(["request_id"], ["sp769_requests.id"],
                                name=op.f("fk_sp769_webhooks_request_id_sp769_requests")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sp769_webhooks")),
    )
    op.create_index("ix_sp769_webhooks_due", "sp769_webhooks", ["status", "next_attempt_at"],
                    unique=False)
    op.create_index(op.f("ix_sp769_webhooks_request_id"), "sp769_webhooks", ["request_id"],
                    unique=False)
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("recipient", existing_type=sa.String(length=500),
                           type_=sa.String(length=320), existing_nullable=False)
