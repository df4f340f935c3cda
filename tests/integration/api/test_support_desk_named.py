"""With ``KYSO_SUPPORT_PHONE``/``KYSO_SUPPORT_EMAIL`` set, what sends a customer to the support
desk names it: an error description on screen, a notice in the inbox, by SMS and by email, the
SmartOTP terms."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kyso.bootstrap import Container
from kyso.clock import ManualClock
from kyso.config import Settings
from tests.integration.api.conftest import PIN, auth, last_code, login, sign_up
from tests.integration.api.smartotp_helpers import enrol

DESK_VI = "tổng đài hỗ trợ 1900 54 54 54 (email hotro@ca.example.vn)"
DESK_EN = "the support desk on 1900 54 54 54 (email hotro@ca.example.vn)"


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(home=tmp_path / "home", database_url=db_url,
                    support_phone="1900 54 54 54", support_email="hotro@ca.example.vn")


def test_a_locked_token_names_the_desk_on_screen_and_in_the_inbox(
        client: TestClient, container: Container, clock: ManualClock) -> None:
    account_id = sign_up(client)["id"]
    token = login(client)
    clock.set(clock.now().replace(second=1))
    device = enrol(client, container, token, account_id, clock)
    wrong = f"{(int(device.code()) + 1) % 10**6:06d}"
    for _ in range(5):
        last = client.post("/api/v1/smartotp/verify", headers=auth(token), json={"code": wrong})
    assert last.status_code == 423
    assert f"Vui lòng liên hệ {DESK_VI} hoặc đặt lại PIN SmartOTP." in (
        last.json()["error_description"])
    english = client.post("/api/v1/smartotp/verify", json={"code": wrong},
                          headers=auth(token) | {"Accept-Language": "en"})
    assert f"Contact {DESK_EN}" in english.json()["error_description"]
    inbox = client.get("/api/v1/notifications", headers=auth(token)).json()
    locked = next(n for n in inbox if n["title"] == "SmartOTP đã bị khóa")
    assert f"Vui lòng liên hệ {DESK_VI} hoặc đặt lại PIN SmartOTP." in locked["body"]
    assert "{desk}" not in str(inbox)


def test_a_security_notice_by_sms_and_email_names_the_desk(client: TestClient,
                                                           container: Container) -> None:
    account = sign_up(client)
    client.post("/api/v1/recovery/password/code", json={"login": "khach1"})
    code = last_code(container, account["id"], "PASSWORD_RESET")
    r = client.post("/api/v1/recovery/password", json={"login": "khach1", "code": code,
                                                       "pin": PIN,
                                                       "new_password": "Doimatkhau2027"})
    assert r.status_code == 204, r.text
    container.outbox_worker().run_once()
    with container.uow() as uow:
        told = [container.notifier.open_body(m).text for m in uow.outbox.recent(50)
                if m.account_id == account["id"] and m.purpose == "ACCOUNT_SECURITY"]
    assert len(told) == 2  # the SMS and the email
    for text in told:
        assert f"hãy liên hệ ngay {DESK_VI} để khóa tài khoản." in text, text


def test_the_smartotp_terms_name_the_desk(client: TestClient) -> None:
    terms = client.get("/api/v1/smartotp/terms").json()
    assert terms["text_vi"].endswith(f"liên hệ {DESK_VI}.")
    assert terms["text_en"].endswith(f"contact {DESK_EN}.")
