"""Sign-up over HTTP: codes to the phone and the email before the account is active, and an
answer that never says whether the phone or email is registered already."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from kyso.bootstrap import Container, bootstrap, init_home
from kyso.clock import ManualClock
from kyso.config import Settings
from kyso.entrypoints.api.app import create_app
from tests.conftest import FAST_HASHER
from tests.integration.api.conftest import PASSWORD, PIN, last_code, sign_up

FORM = {"full_name": "Trần Thị Bình", "phone": "0987654321", "email": "binh@example.vn",
        "password": PASSWORD, "pin": PIN}


def start(client: TestClient, **changes: Any) -> dict[str, Any]:
    r = client.post("/api/v1/signup", json=FORM | changes)
    assert r.status_code == 202, r.text
    return dict(r.json())


def codes(container: Container, signup_id: str) -> dict[str, str]:
    return {"phone_code": last_code(container, signup_id, "SIGNUP_PHONE"),
            "email_code": last_code(container, signup_id, "SIGNUP_EMAIL")}


def test_the_account_is_active_once_both_codes_are_given(
        client: TestClient, container: Container) -> None:
    pending = start(client)
    assert pending["phone"] == "+849******21" and pending["email"] == "b***@example.vn"
    login = {"login": "0987654321", "password": PASSWORD}
    early = client.post("/api/v1/auth/login", json=login)
    assert early.status_code == 423 and early.json()["error"] == "account_pending"
    right = codes(container, pending["id"])
    wrong = client.post(f"/api/v1/signup/{pending['id']}/verify",
                        json=right | {"email_code": "000000" if right["email_code"] != "000000"
                                      else "111111"})
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_otp"
    done = client.post(f"/api/v1/signup/{pending['id']}/verify", json=right)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "active" and done.json()["id_number"] is None
    assert client.post("/api/v1/auth/login", json=login).status_code == 200
    again = client.post(f"/api/v1/signup/{pending['id']}/verify", json=right)
    assert again.status_code == 400  # once


def test_a_registered_phone_gets_the_same_answer_and_its_owner_is_told(
        client: TestClient, container: Container) -> None:
    owner = sign_up(client)  # phone 0912345671, khach1@example.vn
    pending = start(client, phone="0912345671", email="la@example.vn")
    assert set(pending) == {"id", "phone", "email", "expires_at", "resend_after"}
    assert pending["resend_after"] == container.settings.otp_resend_seconds  # as for a new one
    assert pending["phone"] == "+849******71"
    told = last_told(container, owner["id"])
    assert "Có người vừa dùng số điện thoại của Quý khách" in told
    r = client.post(f"/api/v1/signup/{pending['id']}/verify",
                    json={"phone_code": "123456", "email_code": "123456"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_otp"
    resent = client.post(f"/api/v1/signup/{pending['id']}/resend", json={"channel": "sms"})
    assert resent.status_code == 200
    assert set(resent.json()) == {"expires_at", "resend_after"}  # as for a real sign-up
    login = client.post("/api/v1/auth/login", json={"login": "la@example.vn",
                                                     "password": PASSWORD})
    assert login.status_code == 401


def test_an_unproven_sign_up_does_not_hold_the_phone(
        client: TestClient, container: Container) -> None:
    squatter = start(client, email="ke.gian@example.vn")
    mine = start(client)
    stale = client.post(f"/api/v1/signup/{squatter['id']}/verify",
                        json=codes(container, squatter["id"]))
    assert stale.status_code == 400
    assert client.post(f"/api/v1/signup/{mine['id']}/verify",
                       json=codes(container, mine["id"])).status_code == 200


def test_weak_secrets_are_refused_in_vietnamese(client: TestClient) -> None:
    r = client.post("/api/v1/signup", json=FORM | {"pin": "123456"})
    assert r.status_code == 400 and r.json()["error"] == "weak_pin"
    assert "Mã PIN" in r.json()["error_description"]
    r = client.post("/api/v1/signup", json=FORM | {"password": "matkhau"})
    assert r.status_code == 400 and r.json()["error"] == "weak_password"


def last_told(container: Container, account_id: str) -> str:
    container.outbox_worker().run_once()
    with container.uow() as uow:
        for message in uow.outbox.recent(50):
            if message.account_id == account_id and message.purpose == "SIGNUP_EXISTING":
                return container.notifier.open_body(message).text
    raise AssertionError("the owner was not told")


def test_the_direct_account_creation_is_closed_when_the_settings_say_so(
        tmp_path: Path, db_url: str, clock: ManualClock) -> None:
    settings = Settings(home=tmp_path / "closed", database_url=db_url, direct_signup=False)
    init_home(settings)
    closed = bootstrap(settings, clock=clock, hasher=FAST_HASHER)
    try:
        with TestClient(create_app(closed), raise_server_exceptions=False) as client:
            r = client.post("/api/v1/accounts", json={
                "username": "tuxung", "password": PASSWORD, "pin": PIN, "full_name": "Tự Xưng",
                "phone": "0911222333", "email": "tx@example.vn", "id_number": "001091000009"})
            assert r.status_code == 403 and r.json()["error"] == "signup_with_codes", r.text
            assert client.post("/api/v1/signup", json=FORM).status_code == 202
    finally:
        closed.close()
