"""What one ``POST /api/v1/smartotp/verify`` costs the database, pinned (issue 14).

The statements are counted with SQLAlchemy's ``before_cursor_execute`` hook on the app's own
engine, so a change that adds a query to the hot path fails here, not in a benchmark weeks
later. The audit record's statements are whatever one audit append costs (measured here on
its own): the audit chain is not this route's to shape, and a cheaper append lowers both.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from kyso.audit.model import AuditEvent, Outcome
from kyso.bootstrap import Container
from kyso.clock import ManualClock
from kyso.entrypoints.api.routes.smartotp import hot_router, verify
from tests.integration.api.conftest import auth, login, sign_up
from tests.integration.api.smartotp_helpers import Device, enrol


@pytest.fixture
def customer(client: TestClient) -> tuple[str, str]:
    account = sign_up(client)
    return str(account["id"]), login(client)


@pytest.fixture
def device(client: TestClient, container: Container, clock: ManualClock,
           customer: tuple[str, str]) -> Device:
    clock.set(clock.now().replace(second=1))  # start of a time step
    return enrol(client, container, customer[1], customer[0], clock)


@contextmanager
def statements(container: Container) -> Iterator[list[str]]:
    """Every SQL statement the app's engine sends while the block runs (normalized)."""
    seen: list[str] = []

    def capture(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()).lower())

    engine = container.engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def one_audit_append(container: Container, clock: ManualClock) -> list[str]:
    with container.uow() as uow, statements(container) as seen:
        uow.audit.append(AuditEvent("test.cost", Outcome.SUCCESS), clock.now())
        uow.commit()
    return seen


def _table(statement: str) -> str:
    words = statement.split()
    for keyword in ("from", "update", "into"):
        if keyword in words:
            return words[words.index(keyword) + 1]
    return words[0]


def test_one_verification_is_the_bearer_two_token_statements_and_the_audit_record(
        client: TestClient, container: Container, clock: ManualClock, device: Device,
        customer: tuple[str, str]) -> None:
    _, token = customer
    audit = one_audit_append(container, clock)
    with statements(container) as seen:
        r = client.post("/api/v1/smartotp/verify", headers=auth(token),
                        json={"code": device.code()})
    assert r.status_code == 204, r.text
    # the caller's session (token hash) joined with its account (one statement); the newest
    # active token locked with the method state (one statement); the four columns a check
    # changes; the audit record
    assert [(s.split()[0], _table(s)) for s in seen[:3]] == [
        ("select", "sessions"), ("select", "smartotp_tokens"), ("update", "smartotp_tokens")]
    assert "join accounts" in seen[0] and "token_hash" in seen[0]
    assert "otp_method_state" in seen[1]
    if container.engine.dialect.name == "postgresql":
        assert "for update of smartotp_tokens" in seen[1]
    assert "last_counter" in seen[2] and "failures" in seen[2]
    assert len(seen[3:]) == len(audit)
    assert all(_table(s).startswith("audit_") for s in seen[3:])
    assert len(seen) == 3 + len(audit)  # 6 with today's three-statement audit append


def test_a_replay_and_a_wrong_code_cost_no_more(
        client: TestClient, container: Container, clock: ManualClock, device: Device,
        customer: tuple[str, str]) -> None:
    _, token = customer
    code = device.code()
    assert client.post("/api/v1/smartotp/verify", headers=auth(token),
                       json={"code": code}).status_code == 204
    audit = one_audit_append(container, clock)
    with statements(container) as replay:
        r = client.post("/api/v1/smartotp/verify", headers=auth(token), json={"code": code})
    assert r.status_code == 400 and r.json()["error"] == "otp_replayed"
    # the replay writes nothing to the token (not a failure), and is audited
    assert len(replay) == 2 + len(audit)
    assert not any(s.startswith("update smartotp_tokens") for s in replay)
    wrong = f"{(int(device.code()) + 1) % 10**6:06d}"
    with statements(container) as failed:
        r = client.post("/api/v1/smartotp/verify", headers=auth(token), json={"code": wrong})
    assert r.status_code == 400 and r.json()["attempts_remaining"] == 4
    assert len(failed) == 3 + len(audit)  # the failure counted on the token, and audited


def test_the_bearer_is_checked_before_the_code(
        client: TestClient, container: Container, device: Device) -> None:
    """With one worker-thread hop for both checks, no bearer is still 401 without a
    statement, and a dead session 401 with the token untouched. (A malformed body with a
    present but dead bearer is 422 before the session is looked at, as for signHash.)"""
    with statements(container) as seen:
        missing = client.post("/api/v1/smartotp/verify", json={"code": device.code()})
    assert missing.status_code == 401 and seen == []
    with statements(container) as seen:
        dead = client.post("/api/v1/smartotp/verify", headers=auth("not-a-session"),
                           json={"code": device.code()})
    assert dead.status_code == 401 and dead.json()["error"] == "invalid_token"
    assert not any("smartotp_tokens" in s for s in seen)


def test_a_bad_bearer_takes_no_write_lock(
        client: TestClient, container: Container, clock: ManualClock, device: Device,
        customer: tuple[str, str]) -> None:
    """A stranger's junk bearer token is refused without the write lock: while another
    transaction holds it (on SQLite the database's one writer; on PostgreSQL a transaction
    takes no lock to begin), the answer is 401 at once, not after it. A good bearer's code
    check still waits for the writer: it is made under the lock."""
    _, token = customer
    verify = "/api/v1/smartotp/verify"
    with ThreadPoolExecutor(2) as pool:
        with container.uow() as holder:
            holder.audit.append(AuditEvent("test.holds_the_lock", Outcome.SUCCESS), clock.now())
            junk = pool.submit(client.post, verify, headers=auth("junk"),
                               json={"code": device.code()})
            r = junk.result(timeout=10)  # with the lock taken first, it waited for the holder
            assert r.status_code == 401 and r.json()["error"] == "invalid_token"
            good = pool.submit(client.post, verify, headers=auth(token),
                               json={"code": device.code()})
            if container.engine.dialect.name == "sqlite":
                time.sleep(0.3)
                assert not good.done()  # queued behind the holder for the write lock
            holder.commit()
        assert good.result(timeout=30).status_code == 204


def test_the_code_check_is_the_first_route_matched(client: TestClient) -> None:
    """Routes are matched in order: the hot route does not walk the others first."""
    app: Any = client.app
    while not hasattr(app, "routes"):  # the middlewares around the FastAPI app
        app = app.app
    first = next(r for r in app.routes if getattr(r, "path", None) != "/openapi.json")
    assert getattr(first, "original_router", first) is hot_router  # included first
    routes = [(r.path, getattr(r, "endpoint", None)) for r in hot_router.routes]
    assert routes == [("/api/v1/smartotp/verify", verify)]


@contextmanager
def checkouts(container: Container) -> Iterator[list[object]]:
    """Every connection the app's pool hands out while the block runs (one per unit of work)."""
    seen: list[object] = []

    def checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        seen.append(dbapi_connection)

    event.listen(container.engine, "checkout", checkout)
    try:
        yield seen
    finally:
        event.remove(container.engine, "checkout", checkout)


def test_the_bearer_and_the_code_are_checked_in_one_transaction(
        client: TestClient, container: Container, clock: ManualClock, device: Device,
        customer: tuple[str, str]) -> None:
    _, token = customer
    with checkouts(container) as used:
        r = client.post("/api/v1/smartotp/verify", headers=auth(token),
                        json={"code": device.code()})
    assert r.status_code == 204, r.text
    assert len(used) == 1  # not a read-only transaction for the session, then another
    with checkouts(container) as used:
        replay = client.post("/api/v1/smartotp/verify", headers=auth(token),
                             json={"code": device.code()})
    assert replay.status_code == 400 and len(used) == 1


def _last_seen(container: Container, token: str) -> datetime:
    with container.uow(read_only=True) as uow:
        found = uow.sessions.with_account(hashlib.sha256(token.encode()).hexdigest())
    assert found is not None
    return found[0].last_seen_at


def test_a_due_session_touch_is_written_in_the_verification_and_kept_by_a_failure(
        client: TestClient, container: Container, clock: ManualClock, device: Device,
        customer: tuple[str, str]) -> None:
    _, token = customer
    clock.advance(90)  # past the touch interval (60 s)
    with statements(container) as seen, checkouts(container) as used:
        r = client.post("/api/v1/smartotp/verify", headers=auth(token),
                        json={"code": device.code()})
    assert r.status_code == 204, r.text
    assert len(used) == 1 and _last_seen(container, token) == clock.now()
    assert [s.split()[0] for s in seen[:2]] == ["select", "update"]
    assert _table(seen[1]) == "sessions" and "revoked_at is null" in seen[1]
    clock.advance(90)
    wrong = f"{(int(device.code()) + 1) % 10**6:06d}"
    r = client.post("/api/v1/smartotp/verify", headers=auth(token), json={"code": wrong})
    assert r.status_code == 400 and r.json()["attempts_remaining"] == 4
    assert _last_seen(container, token) == clock.now()  # committed with the failure


def test_a_revoked_or_idle_session_verifies_nothing(
        client: TestClient, container: Container, clock: ManualClock, device: Device,
        customer: tuple[str, str]) -> None:
    _, token = customer
    clock.advance(31 * 60)  # idle past 30 minutes
    idle = client.post("/api/v1/smartotp/verify", headers=auth(token),
                       json={"code": device.code()})
    assert idle.status_code == 401 and idle.json()["error"] == "expired_token"
    fresh = login(client)
    assert client.post("/api/v1/auth/logout", headers=auth(fresh)).status_code == 204
    with statements(container) as seen:
        revoked = client.post("/api/v1/smartotp/verify", headers=auth(fresh),
                              json={"code": device.code()})
    assert revoked.status_code == 401 and revoked.json()["error"] == "invalid_token"
    assert not any("smartotp_tokens" in s or s.startswith("update") for s in seen)
    with container.uow() as uow:  # nothing of either attempt reached the token
        token_row, _ = uow.smartotp.for_check(customer[0])
    assert token_row is not None and token_row.failures == 0 and token_row.last_counter is None


def test_a_session_revoked_meanwhile_is_not_touched(
        client: TestClient, container: Container, clock: ManualClock,
        customer: tuple[str, str]) -> None:
    _, token = customer
    with container.uow(read_only=True) as uow:
        found = uow.sessions.with_account(hashlib.sha256(token.encode()).hexdigest())
    assert found is not None
    session = found[0]
    with container.uow() as uow:
        uow.sessions.save(replace(session, revoked_at=clock.now()))
        uow.commit()
    with container.uow() as uow:
        assert uow.sessions.touch(session.id, clock.now()) is False
        uow.commit()
    assert _last_seen(container, token) == session.last_seen_at
