"""OutboxWorker with fake senders on the real database: outcomes, back-off, leases."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import timedelta

import pytest

from kyso.adapters.local_delivery import LocalDelivery
from kyso.notify.model import DeliveryStatus
from kyso.notify.ports import DeliveryError, EmailContent
from kyso.notify.service import Notifier
from kyso.notify.worker import BREATHER, MAX_BACKOFF_SECONDS, OutboxWorker

CODE = "271828"


class FakeSender:
    """Records deliveries; fails with ``errors`` (one per call) while there are any."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.sent: list[tuple[str, str]] = []
        self.calls = 0

    def send_email(self, to: str, content: EmailContent) -> None:
        self._deliver(to, content.text)

    def send_sms(self, to: str, text: str) -> None:
        self._deliver(to, text)

    def _deliver(self, to: str, text: str) -> None:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append((to, text))


@pytest.fixture
def notifier(envelope, clock):
    return Notifier(envelope, clock)


def make_worker(uow_factory, envelope, clock, sender, **kw):
    kw.setdefault("max_attempts", 4)
    kw.setdefault("backoff_seconds", 10)
    kw.setdefault("jitter", lambda: 0.0)
    return OutboxWorker(uow_factory, envelope, sender, sender, clock, **kw)


def queue(uow_factory, notifier, n=1):
    with uow_factory() as uow:
        ids = [notifier.queue_sms(uow, f"+8491234{i:04d}", f"mã {CODE}").id for i in range(n)]
        uow.commit()
    return ids


def load(uow_factory, message_id):
    with uow_factory() as uow:
        return uow.outbox.get(message_id)


def test_a_due_message_is_sent_once_and_its_body_wiped(uow_factory, envelope, clock, notifier):
    sender = FakeSender()
    worker = make_worker(uow_factory, envelope, clock, sender)
    [mid] = queue(uow_factory, notifier)
    assert worker.run_once() == 1
    assert worker.run_once() == 0
    assert sender.sent == [("+84912340000", f"mã {CODE}")]
    sent = load(uow_factory, mid)
    assert sent.status is DeliveryStatus.SENT and sent.attempts == 1
    assert sent.sent_at == clock.now() and sent.sealed_body is None
    assert not sent.delivered_locally


def test_local_delivery_keeps_the_body_for_the_dev_inbox(uow_factory, envelope, clock, notifier):
    lines: list[str] = []
    worker = make_worker(uow_factory, envelope, clock, LocalDelivery(lines.append))
    [mid] = queue(uow_factory, notifier)
    worker.run_once()
    assert lines == [f"[dev inbox] SMS to +84912340000: mã {CODE}"]
    sent = load(uow_factory, mid)
    assert sent.status is DeliveryStatus.SENT and sent.delivered_locally
    assert notifier.open_body(sent).text == f"mã {CODE}"


def test_failures_back_off_exponentially_then_succeed(uow_factory, envelope, clock, notifier):
    sender = FakeSender(DeliveryError("gateway down"), DeliveryError("gateway down"))
    worker = make_worker(uow_factory, envelope, clock, sender)
    [mid] = queue(uow_factory, notifier)
    start = clock.now()
    worker.run_once()
    first = load(uow_factory, mid)
    assert (first.status, first.attempts, first.last_error) == (
        DeliveryStatus.PENDING,
        1,
        "gateway down",
    )
    assert first.next_attempt_at == start + timedelta(seconds=10)
    clock.advance(9)
    assert worker.run_once() == 0  # not due yet
    clock.advance(1)
    worker.run_once()
    second = load(uow_factory, mid)
    assert second.attempts == 2 and second.next_attempt_at == clock.now() + timedelta(seconds=20)
    clock.advance(20)
    worker.run_once()
    assert load(uow_factory, mid).status is DeliveryStatus.SENT
    assert sender.calls == 3 and len(sender.sent) == 1


def test_dead_after_max_attempts(uow_factory, envelope, clock, notifier):
    sender = FakeSender(*[DeliveryError("HTTP 500")] * 5)
    worker = make_worker(uow_factory, envelope, clock, sender, max_attempts=3)
    [mid] = queue(uow_factory, notifier)
    for _ in range(5):
        worker.run_once()
        clock.advance(MAX_BACKOFF_SECONDS * 2)
    dead = load(uow_factory, mid)
    assert (dead.status, dead.attempts, dead.last_error) == (DeliveryStatus.DEAD, 3, "HTTP 500")
    assert dead.sealed_body is None and sender.calls == 3


def test_a_faulty_sender_is_retried_without_repeating_its_text(
    uow_factory, envelope, clock, notifier
):
    sender = FakeSender(ValueError(f"bad text {CODE}"))
    worker = make_worker(uow_factory, envelope, clock, sender)
    [mid] = queue(uow_factory, notifier)
    worker.run_once()
    failed = load(uow_factory, mid)
    assert failed.status is DeliveryStatus.PENDING and failed.last_error == "unexpected ValueError"


def test_a_body_that_cannot_be_opened_is_dead_at_once(uow_factory, envelope, clock, notifier):
    from kyso.secrets import Envelope, MasterKey

    sender = FakeSender()
    [mid] = queue(uow_factory, Notifier(Envelope(MasterKey(b"x" * 32)), clock))
    make_worker(uow_factory, envelope, clock, sender).run_once()
    dead = load(uow_factory, mid)
    assert dead.status is DeliveryStatus.DEAD and sender.calls == 0


def test_backoff_grows_with_jitter_and_is_capped(uow_factory, envelope, clock):
    high = make_worker(uow_factory, envelope, clock, FakeSender(), jitter=lambda: 1.0)
    assert high.backoff(1) == timedelta(seconds=12.5)
    assert high.backoff(3) == timedelta(seconds=50)
    assert high.backoff(40) == timedelta(seconds=MAX_BACKOFF_SECONDS * 1.25)
    assert high.backoff(5000) == high.backoff(40)  # no overflow however long the outage
    real = OutboxWorker(uow_factory, envelope, FakeSender(), FakeSender(), clock, 3, 10)
    delays = {real.backoff(2).total_seconds() for _ in range(20)}
    assert all(20 <= d < 25 for d in delays) and len(delays) > 1


def test_a_claimed_message_is_left_alone_until_its_lease_ends(
    uow_factory, envelope, clock, notifier
):
    sender = FakeSender()
    worker = make_worker(uow_factory, envelope, clock, sender, lease_seconds=60)
    queue(uow_factory, notifier)
    with uow_factory() as uow:  # a worker that claims, then dies before sending
        assert len(uow.outbox.claim_due(clock.now(), clock.now() + timedelta(seconds=60), 10)) == 1
        uow.commit()
    assert worker.run_once() == 0
    clock.advance(60)
    assert worker.run_once() == 1 and len(sender.sent) == 1


def test_a_slow_batch_stops_before_its_lease_runs_out(uow_factory, envelope, clock, notifier):
    class SlowSender(FakeSender):
        def _deliver(self, to: str, text: str) -> None:
            clock.advance(40)  # each delivery takes 40 s of a 60 s lease
            super()._deliver(to, text)

    sender = SlowSender()
    worker = make_worker(uow_factory, envelope, clock, sender, lease_seconds=60)
    queue(uow_factory, notifier, n=3)
    assert worker.run_once() == 1
    assert worker.run_once() == 0  # the other two are still leased
    clock.advance(20)
    assert worker.run_once() == 1
    clock.advance(20)
    assert worker.run_once() == 1
    assert len(sender.sent) == 3 and len({to for to, _ in sender.sent}) == 3


def test_the_oldest_due_messages_go_first_within_the_limit(uow_factory, envelope, clock, notifier):
    sender = FakeSender()
    first = queue(uow_factory, notifier, n=1)
    clock.advance(1)
    queue(uow_factory, notifier, n=2)
    worker = make_worker(uow_factory, envelope, clock, sender)
    assert worker.run_once(limit=1) == 1
    assert load(uow_factory, first[0]).status is DeliveryStatus.SENT
    assert worker.run_once(limit=5) == 2


def test_run_forever_delivers_until_stopped(uow_factory, envelope, clock, notifier):
    stop = threading.Event()

    class StoppingSender(FakeSender):
        def _deliver(self, to: str, text: str) -> None:
            super()._deliver(to, text)
            if len(self.sent) == 3:
                stop.set()

    sender = StoppingSender()
    queue(uow_factory, notifier, n=3)
    worker = make_worker(uow_factory, envelope, clock, sender)
    thread = threading.Thread(target=worker.run_forever, args=(stop, 0.05), kwargs={"limit": 2})
    thread.start()
    thread.join(timeout=5)
    assert not thread.is_alive() and len(sender.sent) == 3


def test_a_chore_that_left_work_due_brings_the_next_pass_after_a_breather(
        uow_factory, envelope, clock):
    """A chore returning True (the signing receipts beyond a batch) is run again after
    BREATHER times its pass, not a poll later; a count (any other value) is not a signal."""
    stop, starts, results = threading.Event(), [], [True, True, True, 7]

    def chore() -> object:
        starts.append(time.monotonic())
        time.sleep(0.01)  # the pass's work
        return results.pop(0) if results else None

    worker = make_worker(uow_factory, envelope, clock, FakeSender(), chores=(chore,))
    thread = threading.Thread(target=worker.run_forever, args=(stop, 60.0))
    thread.start()
    deadline = time.monotonic() + 10
    while len(starts) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)  # the fourth pass returned a count: the next waits the poll's 60 s
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive() and len(starts) == 4
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    # each pass at least 10 ms, then a breather of BREATHER times it: the chore's share of
    # the worker's time stays under 1 / (1 + BREATHER)
    assert all(0.01 * (1 + BREATHER) <= gap < 5 for gap in gaps), gaps


def test_run_forever_survives_a_failing_pass(envelope, clock, caplog):
    stop = threading.Event()
    passes = []

    def broken_factory(read_only: bool = False):
        passes.append(1)
        if len(passes) == 2:
            stop.set()
        raise RuntimeError("database away")

    worker = OutboxWorker(broken_factory, envelope, FakeSender(), FakeSender(), clock, 3, 1)
    worker.run_forever(stop, 0.01)
    assert len(passes) == 2 and "outbox pass failed" in caplog.text


@pytest.mark.parametrize("kw", [{"max_attempts": 0}, {"backoff_seconds": 0}, {"lease_seconds": 0}])
def test_the_worker_validates_its_settings(uow_factory, envelope, clock, kw):
    with pytest.raises(ValueError):
        make_worker(uow_factory, envelope, clock, FakeSender(), **kw)


class FakeWebhooks:
    """A webhook channel: records calls; raises ``error`` when given one."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.calls: list[tuple[str, str, str, str | None]] = []

    def send_webhook(self, message, content: EmailContent) -> None:
        self.calls.append((message.recipient, content.subject, content.text, message.purpose))
        if self.error is not None:
            raise self.error


def queue_webhook(uow_factory, notifier):
    with uow_factory() as uow:
        mid = notifier.queue_webhook(uow, "https://rp.example.vn/hook", "sp769.sign.ended",
                                     '{"status":"signed"}', purpose="rp:party-1").id
        uow.commit()
    return mid


def test_webhooks_are_a_channel_of_the_outbox(uow_factory, envelope, clock, notifier):
    hooks = FakeWebhooks()
    worker = make_worker(uow_factory, envelope, clock, FakeSender(), webhook=hooks)
    mid = queue_webhook(uow_factory, notifier)
    assert worker.run_once() == 1
    assert hooks.calls == [("https://rp.example.vn/hook", "sp769.sign.ended",
                            '{"status":"signed"}', "rp:party-1")]
    sent = load(uow_factory, mid)
    assert sent.status is DeliveryStatus.SENT and sent.sealed_body is None


def test_an_undeliverable_webhook_is_dead_at_once(uow_factory, envelope, clock, notifier):
    from kyso.notify.ports import Undeliverable

    hooks = FakeWebhooks(Undeliverable("the relying party is disabled"))
    mid = queue_webhook(uow_factory, notifier)
    make_worker(uow_factory, envelope, clock, FakeSender(), webhook=hooks).run_once()
    dead = load(uow_factory, mid)
    assert dead.status is DeliveryStatus.DEAD and dead.last_error == "the relying party is disabled"
    other = queue_webhook(uow_factory, notifier)  # a worker without the channel
    make_worker(uow_factory, envelope, clock, FakeSender()).run_once()
    assert load(uow_factory, other).status is DeliveryStatus.DEAD


def test_chores_run_before_each_pass_and_a_failing_one_stops_nothing(
        uow_factory, envelope, clock, notifier, caplog):
    ran: list[str] = []

    def broken() -> None:
        ran.append("broken")
        raise RuntimeError("database away")

    sender = FakeSender()
    worker = make_worker(uow_factory, envelope, clock, sender,
                         chores=(broken, lambda: ran.append("sweep")))
    queue(uow_factory, notifier)
    assert worker.run_once() == 1 and ran == ["broken", "sweep"] and len(sender.sent) == 1
    assert "chore" in caplog.text


@pytest.mark.parametrize("url", ["ftp://rp.example.vn/hook", "https://x/" + "a" * 500])
def test_a_webhook_needs_an_http_url(uow_factory, notifier, url):
    from kyso.errors import InvalidInput

    with uow_factory() as uow, pytest.raises(InvalidInput):
        notifier.queue_webhook(uow, url, "e", "{}", purpose="rp:x")


def test_the_lease_is_a_setting_that_outlasts_one_send(tmp_path):
    from kyso.bootstrap import bootstrap, init_home
    from kyso.config import Settings

    with pytest.raises(ValueError, match="outbox_lease_seconds"):
        Settings(home=tmp_path, outbox_lease_seconds=10, smtp_timeout_seconds=10)
    with pytest.raises(ValueError, match="webhook_timeout_seconds"):
        Settings(home=tmp_path, outbox_lease_seconds=8, smtp_timeout_seconds=2)  # webhooks: 10
    settings = Settings(home=tmp_path / "home", outbox_lease_seconds=3, smtp_timeout_seconds=2,
                        webhook_timeout_seconds=2)
    init_home(settings)
    container = bootstrap(settings)
    try:
        assert container.outbox_worker()._lease == timedelta(seconds=3)
    finally:
        container.close()
