"""Key store fixtures: a SoftHSM2 token per test session, and one store per back end.

SoftHSM2 is required, not optional: a missing ``softhsm2`` package FAILS the run.
The token lives in a temporary directory named by a private ``SOFTHSM2_CONF``; the module
reads that variable at ``C_Initialize``, so the library is (re)initialised after it is set.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pkcs11
import pytest

from kyso.adapters.keystore.pkcs11 import Pkcs11KeyStore
from kyso.adapters.keystore.software import SoftwareKeyStore
from kyso.keys.fake import FakeKeyStore
from kyso.keys.model import KeyAlgorithm, KeyHandle
from kyso.keys.ports import KeyStore
from kyso.secrets import MasterKey

MODULE_CANDIDATES = (
    os.environ.get("KYSO_TEST_PKCS11_MODULE", ""),
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
)
BACKENDS = ("software", "pkcs11", "fake")


@dataclass(frozen=True)
class SoftHsm:
    module: str
    conf: Path
    token: str
    pin: str
    other_token: str  # a second token, for tests that log in, out or fail to
    other_pin: str


def _module_path() -> str:
    found = next((p for p in MODULE_CANDIDATES if p and Path(p).is_file()), None)
    if found is None or shutil.which("softhsm2-util") is None:
        pytest.fail("SoftHSM2 is missing: install the Debian package softhsm2", pytrace=False)
    return found


def _init_token(conf: Path, label: str, pin: str) -> None:
    so_pin = secrets.token_hex(8)
    command = ["softhsm2-util", "--init-token", "--free", "--label", label]
    command += ["--pin", pin, "--so-pin", so_pin]
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoftHsm]:
    module = _module_path()
    root = tmp_path_factory.mktemp("softhsm")
    (root / "tokens").mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    hsm = SoftHsm(module, conf, "kyso-test", secrets.token_hex(8), "kyso-test-2", "1111-2222")
    _init_token(conf, hsm.token, hsm.pin)
    _init_token(conf, hsm.other_token, hsm.other_pin)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOFTHSM2_CONF", str(conf))
        pkcs11.lib(module).reinitialize()  # pick up this configuration even if loaded before
        yield hsm


@pytest.fixture(scope="session")
def session_master() -> MasterKey:
    return MasterKey(secrets.token_bytes(32))


@pytest.fixture(scope="session")
def software_store(session_master: MasterKey) -> SoftwareKeyStore:
    return SoftwareKeyStore(session_master)


@pytest.fixture(scope="session")
def pkcs11_store(softhsm: SoftHsm) -> Iterator[Pkcs11KeyStore]:
    with Pkcs11KeyStore(softhsm.module, softhsm.token, softhsm.pin) as store:
        yield store


@pytest.fixture(scope="session")
def fake_store() -> FakeKeyStore:
    return FakeKeyStore()


@pytest.fixture(scope="session", params=BACKENDS)
def store(request: pytest.FixtureRequest) -> KeyStore:
    """Each back end in turn (the fake too: it must honour the same contract)."""
    backend: KeyStore = request.getfixturevalue(f"{request.param}_store")
    return backend


@pytest.fixture(scope="session")
def shared_key() -> Callable[[KeyStore, KeyAlgorithm], KeyHandle]:
    """One key per back end and algorithm, made once: RSA generation is slow."""
    made: dict[tuple[str, KeyAlgorithm], KeyHandle] = {}

    def get(store: KeyStore, algorithm: KeyAlgorithm) -> KeyHandle:
        if (store.name, algorithm) not in made:
            made[store.name, algorithm] = store.generate(algorithm, label="shared")
        return made[store.name, algorithm]

    return get
