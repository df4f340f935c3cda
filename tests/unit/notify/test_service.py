"""Notifier: queueing in the caller's transaction, sealed bodies, validation."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from kyso.adapters.db.tables.notify import outbox
from kyso.errors import InvalidInput, NotFound, Text
from kyso.notify.model import Channel, DeliveryStatus
from kyso.notify.ports import EmailContent
from kyso.notify.service import Notifier, seal_content, unseal_content
from kyso.secrets import Envelope, MasterKey, SealedValueError

CODE = "493817"
OTP = EmailContent("Mã xác thực kyso", f"Mã OTP của bạn là {CODE}.", "<p>Mã: <b>493817</b></p>")


@pytest.fixture
def notifier(envelope, clock):
    ids = iter(f"00000000-0000-0000-0000-{n:012d}" for n in range(1, 1000))
    return Notifier(envelope, clock, new_id=lambda: next(ids))


def test_queue_email_stores_a_pending_message_sealed_at_rest(notifier, uow_factory, engine, clock):
    with uow_factory() as uow:
        queued = notifier.queue_email(uow, "an@example.vn", OTP, account_id="acc-1", purpose="SIGN")
        uow.commit()
    with uow_factory() as uow:
        stored = uow.outbox.get(queued.id)
    assert stored == queued
    assert stored.status is DeliveryStatus.PENDING and stored.attempts == 0
    assert stored.channel is Channel.EMAIL and stored.next_attempt_at == clock.now()
    with engine.connect() as conn:
        raw = conn.scalar(select(outbox.c.sealed_body).where(outbox.c.id == queued.id))
    assert CODE.encode() not in raw and "Mã".encode() not in raw


def test_queued_body_opens_to_the_content(notifier, uow_factory, envelope):
    with uow_factory() as uow:
        sms = notifier.queue_sms(uow, "+84912345678", f"kyso: mã {CODE}")
        mail = notifier.queue_email(uow, "an@example.vn", OTP)
    assert unseal_content(envelope, sms.sealed_body) == EmailContent("", f"kyso: mã {CODE}")
    assert unseal_content(envelope, mail.sealed_body) == OTP


def test_a_body_sealed_under_another_key_or_purpose_does_not_open(envelope):
    other = Envelope(MasterKey(b"k" * 32))
    sealed = seal_content(other, OTP)
    with pytest.raises(SealedValueError):
        unseal_content(envelope, sealed)
    with pytest.raises(SealedValueError):
        unseal_content(envelope, envelope.seal(b'{"subject":"","text":"x"}', "otp"))


def test_nothing_is_committed_by_the_notifier(notifier, uow_factory):
    with uow_factory() as uow:
        queued = notifier.queue_sms(uow, "+84912345678", "xin chào")
        notifier.post(uow, "acc-1", Text("Tiêu đề", "Title"), Text("Nội dung", "Content"))
    with uow_factory() as uow:
        assert uow.outbox.get(queued.id) is None
        assert uow.notifications.unread_count("acc-1") == 0


@pytest.mark.parametrize("to", ["0912345678", "84912345678", "+84 912 345 678", "+0912345678", ""])
def test_sms_recipients_must_be_e164(notifier, uow_factory, to):
    with uow_factory() as uow, pytest.raises(InvalidInput):
        notifier.queue_sms(uow, to, "hello")


@pytest.mark.parametrize(
    "to", ["an", "an@", "an@example", "a n@example.vn", "an@example.vn\r\nBcc: x@y.z"]
)
def test_email_recipients_must_be_addresses(notifier, uow_factory, to):
    with uow_factory() as uow, pytest.raises(InvalidInput):
        notifier.queue_email(uow, to, OTP)


@pytest.mark.parametrize("subject", ["", "  ", "Mã\r\nBcc: x@y.z", "a\nb"])
def test_email_subjects_are_one_line(notifier, uow_factory, subject):
    with uow_factory() as uow, pytest.raises(InvalidInput):
        notifier.queue_email(uow, "an@example.vn", replace(OTP, subject=subject))


def test_long_purposes_are_refused(notifier, uow_factory):
    with uow_factory() as uow, pytest.raises(InvalidInput):
        notifier.queue_sms(uow, "+84912345678", "x", purpose="P" * 65)


def test_empty_bodies_are_refused(notifier, uow_factory):
    with uow_factory() as uow:
        with pytest.raises(InvalidInput):
            notifier.queue_sms(uow, "+84912345678", "   ")
        with pytest.raises(InvalidInput):
            notifier.queue_email(uow, "an@example.vn", replace(OTP, text=""))


def test_open_body_only_for_locally_delivered_messages(notifier, uow_factory):
    with uow_factory() as uow:
        queued = notifier.queue_sms(uow, "+84912345678", f"mã {CODE}")
    with pytest.raises(NotFound):
        notifier.open_body(queued)  # pending: on its way to a real gateway, stays closed
    local = replace(queued, status=DeliveryStatus.SENT, delivered_locally=True)
    assert notifier.open_body(local).text == f"mã {CODE}"
    with pytest.raises(NotFound):
        notifier.open_body(replace(local, sealed_body=None))
