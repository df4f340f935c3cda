"""The port through which untrusted PDFs are read: a box that a hostile file cannot break.

A PDF from a customer, a CSC client or anyone calling ``/validate`` is first read by a
:class:`PdfSandbox`: bytes in, a small result out (:class:`~kyso.signing.pdf.PdfInfo`, the
number of signatures, the pages' :class:`~kyso.signing.pages.Layout` or one page as a PNG),
or one of the documents' errors; PDFium (page previews) runs nowhere else. The production
adapter (``kyso.adapters.sandbox``) runs the reading in child processes with CPU-time, memory and
wall-clock limits and no key material; a file that exhausts them is refused with
:class:`~kyso.signing.document_errors.InvalidDocument`. Only files that came through the box
are then opened by pyHanko in the server itself (to sign or validate them).
kyso's own PDFs (the onboarding contract it generated) are read in-process, with
:func:`~kyso.signing.pdf.inspect_pdf`.
"""

from __future__ import annotations

from typing import Protocol

from kyso.signing.pages import Layout
from kyso.signing.pdf import PdfInfo

__all__ = ["PdfSandbox"]


class PdfSandbox(Protocol):
    def inspect(self, data: bytes) -> PdfInfo:
        """What signing ``data`` needs (:func:`~kyso.signing.pdf.inspect_pdf`)."""
        ...

    def survey(self, data: bytes) -> int:
        """Walk what validating ``data`` walks (:func:`~kyso.signing.pdf.survey_pdf`)."""
        ...

    def layout(self, data: bytes) -> Layout:
        """The pages' boxes and the stamp's free spot (:func:`~kyso.signing.pages.
        layout_pdf`)."""
        ...

    def render(self, data: bytes, page: int) -> bytes:
        """Page ``page`` (1-based) as a PNG (:func:`~kyso.signing.pages.render_page`)."""
        ...

