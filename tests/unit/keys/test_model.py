"""Value types, OIDs and the error tree of the key store."""

from __future__ import annotations

import hashlib

import pytest
from asn1crypto import algos, core

from kyso.errors import InvalidInput, KysoError, NotFound, Unavailable
from kyso.keys import errors
from kyso.keys.fake import FakeKeyStore
from kyso.keys.model import HashAlgorithm, KeyAlgorithm, KeyHandle, SignatureScheme

EXPECTED_OIDS = {
    SignatureScheme.RSA_PKCS1V15_SHA256: "1.2.840.113549.1.1.11",
    SignatureScheme.RSA_PKCS1V15_SHA384: "1.2.840.113549.1.1.12",
    SignatureScheme.RSA_PKCS1V15_SHA512: "1.2.840.113549.1.1.13",
    SignatureScheme.RSA_PSS_SHA256: "1.2.840.113549.1.1.10",
    SignatureScheme.RSA_PSS_SHA384: "1.2.840.113549.1.1.10",
    SignatureScheme.RSA_PSS_SHA512: "1.2.840.113549.1.1.10",
    SignatureScheme.RSA_PSS_MAX_SHA256: "1.2.840.113549.1.1.10",
    SignatureScheme.RSA_PSS_MAX_SHA384: "1.2.840.113549.1.1.10",
    SignatureScheme.RSA_PSS_MAX_SHA512: "1.2.840.113549.1.1.10",
    SignatureScheme.ECDSA_SHA256: "1.2.840.10045.4.3.2",
    SignatureScheme.ECDSA_SHA384: "1.2.840.10045.4.3.3",
    SignatureScheme.ECDSA_SHA512: "1.2.840.10045.4.3.4",
}


@pytest.mark.parametrize("scheme", list(SignatureScheme), ids=lambda s: s.value)
def test_scheme_oid(scheme: SignatureScheme) -> None:
    assert scheme.oid == EXPECTED_OIDS[scheme]
    # asn1crypto's independent table names the same algorithm
    named = algos.SignedDigestAlgorithmId(scheme.oid).native
    assert named == {
        "1.2.840.113549.1.1.10": "rsassa_pss",
    }.get(scheme.oid, f"{scheme.hash_algorithm.value}_{scheme.family.value.split('-')[0]}")


@pytest.mark.parametrize("hash_", list(HashAlgorithm), ids=lambda h: h.value)
def test_hash_algorithm(hash_: HashAlgorithm) -> None:
    digest = hash_.compute(b"abc")
    assert digest == hashlib.new(hash_.value, b"abc").digest()
    assert len(digest) == hash_.digest_size
    assert algos.DigestAlgorithmId(hash_.oid).native == hash_.value
    expected = algos.DigestInfo(
        {
            "digest_algorithm": {"algorithm": hash_.value, "parameters": core.Null()},
            "digest": digest,
        }
    ).dump()
    assert hash_.digest_info(digest) == expected


def test_key_algorithms() -> None:
    assert [a.key_size for a in KeyAlgorithm] == [2048, 3072, 256, 384]
    assert KeyAlgorithm.RSA_2048.oid == "1.2.840.113549.1.1.1"
    assert KeyAlgorithm.EC_P256.oid == "1.2.840.10045.2.1"
    assert KeyAlgorithm.EC_P256.curve_oid == "1.2.840.10045.3.1.7"
    assert KeyAlgorithm.EC_P384.curve_oid == "1.3.132.0.34"
    assert KeyAlgorithm.RSA_3072.curve is None
    assert len(KeyAlgorithm.RSA_2048.schemes) == 9  # PKCS#1 v1.5, PSS, PSS longest salt
    assert KeyAlgorithm.RSA_2048.signature_oids == (
        "1.2.840.113549.1.1.11",
        "1.2.840.113549.1.1.12",
        "1.2.840.113549.1.1.13",
        "1.2.840.113549.1.1.10",
    )
    assert KeyAlgorithm.EC_P384.signature_oids == tuple(f"1.2.840.10045.4.3.{n}" for n in (2, 3, 4))


@pytest.mark.parametrize(
    ("sign_oid", "hash_oid", "expected"),
    [
        ("1.2.840.113549.1.1.11", None, SignatureScheme.RSA_PKCS1V15_SHA256),
        ("1.2.840.113549.1.1.13", "2.16.840.1.101.3.4.2.3", SignatureScheme.RSA_PKCS1V15_SHA512),
        ("1.2.840.113549.1.1.1", "2.16.840.1.101.3.4.2.2", SignatureScheme.RSA_PKCS1V15_SHA384),
        ("1.2.840.113549.1.1.10", "2.16.840.1.101.3.4.2.2", SignatureScheme.RSA_PSS_SHA384),
        ("1.2.840.10045.4.3.2", None, SignatureScheme.ECDSA_SHA256),
        ("1.2.840.10045.4.3.4", "2.16.840.1.101.3.4.2.3", SignatureScheme.ECDSA_SHA512),
    ],
)
def test_scheme_from_csc_oids(
    sign_oid: str, hash_oid: str | None, expected: SignatureScheme
) -> None:
    assert SignatureScheme.from_oids(sign_oid, hash_oid) is expected


@pytest.mark.parametrize(
    ("sign_oid", "hash_oid"),
    [
        ("1.2.840.113549.1.1.10", None),  # PSS without its hash
        ("1.2.840.113549.1.1.1", "1.3.14.3.2.26"),  # SHA-1
        ("1.2.840.113549.1.1.5", None),  # sha1WithRSAEncryption
        ("1.2.840.10045.4.3.2", "2.16.840.1.101.3.4.2.3"),  # hash contradicts the OID
        ("1.3.101.112", None),  # Ed25519
    ],
)
def test_unknown_or_inconsistent_oids_are_refused(sign_oid: str, hash_oid: str | None) -> None:
    with pytest.raises(errors.UnsupportedAlgorithm):
        SignatureScheme.from_oids(sign_oid, hash_oid)


def test_handle_needs_id_and_backend_and_hides_bytes() -> None:
    handle = KeyHandle("k1", KeyAlgorithm.EC_P256, b"\x30spki", "software", b"sealed-bytes")
    assert "sealed-bytes" not in repr(handle) and "spki" not in repr(handle)
    with pytest.raises(ValueError, match="key_id"):
        KeyHandle("", KeyAlgorithm.EC_P256, b"", "software", b"")
    with pytest.raises(AttributeError):
        setattr(handle, "key_id", "k2")  # noqa: B010


@pytest.mark.parametrize(
    ("error", "kind", "code"),
    [
        (errors.UnsupportedAlgorithm, InvalidInput, "unsupported_algorithm"),
        (errors.InvalidDigest, InvalidInput, "invalid_digest"),
        (errors.KeyNotFound, NotFound, "key_not_found"),
        (errors.BackendUnavailable, Unavailable, "key_store_unavailable"),
        (errors.KeyUnreadable, KysoError, "key_unreadable"),
    ],
)
def test_error_tree(error: type[errors.KeyStoreError], kind: type[KysoError], code: str) -> None:
    raised = error("detail")
    assert isinstance(raised, errors.KeyStoreError) and isinstance(raised, kind)
    assert raised.code == code
    assert raised.describe("en").endswith("(detail)")
    assert raised.describe("vi") != raised.describe("en")
    assert any(ch in raised.vi for ch in "ăâđêôơưáàảãạóòỏõọíìỉĩịúùủũụý")


def test_fake_is_a_test_double_that_can_be_down() -> None:
    fake = FakeKeyStore()
    handle = fake.generate(KeyAlgorithm.EC_P256, label="x")
    fake.unavailable = True
    with pytest.raises(errors.BackendUnavailable):
        fake.sign(handle, b"x", SignatureScheme.ECDSA_SHA256)
    fake.unavailable = False
    assert fake.sign(handle, b"x", SignatureScheme.ECDSA_SHA256)
    assert repr(fake) == "FakeKeyStore(1 keys)"
