"""Key store fixtures: one store per back end (the SoftHSM2 tokens: ``tests/softhsm.py``)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator

import pytest

from kyso.adapters.keystore.pkcs11 import Pkcs11KeyStore
from kyso.adapters.keystore.software import SoftwareKeyStore
from kyso.keys.fake import FakeKeyStore
from kyso.keys.model import KeyAlgorithm, KeyHandle
from kyso.keys.ports import KeyStore
from kyso.secrets import MasterKey
from tests.softhsm import SoftHsm

__all__ = ["SoftHsm"]  # re-exported: test modules import it from here

BACKENDS = ("software", "pkcs11", "fake")


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
