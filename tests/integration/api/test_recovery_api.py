"""Recovery over HTTP: a forgotten password (a code and the account PIN), a forgotten account
PIN (the password and a code), the account-PIN change; audited, notified, limited."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kyso.bootstrap import Container
from kyso.notify import service as notify_service
from kyso.otp.oob import OobService
from tests.integration.api.conftest import PASSWORD, PIN, auth, last_code, login, sign_up

NEW_PASSWORD = "Doimatkhau2027"
NEW_PIN = "358024"


def actions(container: Container) -> list[str]:
    with container.uow() as uow:
        return [r.event.action for r in uow.audit.records()]


def told(container: Container, account_id: str) -> list[str]:
    container.outbox_worker().run_once()
    with container.uow() as uow:
        return [container.notifier.open_body(m).text for m in uow.outbox.recent(50)
                if m.account_id == account_id and m.purpose == "ACCOUNT_SECURITY"]


def test_a_forgotten_password_with_a_code_and_the_pin_ends_every_session(
        client: TestClient, container: Container) -> None:
    account = sign_up(client)
    old_session = login(client)
    r = client.post("/api/v1/recovery/password/code", json={"login": "0912345671"})
    assert r.status_code == 202, r.text
    unknown = client.post("/api/v1/recovery/password/code", json={"login": "0999999999"})
    assert unknown.status_code == 202 and set(unknown.json()) == set(r.json())
    code = last_code(container, account["id"], "PASSWORD_RESET")
    body = {"login": "0912345671", "code": code, "pin": "975310", "new_password": NEW_PASSWORD}
    wrong_pin = client.post("/api/v1/recovery/password", json=body)
    assert wrong_pin.status_code == 401 and wrong_pin.json()["error"] == "invalid_pin"
    weak = client.post("/api/v1/recovery/password", json=body | {"pin": PIN,
                                                                 "new_password": "abc"})
    assert weak.status_code == 400 and weak.json()["error"] == "weak_password"
    ok = client.post("/api/v1/recovery/password", json=body | {"pin": PIN})  # the code stays proven
    assert ok.status_code == 204, ok.text
    assert client.get("/api/v1/me", headers=auth(old_session)).status_code == 401
    assert client.post("/api/v1/auth/login", json={"login": "khach1",
                                                   "password": PASSWORD}).status_code == 401
    login(client, password=NEW_PASSWORD)
    again = client.post("/api/v1/recovery/password", json=body | {"pin": PIN})
    assert again.status_code in (400, 410)  # the code served once
    assert "account.password_reset" in actions(container)
    assert any("Mật khẩu của Quý khách vừa được đặt lại" in text for text in told(container,
                                                                          account["id"]))
    inbox = client.get("/api/v1/notifications", headers=auth(login(client, password=NEW_PASSWORD)))
    assert "Mật khẩu của Quý khách vừa được đặt lại" in inbox.text


def test_wrong_codes_burn_the_code_and_an_unknown_login_fails_like_a_wrong_code(
        client: TestClient, container: Container) -> None:
    sign_up(client)
    client.post("/api/v1/recovery/password/code", json={"login": "khach1@example.vn",
                                                        "channel": "email"})
    body = {"login": "khach1@example.vn", "code": "000000", "pin": PIN,
            "new_password": NEW_PASSWORD}
    answers = [client.post("/api/v1/recovery/password", json=body) for _ in range(6)]
    # wrong five times, then burnt: one answer throughout, the same as for an unknown login
    # (an "expired" answer would tell that the login exists and that a code was sent to it)
    nobody = client.post("/api/v1/recovery/password", json=body | {"login": "ai@dokhong.vn"})
    never_sent = client.post("/api/v1/recovery/password",
                             json=body | {"login": sign_up(client, n=2)["username"]})
    for answer in [*answers, nobody, never_sent]:
        assert (answer.status_code, answer.json()) == (nobody.status_code, nobody.json())
    assert nobody.status_code == 400 and nobody.json()["error"] == "invalid_otp"
    assert "lấy mã mới" in nobody.json()["error_description"]
    right = client.post("/api/v1/recovery/password/code", json={"login": "khach1@example.vn",
                                                                "channel": "email"})
    assert right.status_code < 300  # a new code replaces the burnt one


def test_a_forgotten_account_pin_then_a_pin_change(client: TestClient,
                                                   container: Container) -> None:
    account = sign_up(client)
    headers = auth(login(client))
    sent = client.post("/api/v1/otp/send", json={"purpose": "ACCOUNT_PIN_RESET"}, headers=headers)
    assert sent.status_code == 202, sent.text
    code = last_code(container, account["id"], "ACCOUNT_PIN_RESET")
    weak = client.post("/api/v1/me/pin/reset", headers=headers,
                       json={"password": PASSWORD, "otp": code, "new_pin": "111111"})
    assert weak.status_code == 400 and weak.json()["error"] == "weak_pin"
    wrong = client.post("/api/v1/me/pin/reset", headers=headers,
                        json={"password": "Sai2026sai", "otp": code, "new_pin": NEW_PIN})
    assert wrong.status_code == 401
    r = client.post("/api/v1/me/pin/reset", headers=headers,
                    json={"password": PASSWORD, "otp": code, "new_pin": NEW_PIN})
    assert r.status_code == 204, r.text
    # the PIN change in the account page: the old PIN, an SMS code, the new PIN
    client.post("/api/v1/otp/send", json={"purpose": "PIN_CHANGE"}, headers=headers)
    code = last_code(container, account["id"], "PIN_CHANGE")
    r = client.post("/api/v1/me/pin", headers=headers,
                    json={"old_pin": NEW_PIN, "new_pin": PIN, "otp": code})
    assert r.status_code == 204, r.text
    assert {"account.pin_reset", "account.pin_changed"} <= set(actions(container))
    texts = told(container, account["id"])
    assert any("Mã PIN tài khoản của Quý khách vừa được đặt lại" in x for x in texts)
    assert any("Mã PIN tài khoản của Quý khách vừa được thay đổi" in x for x in texts)


def test_a_password_code_costs_and_answers_the_same_for_any_login(
        client: TestClient, container: Container, monkeypatch: pytest.MonkeyPatch) -> None:
    """No timing: the code paths are counted. Each request makes one code HMAC and seals one
    message, writes to the audit trail and answers byte for byte the same — a registered
    login, an unknown one, and a registered one asked again too soon (not sent)."""
    sign_up(client)
    work: Counter[str] = Counter()
    mac, seal = OobService._mac, notify_service.seal_content

    def counted_mac(self: OobService, code_id: str, code: str) -> str:
        work["hmac"] += 1
        return mac(self, code_id, code)

    def counted_seal(envelope: Any, content: Any) -> bytes:
        work["seal"] += 1
        return seal(envelope, content)

    monkeypatch.setattr(OobService, "_mac", counted_mac)
    monkeypatch.setattr(notify_service, "seal_content", counted_seal)
    answers, costs = [], []
    for login_ in ("0912345671", "0999999999", "0912345671", "ai@dokhong.vn"):
        work.clear()
        before = len(actions(container))
        r = client.post("/api/v1/recovery/password/code", json={"login": login_})
        answers.append((r.status_code, r.content))
        costs.append((dict(work), len(actions(container)) - before > 0))
    assert len(set(answers)) == 1 and answers[0][0] == 202
    assert costs == [({"hmac": 1, "seal": 1}, True)] * 4
    assert actions(container).count("account.password_code_unknown") == 2
    assert actions(container).count("otp.sent") == 1  # the second ask came too soon


def test_a_wrong_code_for_an_unknown_login_costs_what_a_wrong_code_costs(
        client: TestClient, container: Container, monkeypatch: pytest.MonkeyPatch) -> None:
    account = sign_up(client)
    client.post("/api/v1/recovery/password/code", json={"login": "0912345671"})
    wrong = "111111" if last_code(container, account["id"], "PASSWORD_RESET") == "000000" \
        else "000000"
    hmacs: list[str] = []
    mac = OobService._mac
    monkeypatch.setattr(OobService, "_mac", lambda self, code_id, code: (
        hmacs.append(code), mac(self, code_id, code))[1])
    answers = []
    for login_ in ("0912345671", "0999999999"):
        body = {"login": login_, "code": wrong, "pin": PIN,
                "new_password": NEW_PASSWORD}
        rejected = actions(container).count("otp.rejected")
        r = client.post("/api/v1/recovery/password", json=body)
        answers.append((r.status_code, r.json()["error"]))
        assert actions(container).count("otp.rejected") == rejected + 1
    assert hmacs == [wrong, wrong]
    assert answers == [(400, "invalid_otp")] * 2
