"""What the audit trail needs from storage."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Protocol

from kyso.audit.model import AuditEvent, AuditRecord

__all__ = ["AuditRepository"]


class AuditRepository(Protocol):
    def append(self, event: AuditEvent, at: datetime) -> AuditRecord:
        """Chain ``event`` after the current head, atomically, in the open transaction."""
        ...

    def records(self, after_seq: int = 0) -> Iterator[AuditRecord]:
        """Records in ``seq`` order."""
        ...

    def head(self) -> tuple[int, str]:
        """``(seq, hash)`` of the last record; ``(0, GENESIS)`` for an empty trail."""
        ...
