"""PKCS#11 key store (python-pkcs11 0.10): keys are token objects that never leave the device.

Private keys are generated on the token as sensitive, non-extractable, private token
objects with a random 16-byte CKA_ID (the handle's ``ref``; ``key_id`` is its hex). Every
signature is made on a precomputed hash: PKCS#1 v1.5 with a DigestInfo we build and
CKM_RSA_PKCS, PSS with CKM_RSA_PKCS_PSS, ECDSA with raw CKM_ECDSA (SoftHSM 2.6 lacks
CKM_ECDSA_SHA256) whose r||s output is re-encoded as DER.

python-pkcs11 calls ``C_Initialize(NULL)``, which tells the module that the application
will not call it from several threads at once (SoftHSM then disables its own locking). So
one lock per module path serialises every call into the module, and one session suffices.
PKCS#11 exceptions are translated into :mod:`kyso.keys.errors` in ``_device`` only.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import pkcs11
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pkcs11 import Attribute, KeyType, Mechanism, MechanismFlag, ObjectClass
from pkcs11 import exceptions as p11
from pkcs11.types import PublicKey, SignMixin
from pkcs11.util.ec import (
    encode_ec_public_key,
    encode_ecdsa_signature,
    encode_named_curve_parameters,
)

from kyso.keys.errors import (
    BackendUnavailable,
    InvalidDigest,
    KeyNotFound,
    KeyStoreError,
    UnsupportedAlgorithm,
)
from kyso.keys.model import HashAlgorithm, KeyAlgorithm, KeyFamily, KeyHandle, SignatureFamily
from kyso.keys.model import SignatureScheme as Scheme
from kyso.secrets import Secret

__all__ = ["Pkcs11KeyStore"]

log = logging.getLogger(__name__)

_HASH_MECHANISMS = {
    HashAlgorithm.SHA256: (Mechanism.SHA256, pkcs11.MGF.SHA256),
    HashAlgorithm.SHA384: (Mechanism.SHA384, pkcs11.MGF.SHA384),
    HashAlgorithm.SHA512: (Mechanism.SHA512, pkcs11.MGF.SHA512),
}
_PRIVATE_TEMPLATE = {
    Attribute.TOKEN: True,
    Attribute.PRIVATE: True,
    Attribute.SENSITIVE: True,
    Attribute.EXTRACTABLE: False,
}


def _causes(names: str) -> tuple[type[p11.PKCS11Error], ...]:
    return tuple(getattr(p11, name) for name in names.split())  # a typo fails at import


_ERRORS: tuple[tuple[tuple[type[p11.PKCS11Error], ...], type[KeyStoreError]], ...] = (
    (_causes("NoSuchKey ObjectHandleInvalid KeyHandleInvalid"), KeyNotFound),
    (_causes("DataLenRange DataInvalid"), InvalidDigest),
    (
        _causes("MechanismInvalid MechanismParamInvalid KeyTypeInconsistent KeySizeRange")
        + _causes("DomainParamsInvalid FunctionNotSupported"),
        UnsupportedAlgorithm,
    ),
    (
        _causes("SessionHandleInvalid SessionClosed DeviceRemoved DeviceError DeviceMemory")
        + _causes("TokenNotPresent TokenNotRecognised UserNotLoggedIn"),
        BackendUnavailable,
    ),
)
_module_locks: dict[str, threading.RLock] = {}
_module_locks_guard = threading.Lock()


class Pkcs11KeyStore:
    """``KeyStore`` on a PKCS#11 token (an HSM, or SoftHSM2 in tests).

    Keep one store per token per process: PKCS#11 login state belongs to the process, so
    closing one store logs out every session this process has on that token.
    """

    name = "pkcs11"

    def __init__(
        self, module_path: str, token_label: str, user_pin: Secret | str, *, cache_size: int = 4096
    ) -> None:
        self._module_path = module_path
        self._token_label = token_label
        self._pin = user_pin if isinstance(user_pin, Secret) else Secret(user_pin)
        self._cache_size = cache_size
        self._lock = _module_lock(module_path)
        self._session: pkcs11.Session | None = None
        self._keys: OrderedDict[bytes, SignMixin] = OrderedDict()
        with self._lock:
            self._connect()

    def __repr__(self) -> str:
        return f"Pkcs11KeyStore(module={self._module_path!r}, token={self._token_label!r})"

    def __enter__(self) -> Pkcs11KeyStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            session, self._session = self._session, None
            self._keys.clear()
            if session is not None:
                with suppress(p11.PKCS11Error):
                    session.close()

    def generate(self, algorithm: KeyAlgorithm, *, label: str) -> KeyHandle:
        ckid = secrets.token_bytes(16)
        with self._device() as session:
            public, private = _generate(session, algorithm, ckid, f"{label} ({ckid.hex()})")
            if private[Attribute.EXTRACTABLE] or not private[Attribute.SENSITIVE]:
                public.destroy()
                private.destroy()
                raise KeyStoreError("the token would not make the key sensitive")
            spki = _spki(public)
        log.info("generated %s key %s on token %s", algorithm.value, ckid.hex(), self._token_label)
        return KeyHandle(ckid.hex(), algorithm, spki, self.name, ckid, label)

    def sign(self, handle: KeyHandle, data: bytes, scheme: Scheme) -> bytes:
        scheme.check_key(handle.algorithm)
        return self.sign_digest(handle, scheme.hash_algorithm.compute(data), scheme)

    def sign_digest(self, handle: KeyHandle, digest: bytes, scheme: Scheme) -> bytes:
        scheme.check_key(handle.algorithm)
        scheme.check_digest(digest)
        kwargs = _mechanism(scheme, handle.algorithm.key_size)
        if scheme.family is SignatureFamily.RSA_PKCS1V15:
            digest = scheme.hash_algorithm.digest_info(digest)
        with self._device():
            signature: bytes = self._private_key(handle).sign(digest, **kwargs)
        if scheme.family is SignatureFamily.ECDSA:
            return encode_ecdsa_signature(signature)
        return signature

    def sign_digests(self, handle: KeyHandle, digests: list[bytes],
                     scheme: Scheme) -> list[bytes]:
        """The batch on one hold of the device (its lock and session), not one a digest."""
        scheme.check_key(handle.algorithm)
        for digest in digests:
            scheme.check_digest(digest)
        kwargs = _mechanism(scheme, handle.algorithm.key_size)
        if scheme.family is SignatureFamily.RSA_PKCS1V15:
            digests = [scheme.hash_algorithm.digest_info(d) for d in digests]
        with self._device():
            key = self._private_key(handle)
            signatures: list[bytes] = [key.sign(d, **kwargs) for d in digests]
        if scheme.family is SignatureFamily.ECDSA:
            return [encode_ecdsa_signature(s) for s in signatures]
        return signatures

    def public_key(self, handle: KeyHandle) -> bytes:
        self._check_backend(handle)
        with self._device() as session:
            public = session.get_key(object_class=ObjectClass.PUBLIC_KEY, id=handle.ref)
            assert isinstance(public, PublicKey)
            return _spki(public)

    def destroy(self, handle: KeyHandle) -> None:
        self._check_backend(handle)
        with self._device() as session:
            objects = list(session.get_objects({Attribute.ID: handle.ref}))
            if not objects:
                raise KeyNotFound("no object with this id on the token")
            for obj in objects:
                obj.destroy()
            self._keys.pop(handle.ref, None)
        log.info("destroyed key %s on token %s", handle.key_id, self._token_label)

    def _private_key(self, handle: KeyHandle) -> SignMixin:
        """The token's private key object (call with the lock held, inside ``_device``)."""
        self._check_backend(handle)
        key = self._keys.get(handle.ref)
        if key is not None:
            self._keys.move_to_end(handle.ref)
        else:
            assert self._session is not None
            found = self._session.get_key(object_class=ObjectClass.PRIVATE_KEY, id=handle.ref)
            assert isinstance(found, SignMixin)
            self._keys[handle.ref] = key = found
            if len(self._keys) > self._cache_size:
                self._keys.popitem(last=False)
        return key

    def _check_backend(self, handle: KeyHandle) -> None:
        if handle.backend != self.name:
            raise KeyNotFound(f"the handle belongs to the {handle.backend!r} back end")

    @contextmanager
    def _device(self) -> Iterator[pkcs11.Session]:
        with self._lock:
            session = self._session or self._connect()
            try:
                yield session
            except p11.PKCS11Error as exc:
                raise self._translate(exc) from exc

    def _connect(self) -> pkcs11.Session:
        try:
            token = pkcs11.lib(self._module_path).get_token(token_label=self._token_label)
            try:
                session = token.open(rw=True, user_pin=self._pin.reveal())
            except p11.UserAlreadyLoggedIn:  # another store of this process logged in
                session = token.open(rw=True)
        except p11.PKCS11Error as exc:
            reason = type(exc).__name__
            raise BackendUnavailable(f"cannot open token {self._token_label!r}: {reason}") from exc
        self._session = session
        self._keys.clear()
        return session

    def _translate(self, exc: p11.PKCS11Error) -> KeyStoreError:
        kind = next((k for causes, k in _ERRORS if isinstance(exc, causes)), KeyStoreError)
        if kind in (KeyNotFound, BackendUnavailable):
            self._keys.clear()  # cached object handles may be stale
        if kind is BackendUnavailable:
            self._session = None  # reconnect on the next call
        return kind(type(exc).__name__)


def _module_lock(module_path: str) -> threading.RLock:
    with _module_locks_guard:
        return _module_locks.setdefault(module_path, threading.RLock())


def _generate(
    session: pkcs11.Session, algorithm: KeyAlgorithm, ckid: bytes, label: str
) -> tuple[pkcs11.PublicKey, pkcs11.PrivateKey]:
    options: dict[str, Any] = {
        "id": ckid,
        "label": label,
        "store": True,
        "capabilities": MechanismFlag.SIGN | MechanismFlag.VERIFY,
        "private_template": _PRIVATE_TEMPLATE,
    }
    if algorithm.family is KeyFamily.RSA:
        return session.generate_keypair(KeyType.RSA, algorithm.key_size, **options)
    assert algorithm.curve is not None
    curve = {Attribute.EC_PARAMS: encode_named_curve_parameters(algorithm.curve)}
    params = session.create_domain_parameters(KeyType.EC, curve, local=True)
    return params.generate_keypair(**options)


def _mechanism(scheme: Scheme, key_size: int) -> dict[str, Any]:
    if scheme.family is SignatureFamily.ECDSA:
        return {"mechanism": Mechanism.ECDSA}
    if scheme.family is SignatureFamily.RSA_PKCS1V15:
        return {"mechanism": Mechanism.RSA_PKCS}
    hash_mechanism, mgf = _HASH_MECHANISMS[scheme.hash_algorithm]
    salt_length = scheme.family.salt_length(scheme.hash_algorithm, key_size)
    return {
        "mechanism": Mechanism.RSA_PKCS_PSS,
        "mechanism_param": (hash_mechanism, mgf, salt_length),
    }


def _spki(public: PublicKey) -> bytes:
    if public.key_type is KeyType.EC:
        return encode_ec_public_key(public)
    modulus = int.from_bytes(public[Attribute.MODULUS], "big")
    exponent = int.from_bytes(public[Attribute.PUBLIC_EXPONENT], "big")
    key = rsa.RSAPublicNumbers(exponent, modulus).public_key()
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
