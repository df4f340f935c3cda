"""Interleaved A/B of CSC signHash (``--hashes`` a request, 1 by default) under `kyso
serve`: variants are sets of environment variables given to the server; every round runs
each variant once (a fresh server each time), each round starting one variant later, so a
busy shared machine and the position in a round weigh on all variants alike.
Prints each run and, per variant, the median req/s and p99 and the ratio to the first
variant (issue 14), and the CPU time spent per request: the server's processes (``kyso serve``
and its workers) and, on PostgreSQL, the bench database's backends — a figure a busy machine
moves much less than req/s. After each run: the signing receipts it left due (then made
here, so the next run starts with none). ``--pin`` is ``make bench``'s 50-hash set-up: the
server on one CPU, wrk on another, and each run's rate over raw RSA on the server's CPU
measured around it. Not a test.

    .venv/bin/python bench/ab_signhash.py [--pg URL] [--rounds 3] [--seconds 4] \
        [--workers 2] [--connections 8] [--hashes 1] [--pin] \
        A= B=KYSO_SERVE_MAKES_RECEIPTS=false …

A variant is ``name=VAR=value,VAR=value`` (``name=`` alone: no extra variables). Two source
trees compare with ``PYTHONPATH=<copy of src>`` in one variant (it wins over the editable
install in the server processes); variables kyso does not know must not start with KYSO_
(its settings refuse unknown keys).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from collections.abc import Callable
from contextlib import ExitStack, suppress
from pathlib import Path

from serve import (
    free_port,
    kyso_serve,
    make_kyso,
    pg_database,
    process_cpu,
    sads_needed,
    server_cpu,
    wrk,
)
from sign import raw_rate


def backends_cpu(db_url: str | None) -> Callable[[], dict[int, float]]:
    """CPU seconds of each PostgreSQL backend serving the bench database now (none on
    SQLite, where the database's work is the server's own)."""
    if db_url is None:
        return dict
    import psycopg

    database = db_url.rsplit("/", 1)[1]
    dsn = db_url.rsplit("/", 1)[0].replace("postgresql+psycopg://", "postgresql://") + "/postgres"

    def read() -> dict[int, float]:
        with psycopg.connect(dsn, autocommit=True) as conn:
            pids = [row[0] for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,))]
        cpu = {}
        for pid in pids:
            with suppress(OSError):
                cpu[pid] = process_cpu(pid)
        return cpu
    return read


def parse(variant: str) -> tuple[str, dict[str, str]]:
    name, _, rest = variant.partition("=")
    env = dict(pair.split("=", 1) for pair in rest.split(",") if pair)
    return name, env


def pinned(points: list[tuple[float, float, float]], floors: list[float], hashes: int) -> float:
    """The median of a variant's signatures a second over raw RSA on the server's CPU."""
    return statistics.median(p[0] * hashes / f for p, f in zip(points, floors, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="a PostgreSQL server URL (a database is made and dropped)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--hashes", type=int, default=1, help="hashes a request")
    parser.add_argument("--pin", action="store_true",
                        help="as make bench's 50-hash row: the server on one CPU, wrk on "
                             "another, and raw RSA on the server's CPU around each run")
    parser.add_argument("variants", nargs="+")
    args = parser.parse_args()
    variants = [parse(v) for v in args.variants]
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name, _ in variants}
    floors: dict[str, list[float]] = {name: [] for name, _ in variants}
    cpus = sorted(os.sched_getaffinity(0))
    server_at, client_at = (cpus[0], cpus[-1]) if args.pin else (None, None)
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kyso-ab-")))
        db_url = stack.enter_context(pg_database(args.pg)) if args.pg else None
        k = make_kyso(tmp / "home", db_url, 1)
        backends = backends_cpu(db_url)
        # enough SADs for the first round (later ones mint for the fastest round so far)
        rate = min(4000.0 * args.workers / args.hashes, 1500.0 * args.workers)
        for r in range(args.rounds):
            # each round starts one variant later: the position in a round (the first ran
            # 5-10 % slower in A/A runs on this machine) weighs on every variant alike
            for name, env in variants[r % len(variants):] + variants[:r % len(variants)]:
                port = free_port()
                with kyso_serve(k, args.workers, port, cpu=server_at, **env) as server:
                    warm = k.mint(200, args.hashes, tmp / "warm.txt")
                    wrk(port, warm, k, 4, 1, cpu=client_at)
                    sads = k.mint(sads_needed(rate, args.seconds), args.hashes,
                                  tmp / "sads.txt")
                    if args.pin:
                        os.sched_setaffinity(0, {server_at})
                        floor = raw_rate(2)
                    cpu, db = server_cpu(server.pid), backends()
                    point = wrk(port, sads, k, args.connections, args.seconds, cpu=client_at)
                    cpu = server_cpu(server.pid) - cpu
                    db = sum(now - db.get(pid, 0.0) for pid, now in backends().items())
                    left = k.receipts_due()  # each run starts with none
                    if args.pin:
                        floors[name].append((floor + raw_rate(2)) / 2)
                        os.sched_setaffinity(0, set(cpus))
                while k.container.receipts.make_due(limit=500):  # the next run starts level
                    pass
                rate = max(rate, point.rps)
                requests = point.rps * max(1, round(args.seconds))
                per_request = (cpu + db) / requests * 1000
                results[name].append((point.rps, point.p99, per_request))
                print(f"round {r + 1} {name:<12} {point.rps:7.0f} req/s  p50 {point.p50:6.1f} ms"
                      f"  p99 {point.p99:6.1f} ms  CPU {per_request:5.2f} ms/request"
                      + (f" (database {db / requests * 1000:4.2f})" if db_url else "")
                      + f"  receipts due after it {left}"
                      + (f"  ({point.failed} failed)" if point.failed else "")
                      + (f"  = {point.rps * args.hashes / floors[name][-1]:.3f} × raw RSA "
                         f"({floors[name][-1]:.0f}/s)" if args.pin else ""), flush=True)
        k.container.close()
    base = statistics.median(p[0] for p in results[variants[0][0]])
    print(f"\n{'PostgreSQL' if args.pg else 'SQLite'}, {args.workers} workers, "
          f"{args.hashes} hash{'es' if args.hashes > 1 else ''} a request, "
          f"{args.connections} connections, {args.rounds} rounds of {args.seconds:g} s")
    for name, points in results.items():
        rps = statistics.median(p[0] for p in points)
        p99 = statistics.median(p[1] for p in points)
        cpu = statistics.median(p[2] for p in points)
        ratios = [p[0] / a[0] for p, a in zip(points, results[variants[0][0]], strict=True)]
        print(f"  {name:<12} median {rps:7.0f} req/s  p99 {p99:6.1f} ms  "
              f"/ {variants[0][0]}: {rps / base:5.2f} (per round "
              f"{', '.join(f'{x:.2f}' for x in ratios)})  CPU {cpu:5.2f} ms/request "
              f"(per round {', '.join(f'{p[2]:.2f}' for p in points)})"
              + (f"  {pinned(points, floors[name], args.hashes):.3f} × raw RSA on its CPU"
                 if args.pin else ""))


if __name__ == "__main__":
    main()
