"""What ``kyso serve`` does besides answering requests: deliver the outbox (and make the
signing receipts, ``KYSO_SERVE_MAKES_RECEIPTS``), chain the pending audit events, and on
SQLite checkpoint the write-ahead log.

With one worker these run as threads of the serving process (:func:`start_duties`, from
the app's lifespan). With ``--workers N`` they run once, in a process of their own that
``kyso serve`` starts beside the workers and starts again if it dies
(:class:`DutiesProcess`, ``python -m kyso.entrypoints.api.duties``); the workers only
serve. Run in every worker, they took the GIL and the write lock from the requests a few
tens of milliseconds at a time — a batch of signing receipts is claimed, sealed (a CMS and
a time stamp) and recorded once a second — and N of them claimed the same work. In a
process of its own the kernel shares the CPU out instead of the GIL. ``bench/ab_signhash.py``
(SQLite, 2 workers, 8 connections) measures the difference.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading

from kyso.adapters.db.engine import checkpoint_wal
from kyso.adapters.metrics import observe_delivery, observe_outbox_pass, process_ended
from kyso.bootstrap import Container, bootstrap
from kyso.config import load_settings
from kyso.entrypoints.lifeline import die_with_parent
from kyso.entrypoints.logs import configure_logging

__all__ = ["DutiesProcess", "start_duties"]

log = logging.getLogger("kyso.serve")
RESTART_SECONDS = 1.0  # a duties process that died is started again after this long


def start_duties(container: Container, stop: threading.Event) -> list[threading.Thread]:
    """The duties as threads of this process, until ``stop`` is set."""
    worker = container.outbox_worker(
        observe=observe_delivery, every_pass=observe_outbox_pass,
        make_receipts=container.settings.serve_makes_receipts)
    outbox = threading.Thread(target=worker.run_forever,
                              args=(stop, container.settings.outbox_poll_seconds),
                              name="kyso-outbox", daemon=True)
    outbox.start()
    # the audit sequencer: chains the events this and every node write to audit_pending
    threads = [outbox, container.audit_sequencer.start(stop)]
    checkpoints = checkpoint_wal(container.engine, stop)  # SQLite: not inside the commits
    return threads + ([checkpoints] if checkpoints is not None else [])


class DutiesProcess:
    """``kyso serve --workers N``: the duties in one process of their own, started again a
    second after it dies, until :meth:`stop` (it also ends with ``kyso serve``: it is
    started after ``mark_parent``)."""

    def __init__(self) -> None:
        self._stopping = threading.Event()
        self._guard = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._thread = threading.Thread(target=self._run, name="kyso-duties", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while True:
            with self._guard:
                if self._stopping.is_set():
                    return
                self._process = subprocess.Popen(
                    [sys.executable, "-m", "kyso.entrypoints.api.duties"])
            code = self._process.wait()
            if self._stopping.wait(RESTART_SECONDS):
                return
            log.warning("kyso serve's duties process ended (exit %s); starting it again", code)

    def stop(self, timeout: float = 15.0) -> None:
        with self._guard:
            self._stopping.set()
            process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._thread.join(timeout)


def main() -> None:
    """The duties process: until SIGTERM (or ``kyso serve`` ending)."""
    die_with_parent()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C: kyso serve stops it, in order
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    container = bootstrap(settings)
    threads = start_duties(container, stop)
    log.info("kyso serve: duties started (pid %d)", os.getpid())
    while not stop.wait(1.0):
        pass
    for thread in threads:
        thread.join(timeout=10)
    process_ended()
    container.close()


if __name__ == "__main__":
    main()
