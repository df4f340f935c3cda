"""The port through which untrusted PDFs and XML are read: a box that a hostile file cannot
break.

A PDF from a customer, a CSC client or anyone calling ``/validate`` is only ever parsed by
a :class:`PdfSandbox`: bytes in (or, for a large file, its path: the child reads it), a
small result out (:class:`~kyso.signing.pdf.PdfInfo`, the pages'
:class:`~kyso.signing.pages.Layout`, one page as a PNG, a
:class:`~kyso.signing.validation.ValidationReport`, the bytes a signature appends), or one of
the documents' errors; PDFium (page previews) and pyHanko (reading, validating, preparing a
signature) run nowhere else on such a file. The production adapter (``kyso.adapters.sandbox``)
runs them in child processes with CPU-time, memory and wall-clock limits and no key material;
a file that exhausts them, or a child that answers nonsense, is refused with
:class:`~kyso.signing.document_errors.InvalidDocument`. What a child needs from the server
(kyso's CA certificates, CRLs, OCSP answers, time stamps: the public ``/pki`` endpoints; and
the CMS for a prepared signature) it asks for while it works. kyso's own PDFs (the onboarding
contract it generated) are read and sealed in-process.

An uploaded XML document is read there too: :meth:`PdfSandbox.check_xml` (the safe reader,
:func:`~kyso.signing.xml_input.parse_xml`, under the child's time and memory limits) before
it is stored or signed, and :meth:`PdfSandbox.validate_xml` (the XAdES validator) for
``/validate``. A document the child cannot read in its limits is
:class:`~kyso.signing.xml_input.UnsafeXml`. XAdES signing itself stays in the server, on a
document the child admitted (so within the reader's limits): a child must never hold a
signing oracle, and the server could not check what a child asked it to sign without
parsing the document itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from kyso.signing.pades import Exchange, PadesRequest, Prepared
from kyso.signing.pages import Layout
from kyso.signing.pdf import PdfInfo
from kyso.signing.source import Source
from kyso.signing.validation import ValidationReport

__all__ = ["PdfSandbox"]


class PdfSandbox(Protocol):
    def inspect(self, data: Source) -> PdfInfo:
        """What signing ``data`` needs (:func:`~kyso.signing.pdf.inspect_pdf`)."""
        ...

    def validate(self, data: Source, at: datetime) -> ValidationReport:
        """The signatures in ``data`` validated at ``at`` against kyso's root
        (:class:`~kyso.signing.validation.Validator`)."""
        ...

    def check_xml(self, data: Source) -> int:
        """``data`` read by :func:`~kyso.signing.xml_input.parse_xml` (no DTD, entities,
        PIs; bounded depth, elements, attributes): its element count, or
        :class:`~kyso.signing.xml_input.NotXml` / :class:`~kyso.signing.xml_input.UnsafeXml`."""
        ...

    def validate_xml(self, data: Source, at: datetime) -> ValidationReport:
        """The XAdES signatures in ``data`` validated at ``at`` against kyso's root
        (:class:`~kyso.signing.xades_validation.XadesValidator`)."""
        ...

    def sign(self, request: PadesRequest, exchange: Exchange) -> Prepared | bytes:
        """Prepare ``request.pdf`` for signing and, from B-LT on, get the CMS from
        ``exchange`` and add the DSS and document time stamp
        (:func:`~kyso.signing.pades.prepare_pades`), for
        :meth:`~kyso.signing.pades.Finisher.finish`."""
        ...

    def layout(self, data: Source) -> Layout:
        """The pages' boxes and the stamp's free spot (:func:`~kyso.signing.pages.
        layout_pdf`)."""
        ...

    def render(self, data: Source, page: int) -> bytes:
        """Page ``page`` (1-based) as a PNG (:func:`~kyso.signing.pages.render_page`)."""
        ...

