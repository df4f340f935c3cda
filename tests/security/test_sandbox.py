"""The PDF sandbox itself: hostile files end in a documents error (reading, layout and page
previews alike), a stuck reader is killed and replaced, and the refusal is one log line."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kyso.adapters.sandbox import ProcessSandbox, SandboxLimits, pool
from kyso.errors import InvalidInput
from kyso.signing.document_errors import DamagedPdf, InvalidDocument
from kyso.signing.pages import MAX_PNG_BYTES, Layout
from kyso.signing.pdf import PdfInfo
from kyso.signing.validation import ValidationReport
from tests.integration.documents.pdfs import sample_pdf
from tests.security.hostile_pdfs import CORPUS, build, cyclic_page_tree, form_bomb


@pytest.fixture(scope="module")
def sandbox() -> Iterator[ProcessSandbox]:
    box = ProcessSandbox(SandboxLimits(workers=1, cpu_seconds=1, wall_seconds=3,
                                       memory_mib=512))
    yield box
    box.close()


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_every_hostile_file_ends_in_a_document_error_or_a_harmless_answer(
        sandbox: ProcessSandbox, name: str) -> None:
    data = CORPUS[name]()
    for task in (sandbox.inspect, sandbox.layout, lambda pdf: sandbox.render(pdf, 1),
                 lambda pdf: sandbox.validate(pdf, datetime.now(UTC))):
        try:
            result = task(data)
        except InvalidInput as exc:
            assert exc.code in {"damaged_pdf", "invalid_document", "not_a_pdf"}
        else:
            assert isinstance(result, PdfInfo | Layout | bytes | ValidationReport)


def test_a_cyclic_page_tree_is_stopped_and_its_reader_replaced(
        sandbox: ProcessSandbox, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="kyso.adapters.sandbox"), \
            pytest.raises(InvalidDocument):
        sandbox.inspect(cyclic_page_tree())
    [record] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "stopped by the sandbox" in record.getMessage()
    assert record.exc_info is None and "\n" not in record.getMessage()
    info = sandbox.inspect(sample_pdf(pages=2))  # a fresh child reads the next file
    assert info.pages == 2


def test_page_previews_run_in_the_sandbox_and_a_form_bomb_is_stopped(
        sandbox: ProcessSandbox) -> None:
    """PDFium (layout, render) runs in the same children under the same limits: a file
    pyHanko reads happily but whose page never finishes drawing is an invalid document."""
    assert sandbox.inspect(form_bomb()).pages == 1  # the upload's check lets it in
    for task in (sandbox.layout, lambda pdf: sandbox.render(pdf, 1)):
        with pytest.raises(InvalidDocument):
            task(form_bomb())
    layout = sandbox.layout(sample_pdf(pages=2))  # a fresh child previews the next file
    assert len(layout.pages) == 2 and layout.page == 2 and not layout.covers_text
    png = sandbox.render(sample_pdf(pages=2), 2)
    assert png.startswith(b"\x89PNG") and len(png) <= MAX_PNG_BYTES
    with pytest.raises(DamagedPdf):
        sandbox.render(sample_pdf(pages=2), 3)


def test_the_reader_forgets_kyso_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The child is spawned after the server read its settings; it keeps no KYSO_* value."""
    from kyso.adapters.sandbox import child

    monkeypatch.setenv("KYSO_SMTP_PASSWORD", "hunter2")
    child._forget_environment()
    assert "KYSO_SMTP_PASSWORD" not in os.environ


def test_limits_are_validated() -> None:
    with pytest.raises(ValueError, match="worker"):
        SandboxLimits(workers=0)
    with pytest.raises(ValueError, match="256 MiB"):
        SandboxLimits(memory_mib=64)


def test_a_reader_runs_under_its_memory_and_cpu_limits(sandbox: ProcessSandbox) -> None:
    """The kernel holds the child to RLIMIT_AS (512 MiB here) and a finite RLIMIT_CPU."""
    sandbox.inspect(sample_pdf())
    child = sandbox._idle.queue[0]  # the idle reader that just answered
    limits = Path(f"/proc/{child.process.pid}/limits").read_text()
    address = next(line for line in limits.splitlines() if line.startswith("Max address space"))
    assert address.split()[3:5] == [str(512 * 1024 * 1024)] * 2
    cpu = next(line for line in limits.splitlines() if line.startswith("Max cpu time"))
    assert cpu.split()[3] != "unlimited"


def test_bytes_past_the_frame_size_reach_the_reader_as_a_file_of_its_own_folder(
        sandbox: ProcessSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """A document of some size (a signDoc's, kept in the server's memory) is written to a
    file in the child's own folder rather than pushed through the pipe; the child reads
    it there, a hostile one is stopped there too, and the file is gone after the task."""
    filler = b"<< /Length %d >>\nstream\n" % (300 * 1024) + os.urandom(300 * 1024) \
        + b"\nendstream"
    large = build([b"<< /Type /Catalog /Pages 2 0 R >>",
                   b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                   b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /F 4 0 R >>",
                   filler])
    assert len(large) > 300 * 1024
    sent: list[dict[str, object]] = []
    send = pool._Child.send

    def spy(child: pool._Child, message: dict[str, object]) -> None:
        sent.append(message)
        send(child, message)

    monkeypatch.setattr(pool._Child, "send", spy)
    assert sandbox.inspect(large).pages == 1
    assert "data" not in sent[-1] and str(sent[-1]["file"]).endswith(".pdf")
    assert sandbox.inspect(sample_pdf()).pages == 1
    assert type(sent[-1]["data"]) is bytes  # a small one still travels in the frame
    child = sandbox._idle.queue[0]
    assert list(child.workdir.iterdir()) == []
    hostile = build([b"<< /Type /Catalog /Pages 2 0 R >>",
                     b"<< /Type /Pages /Kids [3 0 R] /Count 1 /Parent 2 0 R >>",
                     b"<< /Type /Page /Parent 2 0 R /F 4 0 R >>", filler])
    with pytest.raises(InvalidDocument):
        sandbox.inspect(hostile)
    assert not child.workdir.exists()  # the stopped reader's folder went with it
    assert sandbox.inspect(large).pages == 1  # a fresh child reads the next one


def test_the_childs_copy_is_a_new_file_never_a_name_the_child_made(tmp_path: Path) -> None:
    """The server writes a document's copy into a folder the child can write: a link the
    child left at that name is not followed (nor a file of its reused)."""
    target = tmp_path / "outside.txt"
    target.write_bytes(b"server's own file")
    trap = tmp_path / "copy.pdf"
    trap.symlink_to(target)
    with pytest.raises(FileExistsError):
        pool._write_new(trap, b"%PDF-1.7 document")
    assert target.read_bytes() == b"server's own file"
    fresh = tmp_path / "fresh.pdf"
    pool._write_new(fresh, b"%PDF-1.7 document")
    assert fresh.read_bytes() == b"%PDF-1.7 document"
    assert fresh.stat().st_mode & 0o777 == 0o600
