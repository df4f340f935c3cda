"""The rest of a signHash (all it does besides its signatures) in instructions: a measure
that a noisy host does not move, for the changes worth a few per cent of it (issue 14).

On a shared machine a 50-hash request's rest (some 2 ms against 40 ms of RSA) reads ±15 %
from one run to the next in CPU time, more than most changes to it are worth. Instructions
retired are counted by valgrind's callgrind instead: the same code reads the same count to a
few tenths of a per cent. Each source tree (``A=PYTHONPATH=…``, as ``bench/ab_signhash.py``
takes them) runs in a child under callgrind, in process as ``bench/cold_cost.py`` does
(ASGI, every middleware, SQLite, the hot route's hop inline; SADs minted beforehand), with the
key's signing replaced by fixed stand-in signatures; only the measured requests are counted
(they run inside ``functools.reduce``, the function callgrind's collection is toggled on).
Instructions are not time: a cache miss costs none here. Not a test. Takes some 4 minutes
(callgrind runs Python some 50 times slower; the trees run side by side).

    .venv/bin/python bench/rest_instructions.py [--hashes 50] [--requests 20] \
        A=PYTHONPATH=/tmp/a/src B=PYTHONPATH=$PWD/src
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WARM = 30  # requests before the counted ones: imports, caches and prepared statements warm


def child(requests: int, hashes: int) -> None:
    """The measured process (under callgrind): ``requests`` signHash after ``WARM``."""
    from cold_cost import home_in_process
    from otp_profile import call
    from signhash_profile import PATH, body

    from kyso.adapters.keystore import software
    from kyso.entrypoints.api import app as app_module

    stand_in = bytes(range(256))

    def sign_digests(self: Any, handle: Any, digests: list[bytes], scheme: Any) -> list[bytes]:
        self._private_key(handle)  # as the real one: the key opened (cached)
        return [stand_in for _ in digests]

    software.SoftwareKeyStore.sign_digests = sign_digests  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory(prefix="kyso-ir-") as tmp_dir:
        tmp = Path(tmp_dir)
        k = home_in_process(tmp)
        lines = k.mint(WARM + requests, hashes, tmp / "sads.txt").read_text().splitlines()
        bodies = iter([body(k.credential_id, line) for line in lines])
        app = app_module.create_app(k.container)
        loop = asyncio.new_event_loop()

        def one(*_: object) -> None:
            status, out = loop.run_until_complete(
                call(app, "POST", PATH, next(bodies), k.token))
            if status != 200:
                raise SystemExit(f"signHash: {status} {out!r}")

        for _ in range(WARM):
            one()
        functools.reduce(one, range(requests), None)  # counted: callgrind's toggle
        loop.close()
        k.container.close()


def measure(name: str, env: dict[str, str], requests: int, hashes: int,
            out: Path) -> subprocess.Popen[str]:
    cmd = ["valgrind", "--tool=callgrind", "--collect-atstart=no",
           "--toggle-collect=functools_reduce", f"--callgrind-out-file={out / name}.out",
           sys.executable, __file__, "--child", "--requests", str(requests),
           "--hashes", str(hashes)]
    return subprocess.Popen(cmd, env=os.environ | env, stdout=subprocess.DEVNULL,
                            stderr=(out / f"{name}.log").open("w"), text=True)


def collected(log: Path) -> int:
    found = re.search(r"Collected : (\d+)", log.read_text())
    if found is None:
        raise SystemExit(f"no count in {log}: {log.read_text()[-500:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hashes", type=int, default=50, help="hashes a request")
    parser.add_argument("--requests", type=int, default=20, help="requests counted")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("variants", nargs="*", help="NAME=VAR=value (default: this tree)")
    args = parser.parse_args()
    if args.child:
        child(args.requests, args.hashes)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (scripts/bench-deps.sh installs it)")
    variants: dict[str, dict[str, str]] = {}
    for spec in args.variants or [f"here=PYTHONPATH={HERE.parent / 'src'}"]:
        name, _, assignment = spec.partition("=")
        var, _, value = assignment.partition("=")
        variants.setdefault(name, {})[var] = value
    with tempfile.TemporaryDirectory(prefix="kyso-ir-out-") as out_dir:
        out = Path(out_dir)
        runs = {name: measure(name, env, args.requests, args.hashes, out)
                for name, env in variants.items()}
        for name, proc in runs.items():
            if proc.wait() != 0:
                raise SystemExit(f"{name}: valgrind exited {proc.returncode}: "
                                 f"{(out / f'{name}.log').read_text()[-500:]}")
        counts = {name: collected(out / f"{name}.log") / args.requests for name in runs}
    first = next(iter(counts.values()))
    print(f"signHash, {args.hashes} hashes a request, the rest in instructions "
          f"({args.requests} requests counted, signing replaced):")
    for name, count in counts.items():
        print(f"  {name:<8} {count / 1e6:8.3f} M instructions a request ({count / first:.3f} ×)")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
