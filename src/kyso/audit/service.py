"""Verifying the audit trail from storage, in short transactions.

The head is read first; records up to it are then read in batches of ``batch_size``, each
batch in its own unit of work, so verifying a long trail never holds a long transaction (on
SQLite every transaction takes the write lock). The chain is append-only, so records appended
meanwhile lie after the head that was read and do not disturb the walk. A final look past the
head catches records that were added without moving it.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from kyso.audit.chain import UNKEYED, ChainKey, verify_chain
from kyso.audit.errors import Breach, ChainBroken
from kyso.audit.model import AuditRecord
from kyso.audit.sequencer import chain_pending
from kyso.uow import UnitOfWorkFactory

__all__ = ["verify"]


def verify(uow_factory: UnitOfWorkFactory, *, batch_size: int = 1000,
           key: ChainKey = UNKEYED, chain: bool = True) -> tuple[int, str]:
    """Walk the whole chain under ``key``; return the verified head ``(seq, hash)`` or raise
    ChainBroken.

    ``seq`` of the head is the number of records verified. With ``chain`` the events pending
    (batched mode) are chained first, so the walk covers everything committed; without it
    (a restored backup checked against its manifest's head) the chain is walked as it is.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    if chain:
        chain_pending(uow_factory)
    with uow_factory(read_only=True) as uow:
        head = uow.audit.head()
    verify_chain(_records_upto(uow_factory, head[0], batch_size), head, key)
    _check_nothing_beyond(uow_factory)
    return head


def _records_upto(factory: UnitOfWorkFactory, last: int, size: int) -> Iterator[AuditRecord]:
    after = 0
    while after < last:
        with factory(read_only=True) as uow:
            batch = list(islice(uow.audit.records(after_seq=after), size))
        if not batch:
            return
        for record in batch:
            if record.seq > last:
                return
            yield record
        after = batch[-1].seq


def _check_nothing_beyond(factory: UnitOfWorkFactory) -> None:
    """Records past the head are forged, unless appended (with the head) since it was read."""
    with factory(read_only=True) as uow:
        head_seq, _ = uow.audit.head()
        extra = next(uow.audit.records(after_seq=head_seq), None)
        if extra is None:
            return
        # An append commits its record and the head together; one seen now means a head
        # that is at least as new, unless the record was slipped in outside the chain.
        head_seq, _ = uow.audit.head()
    if extra.seq > head_seq:
        raise ChainBroken(extra.seq, Breach.BEYOND_HEAD, f"the head is at seq {head_seq}")
