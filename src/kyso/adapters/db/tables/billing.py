"""Tables of the billing area: the catalogue, orders (with what the gateway reported), and
the package each certificate runs under. (The quota ledger has its own tables.)"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
)

from kyso.adapters.db.tables.base import UtcDateTime, metadata

__all__ = ["billing_orders", "billing_products", "certificate_plans"]

billing_products = Table(
    "billing_products",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("name", String(200), nullable=False),
    Column("name_en", String(200), nullable=True),  # NULL: English readers see the name
    Column("price", BigInteger, nullable=False),  # VND, VAT included
    Column("plan", String(16), nullable=True),
    Column("term_months", Integer, nullable=True),
    Column("signatures", Integer, nullable=True),
    Column("citizen_only", Boolean, nullable=False),
    Column("once_per_account", Boolean, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("position", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

billing_orders = Table(
    "billing_orders",
    metadata,
    Column("id", String(32), primary_key=True),  # also vnp_TxnRef
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=False),
    Column("product_code", String(40), ForeignKey("billing_products.code"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("name", String(200), nullable=False),
    Column("name_en", String(200), nullable=True),  # NULL: English readers see the name
    Column("amount", BigInteger, nullable=False),
    Column("plan", String(16), nullable=True),
    Column("term_months", Integer, nullable=True),
    Column("signatures", Integer, nullable=True),
    Column("credential_id", String(80), nullable=True),
    Column("status", String(24), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime, nullable=True),
    Column("method", String(16), nullable=True),
    Column("gateway", String(16), nullable=True),
    Column("transaction_no", String(32), nullable=True),
    Column("bank_code", String(20), nullable=True),
    Column("response_code", String(8), nullable=True),
    Column("paid_at", UtcDateTime, nullable=True),  # the gateway's vnp_PayDate
    # what the order is for (registration, renewal, pack, standalone), since 0009
    Column("purpose", String(16), nullable=False, server_default="standalone"),
    Column("renews", String(80), nullable=True),  # renewal: the credential renewed
    Index("ix_billing_orders_account", "account_id", "created_at"),
    Index("ix_billing_orders_due", "status", "expires_at"),
)

certificate_plans = Table(
    "certificate_plans",
    metadata,
    Column("credential_id", String(80), primary_key=True),
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=False, index=True),
    Column("order_id", String(32), ForeignKey("billing_orders.id"), nullable=False),
    Column("product_code", String(40), nullable=False),
    Column("name", String(200), nullable=False),
    Column("name_en", String(200), nullable=True),  # NULL: English readers see the name
    Column("plan", String(16), nullable=False),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=False),
)
