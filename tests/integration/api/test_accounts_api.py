"""Accounts over HTTP: sign-up, login, sessions, password, PIN, lockouts."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kyso.bootstrap import Container
from kyso.clock import ManualClock
from tests.integration.api.conftest import PASSWORD, PIN, auth, last_code, login, sign_up


def test_sign_up_login_me_logout(client: TestClient) -> None:
    account = sign_up(client)
    assert account["phone"] == "+84912345671" and account["role"] == "customer"
    assert "password_hash" not in account and "pin_hash" not in account
    token = login(client, "0912345671")  # by phone, as typed
    me = client.get("/api/v1/me", headers=auth(token))
    assert me.status_code == 200 and me.json()["full_name"] == "Nguyễn Văn An"
    assert client.post("/api/v1/auth/logout", headers=auth(token)).status_code == 204
    again = client.get("/api/v1/me", headers=auth(token))
    assert again.status_code == 401 and again.json()["error"] == "invalid_token"


def test_login_by_email_and_id_number(client: TestClient) -> None:
    sign_up(client)
    assert login(client, "KHACH1@example.vn")
    assert login(client, "001091000001")


def test_duplicate_identifiers_refused(client: TestClient) -> None:
    sign_up(client)
    response = client.post("/api/v1/accounts", json={
        "username": "khac", "password": PASSWORD, "pin": PIN, "full_name": "B",
        "phone": "+84912345671", "email": "other@example.vn"})
    assert response.status_code == 409
    assert response.json()["error"] == "already_registered"
    assert "phone" in response.json()["error_description"]


def test_weak_secrets_refused(client: TestClient) -> None:
    base = {"username": "khach9", "full_name": "B", "phone": "0912000009",
            "email": "k9@example.vn"}
    for pin in ("123456", "654321", "111111", "12345", "12a456", "890123"):
        r = client.post("/api/v1/accounts", json=base | {"password": PASSWORD, "pin": pin})
        assert r.status_code == 400 and r.json()["error"] == "weak_pin", pin
    for password in ("short1", "onlyletters", "12345678901", "password1", "khach9abc1"):
        r = client.post("/api/v1/accounts", json=base | {"password": password, "pin": PIN})
        assert r.status_code == 400 and r.json()["error"] == "weak_password", password


def test_wrong_passwords_slow_the_address_down_and_never_lock(client: TestClient,
                                                               clock: ManualClock) -> None:
    """Three free failures, then the address waits 2 s, 4 s, … (429, Retry-After); once the
    wait is served the right password works: there is no lock (tests/security has the
    attack from one address while the owner logs in from another)."""
    sign_up(client)
    bad = {"login": "khach1", "password": "Sai-mat-khau-1"}
    for _ in range(4):
        assert client.post("/api/v1/auth/login", json=bad).status_code == 401
    waiting = client.post("/api/v1/auth/login", json={"login": "khach1", "password": PASSWORD})
    assert waiting.status_code == 429 and waiting.json()["error"] == "too_many_requests"
    assert int(waiting.headers["Retry-After"]) == 2
    clock.advance(2)
    assert client.post("/api/v1/auth/login", json=bad).status_code == 401
    assert int(client.post("/api/v1/auth/login", json=bad).headers["Retry-After"]) == 4
    clock.advance(4)
    assert login(client)  # served: the right password works, and clears this address


def test_unknown_login_same_error_as_wrong_password(client: TestClient) -> None:
    sign_up(client)
    unknown = client.post("/api/v1/auth/login", json={"login": "nobody", "password": "x"})
    wrong = client.post("/api/v1/auth/login", json={"login": "khach1", "password": "x"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()


def test_sessions_list_and_revoke(client: TestClient) -> None:
    sign_up(client)
    first, second = login(client), login(client)
    listed = client.get("/api/v1/me/sessions", headers=auth(first)).json()
    assert len(listed) == 2 and sum(s["current"] for s in listed) == 1
    other = next(s["id"] for s in listed if not s["current"])
    assert client.delete(f"/api/v1/me/sessions/{other}", headers=auth(first)).status_code == 204
    assert client.get("/api/v1/me", headers=auth(second)).status_code == 401
    assert client.delete("/api/v1/me/sessions/nope", headers=auth(first)).status_code == 404


def test_session_expires_when_idle(client: TestClient, clock: ManualClock) -> None:
    sign_up(client)
    token = login(client)
    clock.advance(29 * 60)
    assert client.get("/api/v1/me", headers=auth(token)).status_code == 200
    clock.advance(31 * 60)
    assert client.get("/api/v1/me", headers=auth(token)).status_code == 401


def test_change_password_revokes_other_sessions(client: TestClient) -> None:
    sign_up(client)
    mine, other = login(client), login(client)
    wrong = client.post("/api/v1/me/password", headers=auth(mine),
                        json={"old_password": "nope", "new_password": "MoiHon2027!"})
    assert wrong.status_code == 401
    ok = client.post("/api/v1/me/password", headers=auth(mine),
                     json={"old_password": PASSWORD, "new_password": "MoiHon2027!"})
    assert ok.status_code == 204
    assert client.get("/api/v1/me", headers=auth(mine)).status_code == 200
    assert client.get("/api/v1/me", headers=auth(other)).status_code == 401
    assert login(client, password="MoiHon2027!")


def test_change_pin_needs_old_pin_and_sms_code(client: TestClient, container: Container) -> None:
    account = sign_up(client)
    token = login(client)
    sent = client.post("/api/v1/otp/send", headers=auth(token), json={"purpose": "PIN_CHANGE"})
    assert sent.status_code == 202 and sent.json()["destination"].endswith("71")
    assert sent.json()["expires_in"] == 300 and sent.json()["resend_after"] == 60
    code = last_code(container, account["id"], "PIN_CHANGE")
    body = {"old_pin": PIN, "new_pin": "975310", "otp": code}
    wrong_pin = client.post("/api/v1/me/pin", headers=auth(token),
                            json=body | {"old_pin": "000001"})
    assert wrong_pin.status_code == 401 and wrong_pin.json()["error"] == "invalid_pin"
    wrong_otp = client.post("/api/v1/me/pin", headers=auth(token),
                            json=body | {"otp": f"{(int(code) + 1) % 10**6:06d}"})
    assert wrong_otp.status_code == 400 and wrong_otp.json()["error"] == "invalid_otp"
    assert client.post("/api/v1/me/pin", headers=auth(token), json=body).status_code == 204
    replay = client.post("/api/v1/me/pin", headers=auth(token), json=body | {"old_pin": "975310"})
    assert replay.status_code == 410 and replay.json()["error"] == "expired_otp"


def test_errors_in_english_on_request(client: TestClient) -> None:
    r = client.get("/api/v1/me", headers={"Accept-Language": "en-US"})
    assert r.status_code == 401 and "log in again" in r.json()["error_description"]
    r = client.get("/api/v1/me")
    assert "đăng nhập lại" in r.json()["error_description"]
