"""The workers of ``kyso serve --workers N`` die with their parent.

uvicorn's supervisor holds the listening socket and starts the workers; if it is killed
(``kill -9``, the OOM killer) the workers used to go on serving and holding the port, so a
restart failed with "Address already in use". ``kyso serve`` names itself in
:data:`PARENT_ENV` before it starts them; each worker then asks Linux for SIGTERM when its
parent dies (``prctl(PR_SET_PDEATHSIG)``), checks that the parent did not die before that,
and, where prctl is not available, watches the parent's pid from a thread instead.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import signal
import threading

__all__ = ["PARENT_ENV", "die_with_parent", "mark_parent"]

PARENT_ENV = "_KYSO_SERVE_PARENT"  # not a KYSO_* setting: the settings refuse unknown ones
PR_SET_PDEATHSIG = 1
log = logging.getLogger("kyso.serve")


def mark_parent() -> None:
    """In ``kyso serve`` (the supervisor), before the workers start."""
    os.environ[PARENT_ENV] = str(os.getpid())


def die_with_parent(poll_seconds: float = 1.0) -> None:
    """In a worker started by :func:`mark_parent`'s process: end when that process ends.
    Does nothing in a process that was not started so (one worker: no supervisor)."""
    parent = os.environ.get(PARENT_ENV)
    if parent is None or not parent.isdigit() or int(parent) == os.getpid():
        return
    if not _pdeathsig(signal.SIGTERM):
        threading.Thread(target=_watch, args=(int(parent), poll_seconds),
                         name="kyso-parent-watch", daemon=True).start()
    if os.getppid() != int(parent):  # the parent died before we asked
        os.kill(os.getpid(), signal.SIGTERM)


def _pdeathsig(signum: int) -> bool:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return bool(libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _watch(parent: int, poll_seconds: float) -> None:
    stop = threading.Event()
    while not stop.wait(poll_seconds):
        if os.getppid() != parent:
            log.warning("kyso serve's supervisor %s is gone; this worker stops", parent)
            os.kill(os.getpid(), signal.SIGTERM)
            return
