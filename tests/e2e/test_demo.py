"""``kyso demo --json`` on a running kyso: one JSON object whose every value works — the
login, the account PIN, the TOTP seed (checked with oathtool), the credential, the relying
party — through a full SP769 round trip; a second run refuses cleanly."""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
from pathlib import Path

import httpx

from kyso.otp.oath import b32decode_seed
from kyso.otp.ocra import ocra
from tests.e2e.test_app_harness import Server, app_db_url, server
from tests.e2e.test_sp769_harness import kyso, sp769, verify_cms

__all__ = ["app_db_url", "server"]  # module-scoped fixtures shared through the harness

KEYS = {"base_url", "username", "password", "pin", "totp_seed_b32", "totp_algorithm",
        "totp_digits", "totp_period", "ocra_suite", "credential_id", "sp_id", "sp_password",
        "user_id", "full_name", "sp769_url", "api_url", "otpauth_uri", "signatures"}


def test_demo_prints_what_a_tester_needs(server: Server, app_db_url: str,
                                         tmp_path: Path) -> None:
    done = kyso(server, app_db_url, "demo", "--json")
    assert done.returncode == 0, done.stderr
    kit = json.loads(done.stdout)  # exactly one JSON object on stdout
    assert set(kit) >= KEYS and kit["base_url"] == server.url
    assert kit["full_name"] == "Nguyễn Văn An" and len(kit["user_id"]) == 12
    assert kit["signatures"] == 100

    api = httpx.Client(base_url=f"{server.url}/api/v1", timeout=30)
    login = api.post("/auth/login", json={"login": kit["username"],
                                          "password": kit["password"]})
    assert login.status_code == 200, login.text
    bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert api.put("/me/otp-method", headers=bearer,
                   json={"method": "smartotp", "pin": kit["pin"]}).status_code == 200
    code = subprocess.run(
        ["oathtool", f"--totp={kit['totp_algorithm'].lower()}", f"--digits={kit['totp_digits']}",
         f"--time-step-size={kit['totp_period']}s", "-b", kit["totp_seed_b32"]],
        capture_output=True, text=True, check=True).stdout.strip()
    assert api.post("/smartotp/verify", headers=bearer, json={"code": code}).status_code == 204

    sp = {"sp_id": kit["sp_id"], "sp_password": kit["sp_password"]}
    certs = sp769(server, "credentials/get_certificate", sp | {"user_id": kit["user_id"]})
    [cert] = certs.json()["data"]["user_certificates"]
    assert cert["cert_id"] == kit["credential_id"]
    content = "Tờ khai lệ phí trước bạ".encode()
    body = sp | {"user_id": kit["user_id"], "transaction_id": f"DEMO-{time.time_ns()}",
                 "transaction_desc": "Thử kyso", "sign_files": [
                     {"data_to_be_signed": hashlib.sha256(content).hexdigest(),
                      "doc_id": "TK-01", "file_type": "pdf", "sign_type": "hash"}]}
    assert sp769(server, "signatures/sign", body).status_code == 200
    [tx] = [t for t in api.get("/transactions", headers=bearer).json()
            if t["kind"] == "sp769_sign"]
    answer = ocra(kit["ocra_suite"], b32decode_seed(kit["totp_seed_b32"]),
                  question=tx["question"])
    assert api.post(f"/transactions/{tx['id']}/confirm", headers=bearer,
                    json={"otp": answer}).status_code == 200
    status = sp769(server, f"signatures/sign/{body['transaction_id']}/status", sp).json()
    [signature] = status["data"]["signatures"]
    digest = verify_cms(server, signature["signature_value"], content, tmp_path)
    assert digest == hashlib.sha256(content).digest()

    again = kyso(server, app_db_url, "demo", "--json")
    assert again.returncode == 1 and again.stdout == ""
    assert "demo" in again.stderr and "Traceback" not in again.stderr
