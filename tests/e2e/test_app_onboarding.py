"""``kyso app register`` end to end against a running ``kyso serve``: the form, the
activation code, eKYC, the contract (SMS code), the officer's approval (``kyso ra``),
SmartOTP on the device, the acceptance record signed with the new key — then the same
certificate signs through the CSC API."""

from __future__ import annotations

import base64
import hashlib
import os
import struct
import uuid
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.e2e.harness import (
    ACCOUNT_PIN,
    PASSWORD,
    SMARTOTP_PIN,
    Customer,
    Server,
    drive_register,
    otp_json,
)


def _png(path: Path) -> str:
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" + struct.pack(">II", 800, 600)
                     + os.urandom(64))
    return str(path)


def _citizen(server: Server, home: Path, number: str) -> Customer:
    """A customer whose account carries the CCCD (the free citizen offer asks for it)."""
    n = uuid.uuid4().int % 10**8
    body = {"username": f"dan{n}", "password": PASSWORD, "pin": ACCOUNT_PIN,
            "full_name": "Nguyễn Văn An", "phone": f"09{n:08d}", "email": f"d{n}@example.vn",
            "id_number": number}
    created = server.api("POST", "/accounts", json=body)
    assert created.status_code == 201, created.text
    customer = Customer(server, home, body["username"], created.json()["phone"])
    done = customer.run("login", "--login", customer.username, stdin=f"{PASSWORD}\n")
    assert done.returncode == 0, done.stderr
    return customer


def test_register_to_an_active_certificate_that_signs_through_csc(server: Server,
                                                                   tmp_path: Path) -> None:
    number = f"001091{uuid.uuid4().int % 10**6:06d}"
    customer = _citizen(server, tmp_path / "phone", number)
    p = customer.start("register", "--out-dir", str(tmp_path))
    for prompt, answer in [("Họ và tên", "Nguyễn Văn An"), ("Ngày sinh", "04/03/1991"),
                           ("Giới tính", "Nam"), ("Loại giấy tờ", "CCCD"),
                           ("Số giấy tờ", number), ("Ngày cấp", "01/05/2021"),
                           ("Có giá trị đến", "04/03/2031"), ("Dòng 1 vùng MRZ", ""),
                           ("Email liên hệ", "an@example.vn"),
                           ("Số điện thoại liên hệ", customer.phone),
                           ("Địa chỉ liên hệ", "12 Trần Duy Hưng"), ("Quận/huyện", "Cầu Giấy"),
                           ("Tỉnh/thành phố", "Hà Nội"), ("Gói chứng thư số", "")]:
        p.expect(prompt)
        p.send(answer)
    p.expect("Nhập mã kích hoạt đã gửi qua SMS và email")
    p.send(customer.code("ONBOARDING_ACTIVATION"))
    for prompt, name in [("mặt trước", "front.png"), ("mặt sau", "back.png"),
                         ("ảnh chân dung", "portrait.png")]:
        p.expect(prompt)
        p.send(_png(tmp_path / name))
    p.expect("Bạn đồng ý với Hợp đồng")
    p.send("c")
    p.expect("Nhập mã OTP đã gửi qua SMS")
    p.send(customer.code("SIGN"))
    p.expect("Hồ sơ đang chờ thẩm định")
    assert p.finish() == 0, p.output
    assert list(tmp_path.glob("hop-dong-*.pdf"))

    made = server.kyso("admin", "create-user", "--username", "thamdinh1", "--full-name",
                       "Cán bộ RA", "--phone", "0900000011", "--email", "ra1@ca.vn",
                       "--role", "ra_officer",
                       stdin=f"{PASSWORD}\n{PASSWORD}\n{ACCOUNT_PIN}\n{ACCOUNT_PIN}\n")
    assert made.returncode == 0, made.stderr
    listed = server.kyso("ra", "list", "--officer", "thamdinh1", stdin=f"{PASSWORD}\n")
    assert listed.returncode == 0 and number in listed.stdout, listed.stdout + listed.stderr
    case = next(line.split()[1] for line in listed.stdout.splitlines() if number in line)
    approved = server.kyso("ra", "approve", case, "--officer", "thamdinh1",
                           stdin=f"{PASSWORD}\n")
    assert approved.returncode == 0, approved.stdout + approved.stderr

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
