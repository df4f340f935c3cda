"""Deliver the outbox — email, SMS and webhook calls: claim, send outside any transaction,
record; retry with back-off.

A pass claims the due messages in one short transaction, leasing them for ``lease_seconds``
so that no other worker (thread or process) takes them meanwhile. Each message is then sent
with no transaction open, and its result recorded in a transaction of its own:

* sent — the sealed body is wiped (bodies carry one-time codes), unless the sender keeps
  messages on this machine (its ``delivers_locally`` attribute is true: the development inbox),
  in which case the body stays so that the dev inbox page can show it;
* failed — ``attempts + 1`` and the next attempt pushed back exponentially, with jitter;
* dead — after ``max_attempts`` failures, when the body cannot be opened, or when the channel
  says it never can deliver (:class:`~kyso.notify.ports.Undeliverable`); the body is wiped.

Each pass first runs the worker's ``chores`` (for instance settling the relying parties'
requests that ended, which queues their webhook calls), each on its own: one that fails is
logged and the pass goes on. A chore that returns ``True`` (the bool, not a count) left work
due that it could not take in one pass — the signing receipts beyond a batch an account —
and the next pass comes after a breather of :data:`BREATHER` times this one instead of
``poll_seconds``: such chores keep up with any load the machine has CPU for, while taking
at most a fifth of the worker's time from the requests (of the GIL, when the worker is a
thread of a serving process).

A message is only started while at least half of its lease remains, so a slow batch never
outlives its lease. Delivery is at least once: a worker that dies between sending and
recording leaves the message to be sent again when its lease ends.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from kyso.clock import Clock
from kyso.notify.model import Channel, DeliveryStatus, OutboundMessage
from kyso.notify.ports import (
    DeliveryError,
    EmailSender,
    SmsSender,
    Undeliverable,
    WebhookChannel,
)
from kyso.notify.service import unseal_content
from kyso.secrets import Envelope, SealedValueError
from kyso.uow import UnitOfWorkFactory

__all__ = ["OutboxWorker"]

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 3600.0
_JITTER = 0.25  # the delay grows by up to a quarter, so retries of one outage spread out
_MAX_ERROR = 500
BREATHER = 4.0  # after a pass whose chores left work due: a wait this many times the pass


class OutboxWorker:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        envelope: Envelope,
        email: EmailSender,
        sms: SmsSender,
        clock: Clock,
        max_attempts: int,
        backoff_seconds: float,
        lease_seconds: float = 60,
        *,
        webhook: WebhookChannel | None = None,
        chores: Sequence[Callable[[], object]] = (),
        jitter: Callable[[], float] = random.SystemRandom().random,
        observe: Callable[[OutboundMessage], None] | None = None,
    ) -> None:
        if max_attempts < 1 or backoff_seconds <= 0 or lease_seconds <= 0:
            raise ValueError("max_attempts, backoff_seconds and lease_seconds must be positive")
        self._uow_factory = uow_factory
        self._envelope = envelope
        self._email = email
        self._sms = sms
        self._clock = clock
        self._max_attempts = max_attempts
        self._backoff = backoff_seconds
        self._lease = timedelta(seconds=lease_seconds)
        self._jitter = jitter
        self._webhook = webhook
        self._chores = tuple(chores)
        self._left_due = False  # the last pass's chores left work due
        self._observe = observe  # told each attempt's outcome once it is recorded (metrics)

    def run_once(self, limit: int = 50) -> int:
        """Run the chores, claim up to ``limit`` due messages and try each; return how many
        were tried."""
        self._run_chores()
        now = self._clock.now()
        lease_until = now + self._lease
        # most passes find nothing: a read first, where an empty claim took SQLite's one
        # write lock every pass, each writer waiting meanwhile
        with self._uow_factory(read_only=True) as uow:
            if not uow.outbox.any_due(now):
                return 0
            uow.begin_writing()
            batch = uow.outbox.claim_due(now, lease_until, limit)
            uow.commit()
        tried = 0
        for message in batch:
            if self._clock.now() >= lease_until - self._lease / 2:
                break  # the rest is left to the next claim once the lease ends
            self._record(self._attempt(message))
            tried += 1
        return tried

    def run_forever(self, stop: threading.Event, poll_seconds: float, limit: int = 50) -> None:
        """Deliver until ``stop`` is set; poll every ``poll_seconds`` while the outbox is idle
        (sooner while a chore leaves work due)."""
        while not stop.is_set():
            started = time.monotonic()
            try:
                busy = self.run_once(limit) >= limit
            except Exception:  # the database may be away for a while; keep the loop alive
                logger.exception("outbox pass failed; retrying in %s s", poll_seconds)
                busy, self._left_due = False, False
            if not busy:
                stop.wait(min(poll_seconds, BREATHER * (time.monotonic() - started))
                          if self._left_due else poll_seconds)

    def backoff(self, attempts: int) -> timedelta:
        """The delay after the ``attempts``-th failure: base × 2^(attempts−1), plus jitter."""
        delay = min(self._backoff * 2.0 ** min(attempts - 1, 32), MAX_BACKOFF_SECONDS)
        return timedelta(seconds=delay * (1 + _JITTER * self._jitter()))

    def _run_chores(self) -> None:
        left_due = False
        for chore in self._chores:
            try:
                left_due = chore() is True or left_due
            except Exception:  # one failing chore must not stop delivery
                logger.exception("outbox chore %s failed", getattr(chore, "__name__", chore))
        self._left_due = left_due

    def _attempt(self, message: OutboundMessage) -> OutboundMessage:
        try:
            local = self._send(message)
        except SealedValueError:
            return self._dead(message, "the sealed body cannot be opened")
        except Undeliverable as exc:
            return self._dead(message, str(exc) or type(exc).__name__)
        except DeliveryError as exc:
            return self._failed(message, str(exc) or type(exc).__name__)
        except Exception as exc:  # a faulty sender must not stop the worker; its text may
            logger.warning("sender raised %s", type(exc).__name__)  # hold the body: not logged
            return self._failed(message, f"unexpected {type(exc).__name__}")
        return self._sent(message, local)

    def _send(self, message: OutboundMessage) -> bool:
        """Send the message; return whether it was delivered locally (body kept)."""
        if message.sealed_body is None:
            raise SealedValueError("the body was wiped")
        content = unseal_content(self._envelope, message.sealed_body)
        if message.channel is Channel.EMAIL:
            self._email.send_email(message.recipient, replace(content, message_id=message.id))
            return _delivers_locally(self._email)
        if message.channel is Channel.WEBHOOK:
            if self._webhook is None:
                raise Undeliverable("this worker has no webhook channel")
            self._webhook.send_webhook(message, content)
            return False
        self._sms.send_sms(message.recipient, content.text)
        return _delivers_locally(self._sms)

    def _sent(self, message: OutboundMessage, local: bool) -> OutboundMessage:
        logger.info("outbox message %s sent by %s", message.id, message.channel.value)
        return replace(
            message,
            status=DeliveryStatus.SENT,
            attempts=message.attempts + 1,
            sent_at=self._clock.now(),
            last_error=None,
            sealed_body=message.sealed_body if local else None,
            delivered_locally=local,
        )

    def _failed(self, message: OutboundMessage, error: str) -> OutboundMessage:
        attempts = message.attempts + 1
        if attempts >= self._max_attempts:
            return self._dead(message, error)
        logger.info("outbox message %s failed (attempt %d): %s", message.id, attempts, error)
        return replace(
            message,
            attempts=attempts,
            next_attempt_at=self._retry_at(attempts),
            last_error=error[:_MAX_ERROR],
        )

    def _dead(self, message: OutboundMessage, error: str) -> OutboundMessage:
        logger.warning("outbox message %s is dead: %s", message.id, error)
        return replace(
            message,
            status=DeliveryStatus.DEAD,
            attempts=message.attempts + 1,
            last_error=error[:_MAX_ERROR],
            sealed_body=None,
        )

    def _retry_at(self, attempts: int) -> datetime:
        return self._clock.now() + self.backoff(attempts)

    def _record(self, message: OutboundMessage) -> None:
        with self._uow_factory() as uow:
            uow.outbox.save(message)
            uow.commit()
        if self._observe is not None:
            self._observe(message)


def _delivers_locally(sender: object) -> bool:
    return getattr(sender, "delivers_locally", False) is True
