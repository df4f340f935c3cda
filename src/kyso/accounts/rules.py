"""Strength rules for passwords and PINs, and the argon2id hasher."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import Type

from kyso.accounts.errors import WeakPassword, WeakPin

__all__ = ["SecretHasher", "check_password", "check_pin", "is_weak_digit_pattern"]

_COMMON = frozenset(
    {"password", "matkhau", "123456789", "12345678", "qwerty123", "iloveyou", "abc12345",
     "admin123", "password1", "11111111", "88888888", "a1234567", "aa123456", "zxcvbnm1"}
)


def is_weak_digit_pattern(digits: str) -> bool:
    """All the same digit, or a run up or down (cyclic: 789012, 210987)."""
    steps = {(int(b) - int(a)) % 10 for a, b in pairwise(digits)}
    return len(steps) == 1 and steps <= {0, 1, 9}


def check_pin(pin: str, *, digits: int = 6) -> None:
    if len(pin) != digits or not pin.isascii() or not pin.isdigit() or is_weak_digit_pattern(pin):
        raise WeakPin(digits=digits)


def check_password(password: str, *, personal: tuple[str, ...] = ()) -> None:
    def weak(vi: str, en: str) -> WeakPassword:
        return WeakPassword(reason_vi=vi, reason_en=en)

    if not 8 <= len(password) <= 128:
        raise weak("cần từ 8 đến 128 ký tự", "it needs 8 to 128 characters")
    if not re.search(r"[^\W\d_]", password) or not re.search(r"\d", password):
        raise weak("cần có cả chữ và số", "it needs both letters and digits")
    lowered = password.lower()
    if lowered in _COMMON or len(set(lowered)) < 4:
        raise weak("mật khẩu quá phổ biến", "it is too common")
    if any(len(p) >= 4 and p.lower() in lowered for p in personal):
        raise weak(
            "không được chứa tên đăng nhập, số điện thoại hay email",
            "it must not contain your login name, phone or email",
        )


@dataclass(frozen=True)
class SecretHasher:
    """argon2id; verification never raises on a wrong secret, only returns ``False``."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 2

    def _hasher(self) -> PasswordHasher:
        return PasswordHasher(
            time_cost=self.time_cost,
            memory_cost=self.memory_kib,
            parallelism=self.parallelism,
            type=Type.ID,
        )

    def hash(self, secret: str) -> str:
        return self._hasher().hash(secret)

    def verify(self, encoded: str, secret: str) -> bool:
        try:
            return self._hasher().verify(encoded, secret)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, encoded: str) -> bool:
        return self._hasher().check_needs_rehash(encoded)
