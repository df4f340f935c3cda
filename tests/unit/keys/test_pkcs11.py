"""What only the PKCS#11 back end promises: keys stay on the token, threads are safe."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pkcs11
import pytest
from pkcs11 import Attribute, ObjectClass
from pkcs11 import exceptions as p11

from kyso.adapters.keystore.pkcs11 import Pkcs11KeyStore
from kyso.errors import Unavailable
from kyso.keys.errors import (
    BackendUnavailable,
    InvalidDigest,
    KeyNotFound,
    KeyStoreError,
    UnsupportedAlgorithm,
)
from kyso.keys.model import KeyAlgorithm, KeyFamily, KeyHandle, SignatureScheme
from kyso.keys.ports import KeyStore
from kyso.secrets import Secret
from tests.unit.keys.conftest import SoftHsm
from tests.unit.keys.helpers import PAIRS, verify

SharedKey = Callable[[KeyStore, KeyAlgorithm], KeyHandle]
DATA = b"to be signed on the token"


@pytest.fixture
def token_session(softhsm: SoftHsm, pkcs11_store: Pkcs11KeyStore) -> Iterator[pkcs11.Session]:
    """A second session of this process: logged in already, since the store is."""
    token = pkcs11.lib(softhsm.module).get_token(token_label=softhsm.token)
    with token.open(rw=True) as session:
        yield session


@pytest.mark.parametrize("algorithm", list(KeyAlgorithm), ids=lambda a: a.value)
def test_private_key_is_sensitive_and_non_extractable(
    pkcs11_store: Pkcs11KeyStore,
    shared_key: SharedKey,
    token_session: pkcs11.Session,
    algorithm: KeyAlgorithm,
) -> None:
    handle = shared_key(pkcs11_store, algorithm)
    key = token_session.get_key(object_class=ObjectClass.PRIVATE_KEY, id=handle.ref)
    assert key[Attribute.EXTRACTABLE] is False
    assert key[Attribute.SENSITIVE] is True
    assert key[Attribute.NEVER_EXTRACTABLE] is True
    assert key[Attribute.ALWAYS_SENSITIVE] is True
    assert key[Attribute.TOKEN] is True
    assert key[Attribute.PRIVATE] is True
    assert key[Attribute.SIGN] is True
    assert key[Attribute.DECRYPT] is False
    secret = Attribute.PRIVATE_EXPONENT if algorithm.family is KeyFamily.RSA else Attribute.VALUE
    with pytest.raises(p11.AttributeSensitive):
        key[secret]


def test_objects_carry_a_unique_label_and_the_handle_id(
    pkcs11_store: Pkcs11KeyStore, token_session: pkcs11.Session
) -> None:
    handles = [pkcs11_store.generate(KeyAlgorithm.EC_P256, label="same") for _ in range(2)]
    labels = set()
    for handle in handles:
        assert handle.ref == bytes.fromhex(handle.key_id)
        assert len(handle.ref) == 16
        objects = list(token_session.get_objects({Attribute.ID: handle.ref}))
        assert {o.object_class for o in objects} == {
            ObjectClass.PRIVATE_KEY,
            ObjectClass.PUBLIC_KEY,
        }
        labels |= {o[Attribute.LABEL] for o in objects}
        pkcs11_store.destroy(handle)
    assert labels == {f"same ({h.key_id})" for h in handles}


def test_destroy_removes_the_objects_from_the_token(
    pkcs11_store: Pkcs11KeyStore, token_session: pkcs11.Session
) -> None:
    handle = pkcs11_store.generate(KeyAlgorithm.EC_P256, label="bye")
    pkcs11_store.destroy(handle)
    assert list(token_session.get_objects({Attribute.ID: handle.ref})) == []


def test_key_destroyed_behind_the_store_is_not_found(
    pkcs11_store: Pkcs11KeyStore, token_session: pkcs11.Session
) -> None:
    handle = pkcs11_store.generate(KeyAlgorithm.EC_P256, label="stale")
    pkcs11_store.sign(handle, DATA, SignatureScheme.ECDSA_SHA256)  # object handle now cached
    for obj in list(token_session.get_objects({Attribute.ID: handle.ref})):
        obj.destroy()
    with pytest.raises(KeyNotFound):
        pkcs11_store.sign(handle, DATA, SignatureScheme.ECDSA_SHA256)


def test_unknown_id_is_not_found(pkcs11_store: Pkcs11KeyStore, shared_key: SharedKey) -> None:
    handle = replace(shared_key(pkcs11_store, KeyAlgorithm.EC_P256), ref=bytes(16))
    with pytest.raises(KeyNotFound):
        pkcs11_store.sign(handle, DATA, SignatureScheme.ECDSA_SHA256)


def test_concurrent_signing_from_threads(
    pkcs11_store: Pkcs11KeyStore, shared_key: SharedKey
) -> None:
    jobs = [
        (shared_key(pkcs11_store, a), s, f"message {i}".encode())
        for i, (a, s) in enumerate(PAIRS * 6)
    ]

    def sign(job: tuple[KeyHandle, SignatureScheme, bytes]) -> bytes:
        handle, scheme, message = job
        if len(message) % 2:
            return pkcs11_store.sign(handle, message, scheme)
        return pkcs11_store.sign_digest(handle, scheme.hash_algorithm.compute(message), scheme)

    with ThreadPoolExecutor(max_workers=8) as pool:
        signatures = list(pool.map(sign, jobs))
    for (handle, scheme, message), signature in zip(jobs, signatures, strict=True):
        verify(handle.public_key_der, signature, message, scheme, digest=False)


def test_wrong_pin_is_unavailable_and_never_shown(softhsm: SoftHsm) -> None:
    wrong = "9876-5432-wrong"
    with pytest.raises(BackendUnavailable) as caught:
        Pkcs11KeyStore(softhsm.module, softhsm.other_token, Secret(wrong))
    assert isinstance(caught.value, Unavailable)
    assert "PinIncorrect" in str(caught.value)
    for text in (str(caught.value), caught.value.describe("vi"), repr(caught.value)):
        assert wrong not in text


@pytest.mark.parametrize("where", ["module", "token"])
def test_missing_module_or_token_is_unavailable(softhsm: SoftHsm, where: str) -> None:
    module = "/nonexistent/libpkcs11.so" if where == "module" else softhsm.module
    token = "no-such-token" if where == "token" else softhsm.token
    with pytest.raises(BackendUnavailable):
        Pkcs11KeyStore(module, token, softhsm.pin)


def test_close_then_use_reconnects_and_logs_in_again(softhsm: SoftHsm) -> None:
    store = Pkcs11KeyStore(softhsm.module, softhsm.other_token, softhsm.other_pin)
    handle = store.generate(KeyAlgorithm.EC_P256, label="reconnect")
    store.close()  # logs this process out of the token
    scheme = SignatureScheme.ECDSA_SHA384
    verify(handle.public_key_der, store.sign(handle, DATA, scheme), DATA, scheme, digest=False)
    store.destroy(handle)
    store.close()


def test_pin_is_absent_from_repr_and_logs(
    softhsm: SoftHsm, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with Pkcs11KeyStore(softhsm.module, softhsm.other_token, softhsm.other_pin) as store:
        handle = store.generate(KeyAlgorithm.EC_P256, label="log")
        store.sign(handle, DATA, SignatureScheme.ECDSA_SHA256)
        store.destroy(handle)
        assert handle.key_id in caplog.text
        for text in (repr(store), caplog.text):
            assert softhsm.other_pin not in text
        assert "other_pin" not in vars(store)
        assert all(softhsm.other_pin != v for v in vars(store).values())


@pytest.fixture
def token_fails(monkeypatch: pytest.MonkeyPatch) -> Callable[[type[Exception]], None]:
    """Make the token's next signature fail with a given PKCS#11 error."""

    def arm(error: type[Exception]) -> None:
        def failing(*args: object, **kwargs: object) -> bytes:
            monkeypatch.undo()
            raise error()

        monkeypatch.setattr("pkcs11._pkcs11.SignMixin._sign", failing)

    return arm


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (p11.DataLenRange, InvalidDigest),
        (p11.MechanismInvalid, UnsupportedAlgorithm),
        (p11.KeyHandleInvalid, KeyNotFound),
        (p11.DeviceRemoved, BackendUnavailable),
        (p11.SessionHandleInvalid, BackendUnavailable),
        (p11.GeneralError, KeyStoreError),
    ],
)
def test_pkcs11_errors_are_translated_and_the_store_recovers(
    pkcs11_store: Pkcs11KeyStore,
    shared_key: SharedKey,
    token_fails: Callable[[type[Exception]], None],
    raised: type[Exception],
    expected: type[KeyStoreError],
) -> None:
    handle = shared_key(pkcs11_store, KeyAlgorithm.RSA_2048)
    scheme = SignatureScheme.RSA_PKCS1V15_SHA384
    token_fails(raised)
    with pytest.raises(expected) as caught:
        pkcs11_store.sign(handle, DATA, scheme)
    assert type(caught.value) is expected
    assert caught.value.detail == raised.__name__
    verify(
        handle.public_key_der, pkcs11_store.sign(handle, DATA, scheme), DATA, scheme, digest=False
    )
