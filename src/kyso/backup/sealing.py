"""The key material of a backup, sealed for an offline key.

A backup holds the master key (or, for a key in an HSM, only its reference) and the
configuration file; they must not open with what else lies beside them. They are sealed
with AES-256-GCM under a key that only the operator's offline secret gives:

- a **passphrase**: the key is Argon2id(passphrase, a random 16-byte salt) — 64 MiB, three
  passes, four lanes by default (the parameters travel with the sealed value, so a later
  kyso opens an older backup);
- an **X25519 recipient** (as age does): an ephemeral X25519 key agrees a secret with the
  recipient's public key, HKDF-SHA256 makes the AES key of it; only the recipient's private
  key (kept offline, e.g. ``openssl genpkey -algorithm X25519``) opens it.

The associated data binds the sealed value to one backup. :func:`open_sealed` raises
:class:`KeyNotOpened` for a wrong passphrase or key, and for a value altered after sealing:
from outside the two look the same.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kyso.backup.errors import BackupError, KeyNotOpened

__all__ = ["PassphraseSealer", "RecipientSealer", "Sealer", "load_identity", "load_recipient",
           "open_sealed"]

_INFO = b"kyso-backup/x25519"
_MAX_MEMORY_KIB = 4 * 1024 * 1024  # a header asking for more is not ours: refuse, not swap


class Sealer(Protocol):
    def seal(self, plaintext: bytes, aad: bytes) -> tuple[dict[str, Any], bytes]:
        """(the public parameters to keep beside it, the sealed bytes)"""
        ...


@dataclass(frozen=True, repr=False)
class PassphraseSealer:
    passphrase: bytes
    memory_kib: int = 65536
    iterations: int = 3
    lanes: int = 4

    def __post_init__(self) -> None:
        if len(self.passphrase) < 12:
            raise BackupError("the passphrase must have at least 12 characters")

    def seal(self, plaintext: bytes, aad: bytes) -> tuple[dict[str, Any], bytes]:
        salt = os.urandom(16)
        header = {"method": "passphrase", "kdf": "argon2id", "salt": _b64(salt),
                  "memory_kib": self.memory_kib, "iterations": self.iterations,
                  "lanes": self.lanes}
        return header, _encrypt(_argon2(self.passphrase, header), plaintext, aad)


@dataclass(frozen=True)
class RecipientSealer:
    recipient: X25519PublicKey

    def seal(self, plaintext: bytes, aad: bytes) -> tuple[dict[str, Any], bytes]:
        ephemeral = X25519PrivateKey.generate()
        public = _raw(ephemeral.public_key())
        key = _agreed(ephemeral.exchange(self.recipient), public, _raw(self.recipient))
        header = {"method": "x25519", "ephemeral": _b64(public),
                  "recipient": fingerprint(self.recipient)}
        return header, _encrypt(key, plaintext, aad)


def fingerprint(public: X25519PublicKey) -> str:
    """A short name of the recipient key (SHA-256 of its 32 bytes, 16 hex digits)."""
    return hashlib.sha256(_raw(public)).hexdigest()[:16]


def open_sealed(header: dict[str, Any], sealed: bytes, aad: bytes, *,
                passphrase: bytes | None = None,
                identity: X25519PrivateKey | None = None) -> bytes:
    """The plaintext, or :class:`KeyNotOpened`."""
    method = header.get("method")
    if method == "passphrase":
        if passphrase is None:
            raise KeyNotOpened("this backup's keys are sealed under a passphrase: give it")
        key = _argon2(passphrase, header)
    elif method == "x25519":
        if identity is None:
            raise KeyNotOpened("this backup's keys are sealed for an X25519 key "
                               f"({header.get('recipient')}): give its private key")
        try:
            ephemeral = _unb64(str(header["ephemeral"]))
            shared = identity.exchange(X25519PublicKey.from_public_bytes(ephemeral))
        except (KeyError, ValueError) as exc:
            raise KeyNotOpened("the sealed keys' header is damaged") from exc
        key = _agreed(shared, ephemeral, _raw(identity.public_key()))
    else:
        raise KeyNotOpened(f"unknown sealing method {method!r}")
    try:
        return AESGCM(key).decrypt(sealed[:12], sealed[12:], aad)
    except (InvalidTag, ValueError) as exc:
        which = "passphrase" if method == "passphrase" else "private key"
        raise KeyNotOpened(f"the {which} does not open this backup's keys (wrong {which}, "
                           "or the sealed keys were altered)") from exc


def load_recipient(path: Path) -> X25519PublicKey:
    """An X25519 public key: PEM (``openssl pkey -pubout``) or base64 of its 32 bytes."""
    data = _read(path)
    try:
        if b"-----BEGIN" in data:
            key = serialization.load_pem_public_key(data)
        else:
            key = X25519PublicKey.from_public_bytes(_unb64(data.decode().strip()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{path} is not an X25519 public key") from exc
    if not isinstance(key, X25519PublicKey):
        raise BackupError(f"{path} is not an X25519 public key")
    return key


def load_identity(path: Path) -> X25519PrivateKey:
    """An X25519 private key: PEM, unencrypted (``openssl genpkey -algorithm X25519``)."""
    try:
        key = serialization.load_pem_private_key(_read(path), password=None)
    except (ValueError, TypeError) as exc:
        raise BackupError(f"{path} is not an unencrypted X25519 private key (PEM)") from exc
    if not isinstance(key, X25519PrivateKey):
        raise BackupError(f"{path} is not an X25519 private key")
    return key


def _argon2(passphrase: bytes, header: dict[str, Any]) -> bytes:
    try:
        salt = _unb64(str(header["salt"]))
        memory, passes, lanes = (int(header[k]) for k in ("memory_kib", "iterations", "lanes"))
    except (KeyError, ValueError) as exc:
        raise KeyNotOpened("the sealed keys' header is damaged") from exc
    if not (8 * lanes <= memory <= _MAX_MEMORY_KIB and 1 <= passes <= 100 and
            1 <= lanes <= 64 and len(salt) >= 16):
        raise KeyNotOpened("the sealed keys' header asks for unusual Argon2id parameters")
    kdf = Argon2id(salt=salt, length=32, iterations=passes, lanes=lanes, memory_cost=memory)
    return kdf.derive(passphrase)


def _agreed(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=ephemeral + recipient, info=_INFO).derive(shared)


def _encrypt(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _raw(key: X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror}") from exc


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise ValueError("not base64") from exc
