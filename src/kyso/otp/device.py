"""The seed on the customer's device, locked by the SmartOTP PIN with no verifier.

The seed is XORed with a key stream derived from the PIN by argon2id (memory-hard, salted per
device). Nothing else is stored: no MAC, no hash of the PIN or the seed. Opening with a wrong
PIN yields a different seed of the same length — and so well-formed but wrong codes — never an
error, so a stolen device file gives an attacker no way to test PIN guesses offline; only the
server, with its failure counter and lockout, can tell a right code from a wrong one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw

from kyso.accounts.rules import is_weak_digit_pattern
from kyso.otp.errors import WeakSmartOtpPin

__all__ = ["DeviceKdf", "LockedSeed", "check_smartotp_pin", "lock_seed", "unlock_seed"]


@dataclass(frozen=True)
class DeviceKdf:
    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 1

    def __post_init__(self) -> None:
        if self.time_cost < 1 or self.memory_kib < 1024 or self.parallelism < 1:
            raise ValueError("the device KDF must cost at least 1 pass over 1 MiB")


@dataclass(frozen=True)
class LockedSeed:
    salt: bytes
    masked: bytes
    kdf: DeviceKdf = DeviceKdf()

    def __post_init__(self) -> None:
        if len(self.salt) < 16 or not self.masked:
            raise ValueError("a locked seed needs a 16-byte salt and a seed")


def _stream(pin: str, salt: bytes, length: int, kdf: DeviceKdf) -> bytes:
    return hash_secret_raw(pin.encode(), salt, kdf.time_cost, kdf.memory_kib, kdf.parallelism,
                           length, Type.ID)


def lock_seed(seed: bytes, pin: str, kdf: DeviceKdf = DeviceKdf()) -> LockedSeed:
    salt = secrets.token_bytes(16)
    stream = _stream(pin, salt, len(seed), kdf)
    return LockedSeed(salt, bytes(a ^ b for a, b in zip(seed, stream, strict=True)), kdf)


def unlock_seed(locked: LockedSeed, pin: str) -> bytes:
    """The seed — or, for a wrong PIN, another seed of the same length. Never raises."""
    stream = _stream(pin, locked.salt, len(locked.masked), locked.kdf)
    return bytes(a ^ b for a, b in zip(locked.masked, stream, strict=True))


def check_smartotp_pin(pin: str) -> None:
    """At least 6 digits; no runs (123456, 654321) and not all the same digit."""
    well_formed = 6 <= len(pin) <= 12 and pin.isascii() and pin.isdigit()
    if not well_formed or is_weak_digit_pattern(pin):
        raise WeakSmartOtpPin()
