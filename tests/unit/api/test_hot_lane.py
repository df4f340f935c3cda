"""The hot routes' own threads (entrypoints/api/hot.py): how many, and that a full lane
queues its work without holding up the event loop or the shared pool."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from kyso.bootstrap import Container, bootstrap
from kyso.config import Settings
from kyso.entrypoints.api.hot import run_hot, threads_for


def _kyso(tmp_path: Path, **settings: object) -> Container:
    return bootstrap(Settings(home=tmp_path, **settings))  # no connection is made


def test_threads_by_database_unless_set(tmp_path: Path) -> None:
    assert threads_for(_kyso(tmp_path)) == 1  # SQLite: its writers take turns
    pg = "postgresql+psycopg://kyso@127.0.0.1/kyso"
    assert threads_for(_kyso(tmp_path, database_url=pg)) == 2
    assert threads_for(_kyso(tmp_path, hot_path_threads=3)) == 3
    assert threads_for(_kyso(tmp_path, database_url=pg, hot_path_threads=1)) == 1


def _busy(count: list[int], peak: list[int], guard: threading.Lock) -> str:
    with guard:
        count[0] += 1
        peak[0] = max(peak[0], count[0])
    time.sleep(0.05)
    with guard:
        count[0] -= 1
    return threading.current_thread().name


def test_at_most_that_many_at_once_and_the_rest_queued(tmp_path: Path) -> None:
    kyso = _kyso(tmp_path, hot_path_threads=2)
    count, peak, guard = [0], [0], threading.Lock()

    async def main() -> list[str]:
        return list(await asyncio.gather(*(run_hot(kyso, _busy, count, peak, guard)
                                           for _ in range(6))))

    names = asyncio.run(main())
    assert len(names) == 6  # every call ran, and returned its own answer
    assert peak[0] == 2


def test_a_full_lane_leaves_the_event_loop_and_the_shared_pool_free(tmp_path: Path) -> None:
    kyso = _kyso(tmp_path, hot_path_threads=1)
    release = threading.Event()

    async def main() -> tuple[float, float]:
        held = [asyncio.ensure_future(run_hot(kyso, release.wait, 5)) for _ in range(3)]
        await asyncio.sleep(0.05)
        started = time.perf_counter()
        await asyncio.sleep(0.01)  # the loop goes on while the lane's thread is blocked
        loop_free = time.perf_counter() - started
        started = time.perf_counter()
        await run_in_threadpool(lambda: None)  # another route's work is not queued behind
        pool_free = time.perf_counter() - started
        release.set()
        assert all(await asyncio.gather(*held))
        return loop_free, pool_free

    loop_free, pool_free = asyncio.run(main())
    assert loop_free < 1.0 and pool_free < 1.0
