"""0008_journeys_verified_id_number: registrations approved before the ID-number change get
their card number copied into the account — only when the account has none and no other
account holds it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, insert, select

from kyso.adapters.db.engine import make_engine
from kyso.adapters.db.schema import alembic_config, upgrade
from kyso.adapters.db.tables.accounts import accounts
from kyso.adapters.db.tables.onboarding import registrations

REVISION = "0008_journeys_verified_id_number"
T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def before_revision(db_url: str, revision: str) -> Engine:
    """A database at every head that does not need ``revision`` (as deployed before it)."""
    engine = make_engine(db_url)
    with engine.connect() as conn:
        config = alembic_config(conn)
        script = ScriptDirectory.from_config(config)
        mine = script.get_revision(revision)
        assert mine is not None and mine.down_revision is not None
        downs = (mine.down_revision if isinstance(mine.down_revision, tuple)
                 else (mine.down_revision,))
        # the heads that do not build on ``revision`` (a later migration that does would run
        # it before the test's rows exist)
        others = [h for h in script.get_heads()
                  if revision not in {r.revision for r in script.iterate_revisions(h, "base")}]
        for target in [*others, *downs]:
            command.upgrade(config, target)
        conn.commit()
    return engine


@pytest.fixture
def before(db_url: str) -> Iterator[Engine]:
    engine = before_revision(db_url, REVISION)
    yield engine
    engine.dispose()


def account(conn: Connection, n: int, id_number: str | None = None) -> str:
    account_id = f"00000000-0000-0000-0000-00000000000{n}"
    conn.execute(insert(accounts).values(
        id=account_id, username=f"kh{n}", full_name="Nguyễn Văn An", phone=f"+8491234567{n}",
        email=f"kh{n}@example.vn", id_number=id_number, role="customer", status="active",
        locale="vi", password_hash="x", pin_hash="x", password_failures=0, password_locks=0,
        pin_failures=0, pin_locks=0, created_at=T0))
    return account_id


def registration(conn: Connection, account_id: str, seq: int, uid: str, state: str) -> None:
    at = T0 + timedelta(minutes=seq)
    conn.execute(insert(registrations).values(
        id=f"{account_id[:-3]}{seq:03d}", account_id=account_id, state=state, uid=uid,
        device_id="dev", seq=seq, body="{}", created_at=at, updated_at=at))


def test_approved_registrations_give_their_number_to_accounts_without_one(
        before: Engine) -> None:
    with before.begin() as conn:
        copied, kept, pending = account(conn, 1), account(conn, 2, "079000000002"), account(conn, 3)
        taken, later = account(conn, 4, "079000000004"), account(conn, 5)
        registration(conn, copied, 1, "CCCD:079000000001", "active")
        registration(conn, copied, 2, "CCCD:079000000009", "approved")  # older one wins
        registration(conn, kept, 3, "CCCD:079000000022", "active")  # never overwritten
        registration(conn, pending, 4, "CCCD:079000000003", "under_review")  # not approved
        registration(conn, later, 5, "CCCD:079000000004", "approved")  # another's number
        registration(conn, later, 6, "HC:B1234567", "approved")  # a passport is a number too
    upgrade(before)
    with before.connect() as conn:
        numbers = dict(conn.execute(select(accounts.c.id, accounts.c.id_number)).all())
    assert numbers == {copied: "079000000001", kept: "079000000002", pending: None,
                       taken: "079000000004", later: "B1234567"}
