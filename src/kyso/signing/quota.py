"""The quota until billing provides the ledger: every credential signs without limit."""

from __future__ import annotations

import uuid

from kyso.uow import UnitOfWork

__all__ = ["UnlimitedQuota"]


class UnlimitedQuota:
    def reserve(self, uow: UnitOfWork, credential_id: str, count: int, *,
                relying_party: str | None = None) -> str:
        if count < 1:
            raise ValueError("reserve at least one signature")
        return str(uuid.uuid4())

    def commit(self, uow: UnitOfWork, reservation: str) -> None:
        return None

    def release(self, uow: UnitOfWork, reservation: str) -> None:
        return None
