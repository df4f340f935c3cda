"""One PKI per test module and key-store back end, served by a real uvicorn on 127.0.0.1.

``live_pki`` is parametrized over (software | pkcs11 on SoftHSM2) × (RSA | EC keys), so each
round trip runs four times against the same code. Each environment has its own database
(a SQLite file, or a PostgreSQL schema with ``KYSO_TEST_DATABASE_URL``), its own
``KYSO_HOME``, the system clock (OpenSSL checks times against its own) and one server, whose
URL is the public base URL the certificates carry.
"""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from asn1crypto import pem
from pydantic import SecretStr

from kyso.accounts.model import Account
from kyso.accounts.service import NewAccount
from kyso.bootstrap import Container, bootstrap, init_home
from kyso.config import Settings
from kyso.entrypoints.api.app import create_app
from kyso.pki.model import IssuedCertificate
from kyso.pki.service import IssueRequest
from tests.conftest import FAST_HASHER
from tests.databases import world_database
from tests.softhsm import SoftHsm

ENVIRONMENTS = [("software", "rsa"), ("software", "ec"), ("pkcs11", "rsa"), ("pkcs11", "ec")]
KEYS = {
    "rsa": {"pki_ca_key": "rsa-2048", "pki_responder_key": "rsa-2048",
            "pki_tsa_key": "rsa-2048", "pki_subscriber_key": "rsa-2048"},
    "ec": {"pki_ca_key": "ec-p384", "pki_responder_key": "ec-p256",
           "pki_tsa_key": "ec-p256", "pki_subscriber_key": "ec-p256"},
}
_OPENSSL_ENV = {**os.environ, "no_proxy": "127.0.0.1", "NO_PROXY": "127.0.0.1"}


class LiveServer:
    """uvicorn on a free 127.0.0.1 port (known before the app exists), in a thread."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"

    @contextmanager
    def serving(self, app: Any) -> Iterator[str]:
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [self._socket]},
                                  name="pki-test-server", daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        try:
            yield self.url
        finally:
            server.should_exit = True
            thread.join(timeout=30)
            self._socket.close()


@dataclass
class LivePki:
    backend: str
    keys: str
    container: Container
    url: str  # the server's base URL; certificates carry the same base
    files: Path
    account: Account

    def write_pem(self, name: str, der: bytes, kind: str = "CERTIFICATE") -> Path:
        path = self.files / name
        path.write_bytes(pem.armor(kind, der))
        return path

    def issue(self, name: str, **request: Any) -> tuple[IssuedCertificate, Path]:
        values = {"account": self.account.id, "province": "Hà Nội",
                  "locality": "Cầu Giấy"} | request
        record = self.container.pki.issue(IssueRequest(**values), actor="test")
        return record, self.write_pem(name, record.certificate)

    def get(self, path: str) -> httpx.Response:
        return httpx.get(self.url + path, timeout=30, trust_env=False)

    def post(self, path: str, body: bytes, content_type: str) -> httpx.Response:
        return httpx.post(self.url + path, content=body, timeout=30, trust_env=False,
                          headers={"content-type": content_type})


def openssl(*args: str | Path, check: bool = True) -> str:
    """Run ``openssl``; its stdout and stderr together (it prints verdicts to both)."""
    done = subprocess.run(["openssl", *map(str, args)], capture_output=True, text=True,
                          timeout=60, check=False, env=_OPENSSL_ENV)
    output = done.stdout + done.stderr
    if check and done.returncode != 0:
        raise AssertionError(f"openssl {args[0]} failed ({done.returncode}): {output}")
    return output


def _settings(home: Path, db_url: str, base: str, backend: str, keys: str,
              hsm: SoftHsm | None) -> Settings:
    values: dict[str, Any] = {"home": home, "database_url": db_url, "public_base_url": base,
                              **KEYS[keys]}
    if hsm is not None:
        values |= {"keystore_backend": "pkcs11", "pkcs11_module": hsm.module,
                   "pkcs11_token_label": hsm.pki_token,
                   "pkcs11_user_pin": SecretStr(hsm.pki_pin)}
    return Settings(**values)


def _customer(container: Container) -> Account:
    return container.accounts.sign_up(NewAccount(
        username="nguyen.an", password="Matkhau2026!", pin="246813", full_name="Nguyễn Văn An",
        phone="0912345678", email="an@example.vn", id_number="001091000001"))


@pytest.fixture(scope="module", params=ENVIRONMENTS, ids=["-".join(e) for e in ENVIRONMENTS])
def live_pki(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[LivePki]:
    backend, keys = request.param
    hsm: SoftHsm | None = request.getfixturevalue("softhsm") if backend == "pkcs11" else None
    root = tmp_path_factory.mktemp(f"pki-{backend}-{keys}")
    (root / "files").mkdir()
    server = LiveServer()
    with ExitStack() as stack:
        db_url = stack.enter_context(world_database(root))
        settings = _settings(root / "home", db_url, server.url, backend, keys, hsm)
        init_home(settings)
        container = bootstrap(settings, hasher=FAST_HASHER)
        stack.callback(container.close)
        container.pki.initialize(actor="test")
        account = _customer(container)
        stack.enter_context(server.serving(create_app(container)))
        yield LivePki(backend, keys, container, server.url, root / "files", account)
