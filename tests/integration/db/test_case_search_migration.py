"""0009_words_case_search: registrations made before it get the search key of their name."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, insert, select

from kyso.adapters.db.engine import make_engine
from kyso.adapters.db.schema import alembic_config, upgrade
from kyso.adapters.db.tables.accounts import accounts
from kyso.adapters.db.tables.onboarding import registrations

REVISION = "0009_words_case_search"
T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
ACCOUNT = "00000000-0000-0000-0000-000000000001"


@pytest.fixture
def before(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        config = alembic_config(conn)
        script = ScriptDirectory.from_config(config)
        mine = script.get_revision(REVISION)
        assert mine is not None and isinstance(mine.down_revision, str)
        for target in [h for h in script.get_heads() if h != REVISION] + [mine.down_revision]:
            command.upgrade(config, target)
        conn.commit()
    yield engine
    engine.dispose()


def test_existing_registrations_get_the_key_of_their_name(before: Engine) -> None:
    with before.begin() as conn:
        conn.execute(insert(accounts).values(
            id=ACCOUNT, username="kh1", full_name="Đặng Thị Huệ", phone="+84912345671",
            email="kh1@example.vn", role="customer", status="active", locale="vi",
            password_hash="x", pin_hash="x", password_failures=0, password_locks=0,
            pin_failures=0, pin_locks=0, created_at=T0))
        body = json.dumps({"owner": {"full_name": "Đặng  Thị Huệ"}}, ensure_ascii=False)
        conn.execute(insert(registrations).values(
            id="r1", account_id=ACCOUNT, state="rejected", uid="CCCD:079300000123",
            device_id="dev", seq=1, body=body, created_at=T0, updated_at=T0))
    upgrade(before)
    with before.connect() as conn:
        assert conn.execute(select(registrations.c.name_key)).scalar_one() == "dang thi hue"
