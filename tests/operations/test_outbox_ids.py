"""A worker that dies between sending and recording leaves the message to be sent again:
the copy carries the same Message-ID (the outbox row's), so the receiver can drop it.
Through a real SMTP server on loopback."""

from __future__ import annotations

import contextlib
import email
import email.policy

from kyso.adapters.local_delivery import LocalDelivery
from kyso.notify.model import DeliveryStatus
from kyso.notify.service import Notifier
from kyso.notify.worker import OutboxWorker
from tests.integration.notify.test_smtp import OTP, smtp_sender, smtp_server

__all__ = ["smtp_server"]  # the fixture


class Crash(BaseException):
    """The process dying after the SMTP server accepted the message, before the record."""


class CrashingWorker(OutboxWorker):
    def _record(self, message):  # type: ignore[no-untyped-def]
        raise Crash


def test_a_resend_after_a_crash_keeps_the_message_id(smtp_server, uow_factory, envelope, clock):
    controller, inbox = smtp_server
    with uow_factory() as uow:
        queued = Notifier(envelope, clock).queue_email(uow, "an.nguyen@example.vn", OTP,
                                                       purpose="SIGN")
        other = Notifier(envelope, clock).queue_email(uow, "binh.tran@example.vn", OTP,
                                                      purpose="SIGN")
        uow.commit()

    def worker(kind: type[OutboxWorker]) -> OutboxWorker:
        return kind(uow_factory, envelope, smtp_sender(controller.port), LocalDelivery(),
                    clock, max_attempts=3, backoff_seconds=5, lease_seconds=60)

    with contextlib.suppress(Crash):
        worker(CrashingWorker).run_once()
    assert len(inbox.envelopes) == 1  # sent, never recorded
    clock.advance(61)  # the dead worker's lease ends
    assert worker(OutboxWorker).run_once() == 2

    received = [(e.rcpt_tos[0],
                 email.message_from_bytes(e.content, policy=email.policy.default)["Message-ID"])
                for e in inbox.envelopes]
    crashed = received[0]
    assert len(received) == 3 and received.count(crashed) == 2  # the same id twice
    expected = {"an.nguyen@example.vn": f"<kyso.{queued.id}@kyso.vn>",
                "binh.tran@example.vn": f"<kyso.{other.id}@kyso.vn>"}
    assert all(expected[to] == message_id for to, message_id in received)
    with uow_factory() as uow:
        assert all(uow.outbox.get(m.id).status is DeliveryStatus.SENT for m in (queued, other))
