"""Secrets that hide themselves, and envelope encryption for values kept at rest.

Every sealed value gets its own random 256-bit data key (AES-256-GCM); the data key is
wrapped by a master key (AES-256-GCM as well). ``purpose`` is bound as associated data,
so a value sealed for one use cannot be opened as another.

Envelope format 2 names the master key that wraps its data key (an 8-byte key id), so a
:class:`Keyring` can hold two master keys during a rotation (``adapters/db/rotation.py``):
values open under either, new ones are sealed under the current one, and
:meth:`Envelope.rewrap` moves a value to another key without touching its body. Format 1
(no key id, before rotation existed) still opens under any key of the ring.
"""

from __future__ import annotations

import hmac
import os
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from hashlib import sha256
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kyso.errors import Unavailable

__all__ = ["Envelope", "KeyWrapper", "Keyring", "MasterKey", "MasterKeyRetired",
           "SealedValueError", "Secret",
           "key_id_of", "load_or_create_master_key"]

_V1, _V2 = 1, 2
_HEADER = struct.Struct(">BH")  # format 1: version, wrapped-key length
_HEADER_V2 = struct.Struct(">B8sH")  # format 2: version, key id, wrapped-key length


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


class MasterKeyRetired(Unavailable):
    """Every master key this node holds was retired by a rotation it did not follow."""

    code = "temporarily_unavailable"
    vi = "Khóa chủ của máy chủ này đã được thay; cần khởi động lại máy chủ với khóa chủ mới."
    en = "This node's master key was retired by a rotation: restart it with the new master key."


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

    @property
    def key_id(self) -> bytes:
        """8 bytes naming this key in envelopes (a PRF output: tells nothing of the key)."""
        return self.derive("key-id")[:8]

    def describe(self) -> bytes:
        """What a rotation stores (sealed) to hand this key to the other nodes: itself."""
        return self.material

    @cached_property
    def _kek(self) -> AESGCM:
        return AESGCM(self.derive("envelope-kek"))

    def wrap(self, dek: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._kek.encrypt(nonce, dek, aad)

    def unwrap(self, wrapped: bytes, aad: bytes) -> bytes:
        return self._kek.decrypt(wrapped[:12], wrapped[12:], aad)


class KeyWrapper(Protocol):
    """A master key: wraps and unwraps data keys (in memory, or inside an HSM)."""

    @property
    def key_id(self) -> bytes: ...

    def describe(self) -> bytes: ...

    def wrap(self, dek: bytes, aad: bytes) -> bytes: ...

    def unwrap(self, wrapped: bytes, aad: bytes) -> bytes: ...


class Keyring:
    """The master keys a node holds: the current one seals, any of them opens.

    ``refresh`` (set by ``adapters/db/key_check.py``) is called before a seal (it limits
    itself to one look every few seconds), and at once for a value under an unknown key: it
    lets a running node learn the new key of a rotation from the database. A node that finds
    all its keys retired (a rotation ended without it) refuses to seal rather than seal under
    a key that opens nothing any more: :class:`MasterKeyRetired`."""

    def __init__(self, current: KeyWrapper) -> None:
        self._keys: dict[bytes, KeyWrapper] = {current.key_id: current}
        self._current = current
        self._lock = threading.Lock()
        self.refresh: Callable[[Keyring, bool], None] | None = None
        self.retired = False

    def __repr__(self) -> str:
        return f"Keyring(keys={len(self._keys)})"

    @property
    def current(self) -> KeyWrapper:
        if self.refresh is not None:
            self.refresh(self, False)
        if self.retired:
            raise MasterKeyRetired()
        return self._current

    def add(self, key: KeyWrapper, *, current: bool = False) -> None:
        with self._lock:
            self._keys[key.key_id] = key
            if current:
                self._current = key

    def use(self, key_id: bytes) -> None:
        """Seal under the held key ``key_id`` from now on."""
        with self._lock:
            self._current = self._keys[key_id]
            self.retired = False

    def get(self, key_id: bytes) -> KeyWrapper | None:
        found = self._keys.get(key_id)
        if found is None and self.refresh is not None:
            self.refresh(self, True)
            found = self._keys.get(key_id)
        return found

    def held(self) -> list[KeyWrapper]:
        """The current key first."""
        with self._lock:
            return [self._current, *(k for k in self._keys.values() if k is not self._current)]


class Envelope:
    """Seal and open values with per-value data keys wrapped by a master key."""

    def __init__(self, keys: KeyWrapper | Keyring) -> None:
        self.keyring = keys if isinstance(keys, Keyring) else Keyring(keys)

    def __repr__(self) -> str:
        return f"Envelope({self.keyring!r})"

    def seal(self, plaintext: bytes, purpose: str) -> bytes:
        aad = purpose.encode()
        dek = AESGCM.generate_key(bit_length=256)
        data_nonce = os.urandom(12)
        body = data_nonce + AESGCM(dek).encrypt(data_nonce, plaintext, aad)
        return _pack(self.keyring.current, dek, aad) + body

    def open(self, sealed: bytes, purpose: str) -> bytes:
        aad = purpose.encode()
        dek, body = self._data_key(sealed, aad)
        try:
            return AESGCM(dek).decrypt(body[:12], body[12:], aad)
        except (InvalidTag, ValueError) as exc:
            raise SealedValueError("the sealed value cannot be opened") from exc

    def rewrap(self, sealed: bytes, purpose: str, to: KeyWrapper) -> bytes:
        """``sealed`` with its data key wrapped by ``to`` instead; the body is unchanged
        (and still checked, so a damaged value is refused rather than carried over)."""
        aad = purpose.encode()
        dek, body = self._data_key(sealed, aad)
        try:
            AESGCM(dek).decrypt(body[:12], body[12:], aad)
        except (InvalidTag, ValueError) as exc:
            raise SealedValueError("the sealed value cannot be opened") from exc
        return _pack(to, dek, aad) + body

    def _data_key(self, sealed: bytes, aad: bytes) -> tuple[bytes, bytes]:
        try:
            key_id, wrapped, body = _parse(sealed)
            candidates = self.keyring.held() if key_id is None else [self.keyring.get(key_id)]
            for key in candidates:
                if key is None:
                    continue
                try:
                    return key.unwrap(wrapped, aad), body
                except (InvalidTag, ValueError):
                    continue
        except (struct.error, ValueError) as exc:
            raise SealedValueError("the sealed value cannot be opened") from exc
        raise SealedValueError("the sealed value cannot be opened")


def key_id_of(sealed: bytes) -> bytes | None:
    """The id of the master key wrapping ``sealed`` (None: format 1, which names none)."""
    try:
        return _parse(sealed)[0]
    except (struct.error, ValueError) as exc:
        raise SealedValueError("not a sealed value") from exc


def _pack(key: KeyWrapper, dek: bytes, aad: bytes) -> bytes:
    wrapped = key.wrap(dek, aad)
    return _HEADER_V2.pack(_V2, key.key_id, len(wrapped)) + wrapped


def _parse(sealed: bytes) -> tuple[bytes | None, bytes, bytes]:
    version = sealed[0] if sealed else 0
    if version == _V1:
        _, wrapped_len = _HEADER.unpack_from(sealed)
        start, key_id = _HEADER.size, None
    elif version == _V2:
        _, key_id, wrapped_len = _HEADER_V2.unpack_from(sealed)
        start = _HEADER_V2.size
    else:
        raise ValueError("unknown envelope version")
    if len(sealed) < start + wrapped_len + 12:
        raise ValueError("truncated envelope")
    return key_id, sealed[start : start + wrapped_len], sealed[start + wrapped_len :]


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
