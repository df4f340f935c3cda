"""The key store port: generate keys, sign with them, never hand out the private part.

Signatures come back in the encodings CMS expects: RSA (PKCS#1 v1.5 and PSS) as the raw
big-endian integer of the modulus length, ECDSA as a DER ``Ecdsa-Sig-Value``.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from kyso.keys.model import KeyAlgorithm, KeyHandle, SignatureScheme

__all__ = ["KeyStore"]


@runtime_checkable
class KeyStore(Protocol):
    """Implemented by ``kyso.adapters.keystore`` (software, PKCS#11) and the test fake.

    Every method raises only :mod:`kyso.keys.errors`: ``UnsupportedAlgorithm`` for a
    scheme that does not fit the key, ``InvalidDigest`` for a digest whose length is not
    the scheme's hash length, ``KeyNotFound`` for a destroyed or unknown key (or a handle
    of another back end), ``BackendUnavailable`` when the device cannot be reached.
    """

    @property
    def name(self) -> str:
        """The back end's name, as written in ``KeyHandle.backend``."""
        ...

    def generate(self, algorithm: KeyAlgorithm, *, label: str) -> KeyHandle:
        """Create a new key pair; the caller persists the returned handle."""
        ...

    def sign(self, handle: KeyHandle, data: bytes, scheme: SignatureScheme) -> bytes:
        """Sign ``data``, hashing it with the scheme's hash first."""
        ...

    def sign_digest(self, handle: KeyHandle, digest: bytes, scheme: SignatureScheme) -> bytes:
        """Sign a precomputed hash (the CSC ``signHash`` path)."""
        ...

    def sign_digests(self, handle: KeyHandle, digests: list[bytes],
                     scheme: SignatureScheme) -> list[bytes]:
        """:meth:`sign_digest` for each of ``digests``, in order: the key, the scheme and every
        digest's length checked once before the first signature (a batch of ``signHash``)."""
        ...

    def public_key(self, handle: KeyHandle) -> bytes:
        """The DER SubjectPublicKeyInfo, read from the back end (not from the handle)."""
        ...

    def destroy(self, handle: KeyHandle) -> None:
        """Delete the key; signing with it afterwards raises ``KeyNotFound``."""
        ...
