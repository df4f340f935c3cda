"""Relying-party webhooks, a channel of the outbox.

When a sign request ends, :class:`~kyso.relying.settlement.Settler` queues the call in the
same transaction (``Notifier.queue_webhook``, purpose ``rp:<party id>``); the one outbox
worker delivers it with its lease, retries and back-off, and this channel signs and POSTs it.

Every call is signed: ``X-Kyso-Signature: t=<unix time>,v1=<hex HMAC-SHA256>`` over
``"<t>." + body`` with the party's webhook secret (given once when the party was created).
Delivery is at least once; ``X-Kyso-Delivery`` names the call for de-duplication. A call for
a party that is disabled, has no webhook any more or whose secret cannot be opened is dead at
once (:class:`~kyso.notify.ports.Undeliverable`).
"""

from __future__ import annotations

import hashlib
import hmac

from kyso.clock import Clock
from kyso.notify.model import OutboundMessage
from kyso.notify.ports import EmailContent, Undeliverable
from kyso.relying.model import PartyStatus
from kyso.relying.parties import RelyingPartyService
from kyso.relying.ports import WebhookSender
from kyso.secrets import SealedValueError
from kyso.uow import UnitOfWorkFactory

__all__ = ["EVENT", "PURPOSE_PREFIX", "PartyWebhooks", "purpose_of", "signature_header"]

EVENT = "sp769.sign.ended"
PURPOSE_PREFIX = "rp:"


def purpose_of(party_id: str) -> str:
    """The outbox purpose of a party's webhook calls."""
    return PURPOSE_PREFIX + party_id


def signature_header(secret: bytes, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


class PartyWebhooks:
    """The outbox's webhook channel (:class:`kyso.notify.ports.WebhookChannel`)."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock,
                 parties: RelyingPartyService, sender: WebhookSender) -> None:
        self._uow, self._clock, self._parties, self._sender = (uow_factory, clock, parties,
                                                                sender)

    def send_webhook(self, message: OutboundMessage, content: EmailContent) -> None:
        secret = self._secret(message)
        body = content.text.encode()
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "X-Kyso-Event": content.subject, "X-Kyso-Delivery": message.id,
                   "X-Kyso-Signature": signature_header(secret, self._unix(), body)}
        self._sender.post(message.recipient, body, headers)

    def _secret(self, message: OutboundMessage) -> bytes:
        purpose = message.purpose or ""
        if not purpose.startswith(PURPOSE_PREFIX):
            raise Undeliverable("not a relying party's webhook")
        with self._uow() as uow:
            party = uow.relying.party(purpose.removeprefix(PURPOSE_PREFIX))
        if party is None or party.status is not PartyStatus.ACTIVE:
            raise Undeliverable("the relying party is disabled or has no webhook")
        try:
            secret = self._parties.webhook_secret(party)
        except SealedValueError:
            raise Undeliverable("the webhook secret cannot be opened") from None
        if secret is None:
            raise Undeliverable("the relying party is disabled or has no webhook")
        return secret

    def _unix(self) -> int:
        return int(self._clock.now().timestamp())
