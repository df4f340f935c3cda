"""Value types of the key store: algorithms, signature schemes and key handles.

Everything here is immutable and free of any back end. The OIDs are the ones a CMS
``SignerInfo`` and the CSC API (``keyAlgo`` / ``signAlgo`` / ``hashAlgo``) carry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import Enum

from kyso.keys.errors import InvalidDigest, UnsupportedAlgorithm

__all__ = [
    "HashAlgorithm",
    "KeyAlgorithm",
    "KeyFamily",
    "KeyHandle",
    "SignatureFamily",
    "SignatureScheme",
]

OID_RSA_ENCRYPTION = "1.2.840.113549.1.1.1"
OID_RSASSA_PSS = "1.2.840.113549.1.1.10"
OID_EC_PUBLIC_KEY = "1.2.840.10045.2.1"


class HashAlgorithm(Enum):
    SHA256 = "sha256"
    SHA384 = "sha384"
    SHA512 = "sha512"

    @property
    def digest_size(self) -> int:
        return _HASH_SPECS[self][0]

    @property
    def oid(self) -> str:
        return _HASH_SPECS[self][1]

    def compute(self, data: bytes) -> bytes:
        return hashlib.new(self.value, data).digest()

    def digest_info(self, digest: bytes) -> bytes:
        """DER ``DigestInfo`` around ``digest``: the input of raw RSA PKCS#1 v1.5."""
        return bytes.fromhex(_HASH_SPECS[self][2]) + digest


# size, OID, DER prefix of DigestInfo (RFC 8017 §9.2, note 1)
_HASH_SPECS: dict[HashAlgorithm, tuple[int, str, str]] = {
    HashAlgorithm.SHA256: (32, "2.16.840.1.101.3.4.2.1", "3031300d060960864801650304020105000420"),
    HashAlgorithm.SHA384: (48, "2.16.840.1.101.3.4.2.2", "3041300d060960864801650304020205000430"),
    HashAlgorithm.SHA512: (64, "2.16.840.1.101.3.4.2.3", "3051300d060960864801650304020305000440"),
}


class KeyFamily(Enum):
    RSA = "rsa"
    EC = "ec"


class KeyAlgorithm(Enum):
    RSA_2048 = "rsa-2048"
    RSA_3072 = "rsa-3072"
    EC_P256 = "ec-p256"
    EC_P384 = "ec-p384"

    @property
    def family(self) -> KeyFamily:
        return KeyFamily.RSA if self.value.startswith("rsa") else KeyFamily.EC

    @property
    def key_size(self) -> int:
        """Modulus length (RSA) or field size (EC), in bits."""
        return _KEY_SPECS[self][0]

    @property
    def curve(self) -> str | None:
        """SEC 2 curve name (``secp256r1`` …), ``None`` for RSA."""
        return _KEY_SPECS[self][1]

    @property
    def oid(self) -> str:
        """``keyAlgo`` OID: rsaEncryption or id-ecPublicKey."""
        return OID_RSA_ENCRYPTION if self.family is KeyFamily.RSA else OID_EC_PUBLIC_KEY

    @property
    def curve_oid(self) -> str | None:
        return _KEY_SPECS[self][2]

    @property
    def schemes(self) -> tuple[SignatureScheme, ...]:
        return tuple(s for s in SignatureScheme if s.family.key_family is self.family)

    @property
    def signature_oids(self) -> tuple[str, ...]:
        """The distinct ``signAlgo`` OIDs usable with this key, in a stable order."""
        return tuple(dict.fromkeys(s.oid for s in self.schemes))


_KEY_SPECS: dict[KeyAlgorithm, tuple[int, str | None, str | None]] = {
    KeyAlgorithm.RSA_2048: (2048, None, None),
    KeyAlgorithm.RSA_3072: (3072, None, None),
    KeyAlgorithm.EC_P256: (256, "secp256r1", "1.2.840.10045.3.1.7"),
    KeyAlgorithm.EC_P384: (384, "secp384r1", "1.3.132.0.34"),
}


class SignatureFamily(Enum):
    RSA_PKCS1V15 = "rsa-pkcs1v15"
    RSA_PSS = "rsa-pss"  # salt length = hash length, MGF1 with the same hash
    RSA_PSS_MAX = "rsa-pssmax"  # the longest salt the modulus allows, MGF1 with the same hash
    ECDSA = "ecdsa"

    @property
    def pss(self) -> bool:
        return self in (SignatureFamily.RSA_PSS, SignatureFamily.RSA_PSS_MAX)

    def salt_length(self, hash_algorithm: HashAlgorithm, key_size: int) -> int:
        """The PSS salt length in bytes for a ``key_size``-bit modulus (RFC 8017 §9.1.1:
        emLen − hLen − 2 at most)."""
        if self is SignatureFamily.RSA_PSS_MAX:
            return (key_size - 1 + 7) // 8 - hash_algorithm.digest_size - 2
        return hash_algorithm.digest_size

    @property
    def key_family(self) -> KeyFamily:
        return KeyFamily.EC if self is SignatureFamily.ECDSA else KeyFamily.RSA


class SignatureScheme(Enum):
    RSA_PKCS1V15_SHA256 = "rsa-pkcs1v15-sha256"
    RSA_PKCS1V15_SHA384 = "rsa-pkcs1v15-sha384"
    RSA_PKCS1V15_SHA512 = "rsa-pkcs1v15-sha512"
    RSA_PSS_SHA256 = "rsa-pss-sha256"
    RSA_PSS_SHA384 = "rsa-pss-sha384"
    RSA_PSS_SHA512 = "rsa-pss-sha512"
    RSA_PSS_MAX_SHA256 = "rsa-pssmax-sha256"
    RSA_PSS_MAX_SHA384 = "rsa-pssmax-sha384"
    RSA_PSS_MAX_SHA512 = "rsa-pssmax-sha512"
    ECDSA_SHA256 = "ecdsa-sha256"
    ECDSA_SHA384 = "ecdsa-sha384"
    ECDSA_SHA512 = "ecdsa-sha512"

    @property
    def family(self) -> SignatureFamily:
        return _SCHEME_SPECS[self][0]

    @property
    def hash_algorithm(self) -> HashAlgorithm:
        return _SCHEME_SPECS[self][1]

    @property
    def oid(self) -> str:
        """``signAlgo`` OID. RSASSA-PSS has one OID; its hash travels in the parameters."""
        return _SCHEME_OIDS[self]

    def supports(self, algorithm: KeyAlgorithm) -> bool:
        return self.family.key_family is algorithm.family

    def check_key(self, algorithm: KeyAlgorithm) -> None:
        if not self.supports(algorithm):
            raise UnsupportedAlgorithm(f"{self.value} cannot be used with a {algorithm.value} key")

    def check_digest(self, digest: bytes) -> None:
        expected = self.hash_algorithm.digest_size
        if len(digest) != expected:
            raise InvalidDigest(
                f"{self.hash_algorithm.value} needs {expected} bytes, got {len(digest)}"
            )

    @classmethod
    def from_oids(cls, signature_oid: str, hash_oid: str | None = None) -> SignatureScheme:
        """The scheme a CSC request names by ``signAlgo`` (and ``hashAlgo`` if sent)."""
        hashes = [h for h in HashAlgorithm if h.oid == hash_oid]
        if signature_oid in (OID_RSASSA_PSS, OID_RSA_ENCRYPTION):
            if not hashes:
                raise UnsupportedAlgorithm(f"{signature_oid} needs a known hash algorithm")
            family = "rsa-pss" if signature_oid == OID_RSASSA_PSS else "rsa-pkcs1v15"
            return cls(f"{family}-{hashes[0].value}")
        for scheme, oid in _SCHEME_OIDS.items():
            if oid == signature_oid and (hash_oid is None or hashes == [scheme.hash_algorithm]):
                return scheme
        raise UnsupportedAlgorithm(f"unknown signature algorithm {signature_oid}")


_SCHEME_OIDS: dict[SignatureScheme, str] = {
    SignatureScheme.RSA_PKCS1V15_SHA256: "1.2.840.113549.1.1.11",
    SignatureScheme.RSA_PKCS1V15_SHA384: "1.2.840.113549.1.1.12",
    SignatureScheme.RSA_PKCS1V15_SHA512: "1.2.840.113549.1.1.13",
    SignatureScheme.RSA_PSS_SHA256: OID_RSASSA_PSS,
    SignatureScheme.RSA_PSS_SHA384: OID_RSASSA_PSS,
    SignatureScheme.RSA_PSS_SHA512: OID_RSASSA_PSS,
    SignatureScheme.RSA_PSS_MAX_SHA256: OID_RSASSA_PSS,
    SignatureScheme.RSA_PSS_MAX_SHA384: OID_RSASSA_PSS,
    SignatureScheme.RSA_PSS_MAX_SHA512: OID_RSASSA_PSS,
    SignatureScheme.ECDSA_SHA256: "1.2.840.10045.4.3.2",
    SignatureScheme.ECDSA_SHA384: "1.2.840.10045.4.3.3",
    SignatureScheme.ECDSA_SHA512: "1.2.840.10045.4.3.4",
}

_SCHEME_SPECS: dict[SignatureScheme, tuple[SignatureFamily, HashAlgorithm]] = {
    s: (SignatureFamily(s.value.rsplit("-", 1)[0]), HashAlgorithm(s.value.rsplit("-", 1)[1]))
    for s in SignatureScheme
}


@dataclass(frozen=True)
class KeyHandle:
    """Everything needed to use a key again; the caller persists it.

    ``ref`` is opaque and back-end specific: the sealed private key (software) or the
    CKA_ID of the token objects (PKCS#11). It is kept out of ``repr``.
    """

    key_id: str
    algorithm: KeyAlgorithm
    public_key_der: bytes = field(repr=False)  # SubjectPublicKeyInfo
    backend: str
    ref: bytes = field(repr=False)
    label: str = ""

    def __post_init__(self) -> None:
        if not self.key_id or not self.backend:
            raise ValueError("a key handle needs a key_id and a backend")
