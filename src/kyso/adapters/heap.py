"""glibc's heap kept for buffers of a few MiB (a signDoc's JSON body, its Base64, the PDF).

By default glibc serves every allocation from 128 KiB up (its threshold then moves with
what was freed) with a fresh ``mmap`` and returns it with ``munmap`` when freed, and gives
the top of the heap back once 128 KiB are free there. A 1 MiB PDF signed through signDoc
goes through several such buffers (the request body, the JSON string, the decoded document,
the sandbox's copy and its output, the Base64 answer): every page of each is faulted in and
zeroed by the kernel on every request — measured here, a 1.4 MB ``bytes.join`` costs 1.2 ms
of CPU, 0.06 ms with the heap kept. :func:`keep_heap` (each ``kyso serve`` worker and each
sandbox child, at start) serves allocations up to ``MMAP_THRESHOLD`` from the heap and keeps
up to ``TRIM_THRESHOLD`` of free memory at its top: the pages stay mapped from one request
to the next. Larger buffers (a document of tens of MiB) are still mapped and unmapped. A C
library without ``mallopt`` (musl) is left as it is.

:func:`settle_heap` (each worker, once its app is built) takes the objects made at start —
the modules, the app, the container: some 200,000 — out of the cyclic garbage collector's
reach. They live as long as the process, yet every full collection walked them all: 85 ms
on the 2-core machine of ``bench/`` for a worker, a stall that every request in flight waited
for, and the p99 of a loaded worker.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging

__all__ = ["MMAP_THRESHOLD", "TRIM_THRESHOLD", "keep_heap", "settle_heap"]

log = logging.getLogger(__name__)
MMAP_THRESHOLD = 16 * 1024 * 1024
TRIM_THRESHOLD = 64 * 1024 * 1024
_M_TRIM_THRESHOLD = -1  # glibc's malloc.h
_M_MMAP_THRESHOLD = -3


def keep_heap() -> bool:
    """Set glibc's thresholds (:data:`MMAP_THRESHOLD`, :data:`TRIM_THRESHOLD`) for this
    process; False where the C library has no ``mallopt`` or refused."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    done = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) \
        and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    if not done:
        log.info("glibc refused the heap thresholds; allocations stay as they were")
    return done


def settle_heap() -> int:
    """Collect what start-up left behind, then move every object alive now to the
    collector's permanent generation (``gc.freeze``): later collections, full ones included,
    walk only what was made since. Returns how many objects were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
