"""The SQLAlchemy unit of work: one connection, one transaction, every repository on it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Connection, Engine

from kyso.accounts.ports import AccountRepository, SessionRepository
from kyso.accounts.recovery_cases import RecoveryCaseRepository
from kyso.adapters.db import read_ahead
from kyso.adapters.db.engine import (
    WriterLock,
    begin_writing,
    end_reading,
    is_sqlite,
    mark_read_only,
    open_writer,
    writer_lock,
)
from kyso.adapters.db.read_ahead import SigningReads, reading_ahead
from kyso.adapters.db.repositories.accounts import SqlAccountRepository, SqlSessionRepository
from kyso.adapters.db.repositories.audit import SqlAuditRepository, default_chain_mode
from kyso.adapters.db.repositories.billing import SqlBillingRepository
from kyso.adapters.db.repositories.csc import SqlCscRepository
from kyso.adapters.db.repositories.documents import SqlDocumentRepository
from kyso.adapters.db.repositories.multisign import SqlMultisignRepository
from kyso.adapters.db.repositories.notify import (
    SqlNotificationRepository,
    SqlOutboxRepository,
)
from kyso.adapters.db.repositories.onboarding import SqlRegistrationRepository
from kyso.adapters.db.repositories.otp import SqlOtpCodeRepository
from kyso.adapters.db.repositories.pki import SqlPkiRepository
from kyso.adapters.db.repositories.quota import SqlQuotaRepository
from kyso.adapters.db.repositories.recovery import SqlRecoveryCaseRepository
from kyso.adapters.db.repositories.relying import SqlRelyingRepository
from kyso.adapters.db.repositories.signing import SqlActivationRepository
from kyso.adapters.db.repositories.smartotp import (
    SqlChallengeRepository,
    SqlMethodStateRepository,
    SqlSmartOtpRepository,
)
from kyso.adapters.db.repositories.throttle import SqlThrottleRepository
from kyso.adapters.db.repositories.verify import SqlReceiptJobRepository, SqlRecordRepository
from kyso.adapters.db.signature_write import record_signature
from kyso.adapters.metrics import CountedAudit, observe_audit
from kyso.audit.chain import UNKEYED, ChainKey
from kyso.audit.ports import AuditRepository
from kyso.billing.ports import BillingRepository
from kyso.billing.quota_ports import QuotaRepository
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

__all__ = ["SqlUnitOfWork", "shared_reads"]

# the connection read-only units of work share inside shared_reads(), per engine
_SHARED: ContextVar[dict[Engine, Connection] | None] = ContextVar("kyso_shared_reads",
                                                                   default=None)


@contextmanager
def shared_reads(ahead: SigningReads | None = None) -> Iterator[None]:
    """Inside, read-only units of work share one connection per engine (one pool checkout;
    on SQLite one read transaction, so one snapshot, until a write or the block ends): for a
    request whose reads come from several services — a signHash's bearer check, then its
    credential and SAD. Units of work that write take their own connection as ever, and end
    the shared read transaction first (a read after them begins another); one that starts
    writing (``begin_writing``) takes the shared connection for itself.

    ``ahead``: a signHash's keys; its bearer check reads the SAD and the certificate too
    (``read_ahead.py``), one statement for both reads."""
    shared: dict[Engine, Connection] = {}
    token = _SHARED.set(shared)
    try:
        with reading_ahead(ahead):
            yield
    finally:
        _SHARED.reset(token)
        for conn in shared.values():
            try:
                if conn.in_transaction():
                    conn.rollback()
            finally:
                conn.close()

# Each repository class, made on first use in a unit of work (most use two or three of
# them; building all twenty on every open cost more than a signHash's statements).
_REPOSITORIES: dict[str, Any] = {
    "accounts": SqlAccountRepository,
    "sessions": SqlSessionRepository,
    "otp_codes": SqlOtpCodeRepository,
    "outbox": SqlOutboxRepository,
    "notifications": SqlNotificationRepository,
    "smartotp": SqlSmartOtpRepository,
    "otp_methods": SqlMethodStateRepository,
    "challenges": SqlChallengeRepository,
    "pki": SqlPkiRepository,
    "signing": SqlActivationRepository,
    "documents": SqlDocumentRepository,
    "relying": SqlRelyingRepository,
    "csc": SqlCscRepository,
    "onboarding": SqlRegistrationRepository,
    "billing": SqlBillingRepository,
    "quota": SqlQuotaRepository,
    "throttles": SqlThrottleRepository,
    "recoveries": SqlRecoveryCaseRepository,
    "multisign": SqlMultisignRepository,
    "signature_records": SqlRecordRepository,
    "receipts": SqlReceiptJobRepository,
}


class SqlUnitOfWork:
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
    receipts: ReceiptJobRepository

    def __init__(self, engine: Engine, *, read_only: bool = False,
                 audit_key: ChainKey = UNKEYED, audit_chain: str | None = None) -> None:
        self._engine, self._audit_key = engine, audit_key
        # inline: every append chains at once (one writer anyway on SQLite); batched: appends
        # go to audit_pending, chained by the sequencer (repositories/audit.py)
        self._audit_chain = audit_chain or default_chain_mode(engine.dialect.name)
        self._read_only = read_only
        self._conn: Connection | None = None
        self._lock: WriterLock | None = None
        self._joinable: ExitStack | None = None  # blobs written join this transaction
        self._counted: CountedAudit | None = None
        self._shared: dict[Engine, Connection] | None = None  # the connection is theirs
        self._made: list[str] = []  # the repositories made on the connection, by name

    def __getattr__(self, name: str) -> Any:
        """A repository on this unit of work's connection, made the first time it is used
        (and kept in the instance, so the next use is a plain attribute read)."""
        if name == "audit":
            counted = CountedAudit(SqlAuditRepository(
                self.connection, key=self._audit_key, mode=self._audit_chain,
                read_only=self._read_only))
            self._counted = counted
            self.audit = counted
            self._made.append(name)
            return counted
        kind = _REPOSITORIES.get(name)
        if kind is None:
            raise AttributeError(name)
        repository = kind(self.connection)
        setattr(self, name, repository)
        self._made.append(name)
        return repository

    def __enter__(self) -> Self:
        shared = _SHARED.get()
        if shared is not None and self._read_only:
            conn = shared.get(self._engine)
            if conn is None:
                conn = shared[self._engine] = self._reading()
                read_ahead.shared_connection(conn)
            elif not conn.in_transaction():  # a write ended the last read: a fresh snapshot
                conn.begin()
            self._conn, self._shared, self._counted = conn, shared, None
            return self
        if shared is not None and (reading := shared.get(self._engine)) is not None \
                and reading.in_transaction():
            # a write ends the shared read first: on SQLite a snapshot held across the
            # commits would keep the log from ever being checkpointed back to its start
            reading.rollback()
            read_ahead.forget()  # what was read ahead in it: read again, after the write
        self._lock = None if self._read_only else writer_lock(self._engine)
        if self._lock is not None:
            self._lock.acquire()
        conn = None
        try:
            conn = self._reading() if self._read_only else self._engine.connect()
            if not self._read_only:
                conn.begin()  # SQLite: BEGIN IMMEDIATE, which may wait and give up
        except BaseException:
            if conn is not None:
                conn.close()  # back to the pool now, not when collected
            self._release()
            raise
        self._conn = conn
        if not self._read_only:
            self._join_writes(conn)
        self._counted = None
        return self

    def _reading(self) -> Connection:
        conn = self._engine.connect()
        try:
            mark_read_only(conn)
            conn.begin()
        except BaseException:
            conn.close()
            raise
        return conn

    def _join_writes(self, conn: Connection) -> None:
        self._joinable = ExitStack()
        self._joinable.enter_context(open_writer(self._engine, conn))

    def begin_writing(self) -> None:
        """From here on this read-only unit of work writes (nothing if it already does).

        On SQLite the read transaction ends, and a writing one begins under the write lock:
        a check read before it was made without the lock (a bad bearer token costs nobody
        a wait), and what it read may have changed since, as between two units of work.
        On PostgreSQL, whose read-only units of work run in autocommit, one transaction
        begins (the reads before it held nothing, as between two units of work).
        """
        if not self._read_only:
            return
        conn = self.connection
        if self._shared is not None:  # this unit of work's own from now on
            del self._shared[self._engine]
            self._shared = None
            read_ahead.forget()
        lock = writer_lock(self._engine)
        if lock is not None:  # SQLite
            end_reading(conn)  # no snapshot held while waiting for the lock
            lock.acquire()
            self._lock = lock
        begin_writing(conn)
        self._read_only, self._counted = False, None
        self.__dict__.pop("audit", None)  # made read-only: made again, writing
        self._join_writes(conn)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        made, self._made = self._made, []
        for name in made:  # made on this connection: gone with it
            self.__dict__.pop(name, None)
        if self._shared is not None:  # shared_reads() ends it
            self._shared = None
            return
        joinable, self._joinable = self._joinable, None
        if joinable is not None:
            joinable.close()
        try:
            if conn.in_transaction():
                conn.rollback()
        finally:
            conn.close()
            self._release()

    def _release(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.release()

    def record_signature(self, write: SignatureWrite) -> bool | None:
        if self._audit_chain != "batched" or is_sqlite(self._engine):
            return None  # inline, each append locks the chain's head: the service's order
        written = record_signature(self.connection, write)
        if written and self._read_only:  # autocommit: committed
            observe_audit([write.event])
        elif written:  # counted once committed
            self.audit  # noqa: B018  # made, and counting
            assert self._counted is not None
            self._counted.appended.append(write.event)
        return written

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        counted = self._counted
        appended = 0 if counted is None else len(counted.appended)
        nested = self.connection.begin_nested()
        try:
            yield
        except BaseException:
            nested.rollback()
            now = self._counted  # made in the block, if it was not before
            if now is not None:  # the block's audit records are gone: not counted
                del now.appended[appended if now is counted else 0:]
            raise
        nested.commit()  # RELEASE: part of the transaction, which commits or not

    @property
    def connection(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("the unit of work is not open")
        return self._conn

    def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        # The next statement, if any, begins the next transaction (SQLAlchemy's autobegin,
        # which also fires the SQLite "BEGIN IMMEDIATE" hook): most units of work end with
        # their commit, and an eager BEGIN would cost a write lock only to be rolled back.
        self.connection.commit()
        if self._counted is not None:
            self._counted.committed()  # metrics: counter increments, no query

    def rollback(self) -> None:
        self.connection.rollback()
        if self._counted is not None:
            self._counted.appended.clear()
