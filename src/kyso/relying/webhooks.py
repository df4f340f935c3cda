"""Deliver relying-party webhooks from their durable queue, the outbox way: claim with a
lease, POST outside any transaction, record; retry with exponential back-off and jitter;
dead after ``max_attempts``. Each pass first settles the requests whose end is due, so that
rejections and expiries are announced too.

Every call is signed: ``X-Kyso-Signature: t=<unix time>,v1=<hex HMAC-SHA256>`` over
``"<t>." + body`` with the party's webhook secret (given once when the party was created).
Delivery is at least once; ``X-Kyso-Delivery`` names the delivery for de-duplication.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from kyso.clock import Clock
from kyso.notify.ports import DeliveryError
from kyso.relying.model import DeliveryStatus, PartyStatus, RelyingParty, WebhookDelivery
from kyso.relying.parties import RelyingPartyService
from kyso.relying.ports import WebhookSender
from kyso.relying.settlement import Settler
from kyso.secrets import SealedValueError
from kyso.uow import UnitOfWorkFactory

__all__ = ["WebhookWorker", "signature_header"]

log = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 3600.0
_MAX_ERROR = 500


def signature_header(secret: bytes, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


class WebhookWorker:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock,
                 parties: RelyingPartyService, sender: WebhookSender, settler: Settler,
                 max_attempts: int, backoff_seconds: float, lease_seconds: float = 60, *,
                 jitter: Callable[[], float] = random.SystemRandom().random) -> None:
        if max_attempts < 1 or backoff_seconds <= 0 or lease_seconds <= 0:
            raise ValueError("max_attempts, backoff_seconds and lease_seconds must be positive")
        self._uow, self._clock, self._parties = uow_factory, clock, parties
        self._sender, self._settler = sender, settler
        self._max_attempts, self._backoff = max_attempts, backoff_seconds
        self._lease, self._jitter = timedelta(seconds=lease_seconds), jitter

    def run_once(self, limit: int = 50) -> int:
        """Settle due requests, then try up to ``limit`` due calls; returns calls tried."""
        self._settler.sweep()
        now = self._clock.now()
        lease_until = now + self._lease
        with self._uow() as uow:
            batch = uow.relying.claim_webhooks(now, lease_until, limit)
            parties = {d.party_id: uow.relying.party(d.party_id) for d in batch}
            uow.commit()
        tried = 0
        for delivery in batch:
            if self._clock.now() >= lease_until - self._lease / 2:
                break  # left to the next claim once the lease ends
            self._record(self._attempt(delivery, parties[delivery.party_id]))
            tried += 1
        return tried

    def run_forever(self, stop: threading.Event, poll_seconds: float, limit: int = 50) -> None:
        while not stop.is_set():
            try:
                busy = self.run_once(limit) >= limit
            except Exception:  # the database may be away for a while; keep the loop alive
                log.exception("webhook pass failed; retrying in %s s", poll_seconds)
                busy = False
            if not busy:
                stop.wait(poll_seconds)

    def backoff(self, attempts: int) -> timedelta:
        delay = min(self._backoff * 2.0 ** min(attempts - 1, 32), MAX_BACKOFF_SECONDS)
        return timedelta(seconds=delay * (1 + 0.25 * self._jitter()))

    def _attempt(self, delivery: WebhookDelivery,
                 party: RelyingParty | None) -> WebhookDelivery:
        try:
            secret = self._parties.webhook_secret(party) if party else None
        except SealedValueError:
            return self._dead(delivery, "the webhook secret cannot be opened")
        if party is None or party.status is not PartyStatus.ACTIVE or secret is None:
            return self._dead(delivery, "the relying party is disabled or has no webhook")
        body = delivery.body.encode()
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "X-Kyso-Event": "sp769.sign.ended", "X-Kyso-Delivery": delivery.id,
                   "X-Kyso-Signature": signature_header(secret, self._unix(), body)}
        try:
            self._sender.post(delivery.url, body, headers)
        except DeliveryError as exc:
            return self._failed(delivery, str(exc) or type(exc).__name__)
        except Exception as exc:  # a faulty sender must not stop the worker
            log.warning("webhook sender raised %s", type(exc).__name__)
            return self._failed(delivery, f"unexpected {type(exc).__name__}")
        return replace(delivery, status=DeliveryStatus.SENT, attempts=delivery.attempts + 1,
                       sent_at=self._clock.now(), last_error=None)

    def _failed(self, delivery: WebhookDelivery, error: str) -> WebhookDelivery:
        attempts = delivery.attempts + 1
        if attempts >= self._max_attempts:
            return self._dead(delivery, error)
        log.info("webhook %s failed (attempt %d): %s", delivery.id, attempts, error)
        return replace(delivery, attempts=attempts, last_error=error[:_MAX_ERROR],
                       next_attempt_at=self._retry_at(attempts))

    def _dead(self, delivery: WebhookDelivery, error: str) -> WebhookDelivery:
        log.warning("webhook %s is dead: %s", delivery.id, error)
        return replace(delivery, status=DeliveryStatus.DEAD, attempts=delivery.attempts + 1,
                       last_error=error[:_MAX_ERROR])

    def _retry_at(self, attempts: int) -> datetime:
        return self._clock.now() + self.backoff(attempts)

    def _unix(self) -> int:
        return int(self._clock.now().timestamp())

    def _record(self, delivery: WebhookDelivery) -> None:
        with self._uow() as uow:
            uow.relying.save_webhook(delivery)
            uow.commit()
