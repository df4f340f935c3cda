"""Renewal and the acceptance gate: a certificate still awaiting its acceptance record cannot
be renewed; once accepted, its renewal signs at once (it inherits the accepted status) with
the registration's name, ID and place."""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID
from fastapi.testclient import TestClient

from kyso.bootstrap import Container
from kyso.clock import ManualClock
from tests.integration.billing.conftest import pay
from tests.integration.documents.pdfs import sample_pdf
from tests.integration.onboarding.test_flow import BASE, officer, to_review


def confirm(client: TestClient, headers: dict[str, str], device: Any,
            tx: dict[str, Any]) -> None:
    r = client.post(f"/api/v1/transactions/{tx['id']}/confirm",
                    json={"otp": device.answer(tx)}, headers=headers)
    assert r.status_code == 200, r.text


def test_renewal_waits_for_the_acceptance_then_the_new_certificate_signs(
        client: TestClient, container: Container, clock: ManualClock) -> None:
    account_id, headers, device = to_review(client, container, clock)
    ra = officer(container, client)
    [case] = client.get("/api/v1/ra/registrations", headers=ra).json()
    assert client.post(f"/api/v1/ra/registrations/{case['id']}/approve",
                       headers=ra).status_code == 200
    [old] = [c.id for c in container.signing.credentials(account_id)]
    placed = client.post("/api/v1/billing/orders", headers=headers,
                         json={"product": "unlimited-1y"}).json()
    assert pay(client, placed["payment_url"], "atm", "succeed").status_code == 200
    renew = f"/api/v1/billing/certificates/{old}/renew"
    refused = client.post(renew, json={"order_id": placed["id"]}, headers=headers)
    assert refused.status_code == 409 and refused.json()["error"] == "not_renewable"
    assert "Biên bản nghiệm thu" in refused.json()["error_description"]
    clock.advance(30)
    confirm(client, headers, device,
            client.post(f"{BASE}/acceptance", headers=headers).json()["transaction"])
    clock.advance(30)
    r = client.post(renew, json={"order_id": placed["id"]}, headers=headers)
    assert r.status_code == 201, r.text
    confirm(client, headers, device, r.json())
    [new] = [c for c in container.signing.credentials(account_id) if c.id != old]
    subject = x509.load_der_x509_certificate(new.certificate.certificate).subject
    assert [subject.get_attributes_for_oid(oid)[0].value for oid in (
        NameOID.COMMON_NAME, NameOID.STATE_OR_PROVINCE_NAME, NameOID.LOCALITY_NAME)] == [
        "Nguyễn Văn An", "Hà Nội", "Cầu Giấy"]
    assert new.certificate.uid == "CCCD:001091000001"
    clock.advance(30)
    up = client.post("/api/v1/documents", params={"credential": new.id}, content=sample_pdf(),
                     headers=headers | {"Content-Type": "application/pdf"})
    assert up.status_code == 201 and up.json()["credential"] == new.id, up.text
    confirm(client, headers, device, up.json()["transaction"])
    signed = client.get(f"/api/v1/documents/{up.json()['id']}/download", headers=headers)
    report = client.post("/api/v1/validate", content=signed.content,
                         headers=headers | {"Content-Type": "application/pdf"}).json()
    [signature] = report["signatures"]
    assert signature["valid"] and signature["signer"] == "Nguyễn Văn An", signature
