"""Onboarding over the HTTP API on a real database: register with the card's data,
activate, eKYC, accept the contract with an OTP, officer approval, the acceptance record
signed with the new key — and every refusal on the way."""

from __future__ import annotations

import base64
import hashlib
import io
import os
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from kyso.accounts.model import Role
from kyso.accounts.service import NewAccount
from kyso.bootstrap import Container
from kyso.clock import ManualClock
from kyso.onboarding.errors import OwnRegistration
from tests.integration.api.conftest import PASSWORD, PIN, auth, last_code, login, sign_up
from tests.integration.api.smartotp_helpers import Device, enrol
from tests.integration.billing.conftest import pay
from tests.integration.documents.pdfs import sample_pdf

BASE = "/api/v1/onboarding/registration"


def png(width: int = 640, height: int = 480) -> bytes:
    """A whole PNG of a random colour (no two alike), which a browser shows: the officer's
    screens in the screenshots show a picture, not a broken one."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), tuple(os.urandom(3))).save(out, "PNG")
    return out.getvalue()


def form(clock: ManualClock, **changes: Any) -> dict[str, Any]:
    today = clock.now().date()
    return {"full_name": "Nguyễn Văn An", "birth_date": "1991-03-04", "sex": "M",
            "id_type": "CCCD", "id_number": "001091000001",
            "issue_date": str(today - timedelta(days=400)),
            "expiry_date": str(today + timedelta(days=3000)), "email": "an@example.vn",
            "phone": "0912345671", "address": "12 Trần Duy Hưng", "province": "Hà Nội",
            "locality": "Cầu Giấy", "package": "citizen-free-1y", "device_id": "device-0001",
            } | changes


def officer(container: Container, client: TestClient) -> dict[str, str]:
    container.accounts.sign_up(NewAccount("thamdinh", PASSWORD, PIN, "Cán bộ RA",
                                          "0900000088", "ra@ca.vn", role=Role.RA_OFFICER))
    return auth(login(client, "thamdinh"))


def to_review(client: TestClient, container: Container, clock: ManualClock, **account_fields: Any
              ) -> tuple[str, dict[str, str], Device]:
    account = sign_up(client, **account_fields)
    headers = auth(login(client))
    device = enrol(client, container, login(client), account["id"], clock)
    r = client.post(BASE, json=form(clock), headers=headers)
    assert r.status_code == 201, r.text
    assert r.json()["state"] == "awaiting_activation"
    code = last_code(container, account["id"], "ONBOARDING_ACTIVATION")
    r = client.post(f"{BASE}/activation", json={"code": code}, headers=headers)
    assert r.json()["state"] == "awaiting_ekyc", r.text
    files = {name: (f"{name}.png", png(), "image/png") for name in ("front", "back", "portrait")}
    r = client.post(f"{BASE}/ekyc", files=files, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "awaiting_contract"
    assert r.json()["checks"]["face"] == "referred"
    pdf = client.get(f"{BASE}/contract", headers=headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    tx = client.post(f"{BASE}/contract/accept", headers=headers).json()
    r = client.post(f"/api/v1/transactions/{tx['id']}/confirm",
                    json={"otp": device.answer(tx)}, headers=headers)
    assert r.status_code == 200, r.text
    assert client.get(BASE, headers=headers).json()["state"] == "under_review"
    return account["id"], headers, device


def test_the_whole_registration_to_an_active_certificate(
        client: TestClient, container: Container, clock: ManualClock) -> None:
    account_id, headers, device = to_review(client, container, clock)
    sealed = client.get(f"{BASE}/contract", headers=headers).content
    seal = client.post("/api/v1/validate", content=sealed,
                       headers=headers | {"Content-Type": "application/pdf"}).json()
    [stamp] = seal["signatures"]
    assert stamp["valid"] and stamp["trusted"] and stamp["timestamp"] is not None, stamp
    assert "Electronic Seal" in (stamp["signer"] or "")
    ra = officer(container, client)
    queue = client.get("/api/v1/ra/registrations", headers=ra).json()
    assert [c["account_id"] for c in queue] == [account_id]
    case = queue[0]
    assert client.get(f"/api/v1/ra/registrations/{case['id']}/images/front",
                      headers=ra).status_code == 200
    # the officer reads the very contract the customer accepted (kyso's sealed copy)
    read = client.get(f"/api/v1/ra/registrations/{case['id']}/contract", headers=ra)
    assert read.status_code == 200 and read.headers["content-type"] == "application/pdf"
    assert read.content == sealed and case["contract_seal"] == "sealed"
    assert client.get(f"/api/v1/ra/registrations/{case['id']}/contract",
                      headers=headers).status_code == 403  # not the customer's way in
    r = client.post(f"/api/v1/ra/registrations/{case['id']}/approve", headers=ra)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "approved"
    inbox = client.get("/api/v1/notifications", headers=headers).json()
    assert "Yêu cầu cấp chứng thư số đã được duyệt" in str(inbox)
    # awaiting acceptance: the new certificate signs nothing else
    # (the free package has no signatures: the upload says so before any confirmation)
    up = client.post("/api/v1/documents", content=sample_pdf(), headers=headers
                     | {"Content-Type": "application/pdf"})
    assert up.status_code == 409 and up.json()["error"] == "out_of_signatures", up.text
    assert _csc_sign(client, device).status_code == 400  # nor through the CSC API
    clock.advance(30)
    # the acceptance record, signed with the new key under SmartOTP
    r = client.post(f"{BASE}/acceptance", headers=headers)
    assert r.status_code == 201, r.text
    tx = r.json()["transaction"]
    assert tx["method"] == "smartotp"
    r = client.post(f"/api/v1/transactions/{tx['id']}/confirm",
                    json={"otp": device.answer(tx)}, headers=headers)
    assert r.status_code == 200, r.text
    assert client.get(BASE, headers=headers).json()["state"] == "active"
    record = client.get(f"{BASE}/acceptance", headers=headers)
    assert record.status_code == 200 and b"/ByteRange" in record.content
    report = client.post("/api/v1/validate", content=record.content,
                         headers=headers | {"Content-Type": "application/pdf"}).json()
    assert report["signatures"][0]["signer"] == "Nguyễn Văn An"
    # the record was free; the free offer has no signatures: a pack, then it signs
    cert = client.get("/api/v1/billing/certificates", headers=headers).json()[0]
    assert "Miễn phí" in cert["package"] and cert["available_signatures"] == 0
    bought = client.post("/api/v1/billing/orders", headers=headers,
                         json={"product": "pack-10", "credential_id": cert["credential_id"]})
    url = client.post(f"/api/v1/billing/orders/{bought.json()['id']}/payment",
                      headers=headers).json()["payment_url"]
    assert pay(client, url, "atm", "succeed").status_code == 200
    up = client.post("/api/v1/documents", content=sample_pdf(), headers=headers
                     | {"Content-Type": "application/pdf"})
    tx = up.json()["transaction"]
    ok = client.post(f"/api/v1/transactions/{tx['id']}/confirm",
                     json={"otp": device.answer(tx)}, headers=headers)
    assert ok.status_code == 200, ok.text


def test_a_paid_package_waits_for_payment_then_goes_on(
        client: TestClient, container: Container, clock: ManualClock) -> None:
    sign_up(client)
    headers = auth(login(client))
    r = client.post(BASE, json=form(clock, package="per-signature-1y"), headers=headers)
    assert r.status_code == 201 and r.json()["state"] == "awaiting_payment", r.text
    order_id = r.json()["order_id"]
    assert client.post(f"{BASE}/payment", headers=headers).json()["state"] == "awaiting_payment"
    url = client.post(f"/api/v1/billing/orders/{order_id}/payment",
                      headers=headers).json()["payment_url"]
    assert pay(client, url, "ewallet", "succeed").status_code == 200
    paid = client.post(f"{BASE}/payment", headers=headers)
    assert paid.json()["state"] == "awaiting_activation", paid.text
    assert client.post(f"{BASE}/payment", headers=headers).status_code == 409  # no replay


def test_officer_rules(client: TestClient, container: Container, clock: ManualClock) -> None:
    account_id, headers, _ = to_review(client, container, clock)
    [case] = container.review.queue(account_id_of_admin(container))
    assert client.get("/api/v1/ra/registrations", headers=headers).status_code == 403
    r = client.post(f"/api/v1/ra/registrations/{case.id}/reject", headers=headers,
                    json={"reason": "tự duyệt"})
    assert r.status_code == 403
    with pytest.raises(OwnRegistration):
        promote(container, account_id)
        container.review.approve(account_id, case.id)
    ra = officer(container, client)
    r = client.post(f"/api/v1/ra/registrations/{case.id}/reject", headers=ra,
                    json={"reason": "Ảnh chân dung bị mờ", "resubmittable": True})
    assert r.json()["state"] == "rejected"
    assert client.post(f"/api/v1/ra/registrations/{case.id}/approve",
                       headers=ra).status_code == 409  # decided once
    mine = client.get(BASE, headers=headers).json()
    assert mine["review_reason"] == "Ảnh chân dung bị mờ" and mine["resubmittable"]
    again = client.post(f"{BASE}/resubmit", headers=headers)
    assert again.json()["state"] == "awaiting_ekyc"
    with container.uow() as uow:
        actions = [r.event.action for r in uow.audit.records()]
    assert "onboarding.reject" in actions and "onboarding.resubmit" in actions


def account_id_of_admin(container: Container) -> str:
    admin = container.accounts.sign_up(NewAccount("quantri", PASSWORD, PIN, "Quản trị",
                                                  "0900000099", "qt@ca.vn", role=Role.ADMIN))
    return admin.id


def promote(container: Container, account_id: str) -> None:
    from dataclasses import replace

    with container.uow() as uow:
        account = uow.accounts.get(account_id)
        assert account is not None
        uow.accounts.save(replace(account, role=Role.RA_OFFICER))
        uow.commit()


def test_refusals_and_no_skipped_steps(client: TestClient, container: Container,
                                       clock: ManualClock) -> None:
    account = sign_up(client)
    headers = auth(login(client))
    bad = client.post(BASE, json=form(clock, id_number="001191000001"), headers=headers)
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_id_number"
    # the reason is in the customer's language too, not English inside a Vietnamese sentence
    assert bad.json()["error_description"] == (
        "Số giấy tờ tùy thân không hợp lệ: chữ số giới tính không khớp với giới tính.")
    english = client.post(BASE, json=form(clock, id_number="001191000001"),
                          headers=headers | {"Accept-Language": "en"}).json()
    assert english["error_description"] == (
        "The ID number is not valid: the sex digit does not match the sex.")
    expired = form(clock, expiry_date=str(clock.now().date() - timedelta(days=1)))
    assert client.post(BASE, json=expired, headers=headers).json()["error"] == "card_expired"
    for package in ("pack-10", "khong-co-goi-nay"):
        wrong = client.post(BASE, json=form(clock, package=package), headers=headers)
        assert wrong.status_code == 409 and wrong.json()["error"] == "package_unavailable"
    r = client.post(BASE, json=form(clock), headers=headers)
    assert r.status_code == 201
    assert client.post(BASE, json=form(clock), headers=headers).status_code == 409
    # no step can be skipped
    for path in ("/contract/accept", "/acceptance", "/resubmit"):
        assert client.post(BASE + path, headers=headers).status_code == 409, path
    files = {n: (f"{n}.png", png(), "image/png") for n in ("front", "back", "portrait")}
    assert client.post(f"{BASE}/ekyc", files=files, headers=headers).status_code == 409
    # wrong activation codes, limited
    for _ in range(5):
        w = client.post(f"{BASE}/activation", json={"code": "000000"}, headers=headers)
        assert w.status_code == 400
    code = last_code(container, account["id"], "ONBOARDING_ACTIVATION")
    locked = client.post(f"{BASE}/activation", json={"code": code}, headers=headers)
    assert locked.status_code == 423
    clock.advance(61)
    assert client.post(f"{BASE}/activation/resend", headers=headers).status_code == 200
    clock.advance(301)
    code = last_code(container, account["id"], "ONBOARDING_ACTIVATION")
    gone = client.post(f"{BASE}/activation", json={"code": code}, headers=headers)
    assert gone.status_code == 410
    # another person with the same ID, or on the same device, is not eligible
    sign_up(client, 2)
    other = auth(login(client, "khach2"))
    same_id = client.post(BASE, json=form(clock, device_id="device-9"), headers=other)
    assert same_id.status_code == 403 and same_id.json()["error"] == "not_eligible"
    same_device = client.post(BASE, json=form(clock, id_number="079191234567",
                                              birth_date="1991-12-01", sex="F",
                                              full_name="Trần Thị Bích"), headers=other)
    assert same_device.status_code == 403


def test_three_failed_ekyc_attempts_reject(client: TestClient, container: Container,
                                           clock: ManualClock) -> None:
    account = sign_up(client)
    headers = auth(login(client))
    client.post(BASE, json=form(clock), headers=headers)
    code = last_code(container, account["id"], "ONBOARDING_ACTIVATION")
    client.post(f"{BASE}/activation", json={"code": code}, headers=headers)
    not_image = {n: (f"{n}.png", b"GIF89a" + os.urandom(40), "image/png")
                 for n in ("front", "back", "portrait")}
    assert client.post(f"{BASE}/ekyc", files=not_image,
                       headers=headers).json()["error"] == "not_an_image"
    small = {n: (f"{n}.png", png(100, 80), "image/png") for n in ("front", "back", "portrait")}
    for expected in (400, 400, 423):
        r = client.post(f"{BASE}/ekyc", files=small, headers=headers)
        assert r.status_code == expected, r.text
    mine = client.get(BASE, headers=headers).json()
    assert mine["state"] == "rejected" and mine["ekyc_attempts"] == 3
    assert client.post(f"{BASE}/resubmit", headers=headers).status_code == 409


def test_a_registration_left_for_30_days_expires_and_a_new_one_may_start(
        client: TestClient, container: Container, clock: ManualClock) -> None:
    sign_up(client)
    headers = auth(login(client))
    assert client.post(BASE, json=form(clock), headers=headers).status_code == 201
    clock.advance(29 * 86400)
    assert container.registrations.expire_stale() == 0
    clock.advance(2 * 86400)
    assert container.registrations.expire_stale() == 1
    assert container.registrations.expire_stale() == 0
    headers = auth(login(client))  # the old session has expired too
    assert client.get(BASE, headers=headers).json()["state"] == "expired"
    assert client.post(f"{BASE}/activation", json={"code": "123456"},
                       headers=headers).status_code == 409
    again = client.post(BASE, json=form(clock, package="per-signature-1y"), headers=headers)
    assert again.status_code == 201, again.text


def _csc_sign(client: TestClient, device: Device) -> Any:
    basic = base64.b64encode(f"khach1:{PASSWORD}".encode()).decode()
    token = client.post("/csc/v2/auth/login", headers={"Authorization": f"Basic {basic}"},
                        json={}).json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    [cred] = client.post("/csc/v2/credentials/list", headers=bearer,
                         json={}).json()["credentialIDs"]
    digest = base64.b64encode(hashlib.sha256(b"another paper").digest()).decode()
    sad = client.post("/csc/v2/credentials/authorize", headers=bearer, json={
        "credentialID": cred, "numSignatures": 1, "hashes": [digest],
        "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1",
        "authData": [{"id": "OTP", "value": device.code()}]})
    assert sad.status_code == 200, sad.text
    return client.post("/csc/v2/signatures/signHash", headers=bearer, json={
        "credentialID": cred, "SAD": sad.json()["SAD"], "hashes": [digest],
        "signAlgo": "1.2.840.113549.1.1.11"})
