"""The worker's clean-up of the CSC API's short-lived rows (``kyso worker``: "csc clean-up").

Past the retention period (``KYSO_CSC_RETENTION_HOURS``, counted from when a row expired or
was revoked) it deletes OAuth2 access tokens, refresh tokens (rotated ones stay until their
own expiry, so that reuse of a stolen one is still recognised), asynchronous ``signHash``
responses (``signPolling``), and authorizations (with their one-time code and sealed SAD)
once no token names them. Deletes go in batches of ``batch`` rows, each its own short
transaction, at most ``max_batches`` per table and run, so a backlog never holds a long
lock. Several workers (on several nodes) may run it at once: rows are picked with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite has one writer at a time) and the delete
repeats its condition, so no row is counted twice. Each run that deleted anything appends
one audit record with the counts (``csc.cleanup``).

The SADs themselves (``signature_activations``) are the signing history and are not deleted
here; the signatures kept for a repeated ``signHash`` go with the "kept signature expiry"
chore.
"""

from __future__ import annotations

from datetime import timedelta

from kyso.audit.model import AuditEvent
from kyso.clock import Clock
from kyso.uow import UnitOfWorkFactory

__all__ = ["TABLES", "CscCleanup"]

# the order matters: tokens before the authorizations they name
TABLES = ("tokens", "refresh", "responses", "authorizations")


class CscCleanup:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, retention: timedelta, *,
                 batch: int = 500, max_batches: int = 20) -> None:
        self._uow, self._clock, self._retention = uow_factory, clock, retention
        self._batch, self._max_batches = batch, max_batches

    def sweep(self) -> int:
        """One run: delete what is past the retention period; how many rows went."""
        before = self._clock.now() - self._retention
        counts = {}
        for what in TABLES:
            counts[what] = 0
            for _ in range(self._max_batches):
                with self._uow() as uow:
                    done = uow.csc.purge(what, before, self._batch)
                    uow.commit()
                counts[what] += done
                if done < self._batch:
                    break
        total = sum(counts.values())
        if total:
            with self._uow() as uow:
                uow.audit.append(AuditEvent("csc.cleanup", actor="worker", subject="csc",
                                            details={"deleted": total, **counts,
                                                     "before": before.isoformat()}),
                                 self._clock.now())
                uow.commit()
        return total
