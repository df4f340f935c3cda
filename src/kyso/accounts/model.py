"""Accounts and sessions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from kyso.lockout import LockState

__all__ = ["Account", "AccountStatus", "Role", "Session"]


class Role(StrEnum):
    CUSTOMER = "customer"
    RA_OFFICER = "ra_officer"
    SUPPORT = "support"
    ADMIN = "admin"


class AccountStatus(StrEnum):
    PENDING = "pending"  # signed up, phone and email not proven yet
    ACTIVE = "active"
    LOCKED = "locked"
    CLOSED = "closed"


@dataclass(frozen=True)
class Account:
    id: str
    username: str
    full_name: str
    phone: str
    email: str
    password_hash: str
    pin_hash: str
    created_at: datetime
    role: Role = Role.CUSTOMER
    status: AccountStatus = AccountStatus.ACTIVE
    id_number: str | None = None
    locale: str = "vi"
    password_lock: LockState = field(default_factory=LockState)
    pin_lock: LockState = field(default_factory=LockState)


@dataclass(frozen=True)
class Session:
    """A login session. Only the SHA-256 of the bearer token is stored."""

    id: str
    account_id: str
    token_hash: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None = None
    user_agent: str | None = None
    ip: str | None = None

    def is_live(self, now: datetime, idle_seconds: int) -> bool:
        idle_ok = (now - self.last_seen_at).total_seconds() < idle_seconds
        return self.revoked_at is None and now < self.expires_at and idle_ok
