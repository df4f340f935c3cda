"""A pool of sandboxed PDF readers (child processes), the adapter of
:class:`~kyso.signing.sandbox.PdfSandbox`.

The children are started on demand up to ``workers`` (``spawn``: fresh interpreters that
share nothing with the server) and live on, serving one file at a time. A caller waits for an
idle child (at most ``queue_seconds``, then :class:`SandboxBusy`, 503), sends the bytes and
waits at most ``wall_seconds`` for the answer. A child that does not answer in time or dies
(SIGXCPU past its CPU limit, a crash in a C extension) is killed and replaced, and the file
is refused with :class:`InvalidDocument` (400) and one log line, no traceback.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import queue
import threading
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from typing import Any

from kyso.adapters.sandbox.child import serve
from kyso.signing.document_errors import (
    DamagedPdf,
    EncryptedPdf,
    InvalidDocument,
    NotAPdf,
    SandboxBusy,
)
from kyso.signing.pages import Layout
from kyso.signing.pdf import PdfInfo

__all__ = ["ProcessSandbox", "SandboxLimits"]

log = logging.getLogger(__name__)
_REFUSALS = {error.code: error for error in (NotAPdf, EncryptedPdf, DamagedPdf, InvalidDocument)}
_START_SECONDS = 60.0  # a child's own start (imports) on a loaded machine


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

    def __init__(self, limits: SandboxLimits) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, theirs = context.Pipe()
        self.process: BaseProcess = context.Process(
            target=serve, args=(theirs, limits.memory_mib * 1024 * 1024, limits.cpu_seconds),
            name="kyso-pdf-sandbox", daemon=True)
        self.process.start()
        theirs.close()
        self.ready = False

    def call(self, request: tuple[str, bytes, tuple[Any, ...]],
             wall_seconds: float) -> tuple[Any, ...] | None:
        """The child's answer to ``(task, data, args)``, or None if it died or ran out of
        time."""
        try:
            if not self.ready:
                self._await_ready()
            self.conn.send(request)
            if not self.conn.poll(wall_seconds):
                return None
            answer: tuple[Any, ...] = self.conn.recv()
        except (EOFError, OSError):
            return None
        return answer

    def _await_ready(self) -> None:
        if not self.conn.poll(_START_SECONDS) or self.conn.recv() != ("ready",):
            raise EOFError("the sandbox child did not start")
        self.ready = True

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class ProcessSandbox:
    def __init__(self, limits: SandboxLimits) -> None:
        self.limits = limits
        self._idle: queue.Queue[_Child] = queue.Queue()
        self._lock = threading.Lock()
        self._alive = 0  # children started and not killed, idle or busy
        self._closed = False

    def inspect(self, data: bytes) -> PdfInfo:
        result: PdfInfo = self._run("inspect", data)
        return result

    def survey(self, data: bytes) -> int:
        result: int = self._run("survey", data)
        return result

    def layout(self, data: bytes) -> Layout:
        result: Layout = self._run("layout", data)
        return result

    def render(self, data: bytes, page: int) -> bytes:
        result: bytes = self._run("render", data, page)
        return result

    def close(self) -> None:
        with self._lock:
            self._closed = True
        while True:
            try:
                self._drop(self._idle.get_nowait())
            except queue.Empty:
                return

    # -- helpers ---------------------------------------------------------------------------
    def _run(self, task: str, data: bytes, *args: Any) -> Any:
        child = self._take()
        answer = child.call((task, data, args), self.limits.wall_seconds)
        if answer is None:
            self._drop(child)
            return self._refuse(data)
        self._give_back(child)
        if answer[0] == "ok":
            return answer[1]
        _, code, detail = answer
        log.info("untrusted PDF refused: %s%s", code, f" ({detail})" if detail else "")
        raise _REFUSALS.get(code, DamagedPdf)(detail or None)

    def _refuse(self, data: bytes) -> Any:
        digest = hashlib.sha256(data).hexdigest()[:16]
        log.warning("untrusted PDF stopped by the sandbox (time, memory or crash): "
                    "%d bytes, sha256 %s…", len(data), digest)
        raise InvalidDocument()

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
                return _Child(self.limits)
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
