"""Signing PKI objects through the key store, and the ASN.1 pieces every builder shares.

A builder assembles the to-be-signed structure with asn1crypto, hands its DER to
:meth:`Signer.sign` (which calls ``KeyStore.sign``: the private key never leaves the store)
and wraps the signature. Nothing here reads the clock or the environment.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

from asn1crypto import algos, core, keys, x509

from kyso.keys.model import KeyAlgorithm, KeyHandle, SignatureFamily, SignatureScheme
from kyso.keys.ports import KeyStore

__all__ = [
    "Signer",
    "digest_algorithm",
    "key_identifier",
    "random_serial",
    "scheme_for",
    "second",
    "signature_algorithm",
    "x509_time",
]

_SCHEMES = {
    KeyAlgorithm.RSA_2048: SignatureScheme.RSA_PKCS1V15_SHA256,
    KeyAlgorithm.RSA_3072: SignatureScheme.RSA_PKCS1V15_SHA256,
    KeyAlgorithm.EC_P256: SignatureScheme.ECDSA_SHA256,
    KeyAlgorithm.EC_P384: SignatureScheme.ECDSA_SHA384,
}


def scheme_for(algorithm: KeyAlgorithm) -> SignatureScheme:
    """The scheme kyso signs certificates, CRLs, OCSP and time stamps with, per key type."""
    return _SCHEMES[algorithm]


def signature_algorithm(scheme: SignatureScheme) -> algos.SignedDigestAlgorithm:
    """The AlgorithmIdentifier: NULL parameters for PKCS#1 v1.5, none for ECDSA (RFC 5758)."""
    if scheme.family is SignatureFamily.RSA_PSS:
        digest = digest_algorithm(scheme)
        params = algos.RSASSAPSSParams({
            "hash_algorithm": digest,
            "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": digest},
            "salt_length": scheme.hash_algorithm.digest_size,
        })
        return algos.SignedDigestAlgorithm({"algorithm": scheme.oid, "parameters": params})
    if scheme.family is SignatureFamily.RSA_PKCS1V15:
        return algos.SignedDigestAlgorithm({"algorithm": scheme.oid, "parameters": core.Null()})
    return algos.SignedDigestAlgorithm({"algorithm": scheme.oid})


def digest_algorithm(scheme: SignatureScheme) -> algos.DigestAlgorithm:
    return algos.DigestAlgorithm({"algorithm": scheme.hash_algorithm.value})


def key_identifier(public_key_der: bytes) -> bytes:
    """RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits."""
    sha1: bytes = keys.PublicKeyInfo.load(public_key_der).sha1
    return sha1


def random_serial() -> int:
    """16 random bytes with the top bit clear and the next set: positive, always 16 octets."""
    return int.from_bytes(secrets.token_bytes(16), "big") & ((1 << 127) - 1) | (1 << 126)


def second(at: datetime) -> datetime:
    """``at`` in UTC, to the whole second (what certificates, CRLs and OCSP carry)."""
    return at.astimezone(UTC).replace(microsecond=0)


def x509_time(at: datetime) -> x509.Time:
    """UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)."""
    at = second(at)
    if at.year < 2050:
        return x509.Time(name="utc_time", value=at)
    return x509.Time(name="general_time", value=at)


@dataclass(frozen=True)
class Signer:
    """A key in the store, and the name and key identifier it signs under."""

    keystore: KeyStore = field(repr=False)
    key: KeyHandle
    name: x509.Name = field(repr=False)
    certificate: x509.Certificate | None = field(default=None, repr=False)

    @classmethod
    def of(cls, keystore: KeyStore, key: KeyHandle, certificate_der: bytes) -> Signer:
        certificate = x509.Certificate.load(certificate_der)
        return cls(keystore, key, certificate.subject, certificate)

    @property
    def scheme(self) -> SignatureScheme:
        return scheme_for(self.key.algorithm)

    @property
    def algorithm(self) -> algos.SignedDigestAlgorithm:
        return signature_algorithm(self.scheme)

    @property
    def key_identifier(self) -> bytes:
        return key_identifier(self.key.public_key_der)

    def sign(self, data: bytes) -> bytes:
        return self.keystore.sign(self.key, data, self.scheme)
