"""Audit checkpoints also go outside kyso's host: to a syslog collector (RFC 5424 over TCP and
UDP, a loopback listener here that parses them) and by email to auditors through the outbox
(the real SMTP server on loopback). The file stays what ``kyso audit verify`` reads."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from kyso.adapters.audit_anchor import SealSigner
from kyso.audit.checkpoint import Checkpoint
from kyso.bootstrap import Container, bootstrap, init_home
from kyso.clock import ManualClock
from kyso.config import Settings
from tests.conftest import FAST_HASHER
from tests.integration.notify.test_smtp import Inbox, free_port

# RFC 5424: <PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD SP MSG
SYSLOG = re.compile(
    rb"<(?P<pri>\d{1,3})>1 (?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z) (?P<host>\S+) "
    rb"(?P<app>\S+) (?P<procid>\d+) (?P<msgid>\S+) "
    rb'\[checkpoint@32473 seq="(?P<seq>\d+)" hash="(?P<hash>[0-9a-f]{64})"\] '
    rb"\xef\xbb\xbf(?P<msg>.+)\Z", re.DOTALL)


class Collector:
    """A syslog collector on loopback: TCP with octet counting (RFC 6587), or UDP."""

    def __init__(self, protocol: str) -> None:
        kind = socket.SOCK_STREAM if protocol == "tcp" else socket.SOCK_DGRAM
        self.sock = socket.socket(socket.AF_INET, kind)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(10)
        self.protocol, self.port = protocol, self.sock.getsockname()[1]
        if protocol == "tcp":
            self.sock.listen(4)

    def receive(self) -> bytes:
        if self.protocol == "udp":
            return self.sock.recvfrom(65535)[0]
        conn, _ = self.sock.accept()
        with conn:
            conn.settimeout(10)
            data = b""
            while chunk := conn.recv(65536):
                data += chunk
        length, _, message = data.partition(b" ")
        assert int(length) == len(message)  # one frame, counted
        return message


def _node(tmp_path: Path, db_url: str, clock: ManualClock, **sinks: object) -> Container:
    settings = Settings(home=tmp_path / "home", database_url=db_url, pki_ca_key="ec-p256",
                        pki_responder_key="ec-p256", pki_tsa_key="ec-p256", **sinks)  # type: ignore[arg-type]
    init_home(settings)
    container = bootstrap(settings, clock=clock, hasher=FAST_HASHER)
    container.pki.initialize(actor="test")
    return container


def _signer(node: Container) -> SealSigner:
    return SealSigner(node.pki, node.keystore, node.pki_publisher.timestamp)


@pytest.mark.parametrize("protocol", ["tcp", "udp"])
def test_checkpoints_reach_a_syslog_collector(tmp_path: Path, db_url: str, clock: ManualClock,
                                              protocol: str) -> None:
    collector = Collector(protocol)
    node = _node(tmp_path, db_url, clock, audit_syslog_address=f"127.0.0.1:{collector.port}",
                 audit_syslog_protocol=protocol)
    try:
        received: list[bytes] = []
        listener = threading.Thread(target=lambda: received.append(collector.receive()))
        listener.start()
        point = node.audit_anchor.checkpoint()
        listener.join(15)
        [message] = received
        parsed = SYSLOG.match(message)
        assert parsed is not None, message[:200]
        assert int(parsed["pri"]) == 13 * 8 + 5 and parsed["app"] == b"kyso"
        assert parsed["msgid"] == b"checkpoint"
        assert (int(parsed["seq"]), parsed["hash"].decode()) == (point.seq, point.hash)
        line = parsed["msg"].decode()
        assert line == node.settings.audit_checkpoint_path.read_text().splitlines()[-1]
        sent = Checkpoint.from_line(line)  # the collector's copy is signed and time-stamped
        assert _signer(node).verify(sent.signer, sent.statement(), sent.signature)
        assert sent.timestamp and _signer(node).stamped(sent.statement(), sent.timestamp)
        assert node.audit_anchor.verify()[1] == 1
    finally:
        collector.sock.close()
        node.close()


def test_a_collector_away_does_not_stop_the_checkpoint_and_is_audited(tmp_path: Path, db_url: str,
                                                       clock: ManualClock) -> None:
    node = _node(tmp_path, db_url, clock, audit_syslog_address=f"127.0.0.1:{free_port()}")
    try:
        point = node.audit_anchor.checkpoint()  # nobody listens: the file still written
        assert node.audit_anchor.verify()[1] == 1
        with node.uow(read_only=True) as uow:
            [failed] = [r for r in uow.audit.records(after_seq=point.seq)
                        if r.event.action == "audit.checkpoint_not_sent"]
        assert failed.event.details["reason"] == "ConnectionRefusedError"
        assert "SyslogSink(tcp://127.0.0.1:" in str(failed.event.details["sink"])
    finally:
        node.close()


@pytest.fixture
def smtp() -> Iterator[tuple[Controller, Inbox]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def test_auditors_receive_checkpoints_by_email(tmp_path: Path, db_url: str, clock: ManualClock,
                                               smtp: tuple[Controller, Inbox]) -> None:
    controller, inbox = smtp
    auditors = ["kiemtoan@example.vn", "auditor@example.com"]
    node = _node(tmp_path, db_url, clock, audit_auditor_emails=auditors, email_backend="smtp",
                 smtp_host="127.0.0.1", smtp_port=controller.port)
    try:
        point = node.audit_anchor.checkpoint()
        assert node.outbox_worker().run_once() == 2
        assert sorted(r for e in inbox.envelopes for r in e.rcpt_tos) == sorted(auditors)
        message = email.message_from_bytes(inbox.envelopes[0].content,
                                           policy=email.policy.default)
        assert f"#{point.seq}" in str(message["subject"])
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        text = body.get_content()
        assert "điểm kiểm" in text.lower()
        [line] = [x for x in text.splitlines() if x.startswith("{")]
        assert Checkpoint.from_line(line) == point
        assert node.audit_anchor.verify()[1] == 1
    finally:
        node.close()
