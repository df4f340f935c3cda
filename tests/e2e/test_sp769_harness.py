"""Helpers for the SP769 end-to-end tests (no tests here): ``kyso`` admin commands on the
running server's home and database, customers with an ID number, and CMS checks."""

from __future__ import annotations

import base64
import subprocess
import uuid
from pathlib import Path
from typing import Any

import httpx
from asn1crypto import cms

from tests.e2e.test_app_harness import (
    ACCOUNT_PIN,
    CHEAP,
    KYSO,
    PASSWORD,
    Customer,
    Server,
    _clean_env,
)


def server_home(server: Server) -> Path:
    return server.log_path.parent / "home"


def kyso(server: Server, db_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``kyso …`` on the server's KYSO_HOME and database, as its administrator runs it."""
    environment = _clean_env(KYSO_HOME=str(server_home(server)), KYSO_DATABASE_URL=db_url,
                             KYSO_PUBLIC_BASE_URL=server.url, **CHEAP) | env
    return subprocess.run([*KYSO, *args], capture_output=True, text=True, env=environment,
                          timeout=120, check=False)


def new_citizen(server: Server, home: Path) -> tuple[Customer, str]:
    """A customer with a CCCD number, logged in on a device home; returns it and the number."""
    n = uuid.uuid4().int % 10**8
    id_number = f"079{n:09d}"
    body = {"username": f"dan{n}", "password": PASSWORD, "pin": ACCOUNT_PIN,
            "full_name": "Trần Thị Bình", "phone": f"08{n:08d}", "email": f"d{n}@example.vn",
            "id_number": id_number}
    created = server.api("POST", "/accounts", json=body)
    assert created.status_code == 201, created.text
    customer = Customer(server, home, body["username"], created.json()["phone"])
    done = customer.run("login", "--login", customer.username, stdin=f"{PASSWORD}\n")
    assert done.returncode == 0, done.stderr
    return customer, id_number


def sp769(server: Server, path: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(f"{server.url}/sca/sp769/v1/{path}", json=body, timeout=30)


def verify_cms(server: Server, signature_b64: str, content: bytes, tmp: Path) -> bytes:
    """``openssl cms -verify`` over the original data, trusting the server's root CA (as
    published at /pki/ca/root.cer); returns the messageDigest signed attribute."""
    root_der, root = tmp / "root.cer", tmp / "root.pem"
    root_der.write_bytes(httpx.get(f"{server.url}/pki/ca/root.cer", timeout=10).content)
    subprocess.run(["openssl", "x509", "-inform", "DER", "-in", str(root_der), "-out",
                    str(root)], check=True, capture_output=True)
    sig, data = tmp / f"{uuid.uuid4().hex}.p7s", tmp / f"{uuid.uuid4().hex}.bin"
    sig.write_bytes(base64.b64decode(signature_b64))
    data.write_bytes(content)
    done = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER",
                           "-in", str(sig), "-content", str(data), "-CAfile", str(root),
                           "-out", "/dev/null"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "Verification successful" in done.stderr, done.stderr
    info = cms.ContentInfo.load(base64.b64decode(signature_b64))
    for attr in info["content"]["signer_infos"][0]["signed_attrs"]:
        if attr["type"].native == "message_digest":
            return bytes(attr["values"][0].native)
    raise AssertionError("no messageDigest")
