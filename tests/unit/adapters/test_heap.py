"""glibc's heap kept for buffers of a few MiB (kyso.adapters.heap)."""

from __future__ import annotations

import ctypes
import subprocess
import sys

import pytest

from kyso.adapters import heap

# Ten times two buffers of 1.5 MiB alive at once, then both freed (a request body and its
# decoded copy, say): the page faults this costs (each 4 KiB page faulted in is one), in a
# fresh interpreter, with or without keep_heap() first.
_PROBE = """
import resource, sys
from kyso.adapters.heap import keep_heap
if sys.argv[1] == "kept":
    assert keep_heap()
size = 1536 * 1024
def step():
    first = bytearray(size)
    first[::4096] = b"x" * len(first[::4096])
    second = bytes(first) + b"x"
    del first, second
for _ in range(3):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    step()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", _PROBE, mode], capture_output=True,
                         text=True, check=True)
    return int(out.stdout)


def test_a_kept_heap_serves_a_freed_buffer_again_without_faulting_its_pages_in() -> None:
    assert _faults("default") >= 10 * 384  # mapped afresh each time: every page faults in
    assert _faults("kept") < 100


def test_a_c_library_without_mallopt_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_libc(name: str) -> ctypes.CDLL:
        raise OSError(name)

    monkeypatch.setattr(heap.ctypes, "CDLL", no_libc)
    assert heap.keep_heap() is False


# a full collection's time, in a fresh interpreter holding 200,000 long-lived objects (what a
# worker holds once its app is built), without or with settle_heap() first; and whether a
# cycle dropped before settling was collected rather than frozen
_SETTLE = """
import gc, sys, time, weakref
from kyso.adapters.heap import settle_heap
kept = [[i] for i in range(200_000)]  # lists: tracked by the collector
class Cycle: pass
c = Cycle(); c.me = c; dropped = weakref.ref(c); del c
frozen = settle_heap() if sys.argv[1] == "settled" else 0
times = []
for _ in range(5):
    start = time.perf_counter(); gc.collect(); times.append(time.perf_counter() - start)
print(frozen, min(times), dropped() is None)
"""


def _settle(mode: str) -> tuple[int, float, bool]:
    out = subprocess.run([sys.executable, "-c", _SETTLE, mode], capture_output=True,
                         text=True, check=True).stdout.split()
    return int(out[0]), float(out[1]), out[2] == "True"


def test_a_settled_heap_is_not_walked_by_a_full_collection() -> None:
    frozen, settled, collected = _settle("settled")
    _, walked, _ = _settle("default")
    assert frozen >= 200_000 and collected  # garbage collected first, the rest frozen
    assert settled * 10 < walked  # each full collection walked every long-lived object
