"""The words migrations on a database as deployed before each:
- 0009_words_languages: the default catalogue's products get their English names, orders
  and certificate plans take their product's; notices written before stay Vietnamese-only;
- 0009_words_case_search: registrations made before get the search key of their name."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, insert, select

from kyso.adapters.db.engine import make_engine
from kyso.adapters.db.schema import alembic_config, upgrade
from kyso.adapters.db.tables.accounts import accounts
from kyso.adapters.db.tables.billing import billing_orders, billing_products, certificate_plans
from kyso.adapters.db.tables.notify import notifications
from kyso.adapters.db.tables.onboarding import registrations

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
ACCOUNT = "00000000-0000-0000-0000-000000000001"


@contextmanager
def before(db_url: str, revision: str) -> Iterator[Engine]:
    """A database at every head except ``revision`` (as deployed before it), with a customer."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            config = alembic_config(conn)
            script = ScriptDirectory.from_config(config)
            mine = script.get_revision(revision)
            assert mine is not None and isinstance(mine.down_revision, str)
            for target in [h for h in script.get_heads() if h != revision] + [mine.down_revision]:
                command.upgrade(config, target)
            conn.commit()
        with engine.begin() as conn:
            _customer(conn)
        yield engine
    finally:
        engine.dispose()


def _customer(conn: Connection) -> None:
    conn.execute(insert(accounts).values(
        id=ACCOUNT, username="kh1", full_name="Đặng Thị Huệ", phone="+84912345671",
        email="kh1@example.vn", role="customer", status="active", locale="vi",
        password_hash="x", pin_hash="x", password_failures=0, password_locks=0,
        pin_failures=0, pin_locks=0, created_at=T0))


def _product(code: str, name: str, kind: str = "pack") -> dict[str, object]:
    return dict(code=code, kind=kind, name=name, price=55000, signatures=10,
                citizen_only=False, once_per_account=False, active=True, position=0,
                updated_at=T0)


def test_names_get_their_english_and_old_notices_stay_vietnamese(db_url: str) -> None:
    with before(db_url, "0009_words_languages") as engine:
        _languages(engine)


def _languages(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(insert(billing_products).values(_product("pack-10", "Gói 10 lượt ký")))
        conn.execute(insert(billing_products).values(_product("pack-own", "Gói riêng")))
        for n, code in enumerate(("pack-10", "pack-own")):
            conn.execute(insert(billing_orders).values(
                id=f"order{n}", account_id=ACCOUNT, product_code=code, kind="pack",
                name="Gói", amount=55000, signatures=10, credential_id="cred", status="fulfilled",
                created_at=T0, expires_at=T0 + timedelta(minutes=15)))
        conn.execute(insert(certificate_plans).values(
            credential_id="cred", account_id=ACCOUNT, order_id="order0", product_code="pack-10",
            name="Gói", plan="per_signature", starts_at=T0, ends_at=T0 + timedelta(days=365)))
        conn.execute(insert(notifications).values(
            id="n1", account_id=ACCOUNT, title="Thông báo cũ", body="Nội dung", created_at=T0))
    upgrade(engine)
    with engine.connect() as conn:
        products = {c: n for c, n in conn.execute(select(billing_products.c.code,
                                                            billing_products.c.name_en))}
        orders = {i: n for i, n in conn.execute(select(billing_orders.c.id,
                                                          billing_orders.c.name_en))}
        plan = conn.execute(select(certificate_plans.c.name_en)).scalar_one()
        notice = conn.execute(select(notifications.c.title, notifications.c.title_en,
                                     notifications.c.body_en)).one()
    assert products == {"pack-10": "Pack of 10 signatures", "pack-own": None}
    assert orders == {"order0": "Pack of 10 signatures", "order1": None}
    assert plan == "Pack of 10 signatures"
    assert tuple(notice) == ("Thông báo cũ", None, None)


def test_existing_registrations_get_the_key_of_their_name(db_url: str) -> None:
    with before(db_url, "0009_words_case_search") as engine:
        with engine.begin() as conn:
            body = json.dumps({"owner": {"full_name": "Đặng  Thị Huệ"}}, ensure_ascii=False)
            conn.execute(insert(registrations).values(
                id="r1", account_id=ACCOUNT, state="rejected", uid="CCCD:079300000123",
                device_id="dev", seq=1, body=body, created_at=T0, updated_at=T0))
        upgrade(engine)
        with engine.connect() as conn:
            assert conn.execute(select(registrations.c.name_key)).scalar_one() == "dang thi hue"
