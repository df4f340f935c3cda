"""words: server texts in both languages — notifications and product names

Notifications keep an English title and body beside the Vietnamese ones (NULL for notices
written before: those read in Vietnamese in either language). Products, orders and certificate
plans keep an English name; the products of kyso's default catalogue get theirs here, and
orders and plans take the English name of their product.

Revision ID: 0009_words_languages
Revises: 0005_billing
Create Date: 2026-12-02 17:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_words_languages"
down_revision = "0005_billing"
branch_labels = None
depends_on = None

# The English names of the default catalogue (src/kyso/billing/default_catalog.json) when this
# revision was written; a product loaded with `kyso catalog load` carries its own.
_DEFAULT_EN = {
    "unlimited-1y": "Personal certificate, unlimited signatures, 1 year",
    "unlimited-2y": "Personal certificate, unlimited signatures, 2 years",
    "unlimited-3y": "Personal certificate, unlimited signatures, 3 years",
    "per-signature-1y": "Personal certificate, pay per signature, 1 year",
    "per-signature-2y": "Personal certificate, pay per signature, 2 years",
    "per-signature-3y": "Personal certificate, pay per signature, 3 years",
    "citizen-free-1y": "Free 1-year certificate for citizens (signatures not included)",
    "pack-10": "Pack of 10 signatures",
    "pack-50": "Pack of 50 signatures",
    "pack-100": "Pack of 100 signatures",
    "pack-500": "Pack of 500 signatures",
}
_NAMED = ("billing_products", "billing_orders", "certificate_plans")


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("title_en", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("body_en", sa.Text(), nullable=True))
    for table in _NAMED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("name_en", sa.String(length=200), nullable=True))
    products = sa.table("billing_products", sa.column("code", sa.String),
                        sa.column("name_en", sa.String))
    for code, name in _DEFAULT_EN.items():
        op.execute(sa.update(products).where(products.c.code == code).values(name_en=name))
    for table, key in (("billing_orders", "product_code"), ("certificate_plans", "product_code")):
        named = sa.table(table, sa.column(key, sa.String), sa.column("name_en", sa.String))
        english = (sa.select(products.c.name_en).where(products.c.code == named.c[key])
                   .scalar_subquery())
        op.execute(sa.update(named).values(name_en=english))


def downgrade() -> None:
    for table in reversed(_NAMED):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("name_en")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("body_en")
        batch.drop_column("title_en")
