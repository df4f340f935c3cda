"""Where SQLite's one write lock goes: every process started with this directory on its
``PYTHONPATH`` (and ``LOCKSPY_DIR`` set) appends a line per hold of kyso's
``WriterLock`` to ``$LOCKSPY_DIR/<pid>.txt``: how long it was held and waited for, and
the kyso functions that took it. ``bench/lockspy/report.py`` sums the files up. Not a test;
it slows the holds a little (a stack walk each).

    mkdir -p /tmp/locks && .venv/bin/python bench/ab_signhash.py --rounds 1 \
        spy=PYTHONPATH=$PWD/bench/lockspy,LOCKSPY_DIR=/tmp/locks
    .venv/bin/python bench/lockspy/report.py /tmp/locks
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
import traceback

_DIR = os.environ.get("LOCKSPY_DIR")


def _install(directory: str) -> None:
    from kyso.adapters.db import engine

    out = open(os.path.join(directory, f"{os.getpid()}.txt"), "a", buffering=1)  # noqa: SIM115
    local = threading.local()
    take, release = engine.WriterLock._take, engine.WriterLock.release
    process = " ".join(sys.argv)[-60:].replace("\t", " ")

    def spied_take(self: engine.WriterLock, deadline: float | None) -> None:
        started = time.perf_counter()
        take(self, deadline)
        if self._depth == 1:
            local.got, local.waited = time.perf_counter(), time.perf_counter() - started
            frames = [f.name for f in traceback.extract_stack(limit=14) if "kyso" in f.filename]
            local.where = ">".join(frames[-6:-2])

    def spied_release(self: engine.WriterLock) -> None:
        depth = self._depth
        release(self)
        if depth == 1:
            held = time.perf_counter() - local.got
            out.write(f"{process}\t{threading.current_thread().name}\t{held * 1e3:.3f}\t"
                      f"{local.waited * 1e3:.3f}\t{local.where}\n")

    engine.WriterLock._take = spied_take  # type: ignore[method-assign]
    engine.WriterLock.release = spied_release  # type: ignore[method-assign]


if _DIR:
    with contextlib.suppress(ImportError):  # a process without kyso: nothing to spy on
        _install(_DIR)
