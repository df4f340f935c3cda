"""The quota ledger's records.

Truth is the append-only list of :class:`LedgerEntry` per credential. Two derived records
make it fast and safe under concurrency, and are written in the same transaction as the
entry that changes them:

- :class:`QuotaAccount`, one row per credential: the running totals (the row locked by
  every change, ``FOR UPDATE`` on PostgreSQL), so a balance is one read;
- :class:`Hold`, one row per reservation still open: what a reserve holds until it is
  committed, released or expired; its deletion is what settles a reservation, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = ["Balance", "Basis", "Debit", "EntryKind", "Hold", "LedgerEntry", "QuotaAccount"]


class EntryKind(StrEnum):
    CREDIT = "credit"          # signatures added (a pack, an operator, the demo)
    UNLIMITED = "unlimited"    # an unlimited term granted until ``until``
    RESERVE = "reserve"        # signatures held before signing, until ``until`` at most
    CONSUME = "consume"        # signed: counted (a reservation's, or a debit's at once)
    RELEASE = "release"        # a reservation not signed (failure, or expired): given back


class Basis(StrEnum):
    """What a signature is counted against."""

    QUOTA = "quota"                    # the credential's signatures: counted
    UNLIMITED = "unlimited"            # within an unlimited term: recorded, not counted
    PUBLIC_SERVICE = "public_service"  # for a public-service portal: recorded, free


@dataclass(frozen=True)
class LedgerEntry:
    id: str
    credential_id: str
    kind: EntryKind
    count: int
    at: datetime
    basis: Basis = Basis.QUOTA
    source: str | None = None        # credits and grants: why (``order:…``); idempotence key
    reservation: str | None = None   # consume and release: the reserve entry they settle
    #                                  (none: a debit's consume, counted with no hold)
    until: datetime | None = None    # reserve: when it expires; unlimited: the term's end
    relying_party: str | None = None

    def __post_init__(self) -> None:
        if self.count < 0 or (self.count == 0 and self.kind is not EntryKind.UNLIMITED):
            raise ValueError("a ledger entry moves at least one signature")
        if self.kind in (EntryKind.CREDIT, EntryKind.UNLIMITED) and not self.source:
            raise ValueError("a credit or a grant names its source")
        if self.kind in (EntryKind.RESERVE, EntryKind.UNLIMITED) and self.until is None:
            raise ValueError("a reservation and an unlimited grant have an end")


@dataclass(frozen=True)
class Debit:
    """A debit as the signing path's common case writes it: ``count`` taken from the
    credential's quota (no hold to expire, no unlimited term, enough left; with
    ``unless_awaiting_acceptance``, no registration awaiting the credential's acceptance
    record) and its ``entry`` added, a ``consume`` that settles no reservation — in the
    statement that records the signatures, where the store can."""

    credential_id: str
    count: int
    at: datetime
    entry: LedgerEntry
    unless_awaiting_acceptance: bool = False


@dataclass(frozen=True)
class QuotaAccount:
    """The running totals of one credential's ledger."""

    credential_id: str
    updated_at: datetime
    credited: int = 0
    consumed: int = 0
    reserved: int = 0
    unlimited_until: datetime | None = None

    @property
    def available(self) -> int:
        return self.credited - self.consumed - self.reserved

    def unlimited_at(self, now: datetime) -> bool:
        return self.unlimited_until is not None and now < self.unlimited_until


@dataclass(frozen=True)
class Hold:
    """An open reservation (its reserve entry's id, count and basis)."""

    id: str
    credential_id: str
    count: int
    basis: Basis
    expires_at: datetime
    relying_party: str | None = None


@dataclass(frozen=True)
class Balance:
    """What a credential may still sign. ``available`` is never below zero (a signature
    counted after its reservation expired may leave a debt that the next credit pays)."""

    available: int            # signatures that can still be reserved (credits - consumed - held)
    reserved: int             # held by reservations not yet committed/released
    consumed: int
    unlimited_until: datetime | None   # an unlimited package's end, if any
    credited: int = 0

    def unlimited_at(self, now: datetime) -> bool:
        return self.unlimited_until is not None and now < self.unlimited_until
