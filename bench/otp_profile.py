"""Where a ``POST /api/v1/smartotp/verify`` spends the server's CPU, in process (cProfile).

Builds the app on a fresh SQLite home with enrolled customers and drives it through ASGI
(no sockets, no uvicorn): each request goes through every middleware, FastAPI's routing
and validation, the service and the database. The route's hop to a worker thread runs
inline, so one thread's profile holds the whole request (the hop's cost itself is left
out, as are uvicorn's HTTP parsing and the socket). Quiet enough to run on a busy machine.

    PYTHONPATH=$PWD/src .venv/bin/python bench/otp_profile.py [--users 400] [--sort tottime]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import tempfile
import time
from pathlib import Path
from typing import Any

from otp_verify import PASSWORD, enrol, fresh_codes

from kyso.accounts.rules import SecretHasher
from kyso.bootstrap import bootstrap
from kyso.config import Settings
from kyso.entrypoints.api import app as app_module
from kyso.entrypoints.api.routes import smartotp
from kyso.entrypoints.logs import configure_logging


async def _inline(_container: Any, func: Any, *args: Any) -> Any:
    """``run_hot`` (entrypoints/api/hot.py) in the calling thread."""
    return func(*args)


async def call(app: Any, method: str, path: str, body: dict[str, str],
               bearer: str | None = None) -> tuple[int, bytes]:
    raw = json.dumps(body).encode()
    headers = [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
               (b"content-length", str(len(raw)).encode())]
    if bearer:
        headers.append((b"authorization", f"Bearer {bearer}".encode()))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "headers": headers,
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000), "state": {}}
    sent = False
    status, out = 0, []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": raw, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            out.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(out)


async def run(app: Any, users: list[tuple[str, bytes]], sort: str, limit: int,
              callees: list[str]) -> None:
    tokens = []
    for login, _ in users:
        _, body = await call(app, "POST", "/api/v1/auth/login",
                                  {"login": login, "password": PASSWORD})
        tokens.append(json.loads(body)["access_token"])
    for (_, seed), token in zip(users[:20], tokens[:20], strict=True):  # warm-up
        for code in fresh_codes(seed):
            await call(app, "POST", "/api/v1/smartotp/verify", {"code": code}, token)
    work = [(token, code) for (_, seed), token in zip(users[20:], tokens[20:], strict=True)
            for code in fresh_codes(seed)]
    async def verify(item: tuple[str, str]) -> None:
        status, body = await call(app, "POST", "/api/v1/smartotp/verify", {"code": item[1]},
                                  item[0])
        if status != 204:
            raise SystemExit(f"verify: {status} {body!r}")

    await profiled("verifications", work, verify, sort, limit, callees)


async def profiled(label: str, work: list[Any], one: Any, sort: str, limit: int,
                   callees: list[str]) -> None:
    """``await one(item)`` for every item, timed (wall and CPU) and, with ``limit``,
    profiled; prints the times and the ``limit`` first lines of the profile."""
    profile = cProfile.Profile()
    started, cpu = time.perf_counter(), time.process_time()
    if limit:
        profile.enable()
    for item in work:
        await one(item)
    profile.disable()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"{len(work)} {label}, {elapsed / len(work) * 1e6:.0f} µs each, "
          f"{cpu / len(work) * 1e6:.0f} µs of CPU" + (" (profiled)" if limit else ""))
    if limit:
        stats = pstats.Stats(profile).sort_stats(sort)
        stats.print_stats(limit)
        for name in callees:
            stats.print_callees(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=400)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--limit", type=int, default=45, help="0: time only, no profile")
    parser.add_argument("--callees", action="append", default=[],
                        help="a function name whose callees to list (repeatable)")
    args = parser.parse_args()
    smartotp.run_hot = _inline  # type: ignore[assignment]  # one thread to profile
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        users = enrol(home, args.users + 20)
        settings = Settings(home=home)
        configure_logging(settings.log_level, settings.log_format)  # as `kyso serve` does
        container = bootstrap(settings, hasher=SecretHasher(1, 1024, 1))
        app = app_module.create_app(container)
        asyncio.run(run(app, users, args.sort, args.limit, args.callees))
        container.close()


if __name__ == "__main__":
    main()
