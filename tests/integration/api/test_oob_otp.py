"""Out-of-band codes: expiry, single use, attempt limit, resend cool-down, hourly cap."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kyso.adapters.db.tables.otp import otp_codes
from kyso.bootstrap import Container
from kyso.clock import ManualClock
from kyso.errors import KysoError
from kyso.otp.errors import InvalidOtp, OtpExpired
from kyso.otp.model import Purpose
from tests.integration.api.conftest import auth, last_code, login, sign_up


@pytest.fixture
def customer(client: TestClient) -> tuple[str, str]:
    account = sign_up(client)
    return str(account["id"]), login(client)


def _send(client: TestClient, token: str, purpose: str = "SMARTOTP_REGISTER", **extra: str):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/otp/send", headers=auth(token), json={"purpose": purpose} | extra)


def _verify(container: Container, account_id: str, code: str,
            purpose: Purpose = Purpose.SMARTOTP_REGISTER) -> None:
    with container.uow() as uow:
        try:
            container.oob.verify(uow, account_id, purpose, code)
        finally:
            uow.commit()


def test_message_states_the_purpose_in_vietnamese(client: TestClient, container: Container,
                                                  customer: tuple[str, str]) -> None:
    _, token = customer
    assert _send(client, token).status_code == 202
    container.outbox_worker().run_once()
    with container.uow() as uow:
        text = container.notifier.open_body(uow.outbox.recent(1)[0]).text
    assert "Mã OTP để đăng ký SmartOTP là" in text
    assert "có hiệu lực 5 phút" in text and "không chia sẻ mã này" in text


def test_code_is_stored_only_as_a_mac(container: Container, client: TestClient,
                                      customer: tuple[str, str]) -> None:
    account_id, token = customer
    _send(client, token)
    code = last_code(container, account_id, "SMARTOTP_REGISTER")
    with container.engine.connect() as conn:
        row = conn.execute(select(otp_codes)).one()
    assert code not in str(tuple(row))


def test_single_use(client: TestClient, container: Container, customer: tuple[str, str]) -> None:
    account_id, token = customer
    _send(client, token)
    code = last_code(container, account_id, "SMARTOTP_REGISTER")
    _verify(container, account_id, code)
    with pytest.raises(OtpExpired):
        _verify(container, account_id, code)


def test_expires_after_ttl(client: TestClient, container: Container, clock: ManualClock,
                           customer: tuple[str, str]) -> None:
    account_id, token = customer
    _send(client, token)
    code = last_code(container, account_id, "SMARTOTP_REGISTER")
    clock.advance(301)
    with pytest.raises(OtpExpired):
        _verify(container, account_id, code)


def test_five_wrong_tries_burn_the_code(client: TestClient, container: Container,
                                        customer: tuple[str, str]) -> None:
    account_id, token = customer
    _send(client, token)
    code = last_code(container, account_id, "SMARTOTP_REGISTER")
    wrong = f"{(int(code) + 7) % 10**6:06d}"
    for _ in range(5):
        with pytest.raises(InvalidOtp):
            _verify(container, account_id, wrong)
    with pytest.raises(OtpExpired):
        _verify(container, account_id, code)  # even the right code is dead now


def test_code_for_one_purpose_does_not_serve_another(
    client: TestClient, container: Container, customer: tuple[str, str]
) -> None:
    account_id, token = customer
    _send(client, token, "PIN_RESET")
    code = last_code(container, account_id, "PIN_RESET")
    with pytest.raises(OtpExpired):
        _verify(container, account_id, code, Purpose.SMARTOTP_REGISTER)
    _verify(container, account_id, code, Purpose.PIN_RESET)


def test_resend_cool_down_and_supersede(client: TestClient, container: Container,
                                        clock: ManualClock, customer: tuple[str, str]) -> None:
    account_id, token = customer
    _send(client, token)
    first = last_code(container, account_id, "SMARTOTP_REGISTER")
    too_soon = _send(client, token)
    assert too_soon.status_code == 429 and too_soon.json()["error"] == "resend_too_soon"
    assert 1 <= int(too_soon.headers["Retry-After"]) <= 60
    clock.advance(60)
    assert _send(client, token).status_code == 202
    second = last_code(container, account_id, "SMARTOTP_REGISTER")
    if first != second:
        with pytest.raises(KysoError):
            _verify(container, account_id, first)
    _verify(container, account_id, second)


def test_the_last_moment_of_a_cool_down_still_says_one_second(
        client: TestClient, clock: ManualClock, customer: tuple[str, str]) -> None:
    """A fraction of a second left rounds up: nobody is told to wait 0 seconds."""
    _, token = customer
    assert _send(client, token).status_code == 202
    clock.advance(59.9996)
    too_soon = _send(client, token)
    assert too_soon.status_code == 429 and too_soon.headers["Retry-After"] == "1"
    assert "0 giây" not in too_soon.json()["error_description"]


def test_at_most_five_sends_an_hour(client: TestClient, clock: ManualClock,
                                    customer: tuple[str, str]) -> None:
    _, token = customer
    for _ in range(5):
        assert _send(client, token).status_code == 202
        clock.advance(61)
    capped = _send(client, token)
    assert capped.status_code == 429 and capped.json()["error"] == "otp_send_limit"
    assert _send(client, token, "PIN_RESET").status_code == 202  # per purpose
    clock.advance(3600)
    assert _send(client, login(client)).status_code == 202


def test_email_channel(client: TestClient, container: Container,
                       customer: tuple[str, str]) -> None:
    account_id, token = customer
    sent = _send(client, token, channel="email")
    assert sent.status_code == 202 and sent.json()["destination"].endswith("@example.vn")
    assert len(last_code(container, account_id, "SMARTOTP_REGISTER")) == 6


def test_unknown_purpose_or_channel_refused(client: TestClient, customer: tuple[str, str]) -> None:
    _, token = customer
    assert _send(client, token, "STEAL").status_code == 400
    assert _send(client, token, channel="pigeon").status_code == 400
