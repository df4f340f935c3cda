"""The quota ledger: signatures credited, reserved, consumed and released, per credential.

It implements :class:`kyso.signing.ports.Quota`. The signing path calls :meth:`reserve`
before it uses the key, then :meth:`commit` or :meth:`release`; provisioning calls
:meth:`credit` and :meth:`grant_unlimited`, idempotent per ``source``. Every method runs in
the caller's unit of work and never commits.

Never oversold: every change locks the credential's totals row first (``FOR UPDATE`` on
PostgreSQL; SQLite runs one ``BEGIN IMMEDIATE`` writer at a time), then checks and writes.
Never lost: a reservation neither committed nor released (a crash mid-signature) expires
after ``reservation_ttl``; the next reserve on that credential, :meth:`sweep` (``kyso
worker``) and :meth:`balance` treat it as released. Free signatures (a ``public_service``
relying party, an unlimited term) go through the same steps and are recorded, not counted.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from kyso.audit.model import AuditEvent
from kyso.billing.errors import InvalidQuantity, InvalidSource, UnknownReservation
from kyso.billing.quota import (
    Balance,
    Basis,
    Debit,
    EntryKind,
    Hold,
    LedgerEntry,
    QuotaAccount,
)
from kyso.clock import Clock
from kyso.signing.errors import OutOfSignatures
from kyso.uow import UnitOfWork

__all__ = ["Balance", "QuotaLedger"]

EXPIRED = "expired"  # the source of a release made by the sweep
MAX_CREDIT = 1_000_000


def _new_id() -> str:
    return str(uuid.uuid4())


class QuotaLedger:
    def __init__(self, clock: Clock, reservation_ttl: timedelta = timedelta(minutes=10)) -> None:
        if reservation_ttl <= timedelta(0):
            raise ValueError("a reservation lives a positive time")
        self._clock, self._ttl = clock, reservation_ttl

    # -- provisioning -----------------------------------------------------------------
    def credit(self, uow: UnitOfWork, credential_id: str, count: int, *, source: str) -> None:
        """Add ``count`` signatures; a second credit with the same source changes nothing."""
        if not 1 <= count <= MAX_CREDIT:
            raise InvalidQuantity(reason=f"1..{MAX_CREDIT}")
        _check_source(source)
        now = self._clock.now()
        account = uow.quota.open_account(credential_id, now)
        if uow.quota.entry_by_source(credential_id, EntryKind.CREDIT, source) is not None:
            return
        uow.quota.add_entry(LedgerEntry(_new_id(), credential_id, EntryKind.CREDIT, count, now,
                                        source=source))
        uow.quota.save_account(replace(account, credited=account.credited + count,
                                       updated_at=now))
        self._audit(uow, "quota.credited", credential_id, source, count=count)

    def grant_unlimited(self, uow: UnitOfWork, credential_id: str, until: datetime, *,
                        source: str) -> None:
        """Sign without counting until ``until`` (a later grant extends, never shortens);
        a second grant with the same source changes nothing."""
        _check_source(source)
        now = self._clock.now()
        account = uow.quota.open_account(credential_id, now)
        if uow.quota.entry_by_source(credential_id, EntryKind.UNLIMITED, source) is not None:
            return
        uow.quota.add_entry(LedgerEntry(_new_id(), credential_id, EntryKind.UNLIMITED, 0, now,
                                        source=source, until=until))
        end = max(until, account.unlimited_until or until)
        uow.quota.save_account(replace(account, unlimited_until=end, updated_at=now))
        self._audit(uow, "quota.unlimited", credential_id, source, until=until.isoformat())

    def balance(self, uow: UnitOfWork, credential_id: str) -> Balance:
        """The credential's balance now; expired reservations count as released."""
        now = self._clock.now()
        account = uow.quota.account(credential_id) or QuotaAccount(credential_id, now)
        stale = sum(h.count for h in uow.quota.expired_holds(now, credential_id, 10_000)
                    if h.basis is Basis.QUOTA)
        reserved = account.reserved - stale
        return Balance(available=max(0, account.credited - account.consumed - reserved),
                       reserved=reserved, consumed=account.consumed,
                       unlimited_until=account.unlimited_until, credited=account.credited)

    def covers(self, uow: UnitOfWork, credential_id: str, count: int) -> bool:
        """Whether ``count`` signatures would be taken now (advice, no lock: a request made
        now is confirmed later, when :meth:`reserve` decides)."""
        b = self.balance(uow, credential_id)
        now = self._clock.now()
        return (b.unlimited_until is not None and now < b.unlimited_until) or b.available >= count

    # -- the signing path (kyso.signing.ports.Quota) ------------------------------------
    def reserve(self, uow: UnitOfWork, credential_id: str, count: int, *,
                relying_party: str | None = None) -> str:
        """Hold ``count`` signatures; return the reservation id, or raise OutOfSignatures."""
        if count < 1:
            raise ValueError("reserve at least one signature")
        now = self._clock.now()
        basis = self._free_basis(uow, relying_party)
        if basis is None:
            account = uow.quota.open_account(credential_id, now)
            if account.reserved:  # only held quota can come back; the sweep clears the rest
                account = self._expire(uow, account, now)
            basis = self._take(uow, account, count, now)
        entry = LedgerEntry(_new_id(), credential_id, EntryKind.RESERVE, count, now,
                            basis=basis, until=now + self._ttl, relying_party=relying_party)
        uow.quota.add_entry(entry)
        uow.quota.add_hold(Hold(entry.id, credential_id, count, basis, entry.until or now,
                                relying_party))
        return entry.id

    def common_debit(self, credential_id: str, count: int, *,
                     relying_party: str | None = None) -> Debit | None:
        """:meth:`debit`'s common case as one step a store can write along with the
        signatures (``Debit``); if it does not take, :meth:`debit` does the rest. None when
        the basis needs a read first (a relying party's signatures may be free)."""
        if count < 1:
            raise ValueError("debit at least one signature")
        if relying_party is not None:
            return None
        now = self._clock.now()
        return Debit(credential_id, count, now,
                     _debited(credential_id, count, now, Basis.QUOTA, None))

    def debit(self, uow: UnitOfWork, credential_id: str, count: int, *,
              relying_party: str | None = None,
              gate: Callable[[], bool] | None = None) -> None:
        """Count ``count`` signatures already made, in one step (the transaction that
        records them): one ``consume`` entry that settles no reservation, so no hold is left
        to settle or expire. Raises OutOfSignatures, and the caller's transaction (with the
        signatures) rolls back.

        ``gate`` (the onboarding acceptance gate): the common case's one statement also
        requires that no registration awaits the credential's acceptance record; any other
        case asks ``gate()`` first, which refuses the signature (raises), frees it (True:
        nothing is counted) or lets it be counted (False)."""
        if count < 1:
            raise ValueError("debit at least one signature")
        now = self._clock.now()
        basis = self._free_basis(uow, relying_party)
        if basis is None and uow.quota.take_recorded(
                credential_id, count, now, _debited(credential_id, count, now, Basis.QUOTA,
                                                    relying_party),
                unless_awaiting_acceptance=gate is not None):
            return  # the common case, one statement: counted and entered, nothing held
        if gate is not None and gate():
            return  # the acceptance record: free
        if basis is None:  # held reservations to expire, an unlimited term, or too few
            account = uow.quota.open_account(credential_id, now)
            if account.reserved:
                account = self._expire(uow, account, now)
            basis = Basis.UNLIMITED if account.unlimited_at(now) else Basis.QUOTA
            if basis is Basis.QUOTA:
                if account.available < count:
                    raise OutOfSignatures(available=max(0, account.available), wanted=count)
                uow.quota.save_account(replace(account, consumed=account.consumed + count,
                                               updated_at=now))
        uow.quota.add_entry(_debited(credential_id, count, now, basis, relying_party))

    def commit(self, uow: UnitOfWork, reservation: str) -> None:
        """Count what was signed, once; a repeated commit changes nothing."""
        self._settle(uow, reservation, EntryKind.CONSUME)

    def release(self, uow: UnitOfWork, reservation: str) -> None:
        """Give back what was not signed; after a commit or a release, changes nothing."""
        self._settle(uow, reservation, EntryKind.RELEASE)

    def sweep(self, uow: UnitOfWork, limit: int = 500) -> int:
        """Release expired reservations of every credential; returns how many."""
        now = self._clock.now()
        expired = uow.quota.expired_holds(now, None, limit)
        for credential_id in dict.fromkeys(h.credential_id for h in expired):
            self._expire(uow, uow.quota.open_account(credential_id, now), now)
        return len(expired)

    def recompute(self, uow: UnitOfWork, credential_id: str) -> QuotaAccount:
        """The totals derived from the ledger alone (to check the stored ones)."""
        entries = uow.quota.entries(credential_id)
        account = QuotaAccount(credential_id, entries[-1].at if entries else self._clock.now())
        by_id = {e.id: e for e in entries}
        for e in entries:
            account = _apply(account, e, by_id)
        return account

    # -- helpers -----------------------------------------------------------------------
    def _free_basis(self, uow: UnitOfWork, relying_party: str | None) -> Basis | None:
        if relying_party is None:
            return None
        party = uow.relying.party(relying_party)
        return Basis.PUBLIC_SERVICE if party is not None and party.public_service else None

    def _take(self, uow: UnitOfWork, account: QuotaAccount, count: int,
              now: datetime) -> Basis:
        if account.unlimited_at(now):
            return Basis.UNLIMITED
        if account.available < count:
            raise OutOfSignatures(available=max(0, account.available), wanted=count)
        uow.quota.save_account(replace(account, reserved=account.reserved + count,
                                       updated_at=now))
        return Basis.QUOTA

    def _settle(self, uow: UnitOfWork, reservation: str, kind: EntryKind) -> None:
        now = self._clock.now()
        hold = uow.quota.hold(reservation)
        if hold is None:
            self._settled_before(uow, reservation, kind, now)
            return
        account = (uow.quota.open_account(hold.credential_id, now)
                   if hold.basis is Basis.QUOTA else None)
        if not uow.quota.remove_hold(reservation):  # settled meanwhile (PostgreSQL)
            self._settled_before(uow, reservation, kind, now)
            return
        uow.quota.add_entry(LedgerEntry(_new_id(), hold.credential_id, kind, hold.count, now,
                                        basis=hold.basis, reservation=reservation,
                                        relying_party=hold.relying_party))
        if account is not None:
            consumed = hold.count if kind is EntryKind.CONSUME else 0
            uow.quota.save_account(replace(account, reserved=account.reserved - hold.count,
                                           consumed=account.consumed + consumed,
                                           updated_at=now))

    def _settled_before(self, uow: UnitOfWork, reservation: str, kind: EntryKind,
                        now: datetime) -> None:
        """A reservation already settled: nothing to do, unless a signature is committed
        after its reservation expired — then it is counted now, late, still once."""
        reserved = uow.quota.entry(reservation)
        if reserved is None or reserved.kind is not EntryKind.RESERVE:
            raise UnknownReservation()
        settled = uow.quota.settlement(reservation)
        if kind is EntryKind.RELEASE or settled is None or settled.source != EXPIRED:
            return
        late = f"late:{reservation}"
        if uow.quota.entry_by_source(reserved.credential_id, EntryKind.CONSUME, late):
            return
        account = uow.quota.open_account(reserved.credential_id, now)
        uow.quota.add_entry(LedgerEntry(_new_id(), reserved.credential_id, EntryKind.CONSUME,
                                        reserved.count, now, basis=reserved.basis, source=late,
                                        relying_party=reserved.relying_party))
        if reserved.basis is Basis.QUOTA:
            uow.quota.save_account(replace(account, consumed=account.consumed + reserved.count,
                                           updated_at=now))

    def _expire(self, uow: UnitOfWork, account: QuotaAccount, now: datetime) -> QuotaAccount:
        """Release the expired reservations of ``account`` (locked by the caller)."""
        freed = 0
        for hold in uow.quota.expired_holds(now, account.credential_id, 10_000):
            if not uow.quota.remove_hold(hold.id):
                continue
            uow.quota.add_entry(LedgerEntry(_new_id(), hold.credential_id, EntryKind.RELEASE,
                                            hold.count, now, basis=hold.basis, source=EXPIRED,
                                            reservation=hold.id,
                                            relying_party=hold.relying_party))
            freed += hold.count if hold.basis is Basis.QUOTA else 0
        if not freed:
            return account
        account = replace(account, reserved=account.reserved - freed, updated_at=now)
        uow.quota.save_account(account)
        return account

    def _audit(self, uow: UnitOfWork, action: str, credential_id: str, source: str,
               **details: str | int) -> None:
        event = AuditEvent(action, actor=source, subject=credential_id, details=details)
        uow.audit.append(event, self._clock.now())


def _check_source(source: str) -> None:
    if not 1 <= len(source) <= 120 or not source.isprintable():
        raise InvalidSource()


def _apply(account: QuotaAccount, e: LedgerEntry, by_id: dict[str, LedgerEntry]) -> QuotaAccount:
    counted = e.basis is Basis.QUOTA
    if e.kind is EntryKind.CREDIT:
        return replace(account, credited=account.credited + e.count)
    if e.kind is EntryKind.UNLIMITED:
        assert e.until is not None
        end = max(e.until, account.unlimited_until or e.until)
        return replace(account, unlimited_until=end)
    if not counted:
        return account
    if e.kind is EntryKind.RESERVE:
        return replace(account, reserved=account.reserved + e.count)
    # a late consume, and a debit's, settle no hold
    held = e.count if e.reservation in by_id else 0
    consumed = e.count if e.kind is EntryKind.CONSUME else 0
    return replace(account, reserved=account.reserved - held,
                   consumed=account.consumed + consumed)


def _debited(credential_id: str, count: int, now: datetime, basis: Basis,
             relying_party: str | None) -> LedgerEntry:
    """A debit's entry: a ``consume`` that settles no reservation (counted, nothing held;
    until 6 December 2026 a debit wrote a ``reserve`` and the ``consume`` that settled it,
    which the totals derive alike: ledgers may hold both forms)."""
    return LedgerEntry(_new_id(), credential_id, EntryKind.CONSUME, count, now, basis=basis,
                       relying_party=relying_party)
