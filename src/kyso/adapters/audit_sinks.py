"""Audit checkpoints sent outside kyso's host as well as written to the checkpoint file.

:class:`CheckpointTee` is the :class:`~kyso.audit.checkpoint.CheckpointLog` of the anchor:
each checkpoint line goes to the file (which ``kyso audit verify`` reads) and then to every
sink; a sink that fails is logged and skipped (the file already holds the line, and the next
checkpoint goes out again). The sinks:

- :class:`SyslogSink`: an RFC 5424 message (facility 13 "log audit", severity 5 "notice",
  MSGID ``checkpoint``, structured data ``[checkpoint@32473 seq="…" hash="…"]``, the line as
  the UTF-8 MSG) over UDP (RFC 5426, one datagram) or TCP (RFC 6587 octet counting) to a
  collector the operator runs elsewhere (rsyslog, syslog-ng, a SIEM);
- :class:`AuditorEmailSink`: an email to each auditor through the outbox (the worker
  delivers it by SMTP), with the line in the body, for auditors who keep their own copy.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Literal, Protocol

from kyso.audit.checkpoint import CheckpointLog
from kyso.clock import Clock
from kyso.notify.ports import EmailContent
from kyso.notify.service import Notifier
from kyso.uow import UnitOfWorkFactory

__all__ = ["AuditorEmailSink", "CheckpointSink", "CheckpointTee", "SyslogSink",
           "syslog_message"]

log = logging.getLogger(__name__)

_PRI = 13 * 8 + 5  # facility 13 (log audit), severity 5 (notice)
_BOM = b"\xef\xbb\xbf"


class CheckpointSink(Protocol):
    def send(self, line: str) -> None: ...


class CheckpointTee:
    """``failed(sink, reason)`` is told of a sink that failed (the container audits it)."""

    def __init__(self, file: CheckpointLog, sinks: Sequence[CheckpointSink],
                 failed: Callable[[str, str], None] | None = None) -> None:
        self._file, self._sinks, self._failed = file, tuple(sinks), failed

    def __repr__(self) -> str:
        return f"CheckpointTee(sinks={len(self._sinks)})"

    def append(self, line: str) -> None:
        self._file.append(line)
        for sink in self._sinks:
            try:
                sink.send(line)
            except Exception as exc:  # the file holds the line; the next checkpoint retries
                log.warning("audit checkpoint not sent to %r: %s", sink, type(exc).__name__)
                if self._failed is not None:
                    self._failed(repr(sink), type(exc).__name__)

    def lines(self) -> list[str]:
        return self._file.lines()


def syslog_message(line: str, *, hostname: str, at: datetime, procid: int) -> bytes:
    """The RFC 5424 message of a checkpoint line."""
    point = json.loads(line)
    params = " ".join(f'{name}="{_sd_escape(str(point[name]))}"' for name in ("seq", "hash"))
    stamp = at.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    header = f"<{_PRI}>1 {stamp} {hostname[:255] or '-'} kyso {procid} checkpoint"
    return f"{header} [checkpoint@32473 {params}] ".encode() + _BOM + line.encode()


def _sd_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


class SyslogSink:
    def __init__(self, host: str, port: int, protocol: Literal["udp", "tcp"], clock: Clock,
                 *, timeout: float = 5.0) -> None:
        self._address, self._protocol = (host, port), protocol
        self._clock, self._timeout = clock, timeout
        self._hostname = socket.gethostname()

    def __repr__(self) -> str:
        return f"SyslogSink({self._protocol}://{self._address[0]}:{self._address[1]})"

    def send(self, line: str) -> None:
        message = syslog_message(line, hostname=self._hostname, at=self._clock.now(),
                                 procid=os.getpid())
        if self._protocol == "udp":
            with socket.socket(_family(self._address[0]), socket.SOCK_DGRAM) as sock:
                sock.sendto(message, self._address)
            return
        with socket.create_connection(self._address, timeout=self._timeout) as sock:
            sock.sendall(str(len(message)).encode() + b" " + message)  # RFC 6587 framing


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


class AuditorEmailSink:
    def __init__(self, uow_factory: UnitOfWorkFactory, notifier: Notifier,
                 recipients: Sequence[str]) -> None:
        self._uow, self._notifier, self._recipients = uow_factory, notifier, tuple(recipients)

    def __repr__(self) -> str:
        return f"AuditorEmailSink(recipients={len(self._recipients)})"

    def send(self, line: str) -> None:
        seq = json.loads(line)["seq"]
        content = EmailContent(
            subject=f"kyso: điểm kiểm nhật ký kiểm toán #{seq} / audit checkpoint #{seq}",
            text=("Điểm kiểm mới của nhật ký kiểm toán kyso (đã ký bằng con dấu của kyso và "
                  "gắn dấu thời gian). Hãy lưu dòng dưới đây; `kyso audit verify` đối chiếu "
                  "với nó.\n\nA new checkpoint of kyso's audit trail (signed with kyso's seal "
                  "and time-stamped). Keep the line below; `kyso audit verify` checks the "
                  f"trail against it.\n\n{line}\n"))
        with self._uow() as uow:
            for to in self._recipients:
                self._notifier.queue_email(uow, to, content, purpose="audit-checkpoint")
            uow.commit()
