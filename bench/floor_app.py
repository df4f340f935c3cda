"""The floor for `make bench`: a bare ASGI app that does what a signature request must do at
the least — parse the JSON, sign one digest with an RSA-2048 key parsed at start, write one
row to SQLite (WAL, synchronous=NORMAL, one connection per thread) and answer the signature.
No session, no SAD, no quota, no audit. Served as ``kyso serve --workers N`` serves kyso
(uvicorn's workers on one socket with TCP_NODELAY: ``kyso.entrypoints.cli.listen``):

    BENCH_FLOOR_DB=/tmp/floor.db .venv/bin/python bench/floor_app.py PORT WORKERS
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import threading
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from starlette.concurrency import run_in_threadpool

from kyso.entrypoints.cli.listen import serve_workers

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
DB = os.environ.get("BENCH_FLOOR_DB", "/tmp/kyso-bench-floor.db")
_local = threading.local()


def _db() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(DB, timeout=30, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("CREATE TABLE IF NOT EXISTS signed (hash TEXT, signature BLOB)")
        _local.conn = conn
    return conn


def _sign(body: bytes) -> bytes:
    digest = base64.b64decode(json.loads(body)["hashes"][0])
    signature = KEY.sign(digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))
    conn = _db()
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO signed VALUES (?, ?)", (digest.hex(), signature))
    conn.execute("COMMIT")
    return json.dumps({"signatures": [base64.b64encode(signature).decode()]}).encode()


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    if scope["method"] != "POST":  # the bench's readiness probe
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    answer = await run_in_threadpool(_sign, body)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": answer})


if __name__ == "__main__":
    import sys

    import uvicorn

    port, workers = int(sys.argv[1]), int(sys.argv[2])
    config = uvicorn.Config("floor_app:app", port=port,
                            workers=workers, log_level="warning", access_log=False)
    serve_workers(config)
