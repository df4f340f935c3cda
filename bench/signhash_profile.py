"""Where a CSC ``signatures/signHash`` (one hash a request) spends the server's CPU, in
process (cProfile), as ``bench/otp_profile.py`` does for an OTP check.

Builds the app on a fresh SQLite home (or a PostgreSQL database, ``--pg``) with one customer
and SADs minted beforehand, and drives it through ASGI (no sockets, no uvicorn): each
request goes through every middleware, FastAPI's routing and validation, the service and
the database. The route's hop to a worker thread runs inline, so one thread's profile holds
the whole request. Quiet enough to run on a busy machine; ``--limit 0`` times it only.

    PYTHONPATH=$PWD/src .venv/bin/python bench/signhash_profile.py [--requests 2000] \
        [--hashes 1] [--sort tottime] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from otp_profile import _inline, call, profiled
from serve import make_kyso, pg_database

from kyso.entrypoints.api import app as app_module
from kyso.entrypoints.csc import front, signatures
from kyso.entrypoints.logs import configure_logging

PATH = "/csc/v2/signatures/signHash"


def body(credential_id: str, line: str) -> dict[str, Any]:
    sad, hashes = line.split()
    return {"credentialID": credential_id, "SAD": sad, "hashes": hashes.split(","),
            "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1",
            "signAlgo": "1.2.840.113549.1.1.1"}


async def run(app: Any, token: str, bodies: list[dict[str, Any]], warm: int, sort: str,
              limit: int, callees: list[str]) -> None:
    for b in bodies[:warm]:
        await call(app, "POST", PATH, b, token)

    async def sign(b: dict[str, Any]) -> None:
        status, out = await call(app, "POST", PATH, b, token)
        if status != 200:
            raise SystemExit(f"signHash: {status} {out!r}")

    await profiled("signHash", bodies[warm:], sign, sort, limit, callees)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--hashes", type=int, default=1, help="hashes a request (and a SAD)")
    parser.add_argument("--pg", help="a PostgreSQL server URL (a database is made and dropped)")
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--limit", type=int, default=45, help="0: time only, no profile")
    parser.add_argument("--callees", action="append", default=[],
                        help="a function name whose callees to list (repeatable)")
    args = parser.parse_args()
    # one thread to profile: the route's hop and the front's (csc/front.py)
    signatures.run_hot = front.run_hot = _inline  # type: ignore[assignment]
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kyso-prof-")))
        db_url = stack.enter_context(pg_database(args.pg)) if args.pg else None
        k = make_kyso(tmp / "home", db_url, 1)
        settings = k.container.settings
        configure_logging(settings.log_level, settings.log_format)  # as `kyso serve` does
        warm = 200
        lines = k.mint(args.requests + warm, args.hashes,
                       tmp / "sads.txt").read_text().splitlines()
        bodies = [body(k.credential_id, line) for line in lines]
        app = app_module.create_app(k.container)
        asyncio.run(run(app, k.token, bodies, warm, args.sort, args.limit, args.callees))
        k.container.close()


if __name__ == "__main__":
    main()
