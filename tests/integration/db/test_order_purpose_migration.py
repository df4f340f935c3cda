"""0009_polish_order_purpose: existing orders get the purpose kyso can tell from what it kept
— a pack, a registration's package, a renewal's package (from its transaction), otherwise
standalone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine, insert, select

from kyso.adapters.db.schema import upgrade
from kyso.adapters.db.tables.billing import billing_products
from kyso.adapters.db.tables.onboarding import registrations
from kyso.adapters.db.tables.otp import otp_challenges
from tests.integration.db.test_id_number_migration import account, before_revision

REVISION = "0009_polish_order_purpose"
T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
# billing_orders as it was before this revision (no purpose, no renews)
_orders = sa.table("billing_orders", *(sa.column(c) for c in (
    "id", "account_id", "product_code", "kind", "name", "amount", "credential_id", "status",
    "created_at", "expires_at")))


@pytest.fixture
def before(db_url: str) -> Iterator[Engine]:
    engine = before_revision(db_url, REVISION)
    yield engine
    engine.dispose()


def test_existing_orders_get_the_purpose_kept_elsewhere(before: Engine) -> None:
    with before.begin() as conn:
        owner = account(conn, 1)
        for code, kind in (("t-cert", "certificate"), ("t-pack", "pack")):
            conn.execute(insert(billing_products).values(
                code=code, kind=kind, name=code, price=1000, citizen_only=False,
                once_per_account=False, active=True, position=1, updated_at=T0))
        for order_id, code, kind, credential in (
                ("REG", "t-cert", "certificate", "kyso-ca-1"),
                ("REN", "t-cert", "certificate", None),
                ("SHOP", "t-cert", "certificate", None), ("PACK", "t-pack", "pack", "kyso-ca-1")):
            conn.execute(insert(_orders).values(
                id=order_id, account_id=owner, product_code=code, kind=kind, name=code,
                amount=1000, credential_id=credential, status="fulfilled", created_at=T0,
                expires_at=T0 + timedelta(minutes=15)))
        conn.execute(insert(registrations).values(
            id="r1", account_id=owner, state="active", uid="CCCD:079000000001", device_id="d",
            seq=1, body=json.dumps({"order_id": "REG"}), created_at=T0, updated_at=T0))
        conn.execute(insert(otp_challenges).values(
            id="c1", account_id=owner, kind="certificate_renewal", method="smartotp",
            details=json.dumps({"credential": "kyso-ca-1", "order_id": "REN"}),
            status="confirmed", attempts=0, created_at=T0, expires_at=T0 + timedelta(minutes=5)))
    upgrade(before)
    with before.connect() as conn:
        got = {row.id: (row.purpose, row.renews) for row in conn.execute(
            select(sa.table("billing_orders", sa.column("id"), sa.column("purpose"),
                            sa.column("renews"))))}
    assert got == {"REG": ("registration", None), "REN": ("renewal", "kyso-ca-1"),
                   "SHOP": ("standalone", None), "PACK": ("pack", None)}
