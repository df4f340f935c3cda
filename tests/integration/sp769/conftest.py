"""One kyso per test module (a database, a PKI, the HTTP app on a TestClient), shared by the
module's tests: each test makes its own customers and relying parties, so the SmartOTP replay
guards, counters and lockouts never meet. The clock is a ManualClock started at the real time
(OpenSSL checks certificate validity against its own clock)."""

from __future__ import annotations

import base64
import hashlib
import itertools
import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import cms, pem
from fastapi.testclient import TestClient

from kyso.bootstrap import Container, bootstrap, init_home
from kyso.clock import ManualClock
from kyso.config import Settings
from kyso.entrypoints.api.app import create_app
from kyso.pki.service import IssueRequest
from kyso.relying.parties import Issued
from tests.conftest import FAST_HASHER
from tests.databases import world_database
from tests.integration.api.conftest import PASSWORD, PIN
from tests.integration.api.smartotp_helpers import Device, enrol
from tests.quota import give_signatures

_serial = itertools.count(1)
SIGN = "/sca/sp769/v1/signatures/sign"
CERTS = "/sca/sp769/v1/credentials/get_certificate"


@dataclass
class Env:
    container: Container
    client: TestClient
    clock: ManualClock
    root_pem: Path


@dataclass
class Signer:
    account_id: str
    id_number: str
    username: str
    device: Device
    token: str  # a session of the customer's (the app's)
    credential_id: str
    client: TestClient

    def allow(self, party: Issued) -> None:
        """The customer lets the party in with the account PIN (again is harmless)."""
        r = self.client.put(f"/api/v1/consents/{party.party.sp_id}", json={"pin": PIN},
                            headers={"Authorization": f"Bearer {self.token}"})
        assert r.status_code == 200, r.text


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    root = tmp_path_factory.mktemp("sp769")
    with world_database(root) as url:
        settings = Settings(home=root / "home", database_url=url, pki_ca_key="ec-p256",
                            sad_ttl_seconds=300)
        init_home(settings)
        clock = ManualClock(datetime.now(UTC).replace(microsecond=0, second=1))
        container = bootstrap(settings, clock=clock, hasher=FAST_HASHER)
        container.pki.initialize()
        root_pem = root / "root.pem"
        root_cert = next(a for a in container.pki.authorities() if a.name == "root")
        root_pem.write_bytes(pem.armor("CERTIFICATE", root_cert.certificate))
        with TestClient(create_app(container), raise_server_exceptions=False) as client:
            yield Env(container, client, clock, root_pem)
        container.close()


def new_signer(env: Env, *, certificate: bool = True, signatures: int = 1000) -> Signer:
    n = next(_serial) + uuid.uuid4().int % 10**6 * 100
    id_number = f"001{n:09d}"
    body = {"username": f"an{n}", "password": PASSWORD, "pin": PIN,
            "full_name": "Nguyễn Văn An", "phone": f"09{n % 10**8:08d}",
            "email": f"an{n}@example.vn", "id_number": id_number}
    r = env.client.post("/api/v1/accounts", json=body)
    assert r.status_code == 201, r.text
    account_id = r.json()["id"]
    login = env.client.post("/api/v1/auth/login",
                            json={"login": body["username"], "password": PASSWORD})
    token = login.json()["access_token"]
    device = enrol(env.client, env.container, token, account_id, env.clock,
                   device_id=f"device-{n}")
    credential_id = ""
    if certificate:
        cert = env.container.pki.issue(IssueRequest(account=account_id, province="Hà Nội",
                                                    locality="Cầu Giấy"), actor="test")
        credential_id = f"{cert.issuer}-{cert.serial:x}"
        if signatures:
            give_signatures(env.container, cert, signatures)
    return Signer(account_id, id_number, body["username"], device, token, credential_id,
                  env.client)


def new_party(env: Env, name: str = "Cổng Dịch vụ công Quốc gia", **options: Any) -> Issued:
    return env.container.relying_parties.create(name, actor="test", **options)


def sp(party: Issued) -> dict[str, str]:
    return {"sp_id": party.party.sp_id, "sp_password": party.sp_password}


def files(*contents: bytes, file_type: str = "pdf") -> list[dict[str, str]]:
    return [{"data_to_be_signed": hashlib.sha256(c).hexdigest(), "doc_id": f"HS-{n:03d}",
             "file_type": file_type, "sign_type": "hash"} for n, c in enumerate(contents, 1)]


def sign_body(party: Issued, signer: Signer, contents: list[bytes], **extra: Any,
              ) -> dict[str, Any]:
    """A sign request of ``party`` for ``signer``, who has let the party in."""
    signer.allow(party)
    return sp(party) | {"user_id": signer.id_number,
                        "transaction_id": f"SP_{uuid.uuid4().hex[:12]}",
                        "transaction_desc": "Nộp hồ sơ cấp đổi giấy phép lái xe",
                        "sign_files": files(*contents)} | extra


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def pending(env: Env, signer: Signer) -> list[dict[str, Any]]:
    r = env.client.get("/api/v1/transactions", headers=auth(signer.token))
    assert r.status_code == 200, r.text
    return [t for t in r.json() if t["kind"] == "sp769_sign"]


def confirm(env: Env, signer: Signer, tx: dict[str, Any], code: str | None = None) -> Any:
    return env.client.post(f"/api/v1/transactions/{tx['id']}/confirm",
                           headers=auth(signer.token),
                           json={"otp": code or signer.device.answer(tx)})


def status(env: Env, party: Issued, ref: str) -> Any:
    return env.client.post(f"/sca/sp769/v1/signatures/sign/{ref}/status", json=sp(party))


def openssl_verify(env: Env, signature_b64: str, content: bytes, tmp: Path) -> str:
    """``openssl cms -verify`` of the detached CMS over ``content``, at the module clock's time
    (its tests move it on, so a certificate may start after the wall clock's now)."""
    sig = tmp / f"{uuid.uuid4().hex}.der"
    data = tmp / f"{uuid.uuid4().hex}.bin"
    sig.write_bytes(base64.b64decode(signature_b64))
    data.write_bytes(content)
    done = subprocess.run(
        ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", str(sig),
         "-content", str(data), "-CAfile", str(env.root_pem),
         "-attime", str(int(env.clock.now().timestamp())), "-out", os.devnull],
        capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stderr


def message_digest(signature_b64: str) -> bytes:
    info = cms.ContentInfo.load(base64.b64decode(signature_b64))
    signer_info = info["content"]["signer_infos"][0]
    for attr in signer_info["signed_attrs"]:
        if attr["type"].native == "message_digest":
            return bytes(attr["values"][0].native)
    raise AssertionError("no messageDigest attribute")
