"""Outbound messages and in-app notifications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = ["Channel", "DeliveryStatus", "Notification", "OutboundMessage"]


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    WEBHOOK = "webhook"  # an HTTP POST to a relying party (recipient: the URL)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


@dataclass(frozen=True)
class OutboundMessage:
    """A message waiting in, or delivered from, the outbox.

    ``sealed_body`` is the envelope-encrypted JSON ``{"subject", "text", "html"}``: message
    bodies carry one-time codes, so they are never stored in plaintext. Once delivered through
    a real channel the body is wiped; ``delivered_locally`` marks a message that went to the
    development inbox, whose body is kept so that the dev inbox page can show it.
    """

    id: str
    channel: Channel
    recipient: str
    sealed_body: bytes | None
    created_at: datetime
    next_attempt_at: datetime
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    account_id: str | None = None
    purpose: str | None = None
    sent_at: datetime | None = None
    last_error: str | None = None
    delivered_locally: bool = False


@dataclass(frozen=True)
class Notification:
    """An in-app notice, kept in both languages and read in the reader's.

    ``title``/``body`` are the Vietnamese; ``title_en``/``body_en`` the English, absent on
    notices written before kyso kept both (those read in Vietnamese in either language).
    """

    id: str
    account_id: str
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None = None
    title_en: str | None = None
    body_en: str | None = None

    def title_in(self, lang: str) -> str:
        return self.title_en if lang == "en" and self.title_en is not None else self.title

    def body_in(self, lang: str) -> str:
        return self.body_en if lang == "en" and self.body_en is not None else self.body
