"""A pool of sandboxed PDF and XML readers (child processes), the adapter of
:class:`~kyso.signing.sandbox.PdfSandbox`.

The children are started on demand up to ``workers`` (``spawn``: fresh interpreters that
share nothing with the server) and live on, serving one file at a time. A caller waits for an
idle child (at most ``queue_seconds``, then :class:`SandboxBusy`, 503), sends the bytes and
waits at most ``wall_seconds`` for each message. On the way the child may ask questions
(kyso's ``/pki`` data, from the :class:`~kyso.signing.revinfo.PkiEndpoints` given here; the
CMS for a prepared signature, from the caller), at most ``_MAX_ASKS`` per file. Every message
is a :mod:`~kyso.adapters.sandbox.wire` frame decoded by :mod:`~kyso.adapters.sandbox.codec`:
nothing a child says is unpickled. A child that does not answer in time, dies (SIGXCPU past
its CPU limit, a crash in a C extension) or says something malformed is killed and replaced,
and the file is refused with :class:`InvalidDocument` (400) and one log line, no traceback
— an XML document with :class:`~kyso.signing.xml_input.UnsafeXml` (400 ``unsafe_xml``): XML
that exhausts a reader's time or memory is hostile by construction (entity tricks, bombs).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import queue
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from kyso.adapters.sandbox import codec
from kyso.adapters.sandbox.child import serve
from kyso.adapters.sandbox.jail import LAYERS
from kyso.adapters.sandbox.wire import WireError, pack, unpack
from kyso.errors import KysoError
from kyso.signing.document_errors import (
    DamagedPdf,
    EncryptedPdf,
    InvalidDocument,
    NotAPdf,
    RevocationUnavailable,
    SandboxBusy,
    SigningFailed,
)
from kyso.signing.pades import Exchange, PadesRequest, Prepared
from kyso.signing.pages import Layout
from kyso.signing.pdf import PdfInfo
from kyso.signing.revinfo import PkiEndpoints
from kyso.signing.source import Source, sha256_of, size_of
from kyso.signing.validation import ValidationReport
from kyso.signing.xml_input import NotXml, UnsafeXml

__all__ = ["ProcessSandbox", "SandboxLimits"]

log = logging.getLogger(__name__)
_REFUSALS: dict[str, type[KysoError]] = {
    error.code: error for error in (NotAPdf, EncryptedPdf, DamagedPdf, InvalidDocument,
                                    RevocationUnavailable, SigningFailed, NotXml, UnsafeXml)}
_PLAIN = {NotXml.code, UnsafeXml.code}  # refusals whose sentence stands alone (no detail)
_START_SECONDS = 60.0  # a child's own start (imports) on a loaded machine
_MAX_FRAME = 64 * 1024 * 1024  # a reply (a prepared tail, a report, a PNG), never the document
_IN_FRAME = 128 * 1024  # bytes up to this size go in the task's frame, larger in a file
_MAX_ASKS = 64  # questions a child may ask about one file (CA certificates, CRLs, OCSP, TSA)
Handler = Callable[[Any], bytes]
T = TypeVar("T")


@dataclass(frozen=True)
class SandboxLimits:
    workers: int = 2
    cpu_seconds: int = 5
    wall_seconds: float = 10.0
    memory_mib: int = 1024
    queue_seconds: float = 30.0

    def __post_init__(self) -> None:
        if self.workers < 1 or self.cpu_seconds < 1 or self.wall_seconds <= 0:
            raise ValueError("the sandbox needs a worker, and CPU and wall-clock limits")
        if self.memory_mib < 256:
            raise ValueError("a sandboxed reader needs at least 256 MiB of address space")


class _Child:
    """One reader process and the parent's end of its pipe."""

    def __init__(self, limits: SandboxLimits, base_url: str) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, theirs = context.Pipe()
        # the one folder the jailed child may read and write (owner-only): the file it
        # works on is linked in there, its own scratch files go there
        self.workdir = Path(tempfile.mkdtemp(prefix="kyso-sandbox-"))
        self.process: BaseProcess = context.Process(
            target=serve, args=(theirs, limits.memory_mib * 1024 * 1024, limits.cpu_seconds,
                                base_url, str(self.workdir)),
            name="kyso-pdf-sandbox", daemon=True)
        self.process.start()
        theirs.close()
        self.ready = False

    def send(self, message: dict[str, Any]) -> None:
        if not self.ready:
            self._await_ready()
        self.conn.send_bytes(pack(message))

    def receive(self, wall_seconds: float) -> Any:
        """The child's next message; _Stopped if it died or ran out of time, WireError if
        it is not a well-formed frame."""
        try:
            if not self.conn.poll(wall_seconds):
                raise _Stopped()
            frame = self.conn.recv_bytes(_MAX_FRAME)
        except (EOFError, OSError) as exc:
            raise _Stopped() from exc
        return unpack(frame)

    def _await_ready(self) -> None:
        try:
            ready = self.conn.poll(_START_SECONDS) and unpack(self.conn.recv_bytes(256))
        except (EOFError, OSError, WireError):
            ready = None
        if type(ready) is not dict or ready.get("t") != "ready":
            raise _Stopped()
        _tell_jail(ready.get("jail"))
        self.ready = True

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()
        shutil.rmtree(self.workdir, ignore_errors=True)

    @contextlib.contextmanager
    def given(self, data: Source) -> Iterator[dict[str, Any]]:
        """How ``data`` travels: a few bytes in the frame; more (from ``_IN_FRAME``) written
        to a file in the child's folder — one write and one read, where the pipe would
        take a switch between the processes every socket buffer and two more copies; a
        file linked (or, across file systems, copied) there. Removed after the task."""
        if not isinstance(data, Path) and len(data) < _IN_FRAME:
            yield {"data": data}
            return
        place = self.workdir / f"{uuid.uuid4().hex}.pdf"
        try:
            if not isinstance(data, Path):
                _write_new(place, data)
            else:
                try:
                    os.link(data, place)
                except OSError:
                    shutil.copyfile(data, place)
            yield {"file": str(place)}
        finally:
            place.unlink(missing_ok=True)


def _write_new(place: Path, data: bytes) -> None:
    """``data`` in a new file (0600) at ``place``: never through a name that exists already
    (the child writes in that folder: no file or link of its own is followed or reused)."""
    fd = os.open(place, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                 0o600)
    with open(fd, "wb", closefd=True) as out:
        out.write(data)


_told_jail: list[object] = []


def _tell_jail(layers: object) -> None:
    """One warning per process when the child came up without a layer of its jail."""
    missing = [layer for layer in LAYERS if not isinstance(layers, list) or layer not in layers]
    if missing and missing != _told_jail:
        _told_jail[:] = missing
        log.warning("sandbox.jail_incomplete", extra={"missing": ",".join(missing)})


class _Stopped(Exception):
    """The child died, hung or was never ready."""


class ProcessSandbox:
    def __init__(self, limits: SandboxLimits, pki: PkiEndpoints | None = None,
                 base_url: str = "http://localhost") -> None:
        self.limits = limits
        self._pki, self._base_url = pki, base_url
        self._idle: queue.Queue[_Child] = queue.Queue()
        self._lock = threading.Lock()
        self._alive = 0  # children started and not killed, idle or busy
        self._closed = False

    def inspect(self, data: Source) -> PdfInfo:
        return self._run(codec.decode_info, "inspect", data)

    def layout(self, data: Source) -> Layout:
        return self._run(codec.decode_layout, "layout", data)

    def render(self, data: Source, page: int) -> bytes:
        return self._run(codec.decode_png, "render", data, page)

    def validate(self, data: Source, at: datetime) -> ValidationReport:
        return self._run(codec.decode_report, "validate", data, at.isoformat())

    def check_xml(self, data: Source) -> int:
        return self._run(codec.decode_int, "check_xml", data, refusal=UnsafeXml)

    def validate_xml(self, data: Source, at: datetime) -> ValidationReport:
        return self._run(codec.decode_report, "validate_xml", data, at.isoformat(),
                         refusal=UnsafeXml)

    def sign(self, request: PadesRequest, exchange: Exchange) -> Prepared | bytes:
        def cms(value: Any) -> bytes:
            return exchange(codec.decode_prepared(value))

        return self._run(codec.decode_signed, "sign", request.pdf,
                         codec.encode_request(request), cms=cms)

    def close(self) -> None:
        with self._lock:
            self._closed = True
        while True:
            try:
                self._drop(self._idle.get_nowait())
            except queue.Empty:
                return

    # -- helpers ---------------------------------------------------------------------------
    def _run(self, decode: Callable[[Any], T], task: str, data: Source, args: Any = None,
             refusal: type[KysoError] = InvalidDocument, **handlers: Handler) -> T:
        """The child's result for ``task``, decoded; its questions answered on the way (the
        PKI's, and ``handlers``'). A child out of time or memory, or a malformed message, is
        ``refusal``; an error a handler raises (the server's own: an invalid SAD …) stops the
        child's work and propagates."""
        child = self._take()
        try:
            with child.given(data) as given:
                answer = self._converse(child, {"task": task, **given, "args": args},
                                        handlers)
            result = decode(self._result(answer))
        except _Stopped:
            self._drop(child)
            self._refuse(data, "time, memory or crash", task, refusal)
        except WireError as exc:  # the child is not speaking the protocol: not trusted again
            self._drop(child)
            self._refuse(data, f"malformed message: {str(exc)[:100]}", task, refusal)
        except KysoError:  # the file's refusal, or the server's; the child is ready again
            self._give_back(child)
            raise
        except BaseException:
            self._drop(child)
            raise
        self._give_back(child)
        return result

    def _converse(self, child: _Child, request: dict[str, Any],
                  handlers: dict[str, Handler]) -> Any:
        child.send(request)
        for _ in range(_MAX_ASKS + 1):
            message = child.receive(self.limits.wall_seconds)
            if type(message) is not dict or message.get("t") != "ask":
                return message
            try:
                reply = {"t": "answer", "r": self._answer(message, handlers)}
            except KysoError as exc:
                if message.get("what") in handlers:  # the server refused: stop the child
                    child.send({"t": "abort"})
                    with contextlib.suppress(KysoError):
                        self._result(child.receive(self.limits.wall_seconds))
                    raise
                log.info("a sandboxed reader's %s question went unanswered: %s",
                         message.get("what"), exc.code)
                reply = {"t": "no"}
            child.send(reply)
        raise WireError("too many questions")

    def _answer(self, message: dict[str, Any], handlers: dict[str, Handler]) -> bytes:
        what, arg = message.get("what"), message.get("arg")
        if set(message) != {"t", "what", "arg"} or type(what) is not str:
            raise WireError("bad question")
        if what in handlers:
            return handlers[what](arg)
        pki = self._pki
        if pki is None:
            raise RevocationUnavailable("no PKI for the sandbox")
        try:
            if what == "ca" and type(arg) is str:
                return pki.ca_certificate(arg)
            if what == "crl" and type(arg) is str:
                return pki.crl(arg)
            if what == "ocsp" and type(arg) is bytes:
                return pki.ocsp(arg)
            if what == "tsa" and type(arg) is bytes:
                return pki.timestamp(arg)
        except KysoError:
            raise
        except Exception as exc:  # kyso's PKI failing on a strange request: no answer
            raise RevocationUnavailable(type(exc).__name__) from exc
        raise WireError(f"unknown question {what!r}")

    def _result(self, answer: Any) -> Any:
        if type(answer) is dict and answer.get("t") == "ok" and set(answer) == {"t", "r"}:
            return answer["r"]
        if type(answer) is not dict or answer.get("t") != "refused" \
                or set(answer) != {"t", "code", "detail"} \
                or type(answer["code"]) is not str or type(answer["detail"]) is not str:
            raise WireError("expected ok or refused")
        code, detail = answer["code"], answer["detail"][:200]
        log.info("untrusted document refused: %s%s", code, f" ({detail})" if detail else "")
        raise _REFUSALS.get(code, DamagedPdf)(None if code in _PLAIN else detail or None)

    def _refuse(self, data: Source, why: str, task: str,
                refusal: type[KysoError]) -> NoReturn:
        digest = sha256_of(data)[:16]
        log.warning("untrusted document stopped by the sandbox (%s, %s): %d bytes, sha256 %s…",
                    task, why, size_of(data), digest)
        raise refusal()

    def _take(self) -> _Child:
        """An idle child; a new one while the pool is below its size (at start, or after a
        child was killed); else wait for one."""
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            spawn = self._alive < self.limits.workers
            self._alive += spawn
        if spawn:
            try:
                return _Child(self.limits, self._base_url)
            except Exception:
                with self._lock:
                    self._alive -= 1
                raise
        try:
            return self._idle.get(timeout=self.limits.queue_seconds)
        except queue.Empty:
            raise SandboxBusy(retry_after=int(self.limits.wall_seconds)) from None

    def _drop(self, child: _Child) -> None:
        child.kill()
        with self._lock:
            self._alive -= 1

    def _give_back(self, child: _Child) -> None:
        with self._lock:
            closed = self._closed
        if closed:
            self._drop(child)
        else:
            self._idle.put(child)
