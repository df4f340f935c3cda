"""Throttling that cannot be turned against the owner.

An attacker guessing a customer's password from one address is slowed down (429, Retry-After,
exponential back-off) while the owner logs in from another address as usual, by the app and
by the CSC API; the owner is warned once per burst; a login that does not exist is answered
exactly like one that does; a replayed SmartOTP code is a replay, not a wrong code; wrong
secrets with a hard limit say how many tries are left."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kyso.bootstrap import Container
from kyso.clock import ManualClock
from kyso.entrypoints.api.app import create_app
from tests.integration.api.conftest import PASSWORD, auth, login, sign_up
from tests.integration.api.smartotp_helpers import enrol
from tests.integration.csc.conftest import basic

ATTACKER, OWNER = ("203.0.113.66", 40000), ("198.51.100.7", 40000)
WRONG = {"login": "khach1", "password": "Doan-mo-2026!"}


@pytest.fixture
def clients(container: Container) -> Iterator[tuple[TestClient, TestClient]]:
    app = create_app(container)
    with TestClient(app, raise_server_exceptions=False, client=ATTACKER) as attacker, \
            TestClient(app, raise_server_exceptions=False, client=OWNER) as owner:
        yield attacker, owner


def _actions(container: Container) -> list[tuple[str, dict[str, Any]]]:
    with container.uow() as uow:
        return [(r.event.action, dict(r.event.details)) for r in uow.audit.records()]


def test_an_attacker_slows_only_himself_while_the_owner_logs_in(
        container: Container, clients: tuple[TestClient, TestClient],
        clock: ManualClock) -> None:
    attacker, owner = clients
    account = sign_up(owner)
    answers = []
    for _ in range(12):
        response = attacker.post("/api/v1/auth/login", json=WRONG)
        answers.append(response.status_code)
        if response.status_code == 429:
            clock.advance(int(response.headers["Retry-After"]))
            assert owner.post("/api/v1/auth/login", json={
                "login": "khach1", "password": PASSWORD}).status_code == 200
    assert answers[:4] == [401, 401, 401, 401] and 429 in answers
    waits = []
    for _ in range(3):  # the back-off doubles for the attacker's address
        attacker.post("/api/v1/auth/login", json=WRONG)
        response = attacker.post("/api/v1/auth/login", json=WRONG)
        waits.append(int(response.headers["Retry-After"]))
        clock.advance(waits[-1])
    assert waits == sorted(waits) and waits[-1] > waits[0]
    csc = owner.post("/csc/v2/auth/login", headers=basic("khach1", PASSWORD))
    assert csc.status_code == 200, csc.text  # the CSC login is not locked either
    actions = _actions(container)
    failed = [d for a, d in actions if a == "auth.login_failed"]
    assert failed and all(d["ip"] == ATTACKER[0] for d in failed)
    assert any(a == "auth.login_throttled" for a, _ in actions)
    warned = [d for a, d in actions if a == "auth.owner_warned"]
    assert len(warned) == 1  # once per burst
    inbox = owner.get("/api/v1/notifications", headers=auth(login(owner))).json()
    assert any("đăng nhập sai" in n["title"] for n in inbox)
    with container.uow() as uow:
        emails = [m for m in uow.outbox.recent(100) if m.account_id == account["id"]]
    assert any(m.purpose == "security_warning" for m in emails)


def test_a_missing_login_is_answered_like_an_existing_one(
        clients: tuple[TestClient, TestClient]) -> None:
    attacker, owner = clients
    sign_up(owner)

    def story(login_name: str) -> list[tuple[int, dict[str, Any], str | None]]:
        out = []
        for _ in range(6):
            r = attacker.post("/api/v1/auth/login",
                              json={"login": login_name, "password": "Doan-mo-2026!"})
            out.append((r.status_code, r.json(), r.headers.get("Retry-After")))
        return out

    assert story("khach1") == story("khong-ai-ca")


def test_a_replayed_code_is_a_replay_and_never_locks(
        container: Container, clients: tuple[TestClient, TestClient],
        clock: ManualClock) -> None:
    _, owner = clients
    account = sign_up(owner)
    token = login(owner)
    clock.set(clock.now().replace(second=1))
    device = enrol(owner, container, token, account["id"], clock)
    code = device.code()
    assert owner.post("/api/v1/smartotp/verify", headers=auth(token),
                      json={"code": code}).status_code == 204
    for _ in range(8):  # a client retrying one good code
        replay = owner.post("/api/v1/smartotp/verify", headers=auth(token), json={"code": code})
        assert replay.status_code == 400 and replay.json()["error"] == "otp_replayed"
    clock.advance(30)
    assert owner.post("/api/v1/smartotp/verify", headers=auth(token),
                      json={"code": device.code()}).status_code == 204  # not locked
    assert [a for a, _ in _actions(container)].count("smartotp.replayed") == 8


def test_a_wrong_pin_says_how_many_tries_are_left(
        clients: tuple[TestClient, TestClient]) -> None:
    _, owner = clients
    sign_up(owner)
    token = login(owner)
    body = {"old_pin": "135792", "new_pin": "975310", "otp": "000000"}
    answers = [owner.post("/api/v1/me/pin", headers=auth(token), json=body) for _ in range(5)]
    assert [r.json().get("attempts_remaining") for r in answers[:4]] == [4, 3, 2, 1]
    assert answers[0].status_code == 401 and answers[0].json()["error"] == "invalid_pin"
    assert set(answers[0].json()) == {"error", "error_description", "attempts_remaining"}
