"""Software key store: keys made in process with ``cryptography``, kept sealed in the handle.

The private key (PKCS#8 DER) is sealed with :class:`kyso.secrets.Envelope` under the purpose
``"key:" + key_id`` and travels in ``KeyHandle.ref``; the caller persists the handle. Opened
keys are kept parsed in a bounded LRU (keyed by key_id, checked against the ref) so that a
signature never re-parses the key. ``destroy`` is remembered by this process only: the
caller must also delete the persisted handle, which is the real copy of the key.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections import OrderedDict

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from kyso.keys.errors import KeyNotFound, KeyUnreadable
from kyso.keys.model import HashAlgorithm, KeyAlgorithm, KeyHandle, SignatureFamily
from kyso.keys.model import SignatureScheme as Scheme
from kyso.secrets import Envelope, MasterKey, SealedValueError

__all__ = ["SoftwareKeyStore"]

log = logging.getLogger(__name__)

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
_HASHES: dict[HashAlgorithm, type[hashes.HashAlgorithm]] = {
    HashAlgorithm.SHA256: hashes.SHA256,
    HashAlgorithm.SHA384: hashes.SHA384,
    HashAlgorithm.SHA512: hashes.SHA512,
}
_CURVES: dict[KeyAlgorithm, ec.EllipticCurve] = {
    KeyAlgorithm.EC_P256: ec.SECP256R1(),
    KeyAlgorithm.EC_P384: ec.SECP384R1(),
}


class SoftwareKeyStore:
    """``KeyStore`` whose keys are sealed with the master key and carried in the handle."""

    name = "software"

    def __init__(self, master: MasterKey | Envelope, *, cache_size: int = 1024) -> None:
        self._envelope = master if isinstance(master, Envelope) else Envelope(master)
        self._cache = _KeyCache(cache_size)
        self._destroyed: set[str] = set()

    def __repr__(self) -> str:
        return f"SoftwareKeyStore(cached={len(self._cache)})"

    def generate(self, algorithm: KeyAlgorithm, *, label: str) -> KeyHandle:
        key = _generate(algorithm)
        key_id = secrets.token_hex(16)
        pkcs8 = key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        ref = self._envelope.seal(pkcs8, _purpose(key_id))
        handle = KeyHandle(key_id, algorithm, _spki(key), self.name, ref, label)
        self._cache.put(handle, key)
        log.info("generated %s key %s", algorithm.value, key_id)
        return handle

    def sign(self, handle: KeyHandle, data: bytes, scheme: Scheme) -> bytes:
        scheme.check_key(handle.algorithm)
        key = self._private_key(handle)
        hash_ = _HASHES[scheme.hash_algorithm]()
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(hash_))
        return key.sign(data, _padding(scheme, hash_), hash_)

    def sign_digest(self, handle: KeyHandle, digest: bytes, scheme: Scheme) -> bytes:
        return self.sign_digests(handle, [digest], scheme)[0]

    def sign_digests(self, handle: KeyHandle, digests: list[bytes],
                     scheme: Scheme) -> list[bytes]:
        # the key, the padding and the hash object once a batch, not once a signature
        scheme.check_key(handle.algorithm)
        size = scheme.hash_algorithm.digest_size
        for digest in digests:
            if len(digest) != size:
                scheme.check_digest(digest)  # raises InvalidDigest
        key = self._private_key(handle)
        hash_ = _HASHES[scheme.hash_algorithm]()
        if isinstance(key, ec.EllipticCurvePrivateKey):
            ecdsa = ec.ECDSA(Prehashed(hash_))
            return [key.sign(digest, ecdsa) for digest in digests]
        pad, prehashed, sign = _padding(scheme, hash_), Prehashed(hash_), key.sign
        return [sign(digest, pad, prehashed) for digest in digests]

    def public_key(self, handle: KeyHandle) -> bytes:
        return _spki(self._private_key(handle))

    def destroy(self, handle: KeyHandle) -> None:
        self._check_handle(handle)
        self._destroyed.add(handle.key_id)
        self._cache.discard(handle.key_id)
        log.info("destroyed key %s", handle.key_id)

    def _private_key(self, handle: KeyHandle) -> PrivateKey:
        self._check_handle(handle)
        key = self._cache.get(handle)
        if key is None:
            key = self._open(handle)
            self._cache.put(handle, key)
        return key

    def _check_handle(self, handle: KeyHandle) -> None:
        if handle.backend != self.name:
            raise KeyNotFound(f"the handle belongs to the {handle.backend!r} back end")
        if handle.key_id in self._destroyed:
            raise KeyNotFound("the key was destroyed")

    def _open(self, handle: KeyHandle) -> PrivateKey:
        try:
            pkcs8 = self._envelope.open(handle.ref, _purpose(handle.key_id))
        except SealedValueError as exc:
            raise KeyUnreadable("sealed under another master key, or altered") from exc
        key = _load_private_key(pkcs8)
        if _algorithm_of(key) is not handle.algorithm or _spki(key) != handle.public_key_der:
            raise KeyUnreadable("the handle does not describe its sealed key")
        return key


class _KeyCache:
    """A bounded, thread-safe LRU of parsed keys; an entry only answers for its own ref."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("the key cache needs room for at least one key")
        self._size = size
        self._entries: OrderedDict[str, tuple[bytes, PrivateKey]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, handle: KeyHandle) -> PrivateKey | None:
        with self._lock:
            entry = self._entries.get(handle.key_id)
            if entry is None or entry[0] != handle.ref:
                return None
            self._entries.move_to_end(handle.key_id)
            return entry[1]

    def put(self, handle: KeyHandle, key: PrivateKey) -> None:
        with self._lock:
            self._entries[handle.key_id] = (handle.ref, key)
            self._entries.move_to_end(handle.key_id)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def discard(self, key_id: str) -> None:
        with self._lock:
            self._entries.pop(key_id, None)


def _load_private_key(pkcs8: bytes) -> PrivateKey:
    try:
        key = serialization.load_der_private_key(pkcs8, password=None)
    except ValueError as exc:
        raise KeyUnreadable("the sealed key is not a PKCS#8 key") from exc
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise KeyUnreadable("the sealed key is neither RSA nor EC")
    return key


def _generate(algorithm: KeyAlgorithm) -> PrivateKey:
    if algorithm in _CURVES:
        return ec.generate_private_key(_CURVES[algorithm])
    return rsa.generate_private_key(public_exponent=65537, key_size=algorithm.key_size)


def _algorithm_of(key: PrivateKey) -> KeyAlgorithm | None:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        names = {curve.name: alg for alg, curve in _CURVES.items()}
        return names.get(key.curve.name)
    sizes = {alg.key_size: alg for alg in KeyAlgorithm if alg not in _CURVES}
    return sizes.get(key.key_size)


def _padding(scheme: Scheme, hash_: hashes.HashAlgorithm) -> padding.AsymmetricPadding:
    if scheme.family is SignatureFamily.RSA_PSS:
        return padding.PSS(mgf=padding.MGF1(hash_), salt_length=hash_.digest_size)
    if scheme.family is SignatureFamily.RSA_PSS_MAX:
        return padding.PSS(mgf=padding.MGF1(hash_), salt_length=padding.PSS.MAX_LENGTH)
    return padding.PKCS1v15()


def _spki(key: PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _purpose(key_id: str) -> str:
    return "key:" + key_id
