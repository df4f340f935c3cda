"""One kyso per test module for the document tests (the CA hierarchy is the slow part).

A live uvicorn on 127.0.0.1 serves the same container as the TestClient, and the public base
URL is that server's, so the certificates' OCSP, CRL and CA addresses answer pdfsig and
OpenSSL. The clock starts at the real time (independent validators check against it).
Each test makes its own documents; customers are shared (OCRA answers are bound to each
transaction, so nothing leaks between tests).
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from asn1crypto import pem
from fastapi.testclient import TestClient

from kyso.bootstrap import Container, bootstrap, init_home
from kyso.clock import ManualClock
from kyso.config import Settings
from kyso.entrypoints.api.app import create_app
from kyso.pki.service import IssueRequest
from kyso.signing.model import Credential
from tests.conftest import FAST_HASHER
from tests.databases import world_database
from tests.integration.api.conftest import PASSWORD, PIN
from tests.integration.api.smartotp_helpers import Device, enrol
from tests.integration.pki.conftest import LiveServer
from tests.quota import give_signatures

MAX_BYTES = 256 * 1024  # a small document limit, so that "too large" is cheap to test


@dataclass
class Customer:
    world: World
    account_id: str
    token: str
    device: Device | None  # None: the customer confirms with SMS codes
    credential: Credential

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Accept-Language": "en"}

    def upload(self, data: bytes, content_type: str = "application/pdf",
               **params: Any) -> httpx.Response:
        return self.world.client.post("/api/v1/documents", content=data, params=params,
                                      headers=self.headers | {"Content-Type": content_type})

    def confirm(self, transaction: dict[str, Any], otp: str | None = None) -> httpx.Response:
        if otp is None:
            assert self.device is not None
            otp = self.device.answer(transaction)
        return self.world.client.post(f"/api/v1/transactions/{transaction['id']}/confirm",
                                      json={"otp": otp}, headers=self.headers)

    def get(self, path: str) -> httpx.Response:
        return self.world.client.get(f"/api/v1{path}", headers=self.headers)

    def sign(self, data: bytes, **params: Any) -> bytes:
        """Upload, confirm with the SmartOTP transaction code, download."""
        uploaded = self.upload(data, **params)
        assert uploaded.status_code == 201, uploaded.text
        confirmed = self.confirm(uploaded.json()["transaction"])
        assert confirmed.status_code == 200, confirmed.text
        got = self.get(f"/documents/{uploaded.json()['id']}/download")
        assert got.status_code == 200, got.text
        return got.content

    def validate(self, data: bytes) -> dict[str, Any]:
        r = self.world.client.post("/api/v1/validate", content=data,
                                   headers=self.headers | {"Content-Type": "application/pdf"})
        assert r.status_code == 200, r.text
        return dict(r.json())


@dataclass
class World:
    container: Container
    clock: ManualClock
    client: TestClient
    url: str
    files: Path
    _numbers: Iterator[int] = field(default_factory=itertools.count)

    def customer(self, full_name: str = "Nguyễn Văn An", *, smartotp: bool = True,
                 signatures: int = 1000) -> Customer:
        n = next(self._numbers)
        body = {"username": f"doc{n}", "password": PASSWORD, "pin": PIN,
                "full_name": full_name, "phone": f"09{n + 8_100_000:08d}",
                "email": f"doc{n}@example.vn", "id_number": f"0011900{n:05d}"}
        r = self.client.post("/api/v1/accounts", json=body)
        assert r.status_code == 201, r.text
        account_id = r.json()["id"]
        token = self.client.post("/api/v1/auth/login", json={
            "login": body["username"], "password": PASSWORD}).json()["access_token"]
        device = enrol(self.client, self.container, token, account_id, self.clock,
                       device_id=f"doc-device-{n}") if smartotp else None
        cert = self.container.pki.issue(IssueRequest(
            account=account_id, province="Hà Nội", locality="Cầu Giấy"), actor="test")
        if signatures:
            give_signatures(self.container, cert, signatures)
        [credential] = self.container.signing.credentials(account_id)
        return Customer(self, account_id, token, device, credential)

    def root_pem(self) -> Path:
        path = self.files / "root.pem"
        if not path.exists():
            der = self.container.pki_publisher.ca_certificate("root")
            path.write_bytes(pem.armor("CERTIFICATE", der))
        return path

    def nss_db(self) -> Path:
        """An NSS database trusting kyso's root (for pdfsig)."""
        path = self.files / "nss"
        if not path.exists():
            path.mkdir()
            certutil = shutil.which("certutil")
            assert certutil is not None, "certutil (libnss3-tools) is needed"
            subprocess.run([certutil, "-N", "-d", f"sql:{path}", "--empty-password"], check=True)
            subprocess.run([certutil, "-A", "-n", "kyso", "-t", "CT,C,C", "-i",
                            str(self.root_pem()), "-d", f"sql:{path}"], check=True)
        return path


def open_world(root: Path, stack: ExitStack, start: datetime | None = None,
               **settings: Any) -> World:
    """A kyso for document tests in ``root`` (closed with ``stack``); ``settings`` override;
    the clock starts at ``start`` (default: now)."""
    server = LiveServer()
    clock = ManualClock(start or datetime.now(UTC).replace(microsecond=0))
    db_url = stack.enter_context(world_database(root))
    config = Settings(**{"home": root / "home", "database_url": db_url,
                         "public_base_url": server.url, "pki_ca_key": "rsa-2048",
                         "document_max_bytes": MAX_BYTES} | settings)
    init_home(config)
    container = bootstrap(config, clock=clock, hasher=FAST_HASHER)
    stack.callback(container.close)
    container.pki.initialize(actor="test")
    client = stack.enter_context(TestClient(create_app(container),
                                            raise_server_exceptions=False))
    url = stack.enter_context(server.serving(create_app(container)))
    (root / "files").mkdir()
    return World(container, clock, client, url, root / "files")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with ExitStack() as stack:
        yield open_world(tmp_path_factory.mktemp("documents"), stack)


@pytest.fixture(scope="module")
def customer(world: World) -> Customer:
    return world.customer()
