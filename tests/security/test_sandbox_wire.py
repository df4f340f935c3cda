"""A sandbox child taken over by a hostile file says whatever it likes; the parent decodes
it strictly (JSON and raw bytes, never pickle): a pickle that would run code, malformed
frames, wrong types, floods of questions, a forged placeholder — each one ends in
:class:`InvalidDocument` (a clean 400 over HTTP), runs nothing, and the child is replaced."""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pytest

from kyso.adapters.sandbox import ProcessSandbox, SandboxLimits, pool
from kyso.adapters.sandbox.wire import WireError, pack, unpack
from kyso.signing.document import Level, SignOptions
from kyso.signing.document_errors import InvalidDocument
from kyso.signing.pades import PadesRequest, Prepared, byte_range_digest
from tests.integration.documents.pdfs import sample_pdf


class _Evil:
    """Unpickling this creates the file named ``path``: code execution, made visible."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return os.mknod, (self.path,)


def hostile_serve(conn: Connection, memory_bytes: int, cpu_seconds: int, mode: str) -> None:
    """A child that a hostile file took over (``mode`` comes in as the base URL)."""
    kind, _, arg = mode.partition(":")
    conn.send_bytes(pack({"t": "ready"}))
    while True:
        try:
            unpack(conn.recv_bytes())
        except EOFError:
            return
        if kind == "pickle":
            conn.send(("ok", _Evil(arg)))  # what the old parent would have unpickled
        elif kind == "types":
            conn.send_bytes(pack({"t": "ok", "r": {"pages": "1", "box": [0, 0, 1, 1],
                                                   "signatures": 0}}))
        elif kind == "lengths":
            frame = pack({"t": "ok", "r": b"12345678"})
            conn.send_bytes(frame[:-4])
        elif kind == "deep":
            header = b'{"v":' + b"[" * 100_000 + b"]" * 100_000 + b',"b":[]}'
            conn.send_bytes(len(header).to_bytes(4, "big") + header)
        elif kind == "extra":
            conn.send_bytes(pack({"t": "ok", "r": 1, "x": "__import__('os')"}))
        elif kind == "asks":
            for _ in range(100):
                conn.send_bytes(pack({"t": "ask", "what": "ca", "arg": "root"}))
                unpack(conn.recv_bytes())
        elif kind == "cms":  # a prepared file whose "placeholder" is the original's bytes
            conn.send_bytes(pack({"t": "ask", "what": "cms",
                                  "arg": {"tail": b"<0000>", "start": 0, "end": 6}}))
            unpack(conn.recv_bytes())
            conn.send_bytes(pack({"t": "refused", "code": "signing_failed", "detail": ""}))


@pytest.fixture
def hostile(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], ProcessSandbox]]:
    monkeypatch.setattr(pool, "serve", hostile_serve)
    made: list[ProcessSandbox] = []

    def make(mode: str) -> ProcessSandbox:
        box = ProcessSandbox(SandboxLimits(workers=1, cpu_seconds=1, wall_seconds=3,
                                           memory_mib=512), base_url=mode)
        made.append(box)
        return box

    yield make
    for box in made:
        box.close()


def test_a_pickled_reply_is_refused_and_never_unpickled(
        hostile: Callable[[str], ProcessSandbox], tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    pickle.loads(pickle.dumps(_Evil(str(tmp_path / "control"))))  # it does run code
    assert (tmp_path / "control").exists()
    box = hostile(f"pickle:{marker}")
    with pytest.raises(InvalidDocument):
        box.inspect(sample_pdf())
    assert not marker.exists()
    assert box._alive == 0  # the child that spoke pickle was killed, not reused


@pytest.mark.parametrize("mode", ["types", "lengths", "deep", "extra", "asks"])
def test_malformed_replies_are_an_invalid_document(hostile: Callable[[str], ProcessSandbox],
                                                   mode: str) -> None:
    box = hostile(mode)
    with pytest.raises(InvalidDocument):
        box.validate(sample_pdf(), datetime.now(UTC)) if mode == "asks" \
            else box.inspect(sample_pdf())


def test_a_forged_placeholder_is_refused_before_anything_is_signed(
        hostile: Callable[[str], ProcessSandbox]) -> None:
    pdf = sample_pdf()
    signed: list[bytes] = []

    def exchange(prepared: Prepared) -> bytes:
        signed.append(byte_range_digest(pdf, prepared))  # the server's check comes first
        return b"never"

    request = PadesRequest(pdf, "Signature-x", SignOptions(level=Level.B_B),
                           datetime.now(UTC), "A", (b"cert",), 4096)
    with pytest.raises(InvalidDocument):
        hostile("cms").sign(request, exchange)
    assert signed == []


def test_the_wire_format_round_trips_and_refuses_bad_frames() -> None:
    value = {"a": [1, 2.5, None, True, "ư"], "b": b"\x00\xff" * 10, "c": {"d": b""}}
    assert unpack(pack(value)) == value
    for bad in (b"", b"\x00\x00\x00\x09{\"v\":1}", pack({"x": 1})[:-1] + b"!",
                b"\x00\x00\x00\x12" + b'{"v":{"$b":0},"b":[]}'):
        with pytest.raises(WireError):
            unpack(bad)
    with pytest.raises(TypeError):
        pack({"x": object()})


def test_the_codec_round_trips_and_checks_every_field() -> None:
    from kyso.adapters.sandbox import codec
    from kyso.signing.pages import Layout, PageBox
    from kyso.signing.validation import SignatureReport, TimestampReport, ValidationReport

    now = datetime.now(UTC)
    report = ValidationReport("ab" * 32, (
        SignatureReport("Sig", "intact", True, "good", True, signer="AN", signing_time=now,
                        timestamp=now, timestamp_trusted=True, level="B-T",
                        entire_document=True),), (TimestampReport("TS", now, "intact", True),))
    wired = unpack(pack(codec.encode_report(report)))
    assert codec.decode_report(wired) == report
    layout = Layout([PageBox(595.0, 842.0, (0.0, 0.0), 90)], 1, (1.0, 2.0, 3.0, 4.0), False)
    assert codec.decode_layout(unpack(pack(codec.encode_layout(layout)))) == layout
    bad = [(codec.decode_report, wired | {"extra": 1}),
           (codec.decode_report, wired | {"signatures": [wired["signatures"][0]
                                                         | {"trusted": "yes"}]}),
           (codec.decode_report, wired | {"signatures": [wired["signatures"][0]
                                                         | {"signing_time": "yesterday"}]}),
           (codec.decode_layout, {"pages": [], "page": 3, "box": [0, 0, 1, 1],
                                  "covers_text": False}),
           (codec.decode_info, {"pages": 1, "box": [0, 0, 1, float("inf")], "signatures": 0}),
           (codec.decode_info, {"pages": 2**80, "box": [0, 0, 1, 1], "signatures": 0}),
           (codec.decode_prepared, {"tail": "text", "start": 1, "end": 2}),
           (codec.decode_png, b"GIF89a")]
    for decode, value in bad:
        with pytest.raises(WireError):
            decode(value)


def test_the_server_finishes_only_what_it_signed() -> None:
    """The sandbox's outcome must match the level and the server's own splice; one file
    gets one signature, however often a child asks."""
    from kyso.signing.pades import Finisher

    pdf = sample_pdf()
    n = len(pdf)
    prepared = Prepared(b"\n<" + b"0" * 64 + b">\n", n + 1, n + 67)
    calls: list[bytes] = []

    def cms(digest: bytes) -> bytes:
        calls.append(digest)
        return b"\x30\x03\x02\x01\x01"

    def request(level: Level) -> PadesRequest:
        return PadesRequest(pdf, "Sig", SignOptions(level=level), datetime.now(UTC), "A",
                            (b"cert",), 64)

    short = Finisher(request(Level.B_T), cms)
    with pytest.raises(InvalidDocument):  # nothing signed yet: no signed file to hash
        short.signed_sha256(b"")
    signed = short.finish(prepared)
    assert signed == pdf + b"\n<3003020101" + b"0" * 54 + b">\n" and len(calls) == 1
    assert short.signed_sha256(signed[n:]) == hashlib.sha256(signed).hexdigest()
    assert calls[0] == byte_range_digest(pdf, prepared)
    with pytest.raises(InvalidDocument):  # B-LT needs the sandbox's DSS after the splice
        Finisher(request(Level.B_LT), cms).finish(prepared)
    with pytest.raises(InvalidDocument):  # B-B has nothing after the splice
        Finisher(request(Level.B_B), cms).finish(b"more")
    long_term = Finisher(request(Level.B_LTA), cms)
    long_term.exchange(prepared)
    with pytest.raises(InvalidDocument):
        long_term.exchange(prepared)
    with pytest.raises(InvalidDocument):  # not the server's splice
        long_term.finish(prepared.tail + b"dss")
    tail = signed[n:]
    assert long_term.finish(tail + b"dss") == signed + b"dss"
    assert long_term.signed_sha256(tail + b"dss") == hashlib.sha256(signed + b"dss").hexdigest()
    assert len(calls) == 2  # B-T once, B-LTA once: the refusals signed nothing


def test_the_server_signs_a_file_only_if_it_is_still_the_document(tmp_path: Path) -> None:
    """From a file (the streaming path) the byte range and the original's SHA-256 come from
    one pass; a file that is no longer the document is refused before anything is signed,
    and the tail alone is what the server adds."""
    from kyso.signing.pades import Finisher

    pdf = sample_pdf()
    n = len(pdf)
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    prepared = Prepared(b"\n<" + b"0" * 64 + b">\n", n + 1, n + 67)
    calls: list[bytes] = []

    def cms(digest: bytes) -> bytes:
        calls.append(digest)
        return b"\x30\x03\x02\x01\x01"

    request = PadesRequest(path, "Sig", SignOptions(level=Level.B_B), datetime.now(UTC), "A",
                           (b"cert",), 64)
    sha256 = hashlib.sha256(pdf).hexdigest()
    finisher = Finisher(request, cms, sha256)
    tail = finisher.finish_tail(prepared)
    assert tail == b"\n<3003020101" + b"0" * 54 + b">\n"
    assert finisher.signed_sha256(tail) == hashlib.sha256(pdf + tail).hexdigest()
    assert calls == [byte_range_digest(pdf, prepared)]
    path.write_bytes(pdf[:20] + bytes([pdf[20] ^ 1]) + pdf[21:])  # same length, changed
    with pytest.raises(InvalidDocument):
        Finisher(request, cms, sha256).finish_tail(prepared)
    assert len(calls) == 1
