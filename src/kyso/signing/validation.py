"""Validating a signed PDF against kyso's root: who signed, when, whether the bytes are the
ones signed, whether the chain is trusted and not revoked, and at which PAdES level.

pyHanko does the work (with kyso's root as the only trust anchor and fresh OCSP/CRL answers
from kyso itself, in hard-fail mode: no revocation data, no trust). A signature whose
certificate is revoked or suspended *now* is then validated in the past (ETSI EN 319 102-1
§5.6.2.4, past signature validation): pyHanko validates it again at the time its signature
time stamp proves (the stamp itself checked now), with the document's DSS and kyso's
current revocation data read retroactively (a CRL or OCSP answer keeps a revocation's date).
If the certificate was still good then, the signature stays valid and the report says when
it was revoked or suspended: a customer who suspends the certificate of a lost phone keeps
every contract signed before. A signature without a time stamp (B-B: no proof of existence)
or stamped after the revocation is not valid. The report is plain
data for the API. A hostile or damaged file gives :class:`DamagedPdf`, never a crash; one
unreadable signature is reported as such, without hiding the others.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from asn1crypto import crl
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    PdfSignatureStatus,
    SignatureCoverageLevel,
    async_validate_pdf_signature,
    async_validate_pdf_timestamp,
)
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError, SignatureValidationError

from kyso.signing.document_errors import DamagedPdf
from kyso.signing.pades import run
from kyso.signing.pdf import PARSE_ERRORS, read_pdf
from kyso.signing.revinfo import KysoTrust

__all__ = ["SignatureReport", "TimestampReport", "ValidationReport", "Validator",
           "quiet_library_logs"]

_LIBRARY_LOGGERS = ("pyhanko", "pyhanko_certvalidator")

_ERRORS = (*PARSE_ERRORS, SignatureValidationError)
_WHOLE = ("none", "lta_updates")


@dataclass(frozen=True)
class SignatureReport:
    field: str
    integrity: str  # intact | tampered | unreadable
    trusted: bool  # the chain ends at kyso's root and is valid now
    revocation: str  # good | revoked | unknown
    valid: bool  # pyHanko's bottom line: intact, trusted, time stamp trusted, changes allowed
    signer: str | None = None  # the certificate's common name
    subject: str | None = None
    serial: str | None = None
    signing_time: datetime | None = None  # as claimed by the signer
    timestamp: datetime | None = None  # the signature time stamp's time, if any
    timestamp_trusted: bool | None = None
    revoked_at: datetime | None = None
    level: str | None = None  # B-B | B-T | B-LT | B-LTA
    coverage: str | None = None  # entire_file | entire_revision | …
    modifications: str | None = None  # none | lta_updates | form_filling | annotation | other
    entire_document: bool = False
    trust_problem: str | None = None  # the AdES subindication of the check at "now"
    # how the level was reached: no_timestamp | signature_timestamp | dss | document_timestamp
    level_reason: str | None = None
    revocation_reason: str | None = None  # key_compromise | certificate_hold | … (if revoked)
    # validation in the past, if revoked or suspended now: passed (valid at the proven time,
    # before the revocation) | no_proof_of_existence (no time stamp) | revoked_before_signing
    # | unreadable | another AdES subindication; None: not needed (not revoked)
    past_validation: str | None = None
    proven_at: datetime | None = None  # the time the signature is proven to exist (POE)


@dataclass(frozen=True)
class TimestampReport:
    field: str
    time: datetime | None
    integrity: str
    trusted: bool


@dataclass(frozen=True)
class ValidationReport:
    sha256: str
    signatures: tuple[SignatureReport, ...]
    timestamps: tuple[TimestampReport, ...]

    @property
    def valid(self) -> bool:
        return bool(self.signatures) and all(s.valid for s in self.signatures)

    def summary(self) -> str:
        """One line for the log: each signature's verdict and reason."""
        parts = [f"{s.field}: {s.integrity}, {'trusted' if s.trusted else 'untrusted'}"
                 + (f" ({s.trust_problem})" if s.trust_problem else "")
                 + (f", changed after signing ({s.modifications})"
                    if s.modifications not in (None, *_WHOLE) else "")
                 for s in self.signatures]
        return "; ".join(parts) or "no signature"


def quiet_library_logs() -> None:
    """pyHanko logs what it finds wrong in a document (an untrusted chain, a change after
    signing) as warnings with a traceback. For kyso that is bad input: the validation
    report says it, and :class:`~kyso.signing.documents.DocumentService` logs one line."""
    for name in _LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)


class Validator:
    def __init__(self, trust: KysoTrust) -> None:
        self._trust = trust

    def validate(self, data: bytes, at: datetime) -> ValidationReport:
        reader = read_pdf(data)
        try:
            signatures = list(reader.embedded_regular_signatures)
            stamps = list(reader.embedded_timestamp_signatures)
            revinfo = _has_revinfo(reader)
        except PARSE_ERRORS as exc:
            raise DamagedPdf(type(exc).__name__) from None
        stamp_reports = tuple(run(self._timestamp(s, at)) for s in stamps)
        later = [s.signed_revision for s, r in zip(stamps, stamp_reports, strict=True)
                 if r.trusted]
        reports = tuple(run(self._signature(s, at, revinfo, later)) for s in signatures)
        return ValidationReport(hashlib.sha256(data).hexdigest(), reports, stamp_reports)

    async def _signature(self, sig: EmbeddedPdfSignature, at: datetime, revinfo: bool,
                         stamps: Sequence[int]) -> SignatureReport:
        name = _field(sig)
        try:
            context = self._trust.context(at)
            status = await async_validate_pdf_signature(sig, context, context)
        except _ERRORS:
            return SignatureReport(name, "unreadable", False, "unknown", False)
        covered = any(revision > sig.signed_revision for revision in stamps)
        report = _report(name, status, _level(status, revinfo, covered))
        if report.integrity == "intact" and status.revocation_details is not None:
            report = await self._in_the_past(sig, at, revinfo, report)
        return report

    async def _in_the_past(self, sig: EmbeddedPdfSignature, at: datetime, revinfo: bool,
                           report: SignatureReport) -> SignatureReport:
        """The revoked (or suspended) signature, validated at the time its signature time
        stamp proves (kyso's TSA, trusted now): valid if the certificate was good then."""
        proven = report.timestamp if report.timestamp_trusted else None
        if proven is None:  # B-B: nothing proves the signature existed before the revocation
            return replace(report, past_validation="no_proof_of_existence")
        context = self._trust.context(proven, retroactive=True,
                                      dss=_dss(sig.reader) if revinfo else None)
        try:
            status = await async_validate_pdf_signature(sig, context, self._trust.context(at))
        except _ERRORS:
            return replace(report, past_validation="unreadable")
        passed = bool(status.bottom_line)
        past = ("passed" if passed else "revoked_before_signing" if status.revocation_details
                else _indication(status) or "failed")
        return replace(report, valid=passed, proven_at=proven, past_validation=past)

    async def _timestamp(self, sig: EmbeddedPdfSignature, at: datetime) -> TimestampReport:
        try:
            status = await async_validate_pdf_timestamp(sig, self._trust.context(at))
        except _ERRORS:
            return TimestampReport(_field(sig), None, "unreadable", False)
        intact = "intact" if status.intact and status.valid else "tampered"
        return TimestampReport(_field(sig), status.timestamp, intact, status.trusted)


def _report(name: str, status: PdfSignatureStatus, level: str) -> SignatureReport:
    cert = status.signing_cert
    stamp = status.timestamp_validity
    modifications = status.modification_level
    mods = modifications.name.lower() if modifications is not None else None
    coverage = status.coverage
    whole = coverage is SignatureCoverageLevel.ENTIRE_FILE or (
        coverage is SignatureCoverageLevel.ENTIRE_REVISION and mods in _WHOLE)
    revoked = status.revocation_details
    return SignatureReport(
        field=name,
        integrity="intact" if status.intact and status.valid else "tampered",
        trusted=status.trusted,
        revocation="revoked" if revoked else ("good" if status.trusted else "unknown"),
        valid=status.bottom_line,
        signer=cert.subject.native.get("common_name"),
        subject=cert.subject.human_friendly,
        serial=f"{cert.serial_number:x}",
        signing_time=status.signer_reported_dt,
        timestamp=stamp.timestamp if stamp else None,
        timestamp_trusted=stamp.trusted if stamp else None,
        revoked_at=revoked.revocation_date if revoked else None,
        revocation_reason=_reason(revoked.revocation_reason) if revoked else None,
        level=level,
        coverage=coverage.name.lower() if coverage is not None else None,
        modifications=mods,
        entire_document=whole,
        trust_problem=_indication(status),
        level_reason=_LEVEL_REASONS[level],
    )


def _dss(reader: PdfFileReader) -> DocumentSecurityStore | None:
    try:
        return DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return None


def _reason(reason: crl.CRLReason) -> str:
    return str(reason.native) if reason.native else "unspecified"


def _level(status: PdfSignatureStatus, revinfo: bool, stamped_after: bool) -> str:
    """The baseline level the file shows for this signature (ETSI EN 319 142-1 §6)."""
    if status.timestamp_validity is None and not stamped_after:
        return "B-B"
    if not revinfo:
        return "B-T"
    return "B-LTA" if stamped_after else "B-LT"


_LEVEL_REASONS = {"B-B": "no_timestamp", "B-T": "signature_timestamp", "B-LT": "dss",
                  "B-LTA": "document_timestamp"}


def _has_revinfo(reader: PdfFileReader) -> bool:
    if "/DSS" not in reader.root:
        return False
    dss = reader.root["/DSS"]  # item access resolves indirect objects
    return any(key in dss and len(dss[key]) > 0 for key in ("/OCSPs", "/CRLs"))


def _indication(status: PdfSignatureStatus) -> str | None:
    """The AdES subindication (ETSI EN 319 102-1) of a trust problem, e.g. REVOKED_NO_POE."""
    problem = status.trust_problem_indic
    return str(problem.standard_name) if problem is not None else None


def _field(sig: EmbeddedPdfSignature) -> str:
    return str(sig.field_name)
