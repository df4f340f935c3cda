"""Two workers on one database never deliver the same message twice while both are alive."""

from __future__ import annotations

import threading
import time
from collections import Counter

from kyso.notify.model import DeliveryStatus
from kyso.notify.ports import EmailContent
from kyso.notify.service import Notifier
from kyso.notify.worker import OutboxWorker


class Recorder:
    """A thread-safe sender; ``hold`` (when set) blocks the first delivery until released."""

    def __init__(self, hold: threading.Event | None = None) -> None:
        self.sent: list[str] = []
        self.entered = threading.Event()
        self._hold = hold
        self._lock = threading.Lock()

    def send_email(self, to: str, content: EmailContent) -> None:
        self.send_sms(to, content.text)

    def send_sms(self, to: str, text: str) -> None:
        self.entered.set()
        if self._hold is not None:
            assert self._hold.wait(10)
        time.sleep(0.001)  # let the other worker interleave
        with self._lock:
            self.sent.append(to)


def queue(uow_factory, notifier, n: int) -> list[str]:
    phones = [f"+849{i:08d}" for i in range(n)]
    with uow_factory() as uow:
        for phone in phones:
            notifier.queue_sms(uow, phone, "mã 123456")
        uow.commit()
    return phones


def worker(uow_factory, envelope, clock, sender) -> OutboxWorker:
    return OutboxWorker(uow_factory, envelope, sender, sender, clock, 3, 5)


def drain(w: OutboxWorker, start: threading.Barrier) -> None:
    start.wait()
    while w.run_once(limit=3):
        pass


def test_two_racing_workers_deliver_each_message_exactly_once(uow_factory, envelope, clock):
    phones = queue(uow_factory, Notifier(envelope, clock), 40)
    a, b = Recorder(), Recorder()
    start = threading.Barrier(2)
    threads = [
        threading.Thread(target=drain, args=(worker(uow_factory, envelope, clock, s), start))
        for s in (a, b)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert Counter(a.sent + b.sent) == Counter(phones)  # every one, none twice
    assert a.sent and b.sent  # both really worked
    with uow_factory() as uow:
        assert {m.status for m in uow.outbox.recent(100)} == {DeliveryStatus.SENT}


def test_a_busy_worker_keeps_its_batch_while_another_takes_the_rest(uow_factory, envelope, clock):
    phones = queue(uow_factory, Notifier(envelope, clock), 6)
    release = threading.Event()
    slow, fast = Recorder(hold=release), Recorder()
    slow_worker = worker(uow_factory, envelope, clock, slow)
    thread = threading.Thread(target=slow_worker.run_once, kwargs={"limit": 3})
    thread.start()
    assert slow.entered.wait(10)  # the slow worker has claimed its batch and is sending
    assert worker(uow_factory, envelope, clock, fast).run_once(limit=10) == 3
    release.set()
    thread.join(timeout=10)
    assert len(slow.sent) == len(fast.sent) == 3
    assert sorted(slow.sent + fast.sent) == phones
