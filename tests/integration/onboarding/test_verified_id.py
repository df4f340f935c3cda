"""The ID number is never self-declared: it comes from the approved registration's card, and
from then on SP769 portals, the support desk and billing find the customer by it."""

from __future__ import annotations

import hashlib

from fastapi.testclient import TestClient

from kyso.accounts.model import Role
from kyso.accounts.service import NewAccount
from kyso.bootstrap import Container
from kyso.clock import ManualClock
from tests.integration.api.conftest import PASSWORD, PIN, auth, login, sign_up
from tests.integration.onboarding.test_flow import BASE, form, officer, to_review

CCCD = "001091000001"  # the number on form()'s card


def test_a_registered_customer_is_found_by_the_card_number(
        client: TestClient, container: Container, clock: ManualClock) -> None:
    account_id, headers, device = to_review(client, container, clock, id_number=None)
    assert client.get("/api/v1/me", headers=headers).json()["id_number"] is None
    ra = officer(container, client)
    [case] = client.get("/api/v1/ra/registrations", headers=ra).json()
    assert client.post(f"/api/v1/ra/registrations/{case['id']}/approve",
                       headers=ra).status_code == 200
    assert client.get("/api/v1/me", headers=headers).json()["id_number"] == CCCD
    clock.advance(30)
    draft = client.get(f"{BASE}/acceptance", headers=headers)  # read before it is signed
    assert draft.status_code == 200 and draft.content.startswith(b"%PDF")
    assert b"/ByteRange" not in draft.content
    tx = client.post(f"{BASE}/acceptance", headers=headers).json()["transaction"]
    to_sign = client.get(f"{BASE}/acceptance", headers=headers).content
    assert hashlib.sha256(to_sign).hexdigest() == tx["details"]["sha256"], tx
    r = client.post(f"/api/v1/transactions/{tx['id']}/confirm",
                    json={"otp": device.answer(tx)}, headers=headers)
    assert r.status_code == 200, r.text
    # the support desk finds the customer by CCCD
    container.accounts.sign_up(NewAccount("hotro", PASSWORD, PIN, "Hỗ trợ", "0900000077",
                                          "hotro@ca.vn", role=Role.SUPPORT))
    found = client.get("/api/v1/support/accounts", params={"login": CCCD},
                       headers=auth(login(client, "hotro")))
    assert found.status_code == 200 and found.json()["id"] == account_id, found.text
    # a public-service portal finds the certificate by CCCD once the customer lets it in
    party = container.relying_parties.create("Cổng Dịch vụ công Quốc gia", actor="test")
    sp = {"sp_id": party.party.sp_id, "sp_password": party.sp_password}
    consent = client.put(f"/api/v1/consents/{party.party.sp_id}", json={"pin": PIN},
                         headers=headers)
    assert consent.status_code == 200, consent.text
    r = client.post("/sca/sp769/v1/credentials/get_certificate",
                    json=sp | {"user_id": CCCD, "transaction_id": "SP_1"})
    assert r.status_code == 200, r.text
    [cert] = r.json()["data"]["user_certificates"]
    assert f"CCCD:{CCCD}" in cert["cert_subject"]
    with container.uow() as uow:
        actions = [rec.event.action for rec in uow.audit.records()]
    assert "account.id_number_verified" in actions


def test_another_accounts_number_is_refused_at_registration(
        client: TestClient, container: Container, clock: ManualClock) -> None:
    sign_up(client, 1)  # holds 001091000001
    sign_up(client, 2, id_number=None)
    r = client.post(BASE, json=form(clock, phone="0912345672", device_id="device-0002"),
                    headers=auth(login(client, "khach2")))
    assert r.status_code == 403 and r.json()["error"] == "not_eligible", r.text
    assert "tài khoản khác" in r.json()["error_description"]
