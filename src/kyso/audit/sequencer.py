"""The audit sequencer: chains the events written to the pending table (batched mode).

An audited transaction in batched mode writes its event to ``audit_pending`` and commits;
the sequencer moves pending events onto the hash chain in batches — one short transaction
per batch that holds the chain's head (``AuditRepository.chain_pending``). It runs

* as a thread of every ``kyso serve`` process and of ``kyso worker``: a pass every
  ``interval`` seconds while events are pending, a cheap look (one read, no lock) every few
  intervals when none are; a pass that finds the head held by another sequencer skips;
* on demand, before the trail is read (:func:`chain_pending`: ``kyso audit verify``, the
  checkpoints, the receipts that need a record's seq and hash; ``records()`` and ``head()``
  of a writable unit of work chain first too), so a reader never misses a committed event.

An event is tamper-evident once chained; until then it is a plain row (the window is one
pass, ~``interval`` seconds, when a sequencer runs: docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import logging
import threading

from kyso.uow import UnitOfWorkFactory

__all__ = ["AuditSequencer", "chain_pending"]

log = logging.getLogger(__name__)

IDLE_FACTOR = 10  # idle: look every 10 intervals (0.5 s by default)


def chain_pending(uow_factory: UnitOfWorkFactory, *, batch: int = 500,
                  wait: bool = True) -> int:
    """Chain every event pending now (in transactions of up to ``batch``); with ``wait``
    (a reader) wait for a sequencer holding the head, else (the background pass) leave the
    work to it. Returns how many were chained."""
    with uow_factory(read_only=True) as uow:  # the common case: nothing, and no write lock
        if not uow.audit.has_pending():
            return 0
    total = 0
    while True:
        with uow_factory() as uow:
            done = uow.audit.chain_pending(batch, wait=wait)
            uow.commit()
        total += done
        if done < batch:
            return total


class AuditSequencer:
    def __init__(self, uow_factory: UnitOfWorkFactory, *, batch: int = 500,
                 interval: float = 0.05, batched: bool = True) -> None:
        if batch < 1 or interval <= 0:
            raise ValueError("batch and interval must be positive")
        self._uow, self._batch, self._interval = uow_factory, batch, interval
        # inline mode leaves nothing pending but what a batched run left: look rarely
        self._idle = interval * IDLE_FACTOR if batched else 5.0

    def run_once(self, *, wait: bool = False) -> int:
        """One pass: chain what is pending (``wait``: even if another sequencer holds the
        head). Returns how many events were chained."""
        return chain_pending(self._uow, batch=self._batch, wait=wait)

    def run_forever(self, stop: threading.Event) -> None:
        """Passes until ``stop`` is set: every interval while there is work, else idle."""
        while not stop.is_set():
            try:
                busy = self.run_once() > 0
            except Exception:  # the database may be away for a while; keep the loop alive
                log.exception("audit sequencer pass failed")
                busy = False
            stop.wait(self._interval if busy else self._idle)

    def start(self, stop: threading.Event) -> threading.Thread:
        thread = threading.Thread(target=self.run_forever, args=(stop,),
                                  name="kyso-audit-sequencer", daemon=True)
        thread.start()
        return thread
