"""The sandboxed side: a child process that reads PDFs and nothing else.

It runs the pure readers of :mod:`kyso.signing.pdf` (pyHanko: ``inspect``, ``survey``) and
of :mod:`kyso.signing.pages` (PDFium: ``layout``, ``render``). Started with the ``spawn``
method, so it shares no memory with the server (no master key, no
database connection, no open file but its pipe). It forgets every ``KYSO_*`` variable,
limits its address space (``RLIMIT_AS``) once, and before each file its CPU time
(``RLIMIT_CPU``: the kernel kills it with SIGXCPU past the limit). Bytes come in through the
pipe; a tuple goes back: ``("ok", result)`` or ``("refused", code, detail)``.
"""

from __future__ import annotations

import os
import resource
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

__all__ = ["serve"]



def serve(conn: Connection, memory_bytes: int, cpu_seconds: int) -> None:
    """The child's main loop, until the pipe closes."""
    _forget_environment()
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    tasks = _tasks()  # after the limits: the imports themselves count

    conn.send(("ready",))
    while True:
        try:
            task, data, args = conn.recv()
        except EOFError:
            return
        _limit_cpu(cpu_seconds)
        conn.send(_run(tasks, task, data, args))


def _tasks() -> dict[str, Callable[..., Any]]:
    import pypdfium2  # noqa: F401 - loaded once here, not on the first file's CPU budget

    from kyso.signing import pages, pdf

    return {"inspect": pdf.inspect_pdf, "survey": pdf.survey_pdf,
            "layout": pages.layout_pdf, "render": pages.render_page}


def _run(tasks: dict[str, Callable[..., Any]], task: str, data: bytes,
         args: tuple[Any, ...]) -> tuple[Any, ...]:
    from kyso.errors import KysoError

    if task not in tasks:
        return ("refused", "invalid_document", f"unknown task {task!r}")
    try:
        result = tasks[task](data, *args)
    except KysoError as exc:
        return ("refused", exc.code, exc.detail or "")
    except MemoryError:
        return ("refused", "invalid_document", "memory limit")
    except Exception as exc:  # anything else a hostile file provokes is the file's fault
        return ("refused", "damaged_pdf", type(exc).__name__)
    return ("ok", result)


def _limit_cpu(seconds: int) -> None:
    """RLIMIT_CPU counts the process's whole life: allow ``seconds`` more from now."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = int(usage.ru_utime + usage.ru_stime) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = used + seconds
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _forget_environment() -> None:
    for name in [key for key in os.environ if key.upper().startswith("KYSO_")]:
        del os.environ[name]
