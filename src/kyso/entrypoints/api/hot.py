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

The lane is a thread pool of its own per event loop (``loop.run_in_executor``, the request's
context variables carried along): a hop there and back costs less CPU than anyio's
``to_thread.run_sync`` with a capacity limiter (36 against 73 µs with many in flight, in a
micro-benchmark), though served on PostgreSQL the difference is within the noise
(``bench/ab_signhash.py``, 2 workers, 6 interleaved rounds: 608 → 615 requests/s, rounds
0.97–1.04, CPU 2.98 ms a request both).

A key store that makes the thread wait (a network HSM: milliseconds a signature, the GIL
released meanwhile) wants more: ``KYSO_HOT_PATH_THREADS`` up to the sessions it allows a
worker process.

On SQLite with the keys and the master key in process (the default set-up), the work runs on
the event loop's own thread instead, between the loop's other callbacks, as an ``async``
route's code does: no hop to a thread and back, and no GIL handed to and fro between the
loop and that thread while the work runs. ``bench/ab_signhash.py``, SQLite, 2 workers, 8
connections, 4 interleaved rounds: 921 → 1001 requests/s (1.09 ×, every round 1.07–1.13),
server CPU 1.96 → 1.80 ms a request; ``bench/otp_ab.py`` (1 worker): 361 → 417
verifications/s. Nothing on that path waits long — the reads take no lock (WAL), the keys
sign in process — except a writer for SQLite's one write lock: its first wait gives up after
``INLINE_PATIENCE`` (another process writing for that long: a big sweep; or a program that
takes SQLite's own lock, not kyso's, which the ``BEGIN IMMEDIATE`` after that wait gives up
on as soon) and the request runs again from the start on the lane's thread, where waiting
holds up nobody else (``adapters/db/engine.py``, ``writer_patience``). Nothing was written
before that wait, so nothing is done twice; a signature made before it is dropped
unreturned, as any signature no transaction recorded. ``KYSO_HOT_PATH_THREADS`` set keeps
the work on threads.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar
from weakref import WeakKeyDictionary

from kyso.adapters.db.engine import WriterBusy, is_sqlite, writer_patience
from kyso.bootstrap import Container

__all__ = ["GATHER_TURNS", "INLINE_PATIENCE", "QUIET_TURNS", "CommitGroup", "run_hot",
           "threads_for"]

INLINE_PATIENCE = 0.02  # seconds the event loop may wait for SQLite's write lock

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741  # an item a group commits

# the lane's threads, per event loop (a worker process has one; tests open several): a
# pool of its own, whose queue holds what waits for them (its threads end with the loop)
_LANES: WeakKeyDictionary[asyncio.AbstractEventLoop, ThreadPoolExecutor] = WeakKeyDictionary()


def threads_for(container: Container) -> int:
    """``KYSO_HOT_PATH_THREADS``, or what suits the set-up: 0 (the event loop's thread) on
    SQLite with the keys and the master key in process, 1 on SQLite otherwise, 2 on
    PostgreSQL."""
    settings = container.settings
    if settings.hot_path_threads is not None:
        return settings.hot_path_threads
    if not is_sqlite(container.engine):
        return 2
    in_process = settings.keystore_backend == "software" and settings.master_key_backend == "file"
    return 0 if in_process else 1


async def run_hot(container: Container, func: Callable[..., T], *args: object) -> T:
    """``func(*args)`` on one of the hot routes' threads (queued while they are all busy), or
    on the event loop's thread when :func:`threads_for` says 0, unless SQLite's write lock
    is held for longer than ``INLINE_PATIENCE``: then on the lane's one thread."""
    if threads_for(container) == 0:
        try:
            with writer_patience(INLINE_PATIENCE):
                return func(*args)
        except WriterBusy:
            pass  # nothing written: from the start, where the wait holds nobody up
    loop = asyncio.get_running_loop()
    lane = _LANES.get(loop)
    if lane is None:
        lane = _LANES[loop] = ThreadPoolExecutor(max(1, threads_for(container)),
                                                 thread_name_prefix="kyso-hot")
    # the request's context (its log fields) goes with it, as anyio's threads carry it
    return await loop.run_in_executor(lane, contextvars.copy_context().run, func, *args)


GATHER_TURNS = 16  # turns of the loop a group may wait for more
QUIET_TURNS = 2  # turns in a row that bring none: the group is complete


class CommitGroup(Generic[I, T]):
    """A group commit on one event loop: the items handed to :meth:`submit` in the same turn
    of the loop are given together to ``commit`` (one call, which writes them all in one
    transaction and returns each one's answer, or the exception to raise for it), in a
    callback of its own right after that turn, under :func:`run_hot`; each caller then gets
    its own answer. If ``commit`` raises, every item of the group gets that exception.

    On SQLite, where the requests of a turn run one after the other on the loop's thread,
    a request's own commit, write lock and transaction's pages cost more than its writes:
    shared by a group, they are paid once (``signing/service.py``, ``record_signed``).
    ``bench/ab_signhash.py``, SQLite, 2 workers, 8 connections, 6 interleaved rounds:
    967 → 1090 signHash requests/s (1.13 ×, every round 1.09–1.16), server CPU 1.87 →
    1.65 ms a request. A group there holds 1.8 requests on average (a fifth of the
    requests alone); a savepoint around each request's writes cost the whole gain (0.95 ×),
    so a group is written straight through and only a group with a refusal in it again one
    by one.

    While requests come several at a time (the last group held more than one), a group is
    gathered for a few more turns of the loop, until :data:`QUIET_TURNS` turns in a row
    bring no more (:data:`GATHER_TURNS` at most): the requests that were on their way join
    it. signHash hands over its signing with its record (``sign_later``): the group's
    signatures are then made one request after the other, between the requests' other work
    done together, instead of each request's work taken up again after another's
    milliseconds of RSA, when the CPU's caches hold nothing of it (``bench/cold_cost.py``:
    twice the CPU). ``bench/ab_signhash.py``, SQLite, 3 interleaved rounds: 50 hashes a
    request, 1 worker pinned to one CPU, 4 connections (groups of 1.3 → 3.9 requests):
    78 → 84 requests/s (1.08 ×; server CPU 12.9 → 11.9 ms a request), 0.844 → 0.894 × raw
    RSA on that CPU; 1 hash, 2 workers, 8 connections: 1736 → 2007 requests/s (1.16 ×; CPU
    1.00 → 0.89 ms); 1 hash, 1 connection: 927 → 959 (a connection alone never waits: its
    groups hold one).
    ``commit`` must write nothing before it has SQLite's write lock (which :func:`run_hot`
    may give up waiting for, then call it again on the lane's thread)."""

    def __init__(self, container: Container,
                 commit: Callable[[list[I]], Sequence[T | Exception]],
                 ) -> None:
        self._container, self._commit = container, commit
        self._waiting: list[tuple[I, asyncio.Future[T]]] = []
        self._flushing: set[asyncio.Task[None]] = set()  # referenced until done
        self._shared = False  # whether the last group held more than one item
        self._next: asyncio.Task[None] | None = None  # the flush that takes the next group

    async def submit(self, item: I) -> T:
        loop = asyncio.get_running_loop()
        if self._next is None or self._next.done():  # the first of a group (a flush
            # cancelled before it began takes none): the commit runs after the turn (a
            # task's first step is called soon, after the callbacks already due); in a
            # context of its own, not the first request's (its log fields)
            flush = self._next = loop.create_task(self._flush(),
                                                  context=contextvars.Context())
            self._flushing.add(flush)
            flush.add_done_callback(self._flushing.discard)
        answer: asyncio.Future[T] = loop.create_future()
        self._waiting.append((item, answer))
        return await answer

    async def _gathered(self) -> None:
        """Let the loop turn while that brings more items: a request read in one turn
        submits in the next."""
        quiet = 0
        for _ in range(GATHER_TURNS):
            count = len(self._waiting)
            await asyncio.sleep(0)
            quiet = quiet + 1 if len(self._waiting) == count else 0
            if quiet == QUIET_TURNS:
                return

    async def _flush(self) -> None:
        try:
            if self._shared:
                await self._gathered()
        except BaseException:  # cancelled while gathering (the loop closing): its items too
            self._next, group, self._waiting = None, self._waiting, []
            for _, answer in group:
                answer.cancel()
            raise
        # the group taken: the next submit starts the next flush
        self._next, group, self._waiting = None, self._waiting, []
        self._shared = len(group) > 1
        try:
            outcomes = await run_hot(self._container, self._commit, [i for i, _ in group])
        except Exception as exc:  # nothing committed: every item fails with it
            outcomes = [exc] * len(group)
        except BaseException:
            for _, answer in group:
                answer.cancel()
            raise
        for (_, answer), outcome in zip(group, outcomes, strict=True):
            if answer.done():  # its caller went away: committed all the same
                continue
            if isinstance(outcome, Exception):
                answer.set_exception(outcome)
            else:
                answer.set_result(outcome)
