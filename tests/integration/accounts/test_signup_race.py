"""Two sign-ups with the same phone and email at the same instant: never a 500.

On PostgreSQL both transactions look (nobody holds the phone), then both insert; the unique
index makes the second wait for the first's commit and refuse it. The loser's request is
retried: it then sees the winner's pending sign-up and releases it, like any newer sign-up.
On SQLite the transactions are serialized (``BEGIN IMMEDIATE``), so the second already sees
the first: the end state must be the same.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

from kyso.accounts.errors import IdentifierTaken
from kyso.accounts.model import AccountStatus
from kyso.accounts.signup import PendingSignUp, SignUpStart
from kyso.adapters.db.engine import is_sqlite
from kyso.adapters.db.repositories.accounts import SqlAccountRepository
from kyso.adapters.db.tables.accounts import accounts
from kyso.adapters.db.tables.audit import audit_records
from kyso.audit.sequencer import chain_pending
from kyso.bootstrap import Container
from tests.integration.api.conftest import PASSWORD, PIN

FORM = SignUpStart(full_name="Trần Thị Bình", phone="0987654321", email="binh@example.vn",
                   password=PASSWORD, pin=PIN)


def look_together(monkeypatch: pytest.MonkeyPatch, parties: int) -> None:
    """Every sign-up's first look (phone, then email) waits until all have looked, so all
    insert after all have seen the phone free."""
    barrier, seen = threading.Barrier(parties), threading.local()
    look = SqlAccountRepository.find_by_login

    def find_by_login(self: SqlAccountRepository, login: str, **kw: Any) -> Any:
        found = look(self, login, **kw)
        seen.n = getattr(seen, "n", 0) + 1
        if seen.n == 2:
            barrier.wait(timeout=30)
        return found

    monkeypatch.setattr(SqlAccountRepository, "find_by_login", find_by_login)


def test_simultaneous_sign_ups_with_one_phone_answer_alike(
        container: Container, monkeypatch: pytest.MonkeyPatch) -> None:
    racing = not is_sqlite(container.engine)
    if racing:
        look_together(monkeypatch, 2)
    answers: list[Any] = []
    start = threading.Barrier(2)

    def sign_up() -> None:
        start.wait(timeout=30)
        try:
            answers.append(container.signup.start(FORM))
        except Exception as exc:  # the test reports what escaped
            answers.append(exc)

    threads = [threading.Thread(target=sign_up) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(isinstance(a, PendingSignUp) for a in answers), answers
    assert {(a.phone, a.email) for a in answers} == {("+849******21", "b***@example.vn")}
    chain_pending(container.uow)  # a reader of the trail: pending events first
    with container.engine.connect() as conn:
        rows = conn.execute(select(accounts.c.id, accounts.c.status, accounts.c.phone)).all()
        released = conn.execute(select(audit_records.c.subject).where(
            audit_records.c.action == "account.signup_released")).scalars().all()
    statuses = sorted(r.status for r in rows)
    assert statuses == sorted([AccountStatus.PENDING.value, AccountStatus.CLOSED.value])
    holder = next(r for r in rows if r.status == AccountStatus.PENDING.value)
    assert holder.phone == "+84987654321"
    assert {a.id for a in answers} == {r.id for r in rows}  # each was a real sign-up
    assert released == [next(r.id for r in rows if r.status == AccountStatus.CLOSED.value)]


def test_the_store_refuses_a_second_account_with_a_phone_as_taken(
        container: Container) -> None:
    account = container.signup.start(FORM)
    with container.uow() as uow:
        stored = uow.accounts.get(account.id)
        assert stored is not None
        twin = replace(stored, id="0" * 36, username="kh-twin")
        with pytest.raises(IdentifierTaken) as refused:
            uow.accounts.add(twin)
    assert refused.value.describe("vi").startswith("Thông tin đã được đăng ký")
