"""The SmartOTP token, the OTP-method state of an account, and transaction challenges."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from kyso.otp.errors import MethodLocked
from kyso.otp.oath import OathParams

__all__ = [
    "SMARTOTP_OCRA_SUITE",
    "SMARTOTP_PARAMS",
    "Challenge",
    "ChallengeStatus",
    "Method",
    "MethodLock",
    "MethodState",
    "SmartOtpToken",
    "TokenKind",
    "TokenStatus",
]

SMARTOTP_PARAMS = OathParams(algorithm="sha256", digits=6, step=30)
AUTHENTICATOR_PARAMS = OathParams(algorithm="sha1", digits=6, step=30)
SMARTOTP_OCRA_SUITE = "OCRA-1:HOTP-SHA256-8:QH64"


class TokenStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REVOKED = "revoked"


class TokenKind(StrEnum):
    SMARTOTP = "smartotp"
    AUTHENTICATOR = "authenticator"


class Method(StrEnum):
    SMS = "sms"
    SMARTOTP = "smartotp"


@dataclass(frozen=True)
class SmartOtpToken:
    """A soft token. ``sealed_seed`` is envelope-encrypted; the activation code is an HMAC."""

    id: str
    account_id: str
    sealed_seed: bytes
    created_at: datetime
    status: TokenStatus = TokenStatus.PENDING
    kind: TokenKind = TokenKind.SMARTOTP
    algorithm: str = SMARTOTP_PARAMS.algorithm
    digits: int = SMARTOTP_PARAMS.digits
    period: int = SMARTOTP_PARAMS.step
    ocra_suite: str = SMARTOTP_OCRA_SUITE
    terms_version: str | None = None
    device_id: str | None = None
    device_name: str | None = None
    activation_mac: str | None = None
    activation_expires_at: datetime | None = None
    activation_attempts: int = 0
    activated_at: datetime | None = None
    revoked_at: datetime | None = None
    last_counter: int | None = None
    drift: int = 0
    failures: int = 0
    locked_at: datetime | None = None

    @property
    def params(self) -> OathParams:
        return OathParams(self.algorithm, self.digits, self.period)

    def revoked(self, at: datetime) -> SmartOtpToken:
        return replace(self, status=TokenStatus.REVOKED, revoked_at=at, activation_mac=None)


@dataclass(frozen=True)
class MethodLock:
    at: datetime
    by: str
    reason: str


@dataclass(frozen=True)
class MethodState:
    """How an account receives OTPs, and which methods are temporarily locked."""

    account_id: str
    preferred: Method = Method.SMS
    locks: Mapping[Method, MethodLock] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "locks", MappingProxyType(dict(self.locks)))

    def is_locked(self, method: Method) -> bool:
        return method in self.locks

    def ensure_unlocked(self, method: Method) -> None:
        if method in self.locks:
            raise MethodLocked(method=method.value)

    def with_lock(self, method: Method, lock: MethodLock | None) -> MethodState:
        locks = dict(self.locks)
        if lock is None:
            locks.pop(method, None)
        else:
            locks[method] = lock
        return replace(self, locks=locks)


class ChallengeStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    EXPIRED = "expired"
    FAILED = "failed"


@dataclass(frozen=True)
class Challenge:
    """A transaction waiting for the customer's confirmation.

    With the SmartOTP method, ``question`` is the OCRA question over the canonical details
    (``transaction_id``, ``kind`` and every detail), so a code confirms this one only.
    """

    id: str
    account_id: str
    kind: str
    details: Mapping[str, str]
    method: Method
    created_at: datetime
    expires_at: datetime
    question: str | None = None
    ocra_suite: str | None = None
    status: ChallengeStatus = ChallengeStatus.PENDING
    attempts: int = 0
    decided_at: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))

    def bound_details(self) -> dict[str, str]:
        return {"transaction_id": self.id, "kind": self.kind, **self.details}
