"""Queue outbound messages (email, SMS, webhook calls) in the caller's transaction; keep each
account's in-app inbox.

Messages are written to the outbox by the same unit of work as the change that caused them,
so a rolled-back change sends nothing; :class:`~kyso.notify.worker.OutboxWorker` delivers
them later. Bodies are sealed with the envelope (purpose ``"outbox"``) before they are stored.
A notice (:meth:`Notifier.tell`, :meth:`Notifier.post`) that says ``{desk}`` names the support
desk there (:mod:`kyso.support`).

Errors: :class:`kyso.errors.InvalidInput` for a malformed recipient, subject or paging
argument; :class:`kyso.errors.NotFound` for a notification that is unknown or belongs to
another account, and for a message body that is not (or no longer) kept.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from kyso.clock import Clock
from kyso.errors import InvalidInput, NotFound, Text
from kyso.notify.model import Channel, Notification, OutboundMessage
from kyso.notify.ports import EmailContent
from kyso.secrets import Envelope
from kyso.support import SupportDesk
from kyso.uow import UnitOfWork

__all__ = ["BODY_PURPOSE", "Contact", "Notifier", "seal_content", "unseal_content"]

BODY_PURPOSE = "outbox"
MAX_PAGE = 100

class Contact(Protocol):
    """Whom :meth:`Notifier.tell` reaches (an account)."""

    @property
    def id(self) -> str: ...
    @property
    def phone(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def locale(self) -> str: ...


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_E164 = re.compile(r"\+[1-9][0-9]{7,14}")


def _new_id() -> str:
    return str(uuid.uuid4())


def seal_content(envelope: Envelope, content: EmailContent) -> bytes:
    """The sealed JSON body of a message; SMS bodies have an empty subject and no HTML."""
    body = {"subject": content.subject, "text": content.text, "html": content.html}
    return envelope.seal(json.dumps(body, ensure_ascii=False).encode(), BODY_PURPOSE)


def unseal_content(envelope: Envelope, sealed: bytes) -> EmailContent:
    """Open a sealed body; raises :class:`kyso.secrets.SealedValueError` when altered."""
    body = json.loads(envelope.open(sealed, BODY_PURPOSE))
    return EmailContent(subject=body["subject"], text=body["text"], html=body.get("html"))


class Notifier:
    """The notification service: the outbox for email and SMS, the inbox for in-app notices.

    Nothing here commits: the caller owns the unit of work and its transaction.
    """

    def __init__(
        self, envelope: Envelope, clock: Clock, new_id: Callable[[], str] = _new_id, *,
        desk: SupportDesk | None = None,
    ) -> None:
        self._envelope = envelope
        self._clock = clock
        self._new_id = new_id
        self._desk = desk or SupportDesk()

    # -- the outbox --------------------------------------------------------------------------

    def queue_email(
        self,
        uow: UnitOfWork,
        to: str,
        content: EmailContent,
        *,
        account_id: str | None = None,
        purpose: str | None = None,
    ) -> OutboundMessage:
        if len(to) > 320 or not _EMAIL.fullmatch(to):
            raise InvalidInput(Text("địa chỉ email người nhận không hợp lệ",
                                    "the email recipient is not an address"))
        if not content.subject.strip() or "\r" in content.subject or "\n" in content.subject:
            raise InvalidInput(Text("tiêu đề email là một dòng không trống",
                                    "an email subject is one non-empty line"))
        return self._queue(uow, Channel.EMAIL, to, content, account_id, purpose)

    def queue_sms(
        self,
        uow: UnitOfWork,
        to: str,
        text: str,
        *,
        account_id: str | None = None,
        purpose: str | None = None,
    ) -> OutboundMessage:
        if not _E164.fullmatch(to):
            raise InvalidInput(Text(
                "số điện thoại nhận SMS phải theo dạng E.164, ví dụ +84912345678",
                "the SMS recipient must be an E.164 number such as +84912345678"))
        return self._queue(uow, Channel.SMS, to, EmailContent("", text), account_id, purpose)

    def seal(self, content: EmailContent) -> bytes:
        """The sealed body a queued message would carry, stored nowhere: the same work as
        queueing, for a path that must cost what a real send costs (an unknown login)."""
        return seal_content(self._envelope, content)

    def queue_webhook(
        self,
        uow: UnitOfWork,
        url: str,
        event: str,
        body: str,
        *,
        purpose: str,
        account_id: str | None = None,
    ) -> OutboundMessage:
        """An HTTP POST of ``body`` to ``url``; ``purpose`` names whose webhook it is (the
        :class:`~kyso.notify.ports.WebhookChannel` signs the call with that owner's secret)."""
        if len(url) > 500 or not url.startswith(("http://", "https://")):
            raise InvalidInput(Text("địa chỉ webhook là một URL http(s) dài tối đa 500 ký tự",
                                    "a webhook URL is an http(s) URL of at most 500 characters"))
        if not event.strip() or "\n" in event:
            raise InvalidInput(Text("sự kiện webhook là một dòng không trống",
                                    "a webhook event is one non-empty line"))
        content = EmailContent(event, body)
        return self._queue(uow, Channel.WEBHOOK, url, content, account_id, purpose)

    def open_body(self, message: OutboundMessage) -> EmailContent:
        """The body of a message delivered to the development inbox (for the dev inbox page).

        Bodies of messages on their way to, or delivered through, a real channel stay closed.
        """
        if not message.delivered_locally or message.sealed_body is None:
            raise NotFound(Text("chỉ tin nhắn gửi vào hộp thư phát triển mới giữ nội dung",
                                "only messages delivered to the development inbox keep a body"))
        return unseal_content(self._envelope, message.sealed_body)

    def _queue(
        self,
        uow: UnitOfWork,
        channel: Channel,
        to: str,
        content: EmailContent,
        account_id: str | None,
        purpose: str | None,
    ) -> OutboundMessage:
        if not content.text.strip():
            raise InvalidInput(Text("tin nhắn cần có nội dung",
                                    "a message needs a text body"))
        if purpose is not None and len(purpose) > 64:
            raise InvalidInput(Text("mục đích của tin nhắn dài tối đa 64 ký tự",
                                    "a message purpose has at most 64 characters"))
        now = self._clock.now()
        message = OutboundMessage(
            id=self._new_id(),
            channel=channel,
            recipient=to,
            sealed_body=seal_content(self._envelope, content),
            created_at=now,
            next_attempt_at=now,
            account_id=account_id,
            purpose=purpose,
        )
        uow.outbox.add(message)
        return message

    def tell(self, uow: UnitOfWork, to: Contact, title: Text, body: Text, *, purpose: str,
             sms: bool = True, inbox: bool = True) -> None:
        """A notice to an account's owner: in the inbox in both languages (unless ``inbox``
        is off: a body with a secret in it), by email and (``sms``) by SMS in the account's
        language."""
        body = self._desk.fill(body)
        if inbox:
            self.post(uow, to.id, title, body)
        if sms:
            self.queue_sms(uow, to.phone, f"kyso: {body.pick(to.locale)}", account_id=to.id,
                           purpose=purpose)
        self.queue_email(uow, to.email, EmailContent(title.pick(to.locale),
                                                     body.pick(to.locale)),
                         account_id=to.id, purpose=purpose)

    # -- the in-app inbox --------------------------------------------------------------------

    def post(self, uow: UnitOfWork, account_id: str, title: Text, body: Text) -> Notification:
        """A notice in the account's inbox, kept in both languages (read in the reader's)."""
        if any(not t.strip() or len(t) > 200 for t in title):
            raise InvalidInput(Text("tiêu đề thông báo dài từ 1 đến 200 ký tự",
                                    "a notification title has 1 to 200 characters"))
        body = self._desk.fill(body)
        notification = Notification(
            id=self._new_id(),
            account_id=account_id,
            title=title.vi,
            body=body.vi,
            created_at=self._clock.now(),
            title_en=title.en,
            body_en=body.en,
        )
        uow.notifications.add(notification)
        return notification

    def inbox(
        self, uow: UnitOfWork, account_id: str, limit: int = 20, offset: int = 0
    ) -> list[Notification]:
        """The account's notifications, newest first."""
        if not 1 <= limit <= MAX_PAGE or offset < 0:
            raise InvalidInput(Text(
                f"số mục mỗi trang từ 1 đến {MAX_PAGE} và vị trí bắt đầu không âm",
                f"limit must be 1 to {MAX_PAGE} and offset not negative"))
        return uow.notifications.for_account(account_id, limit, offset)

    def unread_count(self, uow: UnitOfWork, account_id: str) -> int:
        return uow.notifications.unread_count(account_id)

    def mark_read(self, uow: UnitOfWork, account_id: str, notification_id: str | None) -> int:
        """Mark one of the account's notifications read (again is harmless) and return 1, or
        with ``None`` every unread one, returning how many there were."""
        if notification_id is None:
            return self.mark_all_read(uow, account_id)
        if uow.notifications.mark_read(account_id, notification_id, self._now()) == 0:
            raise NotFound(Text("không có thông báo này", "no such notification"))
        return 1

    def mark_all_read(self, uow: UnitOfWork, account_id: str) -> int:
        """Mark every unread notification of the account read; return how many there were."""
        return uow.notifications.mark_read(account_id, None, self._now())

    def _now(self) -> datetime:
        return self._clock.now()
