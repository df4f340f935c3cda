"""``kyso app …`` starts without the server's side (``entrypoints/cli/launch.py``) and
answers exactly as through the whole CLI: the same text, the same exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

WHOLE = ("import sys; sys.argv[0] = 'kyso'; "
         "from kyso.entrypoints.cli.main import main; main()")
LAUNCHED = ("import sys; sys.argv[0] = 'kyso'; "
            "from kyso.entrypoints.cli.launch import main; main()")
SERVER_SIDE = ("kyso.entrypoints.cli.main", "kyso.entrypoints.cli.admin", "kyso.pki.service",
               "kyso.accounts.service", "kyso.uow", "structlog", "sqlalchemy", "fastapi")


def _run(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KYSO_")}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True,
                          text=True, timeout=60, env=env | {"COLUMNS": "100"})


def test_the_client_loads_none_of_the_server() -> None:
    probe = ("import sys, json, atexit\n"
             f"atexit.register(lambda: print(json.dumps([m for m in {SERVER_SIDE!r} "
             "if m in sys.modules])))\n" + LAUNCHED)
    done = _run(probe, "app", "--help")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == []
    whole = _run(probe.replace(LAUNCHED, WHOLE), "app", "--help")  # the probe sees them
    assert set(json.loads(whole.stdout.splitlines()[-1])) >= {
        "kyso.entrypoints.cli.main", "kyso.pki.service", "kyso.accounts.service"}


@pytest.mark.parametrize("args", [
    ("app", "--help"), ("app",), ("app", "code", "--help"), ("app", "nosuch"),
    ("app", "--lang", "xx", "status"), ("app", "status", "--server", "http://127.0.0.1:9"),
    ("--help",), ("version",),
])
def test_every_answer_is_the_whole_clis(args: tuple[str, ...]) -> None:
    whole, launched = _run(WHOLE, *args), _run(LAUNCHED, *args)
    assert (launched.returncode, launched.stdout, launched.stderr) == (
        whole.returncode, whole.stdout, whole.stderr)
