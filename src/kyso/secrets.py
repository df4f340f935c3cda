"""Secrets that hide themselves, and envelope encryption for values kept at rest.

Every sealed value gets its own random 256-bit data key (AES-256-GCM); the data key is
wrapped by the master key (AES-256-GCM as well). ``purpose`` is bound as associated data,
so a value sealed for one use cannot be opened as another.
"""

from __future__ import annotations

import hmac
import os
import struct
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["Envelope", "MasterKey", "SealedValueError", "Secret", "load_or_create_master_key"]

_VERSION = 1
_HEADER = struct.Struct(">BH")  # version, wrapped-key length


class Secret:
    """A string that never shows itself in ``repr``, ``str`` or logs."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(sha256(self._value.encode()).digest())


class SealedValueError(Exception):
    """A sealed value was altered, or belongs to another purpose or master key."""


@dataclass(frozen=True, repr=False)
class MasterKey:
    material: bytes

    def __post_init__(self) -> None:
        if len(self.material) != 32:
            raise ValueError("the master key must be 32 bytes")

    def __repr__(self) -> str:
        return "MasterKey(**********)"

    def derive(self, label: str) -> bytes:
        """A 32-byte subkey for ``label`` (HMAC-SHA256 as a PRF)."""
        return hmac.new(self.material, b"kyso/" + label.encode(), sha256).digest()


class Envelope:
    """Seal and open values with per-value data keys wrapped by the master key."""

    def __init__(self, master: MasterKey) -> None:
        self._kek = AESGCM(master.derive("envelope-kek"))

    def seal(self, plaintext: bytes, purpose: str) -> bytes:
        aad = purpose.encode()
        dek = AESGCM.generate_key(bit_length=256)
        key_nonce, data_nonce = os.urandom(12), os.urandom(12)
        wrapped = key_nonce + self._kek.encrypt(key_nonce, dek, aad)
        body = data_nonce + AESGCM(dek).encrypt(data_nonce, plaintext, aad)
        return _HEADER.pack(_VERSION, len(wrapped)) + wrapped + body

    def open(self, sealed: bytes, purpose: str) -> bytes:
        aad = purpose.encode()
        try:
            version, wrapped_len = _HEADER.unpack_from(sealed)
            if version != _VERSION:
                raise SealedValueError("unknown envelope version")
            start = _HEADER.size
            wrapped = sealed[start : start + wrapped_len]
            body = sealed[start + wrapped_len :]
            dek = self._kek.decrypt(wrapped[:12], wrapped[12:], aad)
            return AESGCM(dek).decrypt(body[:12], body[12:], aad)
        except (InvalidTag, struct.error, ValueError) as exc:
            raise SealedValueError("the sealed value cannot be opened") from exc


def load_or_create_master_key(path: Path) -> MasterKey:
    """Read the master key file, creating it (mode 0600) when it does not exist."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(os.urandom(32))
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise PermissionError(f"{path} must not be readable by others (mode {mode:o}); chmod 600")
    return MasterKey(path.read_bytes())
