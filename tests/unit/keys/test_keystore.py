"""The ``KeyStore`` contract, run against every back end (software, PKCS#11, the fake)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from kyso.errors import InvalidInput, NotFound
from kyso.keys.errors import InvalidDigest, KeyNotFound, UnsupportedAlgorithm
from kyso.keys.model import KeyAlgorithm, KeyFamily, KeyHandle, SignatureFamily, SignatureScheme
from kyso.keys.ports import KeyStore
from tests.unit.keys.helpers import PAIR_IDS, PAIRS, openssl_verify, verify

SharedKey = Callable[[KeyStore, KeyAlgorithm], KeyHandle]
DATA = b"signed attributes of a PDF signature \x00\xff" * 3


def test_every_back_end_satisfies_the_port(store: KeyStore) -> None:
    assert isinstance(store, KeyStore)


@pytest.mark.parametrize("algorithm", list(KeyAlgorithm), ids=lambda a: a.value)
def test_generated_key_has_the_requested_shape(
    store: KeyStore, shared_key: SharedKey, algorithm: KeyAlgorithm
) -> None:
    handle = shared_key(store, algorithm)
    assert handle.backend == store.name
    assert handle.algorithm is algorithm
    assert store.public_key(handle) == handle.public_key_der
    key = serialization.load_der_public_key(handle.public_key_der)
    if algorithm.family is KeyFamily.RSA:
        assert isinstance(key, rsa.RSAPublicKey)
        assert key.key_size == algorithm.key_size
        assert key.public_numbers().e == 65537
    else:
        assert isinstance(key, ec.EllipticCurvePublicKey)
        assert key.curve.name == algorithm.curve


@pytest.mark.parametrize(("algorithm", "scheme"), PAIRS, ids=PAIR_IDS)
def test_sign_verifies_over_the_data(
    store: KeyStore, shared_key: SharedKey, algorithm: KeyAlgorithm, scheme: SignatureScheme
) -> None:
    handle = shared_key(store, algorithm)
    signature = store.sign(handle, DATA, scheme)
    verify(handle.public_key_der, signature, DATA, scheme, digest=False)
    with pytest.raises(InvalidSignature):
        verify(handle.public_key_der, signature, DATA + b"!", scheme, digest=False)


@pytest.mark.parametrize(("algorithm", "scheme"), PAIRS, ids=PAIR_IDS)
def test_sign_digest_verifies_and_agrees_with_sign(
    store: KeyStore, shared_key: SharedKey, algorithm: KeyAlgorithm, scheme: SignatureScheme
) -> None:
    handle = shared_key(store, algorithm)
    digest = scheme.hash_algorithm.compute(DATA)
    from_digest = store.sign_digest(handle, digest, scheme)
    from_data = store.sign(handle, DATA, scheme)
    verify(handle.public_key_der, from_digest, digest, scheme, digest=True)
    verify(handle.public_key_der, from_digest, DATA, scheme, digest=False)
    if scheme.family is SignatureFamily.RSA_PKCS1V15:
        assert from_digest == from_data  # deterministic
    else:
        assert from_digest != from_data  # randomised: salt (PSS) or nonce (ECDSA)


@pytest.mark.parametrize(("algorithm", "scheme"), PAIRS, ids=PAIR_IDS)
def test_sign_digests_signs_each_digest_in_order(
    store: KeyStore, shared_key: SharedKey, algorithm: KeyAlgorithm, scheme: SignatureScheme
) -> None:
    handle = shared_key(store, algorithm)
    batch = [scheme.hash_algorithm.compute(DATA + bytes([i])) for i in range(3)]
    signatures = store.sign_digests(handle, batch, scheme)
    assert len(signatures) == len(batch)
    for digest, signature in zip(batch, signatures, strict=True):
        verify(handle.public_key_der, signature, digest, scheme, digest=True)
    if scheme.family is SignatureFamily.RSA_PKCS1V15:  # deterministic: as one at a time
        assert signatures == [store.sign_digest(handle, d, scheme) for d in batch]
    # one digest of the wrong length refuses the whole batch
    with pytest.raises(InvalidDigest):
        store.sign_digests(handle, [*batch, os.urandom(20)], scheme)
    with pytest.raises(UnsupportedAlgorithm):
        store.sign_digests(handle, batch, next(s for s in SignatureScheme
                                               if not s.supports(algorithm)))


@pytest.mark.parametrize(("algorithm", "scheme"), PAIRS, ids=PAIR_IDS)
def test_rsa_signatures_are_raw_and_modulus_long(
    store: KeyStore, shared_key: SharedKey, algorithm: KeyAlgorithm, scheme: SignatureScheme
) -> None:
    signature = store.sign(shared_key(store, algorithm), DATA, scheme)
    if algorithm.family is KeyFamily.RSA:
        assert len(signature) == algorithm.key_size // 8
    else:  # a DER SEQUENCE of two INTEGERs, re-encoding to the very same bytes
        assert signature[0] == 0x30
        r, s = decode_dss_signature(signature)
        assert encode_dss_signature(r, s) == signature


@pytest.mark.parametrize(("algorithm", "scheme"), PAIRS, ids=PAIR_IDS)
def test_wrong_digest_length_is_refused(
    store: KeyStore, shared_key: SharedKey, algorithm: KeyAlgorithm, scheme: SignatureScheme
) -> None:
    handle = shared_key(store, algorithm)
    size = scheme.hash_algorithm.digest_size
    for wrong in (b"", os.urandom(size - 1), os.urandom(size + 1), os.urandom(20)):
        with pytest.raises(InvalidDigest) as caught:
            store.sign_digest(handle, wrong, scheme)
        assert isinstance(caught.value, InvalidInput)
        assert caught.value.code == "invalid_digest"


@pytest.mark.parametrize("algorithm", list(KeyAlgorithm), ids=lambda a: a.value)
def test_scheme_of_the_other_family_is_refused(
    store: KeyStore, shared_key: SharedKey, algorithm: KeyAlgorithm
) -> None:
    handle = shared_key(store, algorithm)
    wrong = [s for s in SignatureScheme if not s.supports(algorithm)]
    assert wrong
    for scheme in wrong:
        digest = scheme.hash_algorithm.compute(DATA)
        with pytest.raises(UnsupportedAlgorithm):
            store.sign(handle, DATA, scheme)
        with pytest.raises(UnsupportedAlgorithm):
            store.sign_digest(handle, digest, scheme)


@pytest.mark.parametrize("algorithm", [KeyAlgorithm.EC_P256, KeyAlgorithm.RSA_2048])
def test_destroyed_key_cannot_sign(store: KeyStore, algorithm: KeyAlgorithm) -> None:
    handle = store.generate(algorithm, label="to destroy")
    scheme = algorithm.schemes[0]
    store.sign(handle, DATA, scheme)  # usable (and cached) before
    store.destroy(handle)
    with pytest.raises(KeyNotFound) as caught:
        store.sign(handle, DATA, scheme)
    assert isinstance(caught.value, NotFound)
    with pytest.raises(KeyNotFound):
        store.sign_digest(handle, scheme.hash_algorithm.compute(DATA), scheme)
    with pytest.raises(KeyNotFound):
        store.public_key(handle)
    with pytest.raises(KeyNotFound):
        store.destroy(handle)


def test_destroy_leaves_other_keys_alone(store: KeyStore, shared_key: SharedKey) -> None:
    keep = shared_key(store, KeyAlgorithm.EC_P256)
    gone = store.generate(KeyAlgorithm.EC_P256, label="gone")
    store.destroy(gone)
    verify(
        keep.public_key_der,
        store.sign(keep, DATA, SignatureScheme.ECDSA_SHA256),
        DATA,
        SignatureScheme.ECDSA_SHA256,
        digest=False,
    )


def test_handle_of_another_back_end_is_not_found(store: KeyStore, shared_key: SharedKey) -> None:
    handle = replace(shared_key(store, KeyAlgorithm.EC_P256), backend="elsewhere")
    with pytest.raises(KeyNotFound):
        store.sign(handle, DATA, SignatureScheme.ECDSA_SHA256)


def test_keys_are_distinct(store: KeyStore, shared_key: SharedKey) -> None:
    first = shared_key(store, KeyAlgorithm.EC_P256)
    second = store.generate(KeyAlgorithm.EC_P256, label="second")
    assert second.key_id != first.key_id
    assert second.public_key_der != first.public_key_der
    assert second.label == "second"
    store.destroy(second)


@pytest.mark.parametrize(
    ("algorithm", "scheme"),
    [pair for pair in PAIRS if pair[0] is not KeyAlgorithm.RSA_3072],
    ids=[i for (a, _), i in zip(PAIRS, PAIR_IDS, strict=True) if a is not KeyAlgorithm.RSA_3072],
)
def test_openssl_accepts_the_signature(
    store: KeyStore,
    shared_key: SharedKey,
    algorithm: KeyAlgorithm,
    scheme: SignatureScheme,
    tmp_path: Path,
) -> None:
    handle = shared_key(store, algorithm)
    digest_signature = store.sign_digest(handle, scheme.hash_algorithm.compute(DATA), scheme)
    for signature in (store.sign(handle, DATA, scheme), digest_signature):
        result = openssl_verify(tmp_path, handle.public_key_der, signature, DATA, scheme)
        assert result.returncode == 0, result.stderr
        assert "Verified OK" in result.stdout
    tampered = openssl_verify(tmp_path, handle.public_key_der, digest_signature, DATA[1:], scheme)
    assert tampered.returncode != 0
