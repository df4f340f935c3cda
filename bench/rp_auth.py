"""Relying-party authentication (SP769): what a call costs once its ``sp_id``/``sp_password``
pair was verified a moment ago, next to the argon2id verification it skips, on one core.

A throw-away kyso (SQLite under a temporary KYSO_HOME) with the production argon2 parameters
(``KYSO_ARGON2_*`` defaults) and one relying party. Measured in-process, each ``--calls``
times: ``RelyingPartyService.authenticate`` with the pair remembered (the party row is still
read, its lock and status checked), the same call when nothing is remembered (argon2 every
time: a fresh service per call, built beforehand), and the raw argon2id ``verify`` as the
reference.
Not a test: numbers depend on the machine.

    .venv/bin/python bench/rp_auth.py [--calls 20]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from kyso.bootstrap import bootstrap, init_home
from kyso.config import Settings
from kyso.lockout import LockoutPolicy
from kyso.relying.parties import RelyingPartyService


def median_ms(call: Callable[[], object], times: int) -> float:
    spent = []
    for _ in range(times):
        start = time.perf_counter()
        call()
        spent.append(time.perf_counter() - start)
    return statistics.median(spent) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(home=Path(tmp))
        init_home(settings)
        container = bootstrap(settings)
        issued = container.relying_parties.create("Cổng thử", actor="bench")
        sp_id, password = issued.party.sp_id, issued.sp_password
        parties = container.relying_parties
        parties.authenticate(sp_id, password)  # remembered from here on

        fresh = [RelyingPartyService(container.uow, container.clock, container.hasher,
                                     LockoutPolicy(), container.envelope)
                 for _ in range(args.calls)]  # each hashes a dummy secret when built

        def cold() -> object:
            return fresh.pop().authenticate(sp_id, password)

        raw = median_ms(lambda: container.hasher.verify(issued.party.secret_hash, password),
                        args.calls)
        argon = median_ms(cold, args.calls)
        warm = median_ms(lambda: parties.authenticate(sp_id, password), args.calls * 50)
        print(f"raw argon2id verify        : {raw:8.2f} ms (reference)")
        print(f"authenticate, nothing known: {argon:8.2f} ms   ratio to argon2 {argon / raw:6.2f}")
        print(f"authenticate, remembered   : {warm:8.3f} ms   ratio to argon2 {warm / raw:6.4f}"
              f"   ({raw / warm:.0f}x faster)")
        container.close()


if __name__ == "__main__":
    main()
