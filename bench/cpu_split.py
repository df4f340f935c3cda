"""Where a signHash load's CPU goes, process by process: each ``kyso serve`` worker, the
duties process (outbox and receipts, audit sequencer, checkpoints), wrk and, on PostgreSQL,
the bench database's backends — in milliseconds a request and in share of one CPU — next to
how busy the whole machine was (``/proc/stat``). Each round runs wrk for ``--seconds`` (1 hash
a request, a SAD each) after the receipts of the round before were made. Not a test.

    .venv/bin/python bench/cpu_split.py [--pg URL] [--workers 2] [--connections 8] \
        [--rounds 2] [--seconds 8]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from ab_signhash import backends_cpu
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
              args: argparse.Namespace, tmp: Path, rate: float) -> float:
    sads = k.mint(sads_needed(rate, args.seconds), 1, tmp / "sads.txt")
    k.settle()
    pids = [server, *descendants(server)]
    before = {pid: process_cpu(pid) for pid in pids}
    db_before, ticks, wrk_before = backends(), machine_ticks(), children_cpu()
    started = time.monotonic()
    point = wrk(port, sads, k, args.connections, args.seconds)
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
    return point.rps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="a PostgreSQL server URL (a database is made and dropped)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kyso-split-")))
        db_url = stack.enter_context(pg_database(args.pg)) if args.pg else None
        k = make_kyso(tmp / "home", db_url, 1)
        port = free_port()
        server = stack.enter_context(kyso_serve(k, args.workers, port))
        wrk(port, k.mint(200, 1, tmp / "warm.txt"), k, 4, 1)  # warm
        rate = 400.0 * args.workers  # a guess, then the rate seen
        for _ in range(args.rounds):
            rate = one_round(k, server.pid, port, backends_cpu(db_url), args, tmp, rate)


if __name__ == "__main__":
    main()
