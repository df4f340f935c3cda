"""What out-of-band codes need from storage."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from kyso.otp.model import OtpCode, Purpose

__all__ = ["OtpCodeRepository"]


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
