"""PAdES baseline signatures (B-B, B-T, B-LT, B-LTA) with pyHanko, through a kyso signer.

:class:`PadesEngine` turns a PDF into a signed PDF; the raw signature comes from the
:class:`~kyso.signing.cms.CredentialSigner` it is given (so from the SAD-checked path).
B-T takes a signature time stamp from kyso's TSA; B-LT validates the signer's chain first
(kyso's root, fresh OCSP/CRL from kyso itself) and writes that data into the document
security store; B-LTA adds a document time stamp over it. Space for the CMS is computed,
so pyHanko's dry-run size estimate is skipped. Times come from the caller's clock.

An uploaded PDF is signed in two places (pyHanko's interrupted signing), so that the server
never parses it: :func:`prepare_pades` runs in the sandbox's child (it opens the file, adds
the field, the stamp and the placeholder, and hands out the bytes it appended), the parent
checks those bytes, hashes the byte range itself, builds and signs the CMS
(:meth:`PadesEngine.cms`) and splices it in (:func:`splice`); B-LT/B-LTA additions (DSS,
document time stamp) are made by the child again, from the CMS the parent gives it.
:meth:`PadesEngine.sign` (everything in-process) is for kyso's own PDFs only.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import io
import logging
import tempfile
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn, TypeVar

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign.fields import MDPPerm, SigFieldSpec, SigSeedSubFilter, append_signature_field
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes, Signer
from pyhanko.sign.signers.pdf_signer import (
    PdfSignatureMetadata,
    PdfSigner,
    PdfSigningSession,
    PdfTBSDocument,
)
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError
from pyhanko_certvalidator.registry import SimpleCertificateStore

from kyso.errors import KysoError
from kyso.signing.cms import CredentialSigner
from kyso.signing.document import Level, SignOptions
from kyso.signing.document_errors import (
    DamagedPdf,
    InvalidDocument,
    RevocationUnavailable,
    SigningFailed,
)
from kyso.signing.pdf import PARSE_ERRORS, PdfInfo, describe_pdf, read_pdf_stream
from kyso.signing.revinfo import KysoTrust
from kyso.signing.source import Source, chunks, open_source, read_all, size_of
from kyso.signing.stamp import (
    field_spec,
    local_time,
    page_rotation,
    stamp_params,
    stamp_style,
)

__all__ = ["Exchange", "FieldPlan", "Finisher", "PadesEngine", "PadesJob", "PadesRequest",
           "Prepared", "byte_range_digest", "prepare_pades", "run", "splice", "splice_tail",
           "translated"]

log = logging.getLogger(__name__)
T = TypeVar("T")
_CMS_OVERHEAD = 4096  # signed attributes, algorithm identifiers, SignerInfo framing
_SIGNATURE_ALLOWANCE = 1024  # RSA up to 8192 bits, any ECDSA curve
_TIMESTAMP_ALLOWANCE = 8192  # kyso's time-stamp token: TSA certificate + signature + TSTInfo
_IN_MEMORY = 8 * 1024 * 1024  # a file up to this size is prepared in memory, larger on disk
_REVINFO_ERRORS = (TimestampRequestError, PathBuildingError, PathValidationError)


@dataclass(frozen=True)
class PadesJob:
    pdf: bytes
    info: PdfInfo
    field_name: str
    options: SignOptions
    at: datetime
    image: bytes | None = None  # the signature image's PNG, for a visible stamp
    certify: bool = False  # a certification signature (DocMDP P=2: forms and signatures)
    verify_url: str | None = None  # the public verification page (``/v/<id>``)


class _ClockedPdfSigner(PdfSigner):
    """pyHanko's signer, with the signing time taken from kyso's clock (the stamp shows it,
    the CMS signing-time attribute carries it)."""

    def __init__(self, *args: Any, at: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._at = at

    def init_signing_session(self, pdf_out: BasePdfFileWriter,
                             existing_fields_only: bool = False) -> PdfSigningSession:
        session = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = local_time(self._at)
        return session


class PadesEngine:
    def __init__(self, trust: KysoTrust) -> None:
        self._trust = trust

    def sign(self, job: PadesJob, signer: CredentialSigner, signer_name: str) -> bytes:
        """The signed PDF; errors translated (:func:`translated`)."""
        with translated():
            return run(self.async_sign(job, signer, signer_name))

    async def async_sign(self, job: PadesJob, signer: CredentialSigner,
                         signer_name: str) -> bytes:
        options = job.options
        writer = IncrementalPdfFileWriter(io.BytesIO(job.pdf), strict=False)
        output = await self._pdf_signer(job, signer, _rotation(writer, options)).async_sign_pdf(
            writer, bytes_reserved=reserve(signer, options.level),
            appearance_text_params=stamp_params(signer_name, options) if options.visible
            else None)
        signed: bytes = output.getvalue()
        return signed

    def _pdf_signer(self, job: PadesJob, signer: Signer, rotation: int = 0) -> PdfSigner:
        options = job.options
        stamped = options.visible
        return _ClockedPdfSigner(
            self._metadata(job), signer, at=job.at,
            timestamper=self._trust.timestamper if options.level.timestamped else None,
            stamp_style=stamp_style(options, job.image, rotation, job.verify_url)
            if stamped else None,
            new_field_spec=field_spec(job.field_name, options, job.info.last_page_box)
            if stamped
            else None)

    def _metadata(self, job: PadesJob) -> PdfSignatureMetadata:
        level, options = job.options.level, job.options
        context = self._trust.context(job.at) if level.long_term else None
        return PdfSignatureMetadata(
            field_name=job.field_name, md_algorithm="sha256",
            subfilter=SigSeedSubFilter.PADES, reason=options.reason, location=options.location,
            embed_validation_info=level.long_term, validation_context=context,
            use_pades_lta=level is Level.B_LTA, certify=job.certify,
            docmdp_permissions=MDPPerm.FILL_FORMS)


    def cms(self, signer: CredentialSigner, digest: bytes, level: Level, at: datetime) -> bytes:
        """The CMS (DER) over a PDF's byte-range ``digest`` (SHA-256), PAdES style: as
        pyHanko's own signing builds it, with the signature time stamp from B-T on."""
        with translated():
            content = run(signer.async_sign(
                digest, "sha256", use_pades=True,
                timestamper=self._trust.timestamper if level.timestamped else None,
                signed_attr_settings=PdfCMSSignedAttributes(signing_time=local_time(at))))
        der: bytes = content.dump()
        return der


def reserve(signer: CredentialSigner, level: Level) -> int:
    """Bytes for the CMS (pyHanko writes it as hex, twice as long): the chain, the
    signature (with room to spare), the attributes and, from B-T on, the time stamp."""
    certs = [signer.signing_cert, *signer.cert_registry]
    size = sum(len(c.dump()) for c in certs) + _SIGNATURE_ALLOWANCE + _CMS_OVERHEAD
    if level.timestamped:
        size += _TIMESTAMP_ALLOWANCE
    return 2 * size


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run pyHanko's coroutine to the end (callers are synchronous, in worker threads).
    A loop that cannot start (a process shutting down) raises here and the coroutine,
    never started, is closed rather than left to warn when it is collected."""
    try:
        return asyncio.run(coroutine)
    finally:
        coroutine.close()


@contextmanager
def translated() -> Iterator[None]:
    """pyHanko's failures as kyso errors; kyso's own (an invalid SAD …) pass through."""
    try:
        yield
    except KysoError:
        raise
    except _REVINFO_ERRORS as exc:
        raise RevocationUnavailable(type(exc).__name__) from exc
    except SigningError as exc:
        if isinstance(exc.__cause__, _REVINFO_ERRORS):
            raise RevocationUnavailable(type(exc.__cause__).__name__) from exc
        log.warning("pyHanko refused to sign: %s", exc)
        raise SigningFailed(str(exc)[:200]) from exc
    except PARSE_ERRORS as exc:
        raise DamagedPdf(type(exc).__name__) from exc
    except Exception as exc:  # a hostile file must never surface as a 500
        log.exception("pyHanko failed unexpectedly")
        raise SigningFailed(type(exc).__name__) from exc


# -- an uploaded PDF: prepared and finished in the sandbox, signed in the server ------------
@dataclass(frozen=True)
class PadesRequest:
    """What the sandbox needs to prepare an uploaded PDF for signing: public data only.
    ``pdf`` is the bytes or (a large upload) the file holding them."""

    pdf: Source
    field_name: str
    options: SignOptions
    at: datetime
    signer_name: str
    chain: tuple[bytes, ...]  # DER, the signer's certificate first
    reserve: int  # bytes for the CMS, as hex (see :func:`reserve`)
    image: bytes | None = None
    certify: bool = False  # several signers: the first is a certification (DocMDP P=2)
    fields: tuple[FieldPlan, ...] = ()  # several signers: empty fields made before signing
    verify_url: str | None = None  # the public verification page, as a QR code in the stamp


@dataclass(frozen=True)
class Prepared:
    """The PDF ready to sign: the bytes appended to the original (field, stamp, signature
    dictionary with a zeroed ``/Contents``) and where that placeholder lies, ``<`` to ``>``
    (offsets in the whole file)."""

    tail: bytes
    start: int
    end: int


@dataclass(frozen=True)
class FieldPlan:
    """An empty signature field made up front (several signers): its name, page (1-based)
    and box in PDF user space."""

    name: str
    page: int
    box: tuple[float, float, float, float]


Exchange = Callable[[Prepared], bytes]
"""Given a prepared PDF, the CMS (DER) to put in it (the server's side of the signing)."""


@functools.lru_cache(maxsize=64)
def _certificates(chain: tuple[bytes, ...]) -> tuple[asn1_x509.Certificate,
                                                     SimpleCertificateStore]:
    """The signer's certificate and the store of its CA certificates, made once per chain
    in a (long-lived, one-file-at-a-time) sandbox child: registering them costs a few ms."""
    certs = [asn1_x509.Certificate.load(der) for der in chain]
    return certs[0], SimpleCertificateStore.from_certs(certs[1:])  # type: ignore[no-untyped-call]  # pyhanko-certvalidator is untyped here


class _CertificateOnly(Signer):
    """The signer as the sandbox knows it: its certificates, no key."""

    def __init__(self, chain: tuple[bytes, ...]) -> None:
        certificate, store = _certificates(chain)
        super().__init__(signing_cert=certificate, cert_registry=store, embed_roots=True)

    async def async_sign_raw(self, data: bytes, digest_algorithm: str,
                             dry_run: bool = False) -> bytes:
        raise SigningFailed("the sandbox holds no key")


def _rotation(writer: IncrementalPdfFileWriter, options: SignOptions) -> int:
    """The /Rotate of the page a visible stamp goes on (0 without a stamp)."""
    if not options.visible:
        return 0
    page = options.page - 1 if options.page is not None else -1
    page_ref, _ = writer.find_page_for_modification(page)  # type: ignore[no-untyped-call]
    return page_rotation(page_ref.get_object())


def prepare_pades(request: PadesRequest, trust: KysoTrust,
                  exchange: Exchange) -> Prepared | bytes:
    """In the sandbox: prepare ``request.pdf``. At B-B/B-T nothing follows the signature:
    the :class:`Prepared` file, for the server to finish alone (one round trip). At
    B-LT/B-LTA: get the CMS through ``exchange``, add the DSS and the document time stamp,
    and return what follows the original bytes in the final file."""
    with translated():
        return run(_prepare(request, trust, exchange))


async def _prepare(request: PadesRequest, trust: KysoTrust,
                   exchange: Exchange) -> Prepared | bytes:
    options, size = request.options, size_of(request.pdf)
    pdf = request.pdf if size > _IN_MEMORY else read_all(request.pdf)  # small: in memory
    with open_source(pdf) as source, _scratch(pdf) as output:
        reader = read_pdf_stream(source)  # parsed once: checked, described, then extended
        job = PadesJob(b"", describe_pdf(reader), request.field_name, options, request.at,
                       request.image, certify=request.certify, verify_url=request.verify_url)
        writer = IncrementalPdfFileWriter.from_reader(reader)
        for plan in request.fields:  # in the same update as the first signature, covered by it
            append_signature_field(writer, SigFieldSpec(
                plan.name, on_page=plan.page - 1,
                box=tuple(round(v) for v in plan.box)))  # type: ignore[arg-type]
        session = PadesEngine(trust)._pdf_signer(job, _CertificateOnly(request.chain),
                                                 _rotation(writer, options)) \
            .init_signing_session(writer)
        presign = await session.perform_presign_validation(writer)
        tbs = session.prepare_tbs_document(
            validation_info=presign, bytes_reserved=request.reserve,
            appearance_text_params=stamp_params(request.signer_name, options,
                                                request.verify_url)
            if options.visible else None)
        digested, _ = tbs.digest_tbs_document(output=output)
        if not _extends(output, pdf):
            raise SigningFailed("the update does not extend the original")
        prepared = Prepared(_rest(output, size), digested.reserved_region_start,
                            digested.reserved_region_end)
        if tbs.post_sign_instructions is None:
            return prepared
        der = exchange(prepared)
        finishing = PdfTBSDocument.resume_signing(output, digested, der,
                                                  tbs.post_sign_instructions,
                                                  tbs.validation_context)
        await finishing.post_signature_processing(output)
        return _rest(output, size)


def _scratch(pdf: Source) -> io.BufferedRandom | io.BytesIO:
    """Where pyHanko writes the whole updated file: memory for small bytes, a temporary
    file for a file (so a large document is not held twice more)."""
    if isinstance(pdf, bytes) and len(pdf) <= _IN_MEMORY:
        return io.BytesIO()
    return tempfile.TemporaryFile()


def _extends(output: io.BufferedRandom | io.BytesIO, pdf: Source) -> bool:
    """Does ``output`` begin with ``pdf`` (compared in chunks)?"""
    output.seek(0)  # bytes against bytes: a memoryview compares item by item (30 x slower)
    return all(output.read(len(part)) == bytes(part) for part in chunks(pdf))


def _rest(output: io.BufferedRandom | io.BytesIO, start: int) -> bytes:
    output.seek(start)
    return output.read()


def byte_range_digest(pdf: Source, prepared: Prepared, sha256: str | None = None) -> bytes:
    """SHA-256 of the prepared file outside its placeholder, computed by the server from
    the original it holds (read in chunks) and the tail the sandbox appended;
    InvalidDocument when the placeholder is not a zeroed hex string inside that tail, or
    (``sha256`` given) when the original read is not the file with that SHA-256."""
    return _byte_range(pdf, prepared, sha256)[0]


def _byte_range(pdf: Source, prepared: Prepared, sha256: str | None,
                hashed: Any = None) -> tuple[bytes, Any]:
    """:func:`byte_range_digest`, and the SHA-256 state after the original (for the whole
    signed file's hash without reading the original again). ``hashed``: that state
    already, when the caller hashed ``pdf`` — bytes in the server's memory, which nothing
    else can change (a file could change under the server: it is read and checked)."""
    n, tail = size_of(pdf), prepared.tail
    start, end = prepared.start - n, prepared.end - n
    if not (start >= 0 and start + 4 <= end <= len(tail)) or \
            tail[start:end] != b"<" + b"0" * (end - start - 2) + b">":
        _refuse("the placeholder is not a zeroed hex string in the appended bytes")
    if hashed is not None and isinstance(pdf, bytes):
        digest = hashed.copy()
    else:
        digest = hashlib.sha256()
        for part in chunks(pdf):
            digest.update(part)
    original = digest.copy()
    if sha256 is not None and original.hexdigest() != sha256:  # one pass, three answers
        _refuse("the original changed under the server")
    digest.update(memoryview(tail)[:start])
    digest.update(memoryview(tail)[end:])
    return digest.digest(), original


def splice_tail(size: int, prepared: Prepared, der: bytes) -> bytes:
    """What follows the original (of ``size`` bytes) in the signed file: the prepared tail
    with the CMS written into its placeholder (upper-case hex, zero-padded, as pyHanko
    writes it), by offset, without parsing."""
    start, end = prepared.start - size + 1, prepared.end - size - 1
    content = der.hex().upper().encode()
    if len(content) > end - start:
        raise SigningFailed("the signature does not fit its placeholder")
    tail = prepared.tail
    return b"".join([tail[:start], content, tail[start + len(content):]])


def splice(pdf: bytes, prepared: Prepared, der: bytes) -> bytes:
    """The whole signed file (:func:`splice_tail` after ``pdf``)."""
    return pdf + splice_tail(len(pdf), prepared, der)


class Finisher:
    """The server's side of signing an uploaded PDF: it signs a prepared file once (``cms``
    over the byte-range digest it computes), splices the CMS in and makes the final file
    — as the tail that follows the original (:meth:`finish_tail`), so that a large file is
    written out in chunks and never joined in memory."""

    def __init__(self, request: PadesRequest, cms: Callable[[bytes], bytes],
                 sha256: str | None = None, hashed: Any = None) -> None:
        """``hashed``: the SHA-256 state after ``request.pdf`` when it is bytes the caller
        has just hashed (no second pass over them, :func:`_byte_range`)."""
        self._request, self._cms, self._sha256 = request, cms, sha256
        self._hashed = hashed
        self._signed: bytes | None = None  # the tail after the splice
        self._original: Any = None  # SHA-256 state after the original's bytes

    def exchange(self, prepared: Prepared) -> bytes:
        """The CMS for ``prepared`` (the :data:`Exchange` the sandbox may ask once)."""
        if self._signed is not None:
            _refuse("a second signature asked for one file")
        pdf = self._request.pdf
        digest, self._original = _byte_range(pdf, prepared, self._sha256, self._hashed)
        der = self._cms(digest)
        self._signed = splice_tail(size_of(pdf), prepared, der)
        return der

    def signed_sha256(self, tail: bytes) -> str:
        """SHA-256 (hex) of the final file, the original followed by ``tail`` (from
        :meth:`finish_tail`), from the state :meth:`exchange` kept: the original is hashed
        once per signature, for the byte range and for the record."""
        if self._original is None:
            _refuse("no signature was made")
        whole = self._original.copy()
        whole.update(tail)
        return str(whole.hexdigest())

    def finish_tail(self, outcome: Prepared | bytes) -> bytes:
        """What follows the original in the final file, from the sandbox's ``outcome``: a
        :class:`Prepared` file (B-B, B-T), signed and spliced here; or (B-LT/B-LTA, after
        the sandbox asked :meth:`exchange`) the whole tail again, which must begin with this
        splice, then the DSS and the document time stamp."""
        long_term = self._request.options.level.long_term
        if isinstance(outcome, Prepared):
            if long_term or self._signed is not None:
                _refuse("a prepared file where the level needs the sandbox's finish")
            self.exchange(outcome)
            assert self._signed is not None
            return self._signed
        signed = self._signed
        if not long_term or signed is None:
            _refuse("bytes after the signature where the level has none")
        if len(outcome) <= len(signed) or outcome[:len(signed)] != signed:
            _refuse("the finished file does not begin with the server's splice")
        return outcome

    def finish(self, outcome: Prepared | bytes) -> bytes:
        """The whole final file (the original joined with :meth:`finish_tail`)."""
        tail = self.finish_tail(outcome)
        pdf = self._request.pdf
        return (pdf.read_bytes() if not isinstance(pdf, bytes) else pdf) + tail


def _refuse(why: str) -> NoReturn:
    log.warning("the sandbox's signing answer refused: %s", why)
    raise InvalidDocument()
