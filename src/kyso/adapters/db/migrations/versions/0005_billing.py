"""billing: the catalogue, orders and the package of each certificate

Revision ID: 0005_billing
Revises: 0004_documents, 0004_relying
Create Date: 2026-11-22 10:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kyso.adapters.db.tables.base

revision = "0005_billing"
down_revision = ("0004_documents", "0004_relying")
branch_labels = None
depends_on = None

_Utc = kyso.adapters.db.tables.base.UtcDateTime


def upgrade() -> None:
    op.create_table(
        "billing_products",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("plan", sa.String(length=16), nullable=True),
        sa.Column("term_months", sa.Integer(), nullable=True),
        sa.Column("signatures", sa.Integer(), nullable=True),
        sa.Column("citizen_only", sa.Boolean(), nullable=False),
        sa.Column("once_per_account", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("updated_at", _Utc(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_billing_products")),
    )
    op.create_table(
        "billing_orders",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("product_code", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("plan", sa.String(length=16), nullable=True),
        sa.Column("term_months", sa.Integer(), nullable=True),
        sa.Column("signatures", sa.Integer(), nullable=True),
        sa.Column("credential_id", sa.String(length=80), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("created_at", _Utc(timezone=True), nullable=False),
        sa.Column("expires_at", _Utc(timezone=True), nullable=False),
        sa.Column("ended_at", _Utc(timezone=True), nullable=True),
        sa.Column("method", sa.String(length=16), nullable=True),
        sa.Column("transaction_no", sa.String(length=32), nullable=True),
        sa.Column("bank_code", sa.String(length=20), nullable=True),
        sa.Column("response_code", sa.String(length=8), nullable=True),
        sa.Column("paid_at", _Utc(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_billing_orders_account_id_accounts")),
        sa.ForeignKeyConstraint(["product_code"], ["billing_products.code"],
                                name=op.f("fk_billing_orders_product_code_billing_products")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_orders")),
    )
    op.create_index("ix_billing_orders_account", "billing_orders", ["account_id", "created_at"],
                    unique=False)
    op.create_index("ix_billing_orders_due", "billing_orders", ["status", "expires_at"],
                    unique=False)
    op.create_table(
        "certificate_plans",
        sa.Column("credential_id", sa.String(length=80), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=32), nullable=False),
        sa.Column("product_code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("plan", sa.String(length=16), nullable=False),
        sa.Column("starts_at", _Utc(timezone=True), nullable=False),
        sa.Column("ends_at", _Utc(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_certificate_plans_account_id_accounts")),
        sa.ForeignKeyConstraint(["order_id"], ["billing_orders.id"],
                                name=op.f("fk_certificate_plans_order_id_billing_orders")),
        sa.PrimaryKeyConstraint("credential_id", name=op.f("pk_certificate_plans")),
    )
    op.create_index(op.f("ix_certificate_plans_account_id"), "certificate_plans", ["account_id"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_certificate_plans_account_id"), table_name="certificate_plans")
    op.drop_table("certificate_plans")
    op.drop_index("ix_billing_orders_due", table_name="billing_orders")
    op.drop_index("ix_billing_orders_account", table_name="billing_orders")
    op.drop_table("billing_orders")
    op.drop_table("billing_products")
