"""A master key held in a PKCS#11 token: a non-extractable AES-256 key that wraps data keys.

The key never leaves the token: :meth:`wrap` and :meth:`unwrap` are ``C_Encrypt`` and
``C_Decrypt`` with CKM_AES_GCM on it (a fresh 12-byte nonce per data key, the purpose as
associated data), the same construction as a file master key (``kyso.secrets.MasterKey``).
Its key id names the token and the key label, so give each new key a new label
(``kyso keys hsm-generate``). Calls share the module lock of ``pkcs11.py``: python-pkcs11
disables the module's own locking.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from contextlib import suppress
from typing import Any

import pkcs11
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
from pkcs11 import exceptions as p11
from pkcs11.mechanisms import GCMParams

from kyso.adapters.keystore.pkcs11 import _module_lock
from kyso.keys.errors import BackendUnavailable, KeyNotFound, KeyStoreError
from kyso.secrets import Secret

__all__ = ["Pkcs11MasterKey", "generate_master_key", "hsm_opener"]

_UNWRAP_FAILED = (p11.GeneralError, p11.EncryptedDataInvalid, p11.EncryptedDataLenRange,
                  p11.FunctionFailed, p11.DataInvalid, p11.DataLenRange)
_AesKey = Any  # pkcs11.SecretKey with EncryptMixin and DecryptMixin
_SECRET_TEMPLATE = {Attribute.TOKEN: True, Attribute.PRIVATE: True, Attribute.SENSITIVE: True,
                    Attribute.EXTRACTABLE: False}


class Pkcs11MasterKey:
    """``KeyWrapper`` whose key is the AES key ``key_label`` on token ``token_label``."""

    def __init__(self, module_path: str, token_label: str, key_label: str,
                 user_pin: Secret) -> None:
        self.module_path, self.token_label, self.key_label = module_path, token_label, key_label
        self._pin = user_pin
        self._lock = _module_lock(module_path)
        self._session: pkcs11.Session | None = None
        self._key: _AesKey | None = None
        self.key_id = hashlib.sha256(
            f"kyso/pkcs11-master/{token_label}/{key_label}".encode()).digest()[:8]
        with self._lock:
            self._connect()

    def __repr__(self) -> str:
        return f"Pkcs11MasterKey(token={self.token_label!r}, key={self.key_label!r})"

    def describe(self) -> bytes:
        """What a rotation stores to name this key to other nodes (no secret in it)."""
        return json.dumps({"pkcs11": {"token": self.token_label, "key": self.key_label}},
                          sort_keys=True).encode()

    def wrap(self, dek: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(12)
        with self._lock:
            key = self._key or self._connect()
            try:
                return nonce + bytes(key.encrypt(dek, mechanism=Mechanism.AES_GCM,
                                                 mechanism_param=GCMParams(nonce, aad)))
            except p11.PKCS11Error as exc:
                self._forget()
                raise BackendUnavailable(f"the token refused to wrap: {type(exc).__name__}") \
                    from exc

    def unwrap(self, wrapped: bytes, aad: bytes) -> bytes:
        if len(wrapped) < 12 + 16:
            raise ValueError("wrapped key too short")
        with self._lock:
            key = self._key or self._connect()
            try:
                return bytes(key.decrypt(wrapped[12:], mechanism=Mechanism.AES_GCM,
                                         mechanism_param=GCMParams(wrapped[:12], aad)))
            except _UNWRAP_FAILED as exc:  # another key's, or altered
                raise ValueError("the token could not unwrap the data key") from exc
            except p11.PKCS11Error as exc:
                self._forget()
                raise BackendUnavailable(f"the token is unavailable: {type(exc).__name__}") \
                    from exc

    def close(self) -> None:
        with self._lock:
            self._forget()

    def _connect(self) -> _AesKey:
        try:
            token = pkcs11.lib(self.module_path).get_token(token_label=self.token_label)
            try:
                session = token.open(user_pin=self._pin.reveal())
            except p11.UserAlreadyLoggedIn:  # another store of this process logged in
                session = token.open()
            key = session.get_key(object_class=ObjectClass.SECRET_KEY, key_type=KeyType.AES,
                                  label=self.key_label)
        except p11.NoSuchKey as exc:
            raise KeyNotFound(f"no AES key {self.key_label!r} on token {self.token_label!r}") \
                from exc
        except p11.PKCS11Error as exc:
            raise BackendUnavailable(
                f"cannot open token {self.token_label!r}: {type(exc).__name__}") from exc
        if key[Attribute.EXTRACTABLE] or not key[Attribute.SENSITIVE]:
            raise KeyStoreError(f"the key {self.key_label!r} can leave the token; a master "
                                "key must be sensitive and non-extractable")
        self._session, self._key = session, key
        return key

    def _forget(self) -> None:
        session, self._session, self._key = self._session, None, None
        if session is not None:
            with suppress(p11.PKCS11Error):
                session.close()


def generate_master_key(module_path: str, token_label: str, key_label: str,
                        user_pin: Secret) -> Pkcs11MasterKey:
    """Make a new non-extractable AES-256 key ``key_label`` on the token (never a second one
    with the same label)."""
    with _module_lock(module_path):
        try:
            token = pkcs11.lib(module_path).get_token(token_label=token_label)
            try:
                session = token.open(rw=True, user_pin=user_pin.reveal())
            except p11.UserAlreadyLoggedIn:
                session = token.open(rw=True)
            with session:
                if list(session.get_objects({Attribute.LABEL: key_label,
                                             Attribute.CLASS: ObjectClass.SECRET_KEY})):
                    raise KeyStoreError(f"the token already holds a key {key_label!r}")
                session.generate_key(KeyType.AES, 256, label=key_label, store=True,
                                     template=_SECRET_TEMPLATE)
        except p11.PKCS11Error as exc:
            raise BackendUnavailable(
                f"cannot make the key on token {token_label!r}: {type(exc).__name__}") from exc
    return Pkcs11MasterKey(module_path, token_label, key_label, user_pin)


def hsm_opener(module_path: str, user_pin: Secret) -> Callable[[str, str], Pkcs11MasterKey]:
    """Opens (once each) the AES keys of ``module_path`` by token and key label."""
    opened: dict[tuple[str, str], Pkcs11MasterKey] = {}

    def open_key(token_label: str, key_label: str) -> Pkcs11MasterKey:
        key = opened.get((token_label, key_label))
        if key is None:
            key = Pkcs11MasterKey(module_path, token_label, key_label, user_pin)
            opened[(token_label, key_label)] = key
        return key

    return open_key
