"""The quota for people: operators credit signatures or an unlimited term by hand (until
orders do it), customers read their balances, the worker sweeps expired reservations.

Each method is one unit of work around :class:`~kyso.billing.ledger.QuotaLedger`.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from kyso.billing.errors import UnknownCredential
from kyso.billing.ledger import QuotaLedger
from kyso.billing.quota import Balance, LedgerEntry
from kyso.clock import Clock
from kyso.signing.credentials import list_credentials
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["QuotaService"]


class QuotaService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock,
                 ledger: QuotaLedger) -> None:
        self._uow, self._clock, self.ledger = uow_factory, clock, ledger

    def credit(self, credential_id: str, count: int, *, actor: str,
               reference: str | None = None) -> Balance:
        """Add ``count`` signatures (audited); the same ``reference`` credits once."""
        with self._uow() as uow:
            _known(uow, credential_id)
            source = f"admin:{actor}:{reference or uuid.uuid4()}"
            self.ledger.credit(uow, credential_id, count, source=source)
            balance = self.ledger.balance(uow, credential_id)
            uow.commit()
            return balance

    def grant_unlimited(self, credential_id: str, until: datetime, *, actor: str,
                        reference: str | None = None) -> Balance:
        """Sign without counting until ``until`` (audited); the same ``reference`` grants
        once."""
        with self._uow() as uow:
            _known(uow, credential_id)
            source = f"admin:{actor}:{reference or uuid.uuid4()}"
            self.ledger.grant_unlimited(uow, credential_id, until, source=source)
            balance = self.ledger.balance(uow, credential_id)
            uow.commit()
            return balance

    def balance(self, credential_id: str) -> Balance:
        with self._uow() as uow:
            _known(uow, credential_id)
            return self.ledger.balance(uow, credential_id)

    def balances(self, account_id: str) -> list[tuple[str, Balance]]:
        """Every credential of the account with its balance, newest first."""
        with self._uow() as uow:
            return [(c.id, self.ledger.balance(uow, c.id))
                    for c in list_credentials(uow, account_id)]

    def balance_of(self, account_id: str, credential_id: str) -> Balance:
        """The balance of one of the account's own credentials (another's is unknown)."""
        with self._uow() as uow:
            if credential_id not in {c.id for c in list_credentials(uow, account_id)}:
                raise UnknownCredential(credential=credential_id[:100])
            return self.ledger.balance(uow, credential_id)

    def history(self, credential_id: str) -> list[LedgerEntry]:
        with self._uow() as uow:
            _known(uow, credential_id)
            return uow.quota.entries(credential_id)

    def verify(self, credential_id: str) -> bool:
        """Whether the stored totals equal what the ledger adds up to."""
        with self._uow() as uow:
            stored = uow.quota.account(credential_id)
            derived = self.ledger.recompute(uow, credential_id)
        if stored is None:
            return derived.credited == derived.consumed == derived.reserved == 0
        return (stored.credited, stored.consumed, stored.reserved, stored.unlimited_until) == (
            derived.credited, derived.consumed, derived.reserved, derived.unlimited_until)

    def sweep(self) -> int:
        """Release expired reservations; returns how many."""
        with self._uow() as uow:
            count = self.ledger.sweep(uow)
            uow.commit()
            return count


def _known(uow: UnitOfWork, credential_id: str) -> None:
    """The credential names a certificate kyso issued with a key on the server."""
    issuer, _, serial = credential_id.rpartition("-")
    try:
        number = int(serial, 16)
    except ValueError:
        raise UnknownCredential(credential=credential_id) from None
    cert = uow.pki.certificate(issuer, number) if issuer else None
    if cert is None or cert.key_id is None:
        raise UnknownCredential(credential=credential_id)
