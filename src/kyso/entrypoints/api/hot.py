"""The hot routes' worker threads: CSC ``signatures/signHash`` and SmartOTP ``verify`` run
their blocking work (the bearer check, the database, the key) on at most
``KYSO_HOT_PATH_THREADS`` threads of a worker process at once, where any other route may
take one of the shared pool's 40.

A request's work there is short and holds the GIL for most of it; on SQLite, every write
also waits for the one writer. Eight such requests on eight threads of one process spend
the CPU handing the GIL and the write lock around: a thread holding the write lock waits
for the GIL while the others run up to it and wait in turn. Queued for one thread instead
(two on PostgreSQL, where a request also waits for the network), they run one after the
other while the event loop goes on reading and answering. ``bench/ab_signhash.py``,
SQLite, 2 workers, 8 connections, against the shared pool: 478 → 625 requests/s, server CPU
3.14 → 2.68 ms a request.

A key store that makes the thread wait (a network HSM: milliseconds a signature, the GIL
released meanwhile) wants more: ``KYSO_HOT_PATH_THREADS`` up to the sessions it allows a
worker process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar
from weakref import WeakKeyDictionary

import anyio.to_thread
from anyio import CapacityLimiter

from kyso.adapters.db.engine import is_sqlite
from kyso.bootstrap import Container

__all__ = ["run_hot", "threads_for"]

T = TypeVar("T")

# one limiter per event loop (a worker process has one; tests open several)
_LIMITERS: WeakKeyDictionary[asyncio.AbstractEventLoop, CapacityLimiter] = WeakKeyDictionary()


def threads_for(container: Container) -> int:
    """``KYSO_HOT_PATH_THREADS``, or what suits the database: 1 on SQLite, 2 on PostgreSQL."""
    if container.settings.hot_path_threads is not None:
        return container.settings.hot_path_threads
    return 1 if is_sqlite(container.engine) else 2


async def run_hot(container: Container, func: Callable[..., T], *args: object) -> T:
    """``func(*args)`` on one of the hot routes' threads (queued while they are all busy)."""
    loop = asyncio.get_running_loop()
    limiter = _LIMITERS.get(loop)
    if limiter is None:
        limiter = _LIMITERS[loop] = CapacityLimiter(threads_for(container))
    return await anyio.to_thread.run_sync(func, *args, limiter=limiter)
