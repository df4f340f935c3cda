"""SmartOTP over HTTP: every flow of the SmartOTP guide, with a simulated device."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kyso.bootstrap import Container
from kyso.clock import ManualClock
from kyso.errors import KysoError
from kyso.otp.terms import TERMS
from tests.integration.api.conftest import PIN, auth, login, sign_up
from tests.integration.api.smartotp_helpers import Device, enrol, register, sms_code


@pytest.fixture
def customer(client: TestClient) -> tuple[str, str]:
    account = sign_up(client)
    return str(account["id"]), login(client)


@pytest.fixture
def device(client: TestClient, container: Container, clock: ManualClock,
           customer: tuple[str, str]) -> Device:
    clock.set(clock.now().replace(second=1))  # start of a time step
    return enrol(client, container, customer[1], customer[0], clock)


def _verify(client: TestClient, token: str, code: str) -> Any:
    return client.post("/api/v1/smartotp/verify", headers=auth(token), json={"code": code})


def test_terms_in_vietnamese(client: TestClient) -> None:
    body = client.get("/api/v1/smartotp/terms").json()
    assert body["version"] == TERMS.version and "ĐIỀU KHOẢN" in body["text_vi"]


def test_registration_needs_terms_pin_and_sms_code(client: TestClient, container: Container,
                                                   customer: tuple[str, str]) -> None:
    account_id, token = customer
    url = "/api/v1/smartotp/registrations"
    client.post("/api/v1/otp/send", headers=auth(token), json={"purpose": "SMARTOTP_REGISTER"})
    otp = sms_code(container, account_id, "SMARTOTP_REGISTER")
    old_terms = client.post(url, headers=auth(token),
                            json={"terms_version": "2001-01", "pin": PIN, "otp": otp})
    assert old_terms.status_code == 400 and old_terms.json()["error"] == "terms_not_accepted"
    wrong_pin = client.post(url, headers=auth(token),
                            json={"terms_version": TERMS.version, "pin": "975310", "otp": otp})
    assert wrong_pin.status_code == 401 and wrong_pin.json()["error"] == "invalid_pin"
    wrong_otp = client.post(url, headers=auth(token), json={
        "terms_version": TERMS.version, "pin": PIN, "otp": f"{(int(otp) + 1) % 10**6:06d}"})
    assert wrong_otp.status_code == 400 and wrong_otp.json()["error"] == "invalid_otp"
    status = client.get("/api/v1/smartotp", headers=auth(token)).json()
    assert status["status"] == "none"  # nothing half-enrolled
    ok = client.post(url, headers=auth(token),
                     json={"terms_version": TERMS.version, "pin": PIN, "otp": otp})
    assert ok.status_code == 201 and ok.json()["destination"].endswith("71")
    assert client.get("/api/v1/smartotp", headers=auth(token)).json()["status"] == "pending"


def test_a_wrong_account_pin_is_said_before_the_sms_is_sent(
        client: TestClient, container: Container, customer: tuple[str, str]) -> None:
    account_id, token = customer
    body = {"purpose": "SMARTOTP_REGISTER", "pin": "975310"}
    wrong = client.post("/api/v1/otp/send", headers=auth(token), json=body)
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_pin"
    with pytest.raises(AssertionError, match="no code sent"):
        sms_code(container, account_id, "SMARTOTP_REGISTER")
    with container.uow() as uow:
        assert uow.accounts.get(account_id).pin_lock.failures == 1  # it counts
    sent = client.post("/api/v1/otp/send", headers=auth(token), json=body | {"pin": PIN})
    assert sent.status_code == 202, sent.text
    assert len(sms_code(container, account_id, "SMARTOTP_REGISTER")) == 6


def test_activation_hands_the_seed_over_once(client: TestClient, container: Container,
                                             customer: tuple[str, str]) -> None:
    account_id, token = customer
    code = register(client, container, token, account_id)
    body = {"activation_code": code, "device_id": "device-0001"}
    first = client.post("/api/v1/smartotp/activate", headers=auth(token), json=body)
    assert first.status_code == 200 and len(first.json()["seed_b32"]) >= 52
    again = client.post("/api/v1/smartotp/activate", headers=auth(token), json=body)
    assert again.status_code == 410 and again.json()["error"] == "expired_activation_code"
    status = client.get("/api/v1/smartotp", headers=auth(token)).json()
    assert status["status"] == "active" and status["otp_method"] == "smartotp"
    assert status["device_id"] == "device-0001"


def test_activation_code_attempts_and_expiry(client: TestClient, container: Container,
                                             clock: ManualClock,
                                             customer: tuple[str, str]) -> None:
    account_id, token = customer
    code = register(client, container, token, account_id)
    wrong = f"{(int(code) + 1) % 10**8:08d}"
    for _ in range(5):
        r = client.post("/api/v1/smartotp/activate", headers=auth(token),
                        json={"activation_code": wrong, "device_id": "device-0001"})
        assert r.status_code == 400 and r.json()["error"] == "invalid_activation_code"
    burnt = client.post("/api/v1/smartotp/activate", headers=auth(token),
                        json={"activation_code": code, "device_id": "device-0001"})
    assert burnt.status_code == 410
    clock.advance(61)
    code = register(client, container, token, account_id)
    clock.advance(601)
    token = login(client)
    late = client.post("/api/v1/smartotp/activate", headers=auth(token),
                       json={"activation_code": code, "device_id": "device-0001"})
    assert late.status_code == 410


def test_codes_window_replay_and_drift(client: TestClient, device: Device,
                                       customer: tuple[str, str], clock: ManualClock) -> None:
    _, token = customer
    assert _verify(client, token, device.code()).status_code == 204
    replay = _verify(client, token, device.code())
    assert replay.status_code == 400 and replay.json()["error"] == "otp_replayed"
    assert "attempts_remaining" not in replay.json()  # a replay is not a wrong code
    # a code one step ahead is inside the window; the server learns a drift of +1
    assert _verify(client, token, device.code(steps_ahead=1)).status_code == 204
    clock.advance(30)
    assert _verify(client, token, device.code()).status_code == 400  # that step was used
    clock.advance(30)  # now T+2: the window is T+2..T+4 around the learned drift
    assert _verify(client, token, device.code(steps_ahead=3)).status_code == 400  # T+5
    device.offset = 60  # the device runs two steps ahead
    assert _verify(client, token, device.code()).status_code == 204  # T+4, drift now +2
    clock.advance(30)
    device.offset = 90  # and keeps drifting: the window follows the learned drift
    assert _verify(client, token, device.code()).status_code == 204


def test_five_failures_lock_until_support_unlocks(client: TestClient, container: Container,
                                                 device: Device,
                                                 customer: tuple[str, str]) -> None:
    account_id, token = customer
    wrong = f"{(int(device.code()) + 1) % 10**6:06d}"
    codes = [_verify(client, token, wrong) for _ in range(5)]
    assert [r.status_code for r in codes] == [400, 400, 400, 400, 423]
    assert [r.json().get("attempts_remaining") for r in codes[:4]] == [4, 3, 2, 1]
    locked = _verify(client, token, device.code())
    assert locked.status_code == 423 and locked.json()["error"] == "locked"
    assert client.get("/api/v1/smartotp", headers=auth(token)).json()["status"] == "locked"
    sign_up(client, 2, username="support1")
    container.accounts.set_role(*_admin_and(container, client, "support1"))
    staff = login(client, "support1")
    unlock = client.post(f"/api/v1/support/accounts/{account_id}/otp-methods/smartotp/unlock",
                         headers=auth(staff), json={"reason": "khách hàng gọi tổng đài"})
    assert unlock.status_code == 204
    assert _verify(client, token, device.code()).status_code == 204


def _admin_and(container: Container, client: TestClient, username: str) -> tuple[str, str, Any]:
    from kyso.accounts.model import Role
    from kyso.accounts.service import NewAccount

    admin = container.accounts.sign_up(NewAccount("quantri", "Matkhau2026!", "246813",
                                                  "Quản trị", "0900000099", "qt@ca.vn",
                                                  role=Role.ADMIN))
    with container.uow() as uow:
        target = uow.accounts.find_by_login(username)
    assert target is not None
    return admin.id, target.id, Role.SUPPORT


def test_customers_cannot_use_the_support_desk(client: TestClient, device: Device,
                                               customer: tuple[str, str]) -> None:
    account_id, token = customer
    r = client.post(f"/api/v1/support/accounts/{account_id}/otp-methods/sms/lock",
                    headers=auth(token), json={"reason": "tự khóa"})
    assert r.status_code == 403


def test_resync_recovers_a_far_drifted_clock(client: TestClient, device: Device,
                                            customer: tuple[str, str]) -> None:
    _, token = customer
    device.offset = 20 * 60  # roaming: the phone is 20 minutes ahead
    assert _verify(client, token, device.code()).status_code == 400
    bad = client.post("/api/v1/smartotp/resync", headers=auth(token),
                      json={"code1": device.code(), "code2": device.code(2)})
    assert bad.status_code == 400 and bad.json()["error"] == "resync_failed"
    ok = client.post("/api/v1/smartotp/resync", headers=auth(token),
                     json={"code1": device.code(), "code2": device.code(1)})
    assert ok.status_code == 204
    device.clock.advance(30)
    assert _verify(client, token, device.code(1)).status_code == 204


def test_forgot_pin_revokes_then_register_again(client: TestClient, container: Container,
                                                device: Device, clock: ManualClock,
                                                customer: tuple[str, str]) -> None:
    account_id, token = customer
    client.post("/api/v1/otp/send", headers=auth(token), json={"purpose": "PIN_RESET"})
    otp = sms_code(container, account_id, "PIN_RESET")
    r = client.post("/api/v1/smartotp/reset", headers=auth(token), json={"pin": PIN, "otp": otp})
    assert r.status_code == 204
    status = client.get("/api/v1/smartotp", headers=auth(token)).json()
    assert status["status"] == "none" and status["otp_method"] == "sms"
    assert _verify(client, token, device.code()).status_code == 409
    clock.advance(61)
    new = enrol(client, container, token, account_id, clock, device_id="device-0002")
    assert new.seed != device.seed
    assert _verify(client, token, new.code()).status_code == 204


def test_registering_again_revokes_the_old_device(client: TestClient, container: Container,
                                                  device: Device, clock: ManualClock,
                                                  customer: tuple[str, str]) -> None:
    account_id, token = customer
    clock.advance(61)
    new = enrol(client, container, token, account_id, clock, device_id="device-0002")
    assert _verify(client, token, device.code()).status_code == 400
    assert _verify(client, token, new.code()).status_code == 204
    assert client.get("/api/v1/smartotp", headers=auth(token)).json()["device_id"] == "device-0002"


def test_method_switch_and_locks(client: TestClient, container: Container, device: Device,
                                 customer: tuple[str, str]) -> None:
    _, token = customer
    url = "/api/v1/me/otp-method"
    wrong = client.put(url, headers=auth(token), json={"method": "sms", "pin": "975310"})
    assert wrong.status_code == 401
    r = client.put(url, headers=auth(token), json={"method": "sms", "pin": PIN})
    assert r.status_code == 200 and r.json() == {"otp_method": "sms"}
    lock = client.post("/api/v1/me/otp-methods/smartotp/lock", headers=auth(token),
                       json={"pin": PIN})
    assert lock.status_code == 204
    refused = client.put(url, headers=auth(token), json={"method": "smartotp", "pin": PIN})
    assert refused.status_code == 423 and refused.json()["error"] == "method_locked"
    assert _verify(client, token, device.code()).status_code == 423
    status = client.get("/api/v1/smartotp", headers=auth(token)).json()
    assert status["methods"]["smartotp"]["locked"] is True
    inbox = client.get("/api/v1/notifications", headers=auth(token)).json()
    assert any("tạm khóa" in n["title"] for n in inbox)


def test_a_locked_method_is_refused_before_the_token_is_looked_for(
        client: TestClient, customer: tuple[str, str]) -> None:
    """The check reads the token and the method state in one statement; without a token
    the state is read alone, and a locked method still answers 423, not 409."""
    _, token = customer
    assert _verify(client, token, "123456").json()["error"] == "no_active_token"
    lock = client.post("/api/v1/me/otp-methods/smartotp/lock", headers=auth(token),
                       json={"pin": PIN})
    assert lock.status_code == 204
    refused = _verify(client, token, "123456")
    assert refused.status_code == 423 and refused.json()["error"] == "method_locked"


def test_smartotp_method_needs_an_active_token(client: TestClient,
                                               customer: tuple[str, str]) -> None:
    _, token = customer
    r = client.put("/api/v1/me/otp-method", headers=auth(token),
                   json={"method": "smartotp", "pin": PIN})
    assert r.status_code == 409 and r.json()["error"] == "no_active_token"


def test_transaction_code_binds_to_its_details(client: TestClient, container: Container,
                                               device: Device,
                                               customer: tuple[str, str]) -> None:
    _, token = customer
    first = client.post("/api/v1/me/contact-change", headers=auth(token),
                        json={"phone": "0987000111"}).json()
    second = client.post("/api/v1/me/contact-change", headers=auth(token),
                         json={"phone": "0987000111"}).json()
    assert first["method"] == "smartotp" and first["question"] != second["question"]
    assert first["details"]["phone"] == "+84987000111"
    assert "số điện thoại mới" in first["details"]["description"]
    pending = client.get("/api/v1/transactions", headers=auth(token)).json()
    assert {t["id"] for t in pending} == {first["id"], second["id"]}
    crossed = client.post(f"/api/v1/transactions/{first['id']}/confirm", headers=auth(token),
                          json={"otp": device.answer(second)})
    assert crossed.status_code == 400 and crossed.json()["error"] == "invalid_otp"
    ok = client.post(f"/api/v1/transactions/{first['id']}/confirm", headers=auth(token),
                     json={"otp": device.answer(first)})
    assert ok.status_code == 200 and ok.json()["status"] == "confirmed"
    assert client.get("/api/v1/me", headers=auth(token)).json()["phone"] == "+84987000111"
    again = client.post(f"/api/v1/transactions/{first['id']}/confirm", headers=auth(token),
                        json={"otp": device.answer(first)})
    assert again.status_code == 409 and again.json()["error"] == "transaction_closed"
    rejected = client.post(f"/api/v1/transactions/{second['id']}/reject", headers=auth(token))
    assert rejected.json()["status"] == "rejected"


def test_transaction_expires(client: TestClient, device: Device, clock: ManualClock,
                             customer: tuple[str, str]) -> None:
    _, token = customer
    tx = client.post("/api/v1/me/contact-change", headers=auth(token),
                     json={"email": "moi@example.vn"}).json()
    clock.advance(301)
    token = login(client)
    late = client.post(f"/api/v1/transactions/{tx['id']}/confirm", headers=auth(token),
                       json={"otp": device.answer(tx)})
    assert late.status_code == 410 and late.json()["error"] == "transaction_expired"
    assert client.get("/api/v1/me", headers=auth(token)).json()["email"] == "khach1@example.vn"


def test_transaction_by_sms_for_sms_customers(client: TestClient, container: Container,
                                              customer: tuple[str, str]) -> None:
    account_id, token = customer
    tx = client.post("/api/v1/me/contact-change", headers=auth(token),
                     json={"email": "moi@example.vn"}).json()
    assert tx["method"] == "sms" and tx["question"] is None
    code = sms_code(container, account_id, "CONTACT_CHANGE")
    ok = client.post(f"/api/v1/transactions/{tx['id']}/confirm", headers=auth(token),
                     json={"otp": code})
    assert ok.status_code == 200
    assert client.get("/api/v1/me", headers=auth(token)).json()["email"] == "moi@example.vn"


def test_another_customers_transaction_is_not_found(client: TestClient, device: Device,
                                                    customer: tuple[str, str]) -> None:
    _, token = customer
    tx = client.post("/api/v1/me/contact-change", headers=auth(token),
                     json={"email": "moi@example.vn"}).json()
    sign_up(client, 2)
    other = login(client, "khach2")
    r = client.post(f"/api/v1/transactions/{tx['id']}/confirm", headers=auth(other),
                    json={"otp": device.answer(tx)})
    assert r.status_code == 404


def test_replay_under_concurrency_accepts_once(container: Container, device: Device,
                                               customer: tuple[str, str]) -> None:
    account_id, _ = customer
    code = device.code()

    def attempt(_: int) -> bool:
        try:
            container.smartotp.verify(account_id, code)
            return True
        except KysoError:
            return False

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(attempt, range(6)))
    assert results.count(True) == 1


def test_authenticator_apps_are_off_by_default(client: TestClient,
                                               customer: tuple[str, str]) -> None:
    _, token = customer
    r = client.post("/api/v1/smartotp/authenticator", headers=auth(token),
                    json={"pin": PIN, "otp": "000000"})
    assert r.status_code == 403 and r.json()["error"] == "authenticator_apps_disabled"


# -- Đổi PIN SmartOTP: the old PIN proven by a one-time challenge ----------------------------


def _pin_change(client: TestClient, token: str) -> Any:
    r = client.post("/api/v1/smartotp/pin-change", headers=auth(token))
    assert r.status_code == 201, r.text
    return r.json()


def _answer(client: TestClient, token: str, tx: Any, otp: str) -> Any:
    return client.post(f"/api/v1/transactions/{tx['id']}/confirm", headers=auth(token),
                       json={"otp": otp})


def test_pin_change_proof_spends_no_time_step(client: TestClient, container: Container,
                                              device: Device,
                                              customer: tuple[str, str]) -> None:
    _, token = customer
    assert _verify(client, token, device.code()).status_code == 204  # this step is spent
    tx = _pin_change(client, token)
    assert tx["kind"] == "smartotp_pin_change" and tx["method"] == "smartotp"
    ok = _answer(client, token, tx, device.answer(tx))
    assert ok.status_code == 200 and ok.json()["status"] == "confirmed"
    again = _answer(client, token, tx, device.answer(tx))  # a challenge serves once
    assert again.status_code == 409 and again.json()["error"] == "transaction_closed"
    assert _verify(client, token, device.code(1)).status_code == 204
    with container.uow() as uow:
        actions = [r.event.action for r in uow.audit.records()]
    assert "smartotp.pin_change_confirmed" in actions


def test_pin_change_failures_count_against_the_token(client: TestClient, device: Device,
                                                     customer: tuple[str, str]) -> None:
    _, token = customer

    def wrong_answer() -> int:  # each attempt asks a challenge of its own (one answer each)
        tx = _pin_change(client, token)
        return _answer(client, token, tx, f"{(int(device.answer(tx)) + 1) % 10**8:08d}").status_code

    answers = [wrong_answer() for _ in range(5)]
    assert answers == [400, 400, 400, 400, 423]  # the token's own failure counter
    fresh = _pin_change(client, token)  # the token is locked: even the right answer fails
    refused = _answer(client, token, fresh, device.answer(fresh))
    assert refused.status_code == 423 and refused.json()["error"] == "locked"
    assert _verify(client, token, device.code()).status_code == 423


def test_a_wrong_old_pin_ends_that_attempts_challenge(client: TestClient, device: Device,
                                                      customer: tuple[str, str]) -> None:
    """One attempt, one challenge: after a wrong answer it is closed, not left waiting in
    "Giao dịch chờ xác nhận" for the customer to wonder about; the next attempt asks anew."""
    _, token = customer
    tx = _pin_change(client, token)
    wrong = _answer(client, token, tx, f"{(int(device.answer(tx)) + 1) % 10**8:08d}")
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_otp"
    assert client.get("/api/v1/transactions", headers=auth(token)).json() == []
    closed = _answer(client, token, tx, device.answer(tx))  # even the right answer now
    assert closed.status_code == 409 and closed.json()["error"] == "transaction_closed"
    fresh = _pin_change(client, token)
    assert _answer(client, token, fresh, device.answer(fresh)).json()["status"] == "confirmed"


def test_pin_change_uses_smartotp_even_on_the_sms_method(client: TestClient, device: Device,
                                                         customer: tuple[str, str]) -> None:
    _, token = customer
    r = client.put("/api/v1/me/otp-method", headers=auth(token),
                   json={"method": "sms", "pin": PIN})
    assert r.status_code == 200 and r.json()["otp_method"] == "sms"
    tx = _pin_change(client, token)
    assert tx["method"] == "smartotp" and tx["question"]


def test_pin_change_needs_an_active_token(client: TestClient,
                                          customer: tuple[str, str]) -> None:
    r = client.post("/api/v1/smartotp/pin-change", headers=auth(customer[1]))
    assert r.status_code == 409 and r.json()["error"] == "no_active_token"
