"""journeys: the ID number of registrations approved before it was copied to the account

Since 0007 an approved registration's card number becomes the account's ID number
(``onboarding/review.py``). Registrations approved earlier left ``accounts.id_number`` empty;
this copies the card number of each approved or active registration into its account when
the account has none and no other account holds it — the same rule as at approval. The
oldest registration wins when an account (or a number) has several.

Revision ID: 0008_journeys_verified_id_number
Revises: 0007_journeys_holder_suspension, 0005_onboarding
Create Date: 2026-12-02 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_journeys_verified_id_number"
down_revision = ("0007_journeys_holder_suspension", "0005_onboarding")
branch_labels = None
depends_on = None

_accounts = sa.table("accounts", sa.column("id", sa.String), sa.column("id_number", sa.String))
_registrations = sa.table("onboarding_registrations", sa.column("account_id", sa.String),
                          sa.column("uid", sa.String), sa.column("state", sa.String),
                          sa.column("created_at", sa.DateTime))


def upgrade() -> None:
    conn = op.get_bind()
    approved = conn.execute(
        sa.select(_registrations.c.account_id, _registrations.c.uid)
        .where(_registrations.c.state.in_(("approved", "active")))
        .order_by(_registrations.c.created_at)
    ).all()
    held = {n for (n,) in conn.execute(sa.select(_accounts.c.id_number)
                                       .where(_accounts.c.id_number.is_not(None)))}
    empty = {a for (a,) in conn.execute(sa.select(_accounts.c.id)
                                        .where(_accounts.c.id_number.is_(None)))}
    for account_id, uid in approved:
        number = uid.partition(":")[2]  # CCCD:…, CMND:…, HC:…
        if number and account_id in empty and number not in held:
            conn.execute(sa.update(_accounts).where(_accounts.c.id == account_id)
                         .values(id_number=number))
            empty.discard(account_id)
            held.add(number)


def downgrade() -> None:
    """Nothing to undo: a copied number is indistinguishable from one set at approval."""
