"""PAdES baseline signatures (B-B, B-T, B-LT, B-LTA) with pyHanko, through a kyso signer.

:class:`PadesEngine` turns a PDF into a signed PDF; the raw signature comes from the
:class:`~kyso.signing.cms.CredentialSigner` it is given (so from the SAD-checked path).
B-T takes a signature time stamp from kyso's TSA; B-LT validates the signer's chain first
(kyso's root, fresh OCSP/CRL from kyso itself) and writes that data into the document
security store; B-LTA adds a document time stamp over it. Space for the CMS is computed,
so pyHanko's dry-run size estimate is skipped. Times come from the caller's clock.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_signer import (
    PdfSignatureMetadata,
    PdfSigner,
    PdfSigningSession,
)
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

from kyso.errors import KysoError
from kyso.signing.cms import CredentialSigner
from kyso.signing.document import Level, SignOptions
from kyso.signing.document_errors import DamagedPdf, RevocationUnavailable, SigningFailed
from kyso.signing.pdf import PARSE_ERRORS, PdfInfo
from kyso.signing.revinfo import KysoTrust
from kyso.signing.stamp import (
    field_spec,
    local_time,
    page_rotation,
    stamp_params,
    stamp_style,
)

__all__ = ["PadesEngine", "PadesJob", "run", "translated"]

log = logging.getLogger(__name__)
T = TypeVar("T")
_CMS_OVERHEAD = 4096  # signed attributes, algorithm identifiers, SignerInfo framing
_SIGNATURE_ALLOWANCE = 1024  # RSA up to 8192 bits, any ECDSA curve
_TIMESTAMP_ALLOWANCE = 8192  # kyso's time-stamp token: TSA certificate + signature + TSTInfo
_REVINFO_ERRORS = (TimestampRequestError, PathBuildingError, PathValidationError)


@dataclass(frozen=True)
class PadesJob:
    pdf: bytes
    info: PdfInfo
    field_name: str
    options: SignOptions
    at: datetime
    image: bytes | None = None  # the signature image's PNG, for a visible stamp


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
        rotation = 0
        if options.visible:
            page = options.page - 1 if options.page is not None else -1
            page_ref, _ = writer.find_page_for_modification(page)  # type: ignore[no-untyped-call]
            rotation = page_rotation(page_ref.get_object())
        output = await self._pdf_signer(job, signer, rotation).async_sign_pdf(
            writer, bytes_reserved=reserve(signer, options.level),
            appearance_text_params=stamp_params(signer_name, options) if options.visible
            else None)
        signed: bytes = output.getvalue()
        return signed

    def _pdf_signer(self, job: PadesJob, signer: CredentialSigner, rotation: int) -> PdfSigner:
        options = job.options
        stamped = options.visible
        return _ClockedPdfSigner(
            self._metadata(job), signer, at=job.at,
            timestamper=self._trust.timestamper if options.level.timestamped else None,
            stamp_style=stamp_style(options, job.image, rotation) if stamped else None,
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
            use_pades_lta=level is Level.B_LTA)


def reserve(signer: CredentialSigner, level: Level) -> int:
    """Bytes for the CMS (pyHanko writes it as hex, twice as long): the chain, the
    signature (with room to spare), the attributes and, from B-T on, the time stamp."""
    certs = [signer.signing_cert, *signer.cert_registry]
    size = sum(len(c.dump()) for c in certs) + _SIGNATURE_ALLOWANCE + _CMS_OVERHEAD
    if level.timestamped:
        size += _TIMESTAMP_ALLOWANCE
    return 2 * size


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run pyHanko's coroutine to the end (callers are synchronous, in worker threads)."""
    return asyncio.run(coroutine)


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
