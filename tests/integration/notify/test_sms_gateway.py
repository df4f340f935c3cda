"""SMS through a real HTTP gateway on loopback: delivery, outages, back-off, secrecy at rest."""

from __future__ import annotations

import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from kyso.adapters.db.tables.notify import outbox
from kyso.adapters.local_delivery import LocalDelivery
from kyso.adapters.sms import HttpSmsSender
from kyso.errors import Text
from kyso.notify.model import DeliveryStatus
from kyso.notify.service import Notifier
from kyso.notify.worker import OutboxWorker

CODE = "830512"
PHONE = "+84912345678"
TEXT = f"kyso: Mã OTP để ký hợp đồng là {CODE}; có hiệu lực 5 phút."
TOKEN = "gateway-token-7f3a"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gateway:
    """A local SMS gateway: records each POST (JSON and Authorization), answers ``status``."""

    def __init__(self) -> None:
        self.port = free_port()
        self.status = 200
        self.received: list[tuple[dict, str | None]] = []
        self.answered: list[int] = []
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.received.append((json.loads(body), self.headers.get("Authorization")))
                gateway.answered.append(gateway.status)
                self.send_response(gateway.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server = self._server
        threading.Thread(target=lambda: server.serve_forever(0.05), daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sms"


@pytest.fixture
def gateway():
    gw = Gateway()  # not started: each test decides when the gateway is up
    yield gw
    gw.stop()


@pytest.fixture
def notifier(envelope, clock):
    return Notifier(envelope, clock)


@pytest.fixture
def sender(gateway):
    http = HttpSmsSender(gateway.url, SecretStr(TOKEN), timeout=2.0)
    yield http
    http.close()


def worker_for(uow_factory, envelope, clock, sms, **kw):
    kw = {"max_attempts": 5, "backoff_seconds": 30, "jitter": lambda: 0.0} | kw
    return OutboxWorker(uow_factory, envelope, LocalDelivery(), sms, clock, **kw)


def queue_otp(uow_factory, notifier) -> str:
    with uow_factory() as uow:
        message = notifier.queue_sms(uow, PHONE, TEXT, account_id="acc-1", purpose="SIGN")
        uow.commit()
    return message.id


def load(uow_factory, message_id):
    with uow_factory() as uow:
        return uow.outbox.get(message_id)


def test_the_gateway_receives_json_with_the_bearer_token(
    gateway, sender, uow_factory, envelope, clock, notifier
):
    gateway.start()
    mid = queue_otp(uow_factory, notifier)
    assert worker_for(uow_factory, envelope, clock, sender).run_once() == 1
    assert gateway.received == [({"to": PHONE, "text": TEXT}, f"Bearer {TOKEN}")]
    sent = load(uow_factory, mid)
    assert sent.status is DeliveryStatus.SENT and sent.sealed_body is None
    assert not sent.delivered_locally


@pytest.mark.parametrize("outage", ["refused", "http 500"])
def test_an_outage_loses_nothing_and_backs_off_exponentially(
    outage, gateway, sender, uow_factory, envelope, clock, notifier
):
    if outage == "http 500":
        gateway.status = 500
        gateway.start()
    worker = worker_for(uow_factory, envelope, clock, sender)
    mid = queue_otp(uow_factory, notifier)
    delays = []
    for attempt in (1, 2, 3):
        before = clock.now()
        assert worker.run_once() == 1
        failed = load(uow_factory, mid)
        assert failed.status is DeliveryStatus.PENDING and failed.attempts == attempt
        assert failed.sealed_body is not None and CODE not in failed.last_error
        assert TOKEN not in failed.last_error
        delays.append(failed.next_attempt_at - before)
        clock.advance(delays[-1].total_seconds() - 1)
        assert worker.run_once() == 0  # not due yet: nothing is hammered
        clock.advance(1)
    assert delays == [timedelta(seconds=s) for s in (30, 60, 120)]
    assert failed.last_error == (
        "SMS gateway answered HTTP 500"
        if outage == "http 500"
        else "SMS gateway unreachable: ConnectError"
    )

    gateway.status = 200  # back up
    if outage == "refused":
        gateway.start()  # on the port that refused connections
    assert worker.run_once() == 1
    clock.advance(3600)
    assert worker.run_once() == 0
    expected = [500, 500, 500, 200] if outage == "http 500" else [200]
    assert gateway.answered == expected  # accepted exactly once
    assert all(body == {"to": PHONE, "text": TEXT} for body, _ in gateway.received)
    sent = load(uow_factory, mid)
    assert (sent.status, sent.attempts, sent.last_error) == (DeliveryStatus.SENT, 4, None)
    assert sent.sealed_body is None


def test_a_gateway_that_stays_down_makes_the_message_dead(
    gateway, sender, uow_factory, envelope, clock, notifier
):
    gateway.status = 503
    gateway.start()
    worker = worker_for(uow_factory, envelope, clock, sender, max_attempts=3)
    mid = queue_otp(uow_factory, notifier)
    for _ in range(5):
        worker.run_once()
        clock.advance(7200)
    dead = load(uow_factory, mid)
    assert (dead.status, dead.attempts) == (DeliveryStatus.DEAD, 3)
    assert dead.last_error == "SMS gateway answered HTTP 503" and dead.sealed_body is None
    assert len(gateway.received) == 3


def test_bodies_are_sealed_at_rest(gateway, sender, uow_factory, envelope, clock, notifier, engine):
    mid = queue_otp(uow_factory, notifier)
    worker_for(uow_factory, envelope, clock, sender).run_once()  # gateway down: still pending
    with engine.connect() as conn:
        row = conn.execute(select(outbox).where(outbox.c.id == mid)).mappings().one()
    assert row["recipient"] == PHONE and row["sealed_body"]
    assert CODE.encode() not in bytes(row["sealed_body"])
    assert all(CODE not in str(value) for value in row.values())
    if engine.dialect.name == "sqlite":  # and nowhere in the database files either
        db = Path(engine.url.database)
        raw = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
        assert PHONE.encode() in raw  # the files are readable: the check below means something
        assert CODE.encode() not in raw and "ký hợp đồng".encode() not in raw


def test_a_rolled_back_change_sends_nothing(
    gateway, sender, uow_factory, envelope, clock, notifier
):
    gateway.start()
    with pytest.raises(RuntimeError), uow_factory() as uow:
        notifier.queue_sms(uow, PHONE, TEXT)
        notifier.post(uow, "acc-1", Text("Mã OTP đã được gửi", "OTP sent"), Text("…", "…"))
        raise RuntimeError("the change that caused the message failed")
    worker = worker_for(uow_factory, envelope, clock, sender)
    assert worker.run_once() == 0
    with uow_factory() as uow:
        assert list(uow.outbox.recent(10)) == []
        assert uow.notifications.unread_count("acc-1") == 0
    queue_otp(uow_factory, notifier)  # the same path, committed, does send
    assert worker.run_once() == 1 and len(gateway.received) == 1
