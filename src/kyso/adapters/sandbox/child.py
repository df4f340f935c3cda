"""The sandboxed side: a child process that reads, validates and prepares untrusted PDFs, and
reads and validates untrusted XML.

It runs the pure readers of :mod:`kyso.signing.pdf` (pyHanko: ``inspect``) and of
:mod:`kyso.signing.pages` (PDFium: ``layout``, ``render``), pyHanko's validation
(``validate``, :class:`~kyso.signing.validation.Validator`) and the sandbox's half of PAdES
signing (``sign``, :func:`~kyso.signing.pades.prepare_pades`); for XML, the safe reader
(``check_xml``, :func:`~kyso.signing.xml_input.parse_xml`) and the XAdES validator
(``validate_xml``, :class:`~kyso.signing.xades_validation.XadesValidator`). Started with the
``spawn`` method, so it shares no memory with the server (no master key, no database
connection, no open file but its pipe). It forgets every ``KYSO_*`` variable, limits its
address space (``RLIMIT_AS``) once, and before each file its CPU time (``RLIMIT_CPU``: the
kernel kills it with SIGXCPU past the limit). Once its imports are done it jails itself
(:mod:`~kyso.adapters.sandbox.jail`: Landlock and seccomp — no file but the code's can be
read, none written, no socket, no new process).

Messages are :mod:`~kyso.adapters.sandbox.wire` frames (JSON and raw bytes, no pickle). A
task is ``{task, data, args}``; the answer is ``{t: "ok", r}`` or ``{t: "refused", code,
detail}``. While it works the child may ask the parent ``{t: "ask", what, arg}`` for what
only the server has: kyso's CA certificates, CRLs, OCSP answers and time stamps (``ca``,
``crl``, ``ocsp``, ``tsa``, the public ``/pki`` endpoints) and, when signing, the CMS for
the prepared file (``cms``); the parent replies ``{t: "answer", r}``, ``{t: "no"}`` or
``{t: "abort"}``.
"""

from __future__ import annotations

import os
import resource
import tempfile
from collections.abc import Callable
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any

from kyso.adapters.heap import keep_heap
from kyso.adapters.sandbox.jail import confine, readable_roots
from kyso.adapters.sandbox.wire import pack, unpack

__all__ = ["serve"]

Task = Callable[[Any, Any], Any]  # (bytes or the Path of the server's file, args)


def serve(conn: Connection, memory_bytes: int, cpu_seconds: int, base_url: str,
          workdir: str) -> None:
    """The child's main loop, until the pipe closes. ``workdir``: the one folder it may
    write (its scratch files) and where the server links the file it works on."""
    _forget_environment()
    keep_heap()  # the document and pyHanko's output: no page faults per file
    tempfile.tempdir = workdir
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    tasks = _tasks(conn, base_url)  # after the limits: the imports themselves count
    jailed = confine(readable_roots(), writable=[workdir])  # after the imports

    conn.send_bytes(pack({"t": "ready", "jail": jailed}))
    while True:
        try:
            request = unpack(conn.recv_bytes())  # the server's: a document of any allowed size
        except EOFError:
            return
        _limit_cpu(cpu_seconds)
        conn.send_bytes(pack(_run(tasks, request)))


def _tasks(conn: Connection, base_url: str) -> dict[str, Task]:
    import pypdfium2  # noqa: F401 - loaded once here, not on the first file's CPU budget

    from kyso.adapters.sandbox import codec
    from kyso.errors import KysoError
    from kyso.signing import pades, pages, pdf, stamp, validation, xades_validation, xml_input
    from kyso.signing.revinfo import KysoTrust
    from kyso.signing.source import Source, read_all

    validation.quiet_library_logs()
    stamp._font()  # the stamp's font, loaded once (fontTools, HarfBuzz)
    pki = _AskedPki(conn)

    def validate(data: bytes, at: str) -> Any:
        pdf.survey_pdf(data)  # the whole file walked (its page tree too), as uploads are
        report = validation.Validator(KysoTrust(pki, base_url)).validate(
            data, datetime.fromisoformat(at))
        return codec.encode_report(report)

    def sign(data: Source, args: Any) -> Any:
        request = codec.decode_request(data, args)  # a file stays a file: read in pieces

        def exchange(prepared: pades.Prepared) -> bytes:
            return pki.ask("cms", codec.encode_prepared(prepared))

        return codec.encode_signed(pades.prepare_pades(request, KysoTrust(pki, base_url),
                                                       exchange))

    def whole(task: Callable[[bytes, Any], Any]) -> Task:
        return lambda data, args: task(read_all(data), args)

    def check_xml(data: bytes, _: Any) -> Any:
        return sum(1 for _ in xml_input.parse_xml(data).iter())

    def validate_xml(data: bytes, at: str) -> Any:
        report = xades_validation.XadesValidator(KysoTrust(pki, base_url)).validate(
            data, datetime.fromisoformat(at))
        return codec.encode_report(report)

    def xml(task: Callable[[bytes, Any], Any]) -> Task:
        """An XML task: running out of memory or stack is the document's hostility (unsafe
        XML), any other library failure an unreadable document."""
        def run(data: Source, args: Any) -> Any:
            try:
                return task(read_all(data), args)
            except (MemoryError, RecursionError) as exc:
                raise xml_input.UnsafeXml(type(exc).__name__) from None
            except KysoError:
                raise
            except Exception as exc:
                raise xml_input.NotXml(type(exc).__name__) from None
        return run

    return {"inspect": whole(lambda data, _: codec.encode_info(pdf.inspect_pdf(data))),
            "layout": whole(lambda data, _: codec.encode_layout(pages.layout_pdf(data))),
            "render": whole(pages.render_page), "validate": whole(validate), "sign": sign,
            "check_xml": xml(check_xml), "validate_xml": xml(validate_xml)}


class _AskedPki:
    """kyso's ``/pki`` endpoints (:class:`~kyso.signing.revinfo.PkiEndpoints`), asked of
    the parent over the pipe."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def ask(self, what: str, arg: Any) -> bytes:
        from kyso.signing.document_errors import RevocationUnavailable, SigningFailed

        self._conn.send_bytes(pack({"t": "ask", "what": what, "arg": arg}))
        reply = unpack(self._conn.recv_bytes())
        if reply.get("t") == "answer" and isinstance(reply.get("r"), bytes):
            answer: bytes = reply["r"]
            return answer
        if reply.get("t") == "abort":
            raise SigningFailed("stopped by the server")
        raise RevocationUnavailable(what)

    def ca_certificate(self, name: str) -> bytes:
        return self.ask("ca", name)

    def crl(self, name: str) -> bytes:
        return self.ask("crl", name)

    def ocsp(self, request: bytes) -> bytes:
        return self.ask("ocsp", request)

    def timestamp(self, request: bytes) -> bytes:
        return self.ask("tsa", request)


def _run(tasks: dict[str, Task], request: Any) -> dict[str, Any]:
    from kyso.errors import KysoError

    if type(request) is not dict or request.get("task") not in tasks \
            or not (type(request.get("data")) is bytes or type(request.get("file")) is str):
        return {"t": "refused", "code": "invalid_document", "detail": "bad task"}
    from pathlib import Path

    data = request["data"] if "data" in request else Path(request["file"])
    try:
        result = tasks[request["task"]](data, request.get("args"))
    except KysoError as exc:
        return {"t": "refused", "code": exc.code, "detail": str(exc.detail or "")[:200]}
    except MemoryError:
        return {"t": "refused", "code": "invalid_document", "detail": "memory limit"}
    except Exception as exc:  # anything else a hostile file provokes is the file's fault
        return {"t": "refused", "code": "damaged_pdf", "detail": type(exc).__name__}
    return {"t": "ok", "r": result}


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
