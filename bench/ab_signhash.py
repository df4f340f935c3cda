"""Interleaved A/B of CSC signHash (1 hash a request) under `kyso serve`: variants are sets
of environment variables given to the server; every round runs each variant once (a fresh
server each time), in the same order, so a busy shared machine slows all variants alike.
Prints each run and, per variant, the median req/s and p99 and the ratio to the first
variant (issue 14). Not a test.

    .venv/bin/python bench/ab_signhash.py [--pg URL | --sqlite] [--rounds 3] [--seconds 4] \
        [--workers 2] [--connections 8] A= B=KYSO_SERVE_MAKES_RECEIPTS=false …

A variant is ``name=VAR=value,VAR=value`` (``name=`` alone: no extra variables). Two source
trees compare with ``PYTHONPATH=<copy of src>`` in one variant (it wins over the editable
install in the server processes); variables kyso does not know must not start with KYSO_
(its settings refuse unknown keys).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from contextlib import ExitStack
from pathlib import Path

from serve import free_port, kyso_serve, make_kyso, pg_database, sads_needed, wrk


def parse(variant: str) -> tuple[str, dict[str, str]]:
    name, _, rest = variant.partition("=")
    env = dict(pair.split("=", 1) for pair in rest.split(",") if pair)
    return name, env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="a PostgreSQL server URL (a database is made and dropped)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("variants", nargs="+")
    args = parser.parse_args()
    variants = [parse(v) for v in args.variants]
    results: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in variants}
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kyso-ab-")))
        db_url = stack.enter_context(pg_database(args.pg)) if args.pg else None
        k = make_kyso(tmp / "home", db_url, 1)
        rate = 300.0 * args.workers
        for r in range(args.rounds):
            for name, env in variants:
                port = free_port()
                with kyso_serve(k, args.workers, port, **env):
                    warm = k.mint(200, 1, tmp / "warm.txt")
                    wrk(port, warm, k, 4, 1)
                    sads = k.mint(sads_needed(rate, args.seconds), 1, tmp / "sads.txt")
                    point = wrk(port, sads, k, args.connections, args.seconds)
                rate = max(rate, point.rps)
                results[name].append((point.rps, point.p99))
                print(f"round {r + 1} {name:<12} {point.rps:7.0f} req/s  p50 {point.p50:6.1f} ms"
                      f"  p99 {point.p99:6.1f} ms" + (f"  ({point.failed} failed)"
                                                      if point.failed else ""), flush=True)
        k.container.close()
    base = statistics.median(rps for rps, _ in results[variants[0][0]])
    print(f"\n{'PostgreSQL' if args.pg else 'SQLite'}, {args.workers} workers, "
          f"{args.connections} connections, {args.rounds} rounds of {args.seconds:g} s")
    for name, points in results.items():
        rps = statistics.median(p[0] for p in points)
        p99 = statistics.median(p[1] for p in points)
        ratios = [p[0] / a[0] for p, a in zip(points, results[variants[0][0]], strict=True)]
        print(f"  {name:<12} median {rps:7.0f} req/s  p99 {p99:6.1f} ms  "
              f"/ {variants[0][0]}: {rps / base:5.2f} (per round "
              f"{', '.join(f'{x:.2f}' for x in ratios)})")


if __name__ == "__main__":
    main()
