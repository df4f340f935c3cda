"""Where a signHash load's CPU goes, process by process: each ``kyso serve`` worker, the
duties process (outbox and receipts, audit sequencer, checkpoints), wrk and, on PostgreSQL,
the bench database's backends — in milliseconds a request and in share of one CPU — next to
how busy the whole machine was (``/proc/stat``). Each round runs wrk for ``--seconds``
(``--hashes`` a request, a SAD each) after the receipts of the round before were made. Not a
test.

With ``--pin`` (as ``make bench``'s 50-hash row: one worker, ``kyso serve`` on the first CPU
and wrk on the last), it also measures raw RSA on the server's CPU around each round and prints
what the server's processes spent a request besides the signatures (their CPU minus as many raw
signatures, raw RSA counted in CPU time as the server is): the rest, the kernel's loopback work
for the server included, and the row's ratio in CPU time, ``n·t / (n·t + rest)`` for ``n``
signatures of ``t`` each. On a shared host raw RSA moves by a tenth within minutes, and the
rest, a few per cent of the CPU, with it: read the median of several rounds.

    .venv/bin/python bench/cpu_split.py [--pg URL] [--workers 2] [--connections 8] \
        [--rounds 2] [--seconds 8] [--hashes 1] [--pin]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from ab_signhash import backends_cpu
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from serve import (
    Kyso,
    busy_share,
    descendants,
    free_port,
    kyso_serve,
    machine_ticks,
    make_kyso,
    pg_database,
    process_cpu,
    sads_needed,
    wrk,
)


def label(pid: int, server: int) -> str:
    command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    if pid == server:
        return "kyso serve (the parent)"
    if "kyso.entrypoints.api.duties" in command:
        return "the duties process"
    if "resource_tracker" in command:
        return "multiprocessing's resource tracker"
    if "multiprocessing.spawn" in command:
        return f"worker {pid}"
    return command[:60]


def children_cpu() -> float:
    """CPU seconds of this script's ended children (wrk)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_round(k: Kyso, server: int, port: int, backends: Callable[[], dict[int, float]],
              args: argparse.Namespace, tmp: Path, rate: float,
              cpus: tuple[int, int] | None, rests: list[tuple[float, float]]) -> float:
    sads = k.mint(sads_needed(rate, args.seconds), args.hashes, tmp / "sads.txt")
    k.settle()
    pids = [server, *descendants(server)]
    raw = raw_on(cpus[0], 2) if cpus else 0.0
    before = {pid: process_cpu(pid) for pid in pids}
    db_before, ticks, wrk_before = backends(), machine_ticks(), children_cpu()
    started = time.monotonic()
    point = wrk(port, sads, k, args.connections, args.seconds,
                cpu=cpus[1] if cpus else None)
    elapsed = time.monotonic() - started
    after = {pid: process_cpu(pid) for pid in pids}
    db_after, ticks_after, wrk_after = backends(), machine_ticks(), children_cpu()
    requests = point.rps * elapsed
    print(f"{point.rps:.0f} requests/s, p99 {point.p99:.1f} ms; the machine "
          f"{busy_share(ticks, ticks_after) * 100:.0f} % busy", flush=True)
    rows = [(label(pid, server), after[pid] - before[pid]) for pid in pids]
    rows.append(("wrk", wrk_after - wrk_before))
    if db_after:
        rows.append(("the database's backends",
                     sum(now - db_before.get(pid, 0.0) for pid, now in db_after.items())))
    for name, seconds in rows:
        print(f"  {seconds / requests * 1000:6.3f} ms a request  "
              f"{seconds / elapsed * 100:5.1f} % of a CPU  {name}", flush=True)
    if cpus:
        raw = (raw + raw_on(cpus[0], 2)) / 2
        served = sum(after[pid] - before[pid] for pid in pids) / requests
        rest = served - args.hashes / raw
        rests.append((rest, raw))
        print(f"  the server's processes {served * 1000:.3f} ms a request, {args.hashes} raw "
              f"signatures {args.hashes / raw * 1000:.3f} ms of CPU (raw RSA {raw:.0f}/s of "
              f"CPU time on CPU {cpus[0]}): the rest {rest * 1e6:.0f} µs a request",
              flush=True)
    return point.rps


def raw_on(cpu: int, seconds: float) -> float:
    """Raw RSA signatures a second of this thread's CPU time (as the server's is counted),
    pinned to ``cpu`` for the measure (``sign.raw_rate``'s loop)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    digest, pad, prehashed = hashlib.sha256(b"x").digest(), padding.PKCS1v15(), \
        Prehashed(hashes.SHA256())
    mask = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})
    try:
        n, start, cpu_start = 0, time.perf_counter(), time.thread_time()
        while time.perf_counter() - start < seconds:
            key.sign(digest, pad, prehashed)
            n += 1
        return n / (time.thread_time() - cpu_start)
    finally:
        os.sched_setaffinity(0, mask)


def projected(rests: list[tuple[float, float]], hashes: int) -> None:
    """The rounds' median rest, and the ratio to raw RSA it makes on this CPU."""
    rest = statistics.median(r for r, _ in rests)
    signing = hashes / statistics.median(w for _, w in rests)
    print(f"the rest, median of {len(rests)} rounds: {rest * 1e6:.0f} µs a request "
          f"(rounds {', '.join(f'{r * 1e6:.0f}' for r, _ in rests)}); with this CPU's RSA, "
          f"{signing / (signing + rest):.3f} × raw RSA in CPU time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="a PostgreSQL server URL (a database is made and dropped)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--hashes", type=int, default=1, help="hashes a request (and a SAD)")
    parser.add_argument("--pin", action="store_true",
                        help="the server on the first CPU, wrk on the last; the rest after RSA")
    args = parser.parse_args()
    cpus = (min(os.sched_getaffinity(0)), max(os.sched_getaffinity(0))) if args.pin else None
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kyso-split-")))
        db_url = stack.enter_context(pg_database(args.pg)) if args.pg else None
        k = make_kyso(tmp / "home", db_url, 1)
        port = free_port()
        server = stack.enter_context(kyso_serve(k, args.workers, port,
                                                cpu=cpus[0] if cpus else None))
        wrk(port, k.mint(200, args.hashes, tmp / "warm.txt"), k, 4, 1,
            cpu=cpus[1] if cpus else None)  # warm
        rate = 400.0 * args.workers / args.hashes  # a guess, then the rate seen
        rests: list[tuple[float, float]] = []
        for _ in range(args.rounds):
            rate = one_round(k, server.pid, port, backends_cpu(db_url), args, tmp, rate, cpus,
                             rests)
        if rests:
            projected(rests, args.hashes)


if __name__ == "__main__":
    main()
