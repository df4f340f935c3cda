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
