"""What out-of-band codes, SmartOTP tokens and transaction challenges need from storage."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from kyso.otp.model import OtpCode, Purpose
from kyso.otp.token import Challenge, ChallengeStatus, MethodState, SmartOtpToken, TokenStatus

__all__ = [
    "ChallengeRepository",
    "MethodStateRepository",
    "OtpCodeRepository",
    "SmartOtpRepository",
]


class OtpCodeRepository(Protocol):
    def add(self, code: OtpCode) -> None: ...

    def latest(self, account_id: str, purpose: Purpose) -> OtpCode | None:
        """The newest code for this account and purpose, usable or not."""
        ...

    def count_since(self, account_id: str, purpose: Purpose, since: datetime) -> int: ...

    def save(self, code: OtpCode) -> None: ...

    def supersede(self, account_id: str, purpose: Purpose) -> None:
        """Make every earlier code for this account and purpose unusable."""
        ...


class SmartOtpRepository(Protocol):
    def add(self, token: SmartOtpToken) -> None: ...

    def get(self, token_id: str) -> SmartOtpToken | None: ...

    def current(self, account_id: str, status: TokenStatus, *,
                for_update: bool = False) -> SmartOtpToken | None:
        """The newest token of the account in ``status``."""
        ...

    def for_check(self, account_id: str) -> tuple[SmartOtpToken | None, MethodState]:
        """A code check's read: the newest active token of the account, locked for update
        (None when there is none), and the account's OTP-method state."""
        ...

    def save(self, token: SmartOtpToken) -> None: ...

    def save_check(self, token: SmartOtpToken) -> None:
        """Write what a code check changes: ``last_counter``, ``drift``, ``failures`` and
        ``locked_at`` (the rest of the row is left as it is)."""
        ...


class MethodStateRepository(Protocol):
    def get(self, account_id: str, *, for_update: bool = False) -> MethodState:
        """The account's state; the default (SMS, nothing locked) when none is stored."""
        ...

    def save(self, state: MethodState) -> None: ...


class ChallengeRepository(Protocol):
    def add(self, challenge: Challenge) -> None: ...

    def get(self, challenge_id: str, *, for_update: bool = False) -> Challenge | None: ...

    def for_account(self, account_id: str, status: ChallengeStatus | None,
                    limit: int) -> list[Challenge]: ...

    def save(self, challenge: Challenge) -> None: ...
