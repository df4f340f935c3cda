"""The unit of work: one transaction, the repositories that share it.

Services own transactions (``with uow_factory() as uow: ...; uow.commit()``); repositories
never commit. Leaving the block without ``commit()`` rolls everything back.

``uow_factory(read_only=True)`` opens a transaction that only reads: on SQLite it neither
takes the write lock nor waits for the writer, so reads (authenticating a session, listing)
never queue behind writes; on PostgreSQL its statements run in autocommit (each sees what
is committed, as in a READ COMMITTED transaction, with no BEGIN or ROLLBACK sent), so a
write in it would not be rolled back; committing it is a programming error.
``begin_writing()`` turns it into a writing one once its reads have decided to write (the
bearer check of ``POST /smartotp/verify``, then the code check: a bad token never waits
for, nor takes, the lock; on PostgreSQL one transaction begins there).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from types import TracebackType
from typing import Protocol, Self

from kyso.accounts.ports import AccountRepository, SessionRepository
from kyso.accounts.recovery_cases import RecoveryCaseRepository
from kyso.audit.ports import AuditRepository
from kyso.billing.ports import BillingRepository
from kyso.billing.quota_ports import QuotaRepository
from kyso.errors import KysoError
from kyso.notify.ports import NotificationRepository, OutboxRepository
from kyso.onboarding.ports import RegistrationRepository
from kyso.otp.ports import (
    ChallengeRepository,
    MethodStateRepository,
    OtpCodeRepository,
    SmartOtpRepository,
)
from kyso.pki.ports import PkiRepository
from kyso.relying.csc_model import CscRepository
from kyso.relying.ports import RelyingRepository
from kyso.signing.multisign_model import MultisignRepository
from kyso.signing.ports import ActivationRepository, SignatureWrite
from kyso.signing.receipt_jobs import ReceiptJobRepository
from kyso.signing.records import RecordRepository
from kyso.signing.storage import DocumentRepository
from kyso.throttle import ThrottleRepository

__all__ = ["UnitOfWork", "UnitOfWorkFactory", "failures_kept"]


class UnitOfWork(Protocol):
    accounts: AccountRepository
    sessions: SessionRepository
    otp_codes: OtpCodeRepository
    audit: AuditRepository
    outbox: OutboxRepository
    notifications: NotificationRepository
    smartotp: SmartOtpRepository
    otp_methods: MethodStateRepository
    challenges: ChallengeRepository
    pki: PkiRepository
    signing: ActivationRepository
    documents: DocumentRepository
    relying: RelyingRepository
    csc: CscRepository
    onboarding: RegistrationRepository
    billing: BillingRepository
    quota: QuotaRepository
    throttles: ThrottleRepository
    recoveries: RecoveryCaseRepository
    multisign: MultisignRepository
    signature_records: RecordRepository
    receipts: ReceiptJobRepository  # signing receipts to make, and made

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def begin_writing(self) -> None: ...

    def record_signature(self, write: SignatureWrite) -> bool | None:
        """Write all of ``write`` or nothing, in one statement, where the store can
        (PostgreSQL with the audit chain batched): True written, False nothing written (the
        SAD changed since it was read, or the debit is not its common case: the caller
        writes it piece by piece, which tells which); None: the store cannot (nothing
        tried). In a read-only unit of work (autocommit on PostgreSQL) the statement is its
        own transaction, committed when this returns; in a writing one it is part of it."""
        ...

    def savepoint(self) -> AbstractContextManager[None]:
        """A block whose writes are undone, and nothing else, if it raises (the exception
        goes on); otherwise they stay part of the transaction. Only in a writing unit of
        work."""
        ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, read_only: bool = False) -> UnitOfWork: ...


@contextmanager
def failures_kept(uow: UnitOfWork) -> Iterator[None]:
    """Commit what a failed check recorded (failure counters, locks, audit) before its
    :class:`~kyso.errors.KysoError` propagates; the block must change nothing else first."""
    try:
        yield
    except KysoError:
        uow.commit()
        raise
