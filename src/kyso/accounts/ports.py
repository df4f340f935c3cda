"""What accounts need from storage."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from kyso.accounts.model import Account, Session

__all__ = ["AccountRepository", "SessionRepository"]


class AccountRepository(Protocol):
    def add(self, account: Account) -> None:
        """Store a new account; :class:`~kyso.accounts.errors.IdentifierTaken` when another
        transaction stored one with the same identifier first (the unit of work is then
        spoiled: roll it back)."""
        ...

    def get(self, account_id: str, *, for_update: bool = False) -> Account | None: ...

    def find_by_login(self, login: str, *, for_update: bool = False) -> Account | None:
        """The account whose username, phone, email or ID number is ``login``."""
        ...

    def taken(self, username: str, phone: str, email: str, id_number: str | None) -> list[str]:
        """Which of these identifiers another account already uses (field names)."""
        ...

    def save(self, account: Account) -> None: ...


class SessionRepository(Protocol):
    def add(self, session: Session) -> None: ...

    def get(self, session_id: str) -> Session | None: ...

    def by_token_hash(self, token_hash: str) -> Session | None: ...

    def with_account(self, token_hash: str) -> tuple[Session, Account] | None:
        """The session of this token hash and its account, read together (the bearer check
        of every request: one statement)."""
        ...

    def for_account(self, account_id: str) -> list[Session]: ...

    def touch(self, session_id: str, at: datetime) -> bool:
        """Record activity at ``at`` on a session not revoked; False if it is revoked (or
        gone)."""
        ...

    def save(self, session: Session) -> None: ...
