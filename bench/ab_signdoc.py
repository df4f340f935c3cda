"""Interleaved A/B of CSC signDoc (PAdES B-B, one PDF a request) under `kyso serve`, next to
in-process pyHanko with a parsed key in the same run (issue 14's row: signDoc ≤ 1.5 × pyHanko).

Every variant's server (``--workers 1``, a set of environment variables each) runs at once,
pinned to one CPU with this process; each round sends one signDoc to every variant and signs
the same PDF once with pyHanko here, in a rotating order, so a busy shared machine slows
every side alike. Per variant: the median wall time at the client, the server's CPU per
request (worker and sandbox children, from ``/proc/<pid>/task/*/schedstat``: nanoseconds,
threads alive at the end of the run) and both as a ratio to pyHanko's; then each variant
against the first. Not a test.

    .venv/bin/python bench/ab_signdoc.py [--pg URL] [--rounds 40] [--mb 1] \
        A=PYTHONPATH=/tmp/base_signdoc/src B=

A variant is ``name=VAR=value,VAR=value`` (``name=`` alone: no extra variables); two source
trees compare with ``PYTHONPATH=<copy of src>`` in one variant (see bench/ab_signhash.py).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import tempfile
from contextlib import ExitStack, suppress
from pathlib import Path

import httpx
from serve import (
    _status,
    descendants,
    free_port,
    kyso_serve,
    make_kyso,
    pdf_of,
    pg_database,
    sign_doc_cpu,
)
from sign import pades_once


def parse(variant: str) -> tuple[str, dict[str, str]]:
    name, _, rest = variant.partition("=")
    return name, dict(pair.split("=", 1) for pair in rest.split(",") if pair)


def cpu_ns(pid: int) -> int:
    """CPU time (ns) of every live thread of ``pid`` and of its descendants."""
    total = 0
    for one in [pid, *descendants(pid)]:
        for task in Path(f"/proc/{one}/task").iterdir():
            with suppress(FileNotFoundError, ProcessLookupError):
                total += int((task / "schedstat").read_text().split()[0])
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="a PostgreSQL server URL (a database is made and dropped)")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--warm", type=int, default=5)
    parser.add_argument("--mb", type=float, default=1.0)
    parser.add_argument("--receipts", action="store_true",
                        help="let the servers' outbox threads make the signing receipts "
                        "(off by default: background work that lands in a random request's "
                        "CPU window)")
    parser.add_argument("variants", nargs="+")
    args = parser.parse_args()
    variants = [parse(v) for v in args.variants]
    cpus = sorted(os.sched_getaffinity(0))
    wall: dict[str, list[float]] = {name: [] for name, _ in variants} | {"pyHanko": []}
    cpu: dict[str, list[float]] = {name: [] for name, _ in variants} | {"pyHanko": []}
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kyso-ab-doc-")))
        db_url = stack.enter_context(pg_database(args.pg)) if args.pg else None
        k = make_kyso(tmp / "home", db_url, int(args.mb) + 1)
        stack.callback(k.container.close)
        servers = {}
        for name, env in variants:
            port = free_port()
            quiet = {} if args.receipts else {"KYSO_SERVE_MAKES_RECEIPTS": "false"}
            proc = stack.enter_context(kyso_serve(k, 1, port, cpu=cpus[0], **quiet, **env))
            http = stack.enter_context(httpx.Client(base_url=f"http://127.0.0.1:{port}",
                                                    timeout=120))
            servers[name] = (proc.pid, http)
        os.sched_setaffinity(0, {cpus[0]})
        pdf = pdf_of(int(args.mb * 1024 * 1024))
        pades = pades_once()
        sides = [name for name, _ in variants] + ["pyHanko"]

        def once(side: str) -> tuple[float, float]:
            if side == "pyHanko":
                return pades(pdf)
            pid, http = servers[side]
            before = cpu_ns(pid)
            spent, _ = sign_doc_cpu(http, k, pdf)
            return spent, (cpu_ns(pid) - before) / 1e9

        for _ in range(args.warm):
            for side in sides:
                once(side)
        for r in range(args.rounds):
            shift = r % len(sides)
            for side in sides[shift:] + sides[:shift]:
                w, c = once(side)
                wall[side].append(w)
                cpu[side].append(c)
        os.sched_setaffinity(0, set(cpus))
        rss = {name: (_status(pid, "VmRSS"), [_status(c, "VmRSS") for c in descendants(pid)])
               for name, (pid, _) in servers.items()}
    print(f"\nsignDoc PAdES B-B, {args.mb:g} MB ({len(pdf)} B, sha256 "
          f"{hashlib.sha256(pdf).hexdigest()[:12]}), {'PostgreSQL' if args.pg else 'SQLite'}, "
          f"{args.rounds} rounds, one CPU; wall: median ms; CPU: mean ms (server + sandbox)")
    floor_wall = statistics.median(wall["pyHanko"])
    floor_cpu = statistics.mean(cpu["pyHanko"])
    first = variants[0][0]
    for side in sides:
        w, c = statistics.median(wall[side]), statistics.mean(cpu[side])
        line = (f"  {side:<10} wall {w * 1000:7.2f} ms  CPU {c * 1000:7.2f} ms  "
                f"/ pyHanko: wall {w / floor_wall:5.2f} x, CPU {c / floor_cpu:5.2f} x")
        if side not in (first, "pyHanko"):
            line += (f"  / {first}: wall {w / statistics.median(wall[first]):5.3f}, "
                     f"CPU {c / statistics.mean(cpu[first]):5.3f}")
        print(line, flush=True)
    for name, (worker, children) in rss.items():
        print(f"  {name:<10} RSS after the run: worker {worker:.0f} MB, children "
              f"{', '.join(f'{c:.0f}' for c in children)} MB")


if __name__ == "__main__":
    main()
