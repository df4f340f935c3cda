"""``kyso app register`` end to end against a running ``kyso serve``: the form, the
activation code, eKYC, the contract (SMS code), the officer's approval (``kyso ra``),
SmartOTP on the device, the acceptance record signed with the new key — then the same
certificate signs through the CSC API."""

from __future__ import annotations

import base64
import hashlib
import uuid
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.e2e.harness import (
    PASSWORD,
    SMARTOTP_PIN,
    Customer,
    Server,
    approve_registration,
    drive_register,
    new_citizen,
    otp_json,
    submit_registration,
)


def _citizen(server: Server, home: Path, number: str) -> Customer:
    """A customer whose account carries the CCCD (the free citizen offer asks for it)."""
    return new_citizen(server, home, number, "Nguyễn Văn An")[0]


def test_register_to_an_active_certificate_that_signs_through_csc(server: Server,
                                                                   tmp_path: Path) -> None:
    number = f"001091{uuid.uuid4().int % 10**6:06d}"
    customer = _citizen(server, tmp_path / "phone", number)
    submit_registration(customer, number, "Nguyễn Văn An", tmp_path)
    assert list(tmp_path.glob("hop-dong-*.pdf"))
    approve_registration(server, number, "thamdinh1", "0900000011")

    p = customer.start("register", "--out-dir", str(tmp_path))
    p.expect("Yêu cầu cấp chứng thư số đã được duyệt")
    drive_register(p, customer)  # SmartOTP on this device, as the guide asks
    p.expect("PIN SmartOTP")
    p.send(SMARTOTP_PIN)
    p.expect("đã được kích hoạt")
    assert p.finish() == 0, p.output
    [record] = tmp_path.glob("bien-ban-nghiem-thu-*.pdf")
    assert b"/ByteRange" in record.read_bytes()
    _csc_signature(server, customer)


def _csc_signature(server: Server, customer: Customer) -> None:
    basic = base64.b64encode(f"{customer.username}:{PASSWORD}".encode()).decode()
    csc = f"{server.url}/csc/v2"
    token = httpx.post(f"{csc}/auth/login", headers={"Authorization": f"Basic {basic}"},
                       json={}).json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    [cred] = httpx.post(f"{csc}/credentials/list", headers=bearer, json={}).json()[
        "credentialIDs"]
    credited = server.kyso("quota", "credit", cred, "5")  # the free offer has no signatures
    assert credited.returncode == 0, credited.stderr
    info = httpx.post(f"{csc}/credentials/info", headers=bearer,
                      json={"credentialID": cred, "certificates": "single"}).json()
    digest = hashlib.sha256(b"Hop dong mua ban so 12/2026").digest()
    b64 = base64.b64encode(digest).decode()
    sad = httpx.post(f"{csc}/credentials/authorize", headers=bearer, json={
        "credentialID": cred, "numSignatures": 1, "hashes": [b64],
        "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1",
        "authData": [{"id": "OTP", "value": otp_json(customer)["code"]}]})
    assert sad.status_code == 200, sad.text
    signed = httpx.post(f"{csc}/signatures/signHash", headers=bearer, json={
        "credentialID": cred, "SAD": sad.json()["SAD"], "hashes": [b64],
        "signAlgo": "1.2.840.113549.1.1.11"})
    assert signed.status_code == 200, signed.text
    cert = x509.load_der_x509_certificate(base64.b64decode(info["cert"]["certificates"][0]))
    key = cert.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(base64.b64decode(signed.json()["signatures"][0]), b"Hop dong mua ban so 12/2026",
               padding.PKCS1v15(), hashes.SHA256())
