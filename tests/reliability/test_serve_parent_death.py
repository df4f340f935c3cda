"""``kill -9`` of the ``kyso serve --workers 2`` supervisor takes its workers with it, so the
port is free again and a new server starts (issue 11: they used to go on serving and holding
the port; a restart failed with "Address already in use"). SQLite, or PostgreSQL with
KYSO_TEST_DATABASE_URL."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from tests.e2e.harness import _free_port
from tests.reliability.serving import (
    DEADLINE,
    children,
    gone,
    healthy,
    port_free,
    serve,
    until,
)


def test_kill_9_of_the_parent_frees_the_port(tmp_path: Path, db_url: str) -> None:
    port, log = _free_port(), tmp_path / "serve.log"
    first = serve(tmp_path / "home", db_url, port, log)
    second, workers = None, []
    try:
        assert until(lambda: healthy(port), DEADLINE), log.read_text()
        workers = [p for p in children(first.pid) if not gone(p)]
        assert len(workers) >= 2, workers  # two workers (and maybe the resource tracker)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        assert until(lambda: all(gone(w) for w in workers), 10), log.read_text()
        assert until(lambda: port_free(port), 10)
        second = serve(tmp_path / "home", db_url, port, log)
        assert until(lambda: healthy(port), DEADLINE), log.read_text()
        assert "Address already in use" not in log.read_text()
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(30)
        for pid in workers:  # orphans, had they outlived their parent
            if not gone(pid):
                os.kill(pid, signal.SIGKILL)
