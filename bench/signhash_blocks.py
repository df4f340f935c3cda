"""Two source trees' CSC ``signatures/signHash`` CPU, in process, in alternating blocks: an
A/B that a noisy machine moves alike (issue 14).

On a shared machine whose neighbours come and go, two servers measured one after the other
(``bench/ab_signhash.py``) can differ by 30 % with the same code. Here each variant is a
child process holding the app on its own fresh home (SQLite, or a PostgreSQL database of its
own with ``--pg``), SADs minted beforehand; the parent asks them in turn for a block of
requests (through ASGI, every middleware, no sockets, the hot route's hop inline) and reads
the CPU each block cost. A block lasts a fraction of a second, so both variants see the same
machine; the medians of the per-block figures and their ratio are printed — with ``--pg``
also the CPU of the variant's database's backends (``/proc/<pid>/schedstat``: the server runs
on this machine) and the sum of both. With ``--duties`` each block is followed by the work
its requests left behind, which ``kyso serve``'s duties do off the request (the audit chain's
sequencer in batched mode, the receipts), timed alike. Not a test.

    .venv/bin/python bench/signhash_blocks.py [--pg URL] [--blocks 30] [--requests 150] \
        [--hashes 1] base=/tmp/base/src now=src

A variant is ``name=path`` of a ``src`` directory (``git archive <rev> src | tar -x -C …``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, closing
from pathlib import Path
from typing import IO

HERE = Path(__file__).resolve().parent


def child(pg: str | None, hashes: int, count: int, duties: bool) -> None:
    """A variant: build the app, mint ``count`` SADs, then answer ``run N`` lines with the
    CPU microseconds a request of the next N took, its own and its database's backends'
    (``ok`` once ready)."""
    from grow import PgMonitor
    from otp_profile import _inline, call
    from serve import make_kyso, pg_database
    from signhash_profile import PATH, body

    from kyso.entrypoints.api import app as app_module
    from kyso.entrypoints.csc import front, signatures
    from kyso.entrypoints.logs import configure_logging

    signatures.run_hot = front.run_hot = _inline  # type: ignore[assignment]
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kyso-blocks-")))
        db_url = stack.enter_context(pg_database(pg)) if pg else None
        k = make_kyso(tmp / "home", db_url, 1)
        backends = (stack.enter_context(closing(PgMonitor(pg))).cpu(db_url.rsplit("/", 1)[1])
                    if pg and db_url else (lambda: 0.0))
        settings = k.container.settings
        configure_logging(settings.log_level, settings.log_format,
                          stream=open(os.devnull, "w"))  # noqa: SIM115  # as serve logs
        lines = k.mint(count, hashes, tmp / "sads.txt").read_text().splitlines()
        bodies = iter([body(k.credential_id, line) for line in lines])
        app = app_module.create_app(k.container)

        async def serve() -> None:
            for b in [next(bodies) for _ in range(50)]:  # warm
                await call(app, "POST", PATH, b, k.token)
            print("ok", flush=True)
            for line in sys.stdin:
                n = int(line.split()[1])
                cpu, server = time.process_time(), backends()
                for b in [next(bodies) for _ in range(n)]:
                    status, out = await call(app, "POST", PATH, b, k.token)
                    if status != 200:
                        raise SystemExit(f"signHash: {status} {out!r}")
                cpu, server = time.process_time() - cpu, backends() - server
                after = time.process_time() + backends() / 1e3
                while duties and (k.container.audit_sequencer.run_once(wait=True)
                                  + k.container.receipts.make_due()):
                    pass  # until nothing is left
                after = time.process_time() + backends() / 1e3 - after
                print(f"{cpu / n * 1e6:.1f} {server / n * 1e3:.1f} {after / n * 1e6:.1f}",
                      flush=True)

        asyncio.run(serve())
        k.container.close()


def _ask(proc: subprocess.Popen[str], line: str) -> str:
    stdin, stdout = proc.stdin, proc.stdout
    assert stdin is not None and stdout is not None
    stdin.write(line + "\n")
    stdin.flush()
    return _read(stdout)


def _read(stdout: IO[str]) -> str:
    answer = stdout.readline()
    if not answer:
        raise SystemExit("a variant ended early (its error is printed above)")
    return answer.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="a PostgreSQL server URL (a database per variant)")
    parser.add_argument("--blocks", type=int, default=30, help="blocks per variant")
    parser.add_argument("--requests", type=int, default=150, help="requests per block")
    parser.add_argument("--hashes", type=int, default=1, help="hashes a request")
    parser.add_argument("--duties", action="store_true",
                        help="also time the sequencer's and the receipts' work after a block")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("variants", nargs="*")
    args = parser.parse_args()
    count = args.blocks * args.requests + 60
    if args.child:
        child(args.pg, args.hashes, count, args.duties)
        return
    if len(args.variants) < 2:
        raise SystemExit("name=src-path for two variants at least")
    procs: dict[str, subprocess.Popen[str]] = {}
    try:
        for variant in args.variants:
            name, _, path = variant.partition("=")
            env = os.environ | {"PYTHONPATH": os.pathsep.join(
                [str(Path(path).resolve()), str(HERE)])}
            cmd = [sys.executable, str(Path(__file__).resolve()), "--child",
                   "--blocks", str(args.blocks), "--requests", str(args.requests),
                   "--hashes", str(args.hashes), *(["--pg", args.pg] if args.pg else []),
                   *(["--duties"] if args.duties else [])]
            procs[name] = subprocess.Popen(cmd, env=env, text=True, stdin=subprocess.PIPE,
                                           stdout=subprocess.PIPE)  # stderr: as the parent's
        for proc in procs.values():
            assert proc.stdout is not None
            if _read(proc.stdout) != "ok":
                raise SystemExit("a variant did not start")
        cpu: dict[str, list[float]] = {name: [] for name in procs}
        server: dict[str, list[float]] = {name: [] for name in procs}
        later: dict[str, list[float]] = {name: [] for name in procs}
        names = list(procs)
        for block in range(args.blocks):
            turn = names[block % len(names):] + names[:block % len(names)]
            for name in turn:
                own, backend, duties = _ask(procs[name], f"run {args.requests}").split()
                cpu[name].append(float(own))
                server[name].append(float(backend))
                later[name].append(float(duties))
    finally:
        for proc in procs.values():
            if proc.stdin is not None:
                proc.stdin.close()
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
    print(f"{'PostgreSQL' if args.pg else 'SQLite'}, {args.hashes} hash"
          f"{'es' if args.hashes > 1 else ''} a request, {args.blocks} blocks of "
          f"{args.requests} requests a variant, in turn")
    both = {name: [a + b for a, b in zip(cpu[name], server[name], strict=True)]
            for name in names}
    every = {name: [a + b for a, b in zip(both[name], later[name], strict=True)]
             for name in names}
    rows = [("CPU", cpu)] + ([("backends", server), ("both", both)] if args.pg else [])
    rows += [("duties", later), ("all", every)] if args.duties else []
    for label, figures in rows:
        _print(label, figures, names)


def _print(label: str, figures: dict[str, list[float]], names: list[str]) -> None:
    base = statistics.median(figures[names[0]])
    for name in names:
        med = statistics.median(figures[name])
        ratios = sorted(a / b for a, b in zip(figures[name], figures[names[0]], strict=True))
        quart = ratios[len(ratios) // 4], ratios[(3 * len(ratios)) // 4]
        print(f"  {name:<10} {label} median {med:7.0f} µs a request (min "
              f"{min(figures[name]):.0f})  / {names[0]}: {med / base:5.3f} (block by block, "
              f"middle half {quart[0]:.3f}–{quart[1]:.3f})")


if __name__ == "__main__":
    main()
