"""A real ``kyso serve --workers 2`` in a subprocess, and the probes the crash tests use."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.e2e.harness import CHEAP, KYSO, clean_env
from tests.security.homes import EC_KEYS

__all__ = ["DEADLINE", "children", "gone", "healthy", "port_free", "serve", "until"]

DEADLINE = 60.0  # seconds a start may take (init makes CA keys on a shared machine)


def serve(home: Path, db_url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = clean_env(KYSO_HOME=str(home), KYSO_DATABASE_URL=db_url,
                    KYSO_PUBLIC_BASE_URL=f"http://127.0.0.1:{port}", **CHEAP | EC_KEYS)
    with log.open("ab") as out:
        return subprocess.Popen([*KYSO, "serve", "--port", str(port), "--workers", "2"],
                                env=env, stdout=out, stderr=subprocess.STDOUT)


def until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def children(pid: int) -> list[int]:
    """Every thread's children (kyso serve starts its duties process from a thread)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += (task / "children").read_text().split()
        except FileNotFoundError:  # a thread that ended meanwhile
            continue
    return [int(p) for p in found]


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


def port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
