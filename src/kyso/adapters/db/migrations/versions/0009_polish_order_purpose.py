"""polish: what each order is for (registration, renewal, pack, standalone)

Orders did not record what they were bought for, so the payment return page guessed (a
certificate package was taken for a renewal when its buyer had an active certificate). The
purpose is now recorded when an order is created. Existing rows are back-filled from what
kyso kept: a pack is a pack; an order named by a registration is that registration's; an
order named by a renewal transaction (``certificate_renewal``) renews the certificate that
transaction names; any other is standalone (bought on "Mua gói dịch vụ").

Revision ID: 0009_polish_order_purpose
Revises: 0005_billing, 0005_onboarding
Create Date: 2026-12-02 18:20:00
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0009_polish_order_purpose"
down_revision = ("0005_billing", "0005_onboarding")
branch_labels = None
depends_on = None

_orders = sa.table("billing_orders", sa.column("id", sa.String), sa.column("kind", sa.String),
                   sa.column("purpose", sa.String), sa.column("renews", sa.String))
_registrations = sa.table("onboarding_registrations", sa.column("body", sa.Text))
_challenges = sa.table("otp_challenges", sa.column("kind", sa.String),
                       sa.column("details", sa.Text))


def _loaded(text: str) -> dict[str, object]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def upgrade() -> None:
    with op.batch_alter_table("billing_orders") as batch:
        batch.add_column(sa.Column("purpose", sa.String(16), nullable=False,
                                   server_default="standalone"))
        batch.add_column(sa.Column("renews", sa.String(80), nullable=True))
    conn = op.get_bind()
    conn.execute(sa.update(_orders).where(_orders.c.kind == "pack").values(purpose="pack"))
    for (body,) in conn.execute(sa.select(_registrations.c.body)):
        order_id = _loaded(body).get("order_id")
        if isinstance(order_id, str):
            conn.execute(sa.update(_orders).where(_orders.c.id == order_id,
                                                  _orders.c.kind == "certificate")
                         .values(purpose="registration"))
    for (details,) in conn.execute(sa.select(_challenges.c.details)
                                   .where(_challenges.c.kind == "certificate_renewal")):
        d = _loaded(details)
        order_id, renews = d.get("order_id"), d.get("credential")
        if isinstance(order_id, str) and isinstance(renews, str):
            conn.execute(sa.update(_orders).where(_orders.c.id == order_id,
                                                  _orders.c.purpose == "standalone")
                         .values(purpose="renewal", renews=renews[:80]))


def downgrade() -> None:
    with op.batch_alter_table("billing_orders") as batch:
        batch.drop_column("renews")
        batch.drop_column("purpose")
