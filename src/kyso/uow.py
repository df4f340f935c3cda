"""The unit of work: one transaction, the repositories that share it.

Services own transactions (``with uow_factory() as uow: ...; uow.commit()``); repositories
never commit. Leaving the block without ``commit()`` rolls everything back.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self

from kyso.accounts.ports import AccountRepository, SessionRepository
from kyso.audit.ports import AuditRepository
from kyso.notify.ports import NotificationRepository, OutboxRepository
from kyso.otp.ports import OtpCodeRepository

__all__ = ["UnitOfWork", "UnitOfWorkFactory"]


class UnitOfWork(Protocol):
    accounts: AccountRepository
    sessions: SessionRepository
    otp_codes: OtpCodeRepository
    audit: AuditRepository
    outbox: OutboxRepository
    notifications: NotificationRepository

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
