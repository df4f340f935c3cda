"""Both secrets lost, over HTTP: the phone proven, the ID images sent, an officer's decision
next to the approved registration, a new password and account PIN with the approval's code;
limits, expiry, no account enumeration, audited and told to the owner."""

from __future__ import annotations

import os
import struct
import uuid
from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from kyso.accounts.model import Role
from kyso.accounts.service import NewAccount
from kyso.bootstrap import Container
from kyso.clock import ManualClock
from kyso.entrypoints.api.app import create_app
from kyso.onboarding.identity import IdDocument, IdType, Sex
from kyso.onboarding.model import Contact, EkycImages, Owner, Registration
from kyso.onboarding.states import State
from tests.integration.api.conftest import PASSWORD, PIN, auth, last_code, login, sign_up

BASE = "/api/v1/recovery/identity"
NEW_PASSWORD = "Khoiphuc2027"
NEW_PIN = "580314"


def png(width: int = 640, height: int = 480) -> bytes:
    return (b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" + struct.pack(">II", width, height)
            + os.urandom(64))


def approved_registration(container: Container, account_id: str,
                          full_name: str = "Nguyễn Văn An",
                          images: tuple[bytes, bytes, bytes] | None = None,
                          id_number: str = "001091000001") -> Registration:
    """What an approved registration leaves: the card's data and its sealed images."""
    now = container.clock.now()
    owner = Owner(full_name, date(1991, 3, 4), Sex("M"),
                  IdDocument(IdType("CCCD"), id_number, date(2025, 1, 2), date(2031, 3, 4)))
    contact = Contact("khach1@example.vn", "+84912345671", "12 Trần Duy Hưng", "Hà Nội",
                      "Cầu Giấy")
    files = images or (png(), png(), png())
    stored = EkycImages(*(container.onboarding_blobs.put(d) for d in files))
    registration = Registration(str(uuid.uuid4()), account_id, owner, contact, "citizen-free-1y",
                                f"device-{uuid.uuid4().hex[:12]}", now, now, state=State.APPROVED,
                                images=stored)
    with container.uow() as uow:
        uow.onboarding.add(registration)
        uow.commit()
    return registration


def staff(container: Container, client: TestClient, role: Role = Role.SUPPORT,
          name: str = "hotro") -> dict[str, str]:
    container.accounts.sign_up(NewAccount(name, PASSWORD, PIN, "Cán bộ hỗ trợ", "0900000077",
                                          f"{name}@ca.vn", role=role))
    return auth(login(client, name))


def security_texts(container: Container, account_id: str) -> list[str]:
    container.outbox_worker().run_once()
    with container.uow() as uow:
        return [container.notifier.open_body(m).text for m in uow.outbox.recent(100)
                if m.account_id == account_id and m.purpose == "ACCOUNT_SECURITY"]


def approval_code(container: Container, account_id: str) -> str:
    for text in security_texts(container, account_id):
        for word in text.split():
            if word.isdigit() and len(word) == 8:
                return word
    raise AssertionError("no approval code sent")


def actions(container: Container) -> list[str]:
    with container.uow() as uow:
        return [r.event.action for r in uow.audit.records()]


def to_review(client: TestClient, container: Container, login_name: str,
              account_id: str) -> tuple[str, str]:
    """Open a case, prove the phone, send the images: (case id, token)."""
    opened = client.post(BASE, json={"login": login_name})
    assert opened.status_code == 202, opened.text
    case_id = opened.json()["id"]
    code = last_code(container, account_id, "IDENTITY_RECOVERY")
    proven = client.post(f"{BASE}/{case_id}/phone", json={"code": code})
    assert proven.status_code == 200, proven.text
    token = proven.json()["token"]
    sent = upload(client, case_id, token, png(), png(), png())
    assert sent.status_code == 200, sent.text
    assert sent.json()["state"] == "under_review"
    return case_id, token


def upload(client: TestClient, case_id: str, token: str, *images: bytes) -> Any:
    files = {name: (f"{name}.png", data, "image/png")
             for name, data in zip(("front", "back", "portrait"), images, strict=True)}
    return client.post(f"{BASE}/images", files=files,
                       headers={"X-Recovery-Case": case_id, "X-Recovery-Token": token})


def test_the_officer_checks_the_identity_and_the_customer_sets_a_new_password_and_pin(
        client: TestClient, container: Container) -> None:
    account = sign_up(client)
    old_session = login(client)
    registration = approved_registration(container, account["id"])
    officer = staff(container, client)

    case_id, token = to_review(client, container, "0912345671", account["id"])
    status = client.get(f"{BASE}/{case_id}", headers={"X-Recovery-Token": token}).json()
    assert status["state_vi"] == "Chờ cán bộ kiểm tra" and status["reason"] is None
    stranger = upload(client, case_id, "x" * 43, png(), png(), png())  # body left unread
    assert stranger.status_code == 404 and stranger.json()["error"] == "recovery_not_found"
    late = upload(client, case_id, token, png(), png(), png())  # under review already
    assert late.status_code == 409 and late.json()["error"] == "recovery_wrong_state"
    assert client.get(f"{BASE}/{case_id}",
                      headers={"X-Recovery-Token": "x" * 43}).status_code == 404

    queue = client.get("/api/v1/ra/recoveries", headers=officer).json()
    [case] = [c for c in queue if c["id"] == case_id]
    assert case["registration"]["id"] == registration.id
    assert case["registration"]["id_number"] == "001091000001"
    assert case["registration"]["expiry_date"] == "2031-03-04"
    for which in ("front", "portrait", "registration_front", "registration_portrait"):
        image = client.get(f"/api/v1/ra/recoveries/{case_id}/images/{which}", headers=officer)
        assert image.status_code == 200 and image.content.startswith(b"\x89PNG"), which
    customer = auth(old_session)
    assert client.get("/api/v1/ra/recoveries", headers=customer).status_code == 403

    approved = client.post(f"/api/v1/ra/recoveries/{case_id}/approve", headers=officer)
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    again = client.post(f"/api/v1/ra/recoveries/{case_id}/approve", headers=officer)
    assert again.status_code == 409 and again.json()["error"] == "recovery_wrong_state"
    code = approval_code(container, account["id"])

    body = {"login": "khach1", "code": code, "new_password": NEW_PASSWORD, "new_pin": NEW_PIN}
    weak = client.post(f"{BASE}/complete", json=body | {"new_pin": "111111"})
    assert weak.status_code == 400 and weak.json()["error"] == "weak_pin"
    wrong = client.post(f"{BASE}/complete", json=body | {"code": "00000000"})
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_otp"
    too_weak = client.post(f"{BASE}/complete", json=body | {"code": "00000000",
                                                            "new_password": "abc"})
    assert too_weak.json()["error"] == "invalid_otp"  # the code first: nothing else is told
    weak_pw = client.post(f"{BASE}/complete", json=body | {"new_password": "abc"})
    assert weak_pw.status_code == 400 and weak_pw.json()["error"] == "weak_password"
    done = client.post(f"{BASE}/complete", json=body)
    assert done.status_code == 204, done.text
    assert client.get("/api/v1/me", headers=customer).status_code == 401  # sessions ended
    fresh = login(client, password=NEW_PASSWORD)
    with container.uow() as uow:
        container.accounts.verify_pin(uow, account["id"], NEW_PIN)  # the new PIN holds
    assert client.post(f"{BASE}/complete", json=body).json()["error"] == "invalid_otp"  # once

    assert [a for a in actions(container) if a.startswith("accounts.recovery_")] == [
        "accounts.recovery_opened", "accounts.recovery_phone_proven",
        "accounts.recovery_submitted", "accounts.recovery_approved",
        "accounts.recovery_code_refused", "accounts.recovery_code_refused",
        "accounts.recovery_completed", "accounts.recovery_code_refused"]
    told = " ".join(security_texts(container, account["id"]))
    for step in ("Có yêu cầu khôi phục tài khoản", "Số điện thoại đã được xác minh",
                 "đã được gửi tới cán bộ", "đã được duyệt",
                 "Mật khẩu và mã PIN tài khoản của Quý khách vừa được đặt lại"):
        assert step in told, step
    inbox = client.get("/api/v1/notifications", headers=auth(fresh)).text
    assert code not in inbox  # the code goes to the phone and the email only


def test_an_unknown_login_is_answered_like_a_known_one(
        client: TestClient, container: Container, clock: ManualClock) -> None:
    sign_up(client)
    known = client.post(BASE, json={"login": "khach1@example.vn"})
    unknown = client.post(BASE, json={"login": "ai@dokhong.vn"})
    assert known.status_code == unknown.status_code == 202
    assert set(known.json()) == set(unknown.json())

    def tries(case_id: str) -> list[str]:
        errors = []
        for _ in range(7):
            r = client.post(f"{BASE}/{case_id}/phone", json={"code": "000000"})
            errors.append(r.json()["error"])
            clock.advance(3)
        return errors

    start = clock.now()
    tried_known = tries(known.json()["id"])
    clock.set(start)
    tried_unknown = tries(unknown.json()["id"])
    assert tried_known == tried_unknown, (tried_known, tried_unknown)
    assert tried_known.count("invalid_otp") == 5 and tried_known[-1] == "expired_otp"
    assert "too_many_requests" in tried_known  # wrong codes back off (per case and address)
    invented = client.post(f"{BASE}/{uuid.uuid4()}/phone", json={"code": "000000"})
    assert invented.json()["error"] == "invalid_otp"
    no_case = {"code": "12345678", "new_password": NEW_PASSWORD, "new_pin": NEW_PIN}
    assert client.post(f"{BASE}/complete", json=no_case | {"login": "khach1"}).json() == \
        client.post(f"{BASE}/complete", json=no_case | {"login": "ai@dokhong.vn"}).json()
    assert "accounts.recovery_unknown" in actions(container)
    clock.advance(3600)
    container.identity_recovery.expire_lapsed()  # the worker closes both lapsed cases
    with container.uow() as uow:
        assert uow.recoveries.get(unknown.json()["id"]) is not None  # closed, kept a day
    clock.advance(2 * 86400)
    container.identity_recovery.expire_lapsed()  # closed phantom cases go after a day
    with container.uow() as uow:
        assert uow.recoveries.get(unknown.json()["id"]) is None
        assert uow.recoveries.get(known.json()["id"]) is not None  # a real one is kept


def test_rejection_refused_images_expiry_and_no_self_handling(
        client: TestClient, container: Container, clock: ManualClock) -> None:
    account = sign_up(client)
    approved_registration(container, account["id"])
    officer = staff(container, client, Role.RA_OFFICER, "thamdinh")

    case_id, token = to_review(client, container, "khach1", account["id"])
    short = client.post(f"/api/v1/ra/recoveries/{case_id}/reject", headers=officer,
                        json={"reason": "x"})
    assert short.status_code == 400
    rejected = client.post(f"/api/v1/ra/recoveries/{case_id}/reject", headers=officer,
                           json={"reason": "Ảnh chân dung không khớp với hồ sơ"})
    assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"
    status = client.get(f"{BASE}/{case_id}", headers={"X-Recovery-Token": token}).json()
    assert status["reason"] == "Ảnh chân dung không khớp với hồ sơ"
    assert any("Lý do: Ảnh chân dung không khớp" in t
               for t in security_texts(container, account["id"]))

    clock.advance(61)  # the next SMS code may go
    opened = client.post(BASE, json={"login": "khach1"}).json()
    code = last_code(container, account["id"], "IDENTITY_RECOVERY")
    token = client.post(f"{BASE}/{opened['id']}/phone", json={"code": code}).json()["token"]
    same = png()
    errors = [upload(client, opened["id"], token, same, same, png()).json() for _ in range(3)]
    assert [e["error"] for e in errors[:2]] == ["recovery_images_refused"] * 2
    assert "Còn 1 lần thử" in errors[1]["error_description"]
    assert errors[2]["error"] == "recovery_images_refused"
    failed = client.get(f"{BASE}/{opened['id']}", headers={"X-Recovery-Token": token}).json()
    assert failed["state"] == "failed"

    clock.advance(61)
    lapsing = client.post(BASE, json={"login": "khach1"}).json()
    code = last_code(container, account["id"], "IDENTITY_RECOVERY")
    clock.advance(11 * 60)
    late = client.post(f"{BASE}/{lapsing['id']}/phone", json={"code": code})
    assert late.status_code == 410 and late.json()["error"] == "recovery_expired"

    # the officer's own account: the case is theirs to send, not to decide
    with container.uow() as uow:
        officer_id = uow.accounts.find_by_login("thamdinh").id  # type: ignore[union-attr]
    clock.advance(120)
    own_id, _ = to_review(client, container, "thamdinh", officer_id)
    own = client.post(f"/api/v1/ra/recoveries/{own_id}/approve", headers=officer)
    assert own.status_code == 403 and own.json()["error"] == "own_account"
    assert "accounts.recovery_own_refused" in actions(container)
    clock.advance(8 * 86400)
    assert container.identity_recovery.expire_lapsed() >= 1  # the worker's chore
    with container.uow() as uow:
        swept = uow.recoveries.get(own_id)
    assert swept is not None and swept.state.value == "expired"
    assert any("đã hết hạn" in t for t in security_texts(container, officer_id))
    officer = auth(login(client, "thamdinh"))  # a new day's session
    assert client.get("/api/v1/ra/recoveries", headers=officer).json() == []  # expired
    expired = client.get(f"/api/v1/ra/recoveries/{own_id}", headers=officer).json()
    assert expired["state"] == "expired"


def test_openings_are_limited_by_login_and_address_without_locking_the_owner_out(
        container: Container, clock: ManualClock) -> None:
    app = create_app(container)
    with TestClient(app, raise_server_exceptions=False, client=("203.0.113.9", 5000)) as stranger, \
            TestClient(app, raise_server_exceptions=False, client=("198.51.100.7", 5000)) as owner:
        account = sign_up(owner)
        answers = [stranger.post(BASE, json={"login": "khach1"}).status_code for _ in range(5)]
        assert answers[:3] == [202] * 3 and answers[-1] == 429  # backs off after three
        unknown = [stranger.post(BASE, json={"login": "khach9"}).status_code for _ in range(5)]
        assert unknown == answers  # the same for a login that does not exist
        assert owner.post(BASE, json={"login": "khach1"}).status_code == 202  # not locked out
        told = security_texts(container, account["id"])
        assert sum("Có yêu cầu khôi phục tài khoản" in t for t in told) >= 4
        clock.advance(2 * 3600)
        assert stranger.post(BASE, json={"login": "khach1"}).status_code == 202


def test_a_case_with_no_approved_registration_cannot_be_approved(
        client: TestClient, container: Container) -> None:
    """Nothing to compare the images with (the console hides the button; the API refuses)."""
    account = sign_up(client, n=3)
    officer = staff(container, client, Role.RA_OFFICER, "thamdinh3")
    case_id, _ = to_review(client, container, account["username"], account["id"])
    refused = client.post(f"/api/v1/ra/recoveries/{case_id}/approve", headers=officer)
    assert refused.status_code == 409 and refused.json()["error"] == "recovery_no_registration"
    assert "chưa có hồ sơ đăng ký" in refused.json()["error_description"]
    assert "accounts.recovery_approved" not in actions(container)
    still = client.get(f"/api/v1/ra/recoveries/{case_id}", headers=officer).json()
    assert still["state"] == "under_review"  # a rejection with a reason remains possible
