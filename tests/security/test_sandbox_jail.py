"""The PDF sandbox child's jail (``adapters/sandbox/jail.py``): once confined, a process that
a hostile PDF took over can read the code it runs and nothing else, write nothing, open no
socket, start no process and signal no other process — while the work a child does (lazy
imports, threads, PDFium) still runs. Each probe runs in its own spawned process, as the
child is."""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

from kyso.adapters.sandbox.jail import LAYERS, confine, readable_roots


def _attempt(action: Any) -> str:
    try:
        action()
    except OSError as exc:
        return f"refused:{exc.errno}"
    return "done"


def _probe(secret: str, workdir: str, parent: int, out: Any) -> None:
    layers = confine(readable_roots(), writable=[workdir])
    import kyso

    def thread() -> None:
        t = threading.Thread(target=lambda: None)
        t.start()
        t.join()

    def lazy_import() -> None:
        import tomllib  # not imported before the jail: the interpreter's files are readable
        tomllib.loads("a = 1")

    out.send({
        "layers": layers,
        "read_secret": _attempt(lambda: Path(secret).read_bytes()),
        "read_environ": _attempt(lambda: Path("/proc/self/environ").read_bytes()),
        "list_secret_dir": _attempt(lambda: os.listdir(Path(secret).parent)),
        "write_tmp": _attempt(lambda: Path(secret).with_name("new").write_bytes(b"x")),
        "write_beside_code": _attempt(
            lambda: (Path(kyso.__file__).parent / "planted.py").write_text("x")),
        "read_code": _attempt(lambda: Path(kyso.__file__).read_bytes()),
        "scratch": _attempt(lambda: (Path(workdir) / "tail").write_bytes(b"x")
                            or (Path(workdir) / "tail").read_bytes()),
        "lazy_import": _attempt(lazy_import),
        "thread": _attempt(thread),
        "tcp": _attempt(lambda: socket.create_connection(("127.0.0.1", 5432), timeout=2)),
        "unix": _attempt(lambda: socket.socket(socket.AF_UNIX)),
        "fork": _attempt(os.fork),
        "exec": _attempt(lambda: subprocess.run(["/bin/true"], check=False)),
        "signal_parent": _attempt(lambda: os.kill(parent, 0)),
        "signal_self": _attempt(lambda: os.kill(os.getpid(), 0)),
    })


@pytest.fixture(scope="module")
def probed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    secret = tmp_path_factory.mktemp("home") / "master.key"
    secret.write_bytes(os.urandom(32))
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    workdir = tmp_path_factory.mktemp("child")
    child = context.Process(target=_probe, args=(str(secret), str(workdir), os.getpid(),
                                                 theirs))
    child.start()
    assert ours.poll(60), "the probe never answered"
    result: dict[str, Any] = ours.recv()
    child.join(10)
    return result


def test_both_layers_are_applied_here(probed: dict[str, Any]) -> None:
    assert probed["layers"] == list(LAYERS)


@pytest.mark.parametrize("what", ["read_secret", "read_environ", "list_secret_dir", "write_tmp",
                                  "write_beside_code", "tcp", "unix", "fork", "exec",
                                  "signal_parent"])
def test_what_a_taken_over_child_cannot_do(probed: dict[str, Any], what: str) -> None:
    assert probed[what].startswith("refused:"), probed


@pytest.mark.parametrize("what", ["read_code", "scratch", "lazy_import", "thread",
                                  "signal_self"])
def test_what_the_child_still_needs(probed: dict[str, Any], what: str) -> None:
    assert probed[what] == "done", probed


def test_the_real_child_comes_up_jailed(caplog: pytest.LogCaptureFixture) -> None:
    """The server's sandbox: a page layout works in the jailed child, and no warning says a
    layer is missing."""
    from kyso.adapters.sandbox.pool import ProcessSandbox, SandboxLimits
    from tests.integration.documents.pdfs import sample_pdf

    caplog.set_level(logging.WARNING)
    sandbox = ProcessSandbox(SandboxLimits(workers=1))
    try:
        assert sandbox.layout(sample_pdf(pages=2)).pages[0].width > 0
    finally:
        sandbox.close()
    assert not [r for r in caplog.records if r.getMessage() == "sandbox.jail_incomplete"]
