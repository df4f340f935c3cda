"""``kyso serve --workers 2`` runs its duties (the outbox, signing receipts, the audit
sequencer, SQLite's checkpoints) once, in a process of their own beside the workers
(entrypoints/api/duties.py), starts that process again when it dies, and stops it when it
stops. SQLite, or PostgreSQL with KYSO_TEST_DATABASE_URL."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx

from tests.e2e.harness import _free_port
from tests.reliability.serving import DEADLINE, children, gone, healthy, serve, until

DUTIES = b"kyso.entrypoints.api.duties"


def _duties(pid: int) -> list[int]:
    found = []
    for child in children(pid):
        try:
            if DUTIES in Path(f"/proc/{child}/cmdline").read_bytes() and not gone(child):
                found.append(child)
        except FileNotFoundError:
            continue
    return found


def _delivered(port: int, phone: str) -> bool:
    """A sign-up's SMS code reaches the (local) SMS back end: the outbox was delivered."""
    url = f"http://127.0.0.1:{port}"
    answer = httpx.post(f"{url}/api/v1/signup", timeout=10, json={
        "full_name": "Lê Văn Chín", "phone": phone, "email": f"{phone}@example.vn",
        "password": "Matkhau2026!", "pin": "246813"})
    assert answer.status_code == 202, answer.text

    def sent() -> bool:
        inbox = httpx.get(f"{url}/dev/inbox.json", timeout=5).json()
        return any(m["to"] == "+84" + phone[1:] and m["status"] == "sent" for m in inbox)
    return until(sent, 30)


def test_one_duties_process_started_again_when_it_dies(tmp_path: Path, db_url: str) -> None:
    port, log = _free_port(), tmp_path / "serve.log"
    server = serve(tmp_path / "home", db_url, port, log)
    first: list[int] = []
    try:
        assert until(lambda: healthy(port), DEADLINE), log.read_text()
        assert until(lambda: len(_duties(server.pid)) == 1, 20), log.read_text()
        first = _duties(server.pid)
        workers = [p for p in children(server.pid) if p not in first and not gone(p)]
        assert len(workers) >= 2, workers  # the workers only serve
        assert _delivered(port, "0912000101"), log.read_text()

        os.kill(first[0], signal.SIGKILL)
        assert until(lambda: [p for p in _duties(server.pid) if p != first[0]] != [], 20), \
            log.read_text()
        assert len(_duties(server.pid)) == 1
        assert _delivered(port, "0912000102"), log.read_text()  # by the new one
        assert "duties process ended" in log.read_text()
        again = _duties(server.pid)
    finally:
        server.terminate()
        server.wait(30)
    assert until(lambda: all(gone(p) for p in again), 10)
