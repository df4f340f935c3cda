"""TEST DOUBLE: an in-memory key store for unit tests of other areas. Never use it to serve.

Private keys sit in a plain dict, unencrypted, for the life of the object. Signatures are
real (made with ``cryptography``) so they verify against the handle's public key.
Set ``unavailable = True`` to make every call fail as a down back end would.
"""

from __future__ import annotations

import secrets

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from kyso.keys.errors import BackendUnavailable, KeyNotFound
from kyso.keys.model import (
    HashAlgorithm,
    KeyAlgorithm,
    KeyFamily,
    KeyHandle,
    SignatureScheme,
)

__all__ = ["FakeKeyStore"]

_PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
_HASHES: dict[HashAlgorithm, type[hashes.HashAlgorithm]] = {
    HashAlgorithm.SHA256: hashes.SHA256,
    HashAlgorithm.SHA384: hashes.SHA384,
    HashAlgorithm.SHA512: hashes.SHA512,
}
_CURVES: dict[KeyAlgorithm, type[ec.EllipticCurve]] = {
    KeyAlgorithm.EC_P256: ec.SECP256R1,
    KeyAlgorithm.EC_P384: ec.SECP384R1,
}


class FakeKeyStore:
    """In-memory ``KeyStore`` test double (plain keys in a dict)."""

    name = "fake"

    def __init__(self) -> None:
        self.keys: dict[str, _PrivateKey] = {}
        self.unavailable = False

    def __repr__(self) -> str:
        return f"FakeKeyStore({len(self.keys)} keys)"

    def generate(self, algorithm: KeyAlgorithm, *, label: str) -> KeyHandle:
        self._check_up()
        key: _PrivateKey
        if algorithm.family is KeyFamily.RSA:
            key = rsa.generate_private_key(public_exponent=65537, key_size=algorithm.key_size)
        else:
            key = ec.generate_private_key(_CURVES[algorithm]())
        key_id = secrets.token_hex(16)
        self.keys[key_id] = key
        return KeyHandle(key_id, algorithm, _spki(key), self.name, key_id.encode(), label)

    def sign(self, handle: KeyHandle, data: bytes, scheme: SignatureScheme) -> bytes:
        return self.sign_digest(handle, scheme.hash_algorithm.compute(data), scheme)

    def sign_digest(self, handle: KeyHandle, digest: bytes, scheme: SignatureScheme) -> bytes:
        key = self._key(handle)
        scheme.check_key(handle.algorithm)
        scheme.check_digest(digest)
        hash_ = _HASHES[scheme.hash_algorithm]()
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(digest, ec.ECDSA(Prehashed(hash_)))
        pad: padding.AsymmetricPadding = padding.PKCS1v15()
        if scheme.family.pss:
            salt = scheme.family.salt_length(scheme.hash_algorithm, handle.algorithm.key_size)
            pad = padding.PSS(mgf=padding.MGF1(hash_), salt_length=salt)
        return key.sign(digest, pad, Prehashed(hash_))

    def sign_digests(self, handle: KeyHandle, digests: list[bytes],
                     scheme: SignatureScheme) -> list[bytes]:
        scheme.check_key(handle.algorithm)
        for digest in digests:  # every length checked before the first signature
            scheme.check_digest(digest)
        return [self.sign_digest(handle, digest, scheme) for digest in digests]

    def public_key(self, handle: KeyHandle) -> bytes:
        return _spki(self._key(handle))

    def destroy(self, handle: KeyHandle) -> None:
        self._key(handle)
        del self.keys[handle.key_id]

    def _key(self, handle: KeyHandle) -> _PrivateKey:
        self._check_up()
        key = self.keys.get(handle.key_id)
        if key is None or handle.backend != self.name:
            raise KeyNotFound(f"no key {handle.key_id} in the fake store")
        return key

    def _check_up(self) -> None:
        if self.unavailable:
            raise BackendUnavailable("the fake key store is set unavailable")


def _spki(key: _PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
