"""One kyso per test module for the CSC API tests.

The CA hierarchy is made once per module (it is the slow part); each test makes its own
customers, so OTP replay guards, failure counters and locks never leak between tests. The
clock is a ManualClock that starts at the real time, because pyHanko stamps the real time
into what it signs and validates against it. Requests go through a TestClient, or through
a real uvicorn on 127.0.0.1 for clients that need a socket (pyHanko's CSC client uses
aiohttp); both serve the same container, whose public base URL is the live server's, so the
certificates' CRL and OCSP addresses answer.
"""

from __future__ import annotations

import base64
import itertools
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from kyso.bootstrap import Container, bootstrap, init_home
from kyso.clock import ManualClock
from kyso.config import Settings
from kyso.entrypoints.api.app import create_app
from kyso.keys.model import KeyAlgorithm
from kyso.pki.service import IssueRequest
from kyso.signing.model import Credential
from tests.conftest import FAST_HASHER
from tests.databases import world_database
from tests.integration.api.conftest import PASSWORD, PIN
from tests.integration.api.smartotp_helpers import Device, enrol
from tests.integration.pki.conftest import LiveServer
from tests.quota import give_signatures

EN = {"Accept-Language": "en"}


def basic(login: str, password: str) -> dict[str, str]:
    raw = base64.b64encode(f"{login}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


@dataclass
class Signer:
    """A customer with a SmartOTP device, one credential and a CSC bearer token."""

    world: World
    account_id: str
    username: str
    token: str
    device: Device | None  # None: the customer is on the SMS method
    credential: Credential

    @property
    def credential_id(self) -> str:
        return self.credential.id

    def otp(self) -> str:
        """A code for a time step never used before (the replay guard refuses a step twice)."""
        assert self.device is not None
        self.world.clock.advance(30)
        return self.device.code()

    def post(self, method: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}", **EN, **kwargs.pop("headers", {})}
        return self.world.client.post(f"/csc/v2/{method}", json=body, headers=headers,
                                      **kwargs)

    def authorize(self, digests: list[bytes], **extra: Any) -> str:
        body = {"credentialID": self.credential_id, "numSignatures": len(digests),
                "hashes": [base64.b64encode(d).decode() for d in digests],
                "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1",
                "authData": [{"id": "OTP", "value": self.otp()}]} | extra
        r = self.post("credentials/authorize", body)
        assert r.status_code == 200, r.text
        return str(r.json()["SAD"])


@dataclass
class World:
    container: Container
    clock: ManualClock
    client: TestClient
    url: str
    _numbers: Iterator[int] = field(default_factory=itertools.count)

    def customer(self, algorithm: KeyAlgorithm = KeyAlgorithm.RSA_2048, *,
                 smartotp: bool = True, signatures: int | None = 1000) -> Signer:
        n = next(self._numbers)
        username = f"csc{n}"
        body = {"username": username, "password": PASSWORD, "pin": PIN,
                "full_name": "Trần Thị Bình", "phone": f"09{n + 7_000_000:08d}",
                "email": f"csc{n}@example.vn", "id_number": f"0791900{n:05d}"}
        r = self.client.post("/api/v1/accounts", json=body)
        assert r.status_code == 201, r.text
        account_id = r.json()["id"]
        session = self.client.post("/api/v1/auth/login",
                                   json={"login": username, "password": PASSWORD})
        device = enrol(self.client, self.container, session.json()["access_token"],
                       account_id, self.clock, device_id=f"device-{n:04d}") if smartotp else None
        cert = self.container.pki.issue(IssueRequest(
            account=account_id, province="Đà Nẵng", locality="Hải Châu", algorithm=algorithm),
            actor="test")
        if signatures:
            give_signatures(self.container, cert, signatures)
        [credential] = self.container.signing.credentials(account_id)
        r = self.client.post("/csc/v2/auth/login", headers=basic(username, PASSWORD))
        assert r.status_code == 200, r.text
        return Signer(self, account_id, username, r.json()["access_token"], device, credential)


@contextmanager
def make_world(root: Path, **settings_values: Any) -> Iterator[World]:
    server = LiveServer()
    clock = ManualClock(datetime.now(UTC).replace(second=1, microsecond=0))
    with ExitStack() as stack:
        db_url = stack.enter_context(world_database(root))
        settings = Settings(home=root / "home", database_url=db_url, public_base_url=server.url,
                            pki_ca_key="rsa-2048", **settings_values)
        init_home(settings)
        container = bootstrap(settings, clock=clock, hasher=FAST_HASHER)
        stack.callback(container.close)
        container.pki.initialize(actor="test")
        client = stack.enter_context(TestClient(create_app(container),
                                                raise_server_exceptions=False))
        url = stack.enter_context(server.serving(create_app(container)))
        yield World(container, clock, client, url)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with make_world(tmp_path_factory.mktemp("csc")) as made:
        yield made
