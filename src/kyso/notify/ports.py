"""What notifications need from storage and from the delivery channels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from kyso.notify.model import Notification, OutboundMessage

__all__ = [
    "DeliveryError",
    "EmailContent",
    "EmailSender",
    "NotificationRepository",
    "OutboxRepository",
    "SmsSender",
    "Undeliverable",
    "WebhookChannel",
]


class DeliveryError(Exception):
    """A channel could not deliver now; the worker retries with back-off."""


class Undeliverable(DeliveryError):
    """A channel can never deliver this message (its addressee is gone): dead at once."""


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str
    html: str | None = None
    # the outbox row's id: every attempt at one message carries the same Message-ID, so a
    # receiver can drop the copy a worker's crash between sending and recording resends
    message_id: str | None = None


class EmailSender(Protocol):
    def send_email(self, to: str, content: EmailContent) -> None: ...


class SmsSender(Protocol):
    def send_sms(self, to: str, text: str) -> None: ...


class WebhookChannel(Protocol):
    def send_webhook(self, message: OutboundMessage, content: EmailContent) -> None:
        """POST ``content.text`` (event ``content.subject``) to ``message.recipient`` for
        the owner named by ``message.purpose``; DeliveryError, or Undeliverable."""
        ...


class OutboxRepository(Protocol):
    def add(self, message: OutboundMessage) -> None: ...

    def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[OutboundMessage]:
        """Pending messages due by ``now``; claimed until ``lease_until`` so no other worker
        takes them meanwhile."""
        ...

    def any_due(self, now: datetime) -> bool:
        """Whether :meth:`claim_due` would claim anything now (a plain read)."""
        ...

    def save(self, message: OutboundMessage) -> None: ...

    def get(self, message_id: str) -> OutboundMessage | None: ...

    def recent(self, limit: int) -> Sequence[OutboundMessage]: ...


class NotificationRepository(Protocol):
    def add(self, notification: Notification) -> None: ...

    def for_account(self, account_id: str, limit: int, offset: int) -> list[Notification]: ...

    def unread_count(self, account_id: str) -> int: ...

    def mark_read(self, account_id: str, notification_id: str | None, at: datetime) -> int:
        """Mark one (or, with ``None``, every unread) notification of the account read.

        With an id: 1 when the account owns it (an already read one keeps its ``read_at``),
        else 0. With ``None``: how many were unread and are now read."""
        ...
