"""What only the software back end promises: sealing, and a cache that spares re-parsing."""

from __future__ import annotations

import logging
import secrets
from dataclasses import replace

import pytest

from kyso.adapters.keystore import software
from kyso.adapters.keystore.software import SoftwareKeyStore
from kyso.keys.errors import KeyStoreError, KeyUnreadable
from kyso.keys.model import KeyAlgorithm, KeyHandle, SignatureScheme
from kyso.secrets import Envelope, MasterKey
from tests.unit.keys.helpers import verify

DATA = b"to be signed"
SCHEME = SignatureScheme.ECDSA_SHA256


@pytest.fixture
def master() -> MasterKey:
    return MasterKey(secrets.token_bytes(32))


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every PKCS#8 blob the store parses, in order."""
    seen: list[bytes] = []
    real = software._load_private_key

    def counting(pkcs8: bytes) -> software.PrivateKey:
        seen.append(pkcs8)
        return real(pkcs8)

    monkeypatch.setattr(software, "_load_private_key", counting)
    return seen


@pytest.mark.parametrize("algorithm", list(KeyAlgorithm), ids=lambda a: a.value)
def test_blob_holds_no_plaintext_pkcs8(master: MasterKey, algorithm: KeyAlgorithm) -> None:
    handle = SoftwareKeyStore(master).generate(algorithm, label="x")
    pkcs8 = Envelope(master).open(handle.ref, "key:" + handle.key_id)
    assert pkcs8.startswith(b"\x30")  # the sealed value really is the DER key
    assert b"PRIVATE KEY" not in handle.ref
    for start in range(0, len(pkcs8) - 16, 8):  # not even a 16-byte run of it
        assert pkcs8[start : start + 16] not in handle.ref


def test_key_sealed_under_another_master_is_refused(master: MasterKey) -> None:
    handle = SoftwareKeyStore(master).generate(KeyAlgorithm.EC_P256, label="x")
    other = SoftwareKeyStore(MasterKey(secrets.token_bytes(32)))
    with pytest.raises(KeyUnreadable) as caught:
        other.sign(handle, DATA, SCHEME)
    assert "master key" in caught.value.describe("en")
    assert "khóa chính" in caught.value.describe("vi")
    with pytest.raises(KeyUnreadable):
        other.public_key(handle)


def test_same_master_in_a_new_process_can_sign(master: MasterKey, loads: list[bytes]) -> None:
    handle = SoftwareKeyStore(master).generate(KeyAlgorithm.RSA_2048, label="x")
    restarted = SoftwareKeyStore(master)  # an empty cache, as after a restart
    scheme = SignatureScheme.RSA_PSS_SHA256
    verify(handle.public_key_der, restarted.sign(handle, DATA, scheme), DATA, scheme, digest=False)
    assert len(loads) == 1


def test_parsed_key_is_cached(master: MasterKey, loads: list[bytes]) -> None:
    handle = SoftwareKeyStore(master).generate(KeyAlgorithm.EC_P256, label="x")
    store = SoftwareKeyStore(master)
    for _ in range(5):
        store.sign(handle, DATA, SCHEME)
        store.sign_digest(handle, SCHEME.hash_algorithm.compute(DATA), SCHEME)
    store.public_key(handle)
    assert len(loads) == 1


def test_generate_warms_the_cache(master: MasterKey, loads: list[bytes]) -> None:
    store = SoftwareKeyStore(master)
    store.sign(store.generate(KeyAlgorithm.EC_P256, label="x"), DATA, SCHEME)
    assert loads == []


def test_cache_is_bounded_lru(master: MasterKey, loads: list[bytes]) -> None:
    maker = SoftwareKeyStore(master)
    a, b, c = (maker.generate(KeyAlgorithm.EC_P256, label=n) for n in "abc")
    store = SoftwareKeyStore(master, cache_size=2)
    for handle in (a, b, a, c):  # c evicts b, the least recently used
        store.sign(handle, DATA, SCHEME)
    assert len(loads) == 3
    store.sign(a, DATA, SCHEME)
    assert len(loads) == 3
    store.sign(b, DATA, SCHEME)
    assert len(loads) == 4
    assert repr(store) == "SoftwareKeyStore(cached=2)"


def test_cache_answers_only_for_the_same_ref(master: MasterKey) -> None:
    store = SoftwareKeyStore(master)
    handle = store.generate(KeyAlgorithm.EC_P256, label="x")
    forged = replace(handle, ref=handle.ref[:-1] + bytes([handle.ref[-1] ^ 1]))
    with pytest.raises(KeyUnreadable):
        store.sign(forged, DATA, SCHEME)


def test_ref_of_another_key_is_refused(master: MasterKey) -> None:
    maker = SoftwareKeyStore(master)
    first = maker.generate(KeyAlgorithm.EC_P256, label="1")
    second = maker.generate(KeyAlgorithm.EC_P256, label="2")
    swapped = replace(first, ref=second.ref)  # sealed for another key_id (purpose)
    with pytest.raises(KeyUnreadable):
        SoftwareKeyStore(master).sign(swapped, DATA, SCHEME)


def test_handle_must_describe_its_key(master: MasterKey) -> None:
    maker = SoftwareKeyStore(master)
    handle = maker.generate(KeyAlgorithm.EC_P256, label="1")
    other = maker.generate(KeyAlgorithm.EC_P256, label="2")
    for lie in (
        replace(handle, public_key_der=other.public_key_der),
        replace(handle, algorithm=KeyAlgorithm.EC_P384),
    ):
        with pytest.raises(KeyUnreadable):
            SoftwareKeyStore(master).public_key(lie)


def test_zero_cache_is_refused(master: MasterKey) -> None:
    with pytest.raises(ValueError, match="at least one"):
        SoftwareKeyStore(master, cache_size=0)


def test_nothing_secret_in_reprs_or_logs(
    master: MasterKey, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    store = SoftwareKeyStore(master)
    handle: KeyHandle = store.generate(KeyAlgorithm.EC_P256, label="x")
    store.sign(handle, DATA, SCHEME)
    store.destroy(handle)
    assert handle.key_id in caplog.text  # something was logged…
    for text in (repr(handle), repr(store), caplog.text):  # …but no key material
        assert handle.ref.hex() not in text
        assert repr(handle.ref)[2:40] not in text  # the bytes' own repr, as a logger shows it
        assert master.material.hex() not in text
    assert "ref=" not in repr(handle)
    assert "public_key_der=" not in repr(handle)


@pytest.mark.parametrize("ref", [b"", b"\x01\x00", b"\x02" + bytes(80)])
def test_damaged_ref_is_unreadable(master: MasterKey, ref: bytes) -> None:
    handle = SoftwareKeyStore(master).generate(KeyAlgorithm.EC_P256, label="x")
    with pytest.raises(KeyUnreadable) as caught:
        SoftwareKeyStore(master).sign(replace(handle, ref=ref), DATA, SCHEME)
    assert isinstance(caught.value, KeyStoreError)
