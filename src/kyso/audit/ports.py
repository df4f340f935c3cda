"""What the audit trail needs from storage."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import datetime
from typing import Protocol

from kyso.audit.model import AuditEvent, AuditRecord, PendingAudit

__all__ = ["AuditRepository"]


class AuditRepository(Protocol):
    def append(self, event: AuditEvent, at: datetime) -> AuditRecord | PendingAudit:
        """Record ``event`` in the open transaction: chained after the current head
        (inline mode: an AuditRecord), or written to the pending events the sequencer
        chains shortly after the commit (batched mode: a PendingAudit, no seq yet)."""
        ...

    @property
    def locks_shared_row(self) -> bool:
        """Whether :meth:`append` locks a row every audited transaction shares (inline
        mode: the chain's head, until the commit); batched appends lock none, so a
        transaction may append before it takes its other hot rows."""
        ...

    def last_appended(self) -> AuditRecord | PendingAudit | None:
        """What this repository's last :meth:`append` returned (None before any)."""
        ...

    def positions(self, pending_ids: Collection[int]) -> dict[int, tuple[int, str]]:
        """``(seq, hash)`` of the records chained from these pending events, by pending id
        (one read for a batch); an event still pending (or that never was) is left out."""
        ...

    def has_pending(self) -> bool:
        """Whether committed (or this transaction's) events wait to be chained."""
        ...

    def chain_pending(self, limit: int, *, wait: bool = True) -> int:
        """Chain up to ``limit`` pending events, oldest first, in the open transaction (the
        caller commits): lock the head, seal each after it, insert the records, delete the
        pending rows, move the head once. ``wait=False`` returns 0 at once if another
        transaction holds the head. Returns how many were chained."""
        ...

    def records(self, after_seq: int = 0) -> Iterator[AuditRecord]:
        """Records in ``seq`` order (pending events are chained first, when the unit of
        work may write)."""
        ...

    def head(self) -> tuple[int, str]:
        """``(seq, hash)`` of the last record; ``(0, GENESIS)`` for an empty trail (pending
        events are chained first, when the unit of work may write)."""
        ...
