"""``kill -9`` of the ``kyso serve --workers 2`` supervisor takes its workers with it, so the
port is free again and a new server starts (issue 11: they used to go on serving and holding
the port; a restart failed with "Address already in use"). SQLite, or PostgreSQL with
KYSO_TEST_DATABASE_URL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

from tests.e2e.harness import CHEAP, KYSO, _free_port, clean_env
from tests.security.homes import EC_KEYS

DEADLINE = 60.0  # seconds a start may take (init makes CA keys on a shared machine)


def _serve(home: Path, db_url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = clean_env(KYSO_HOME=str(home), KYSO_DATABASE_URL=db_url,
                    KYSO_PUBLIC_BASE_URL=f"http://127.0.0.1:{port}", **CHEAP | EC_KEYS)
    with log.open("ab") as out:
        return subprocess.Popen([*KYSO, "serve", "--port", str(port), "--workers", "2"],
                                env=env, stdout=out, stderr=subprocess.STDOUT)


def _until(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(p) for p in found]


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def test_kill_9_of_the_parent_frees_the_port(tmp_path: Path, db_url: str) -> None:
    port, log = _free_port(), tmp_path / "serve.log"
    first = _serve(tmp_path / "home", db_url, port, log)
    second, workers = None, []
    try:
        assert _until(lambda: _healthy(port), DEADLINE), log.read_text()
        workers = [p for p in _children(first.pid) if not _gone(p)]
        assert len(workers) >= 2, workers  # two workers (and maybe the resource tracker)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        assert _until(lambda: all(_gone(w) for w in workers), 10), log.read_text()
        assert _until(lambda: _port_free(port), 10)
        second = _serve(tmp_path / "home", db_url, port, log)
        assert _until(lambda: _healthy(port), DEADLINE), log.read_text()
        assert "Address already in use" not in log.read_text()
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(30)
        for pid in workers:  # orphans, had they outlived their parent
            if not _gone(pid):
                os.kill(pid, signal.SIGKILL)
