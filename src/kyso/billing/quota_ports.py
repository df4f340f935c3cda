"""What the quota ledger needs from storage."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from kyso.billing.quota import EntryKind, Hold, LedgerEntry, QuotaAccount

__all__ = ["QuotaRepository"]


class QuotaRepository(Protocol):
    def open_account(self, credential_id: str, at: datetime) -> QuotaAccount:
        """The credential's totals, created empty if absent, locked until the transaction
        ends (``FOR UPDATE``; SQLite transactions are serialized)."""
        ...

    def account(self, credential_id: str) -> QuotaAccount | None: ...

    def save_account(self, account: QuotaAccount) -> None: ...

    def add_entry(self, entry: LedgerEntry) -> None: ...

    def take(self, credential_id: str, count: int, at: datetime, *,
             unless_awaiting_acceptance: bool = False) -> bool:
        """Count ``count`` consumed in one statement if the account has them available,
        holds no reservation and has no unlimited term running at ``at`` (with
        ``unless_awaiting_acceptance``, and no onboarding registration awaits the
        credential's acceptance record); False (nothing changed) otherwise: the caller
        takes the locked path."""
        ...

    def take_recorded(self, credential_id: str, count: int, at: datetime,
                      entry: LedgerEntry, *,
                      unless_awaiting_acceptance: bool = False) -> bool:
        """:meth:`take`, and the debit's ``entry`` added if it took — in one statement
        where the database allows it (PostgreSQL); False: nothing changed."""
        ...

    def entry(self, entry_id: str) -> LedgerEntry | None: ...

    def entry_by_source(self, credential_id: str, kind: EntryKind,
                        source: str) -> LedgerEntry | None: ...

    def settlement(self, reservation: str) -> LedgerEntry | None:
        """The consume or release entry that settled ``reservation``, if any."""
        ...

    def entries(self, credential_id: str) -> list[LedgerEntry]:
        """The credential's ledger, oldest first."""
        ...

    def add_hold(self, hold: Hold) -> None: ...

    def hold(self, reservation: str) -> Hold | None: ...

    def remove_hold(self, reservation: str) -> bool:
        """Delete the hold; False if another transaction settled it first."""
        ...

    def expired_holds(self, now: datetime, credential_id: str | None,
                      limit: int) -> list[Hold]:
        """Holds whose time is up (of one credential, or of all), oldest first."""
        ...

    def provisioned(self, since: datetime | None, until: datetime | None) -> list[str]:
        """Credentials credited or given an unlimited term in ``[since, until)``."""
        ...
