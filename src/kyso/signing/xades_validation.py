"""Validating the XAdES signatures of an XML document against kyso's root.

For each ``ds:Signature``: signxml's XAdES verifier checks the references, the signature
value (with the certificate in ``ds:KeyInfo``) and the ``SigningCertificateV2`` digest;
pyhanko-certvalidator checks that certificate's chain to kyso's root with fresh answers
from kyso's OCSP responder and CRLs (hard-fail); pyHanko checks the signature time stamp
(its imprint must be the SHA-256 of the canonical ``ds:SignatureValue``, its chain kyso's).
The level reached: B-B, B-T (a trusted time stamp), B-LT (and the certificate and
revocation values), B-LTA (and archive time stamps, each intact over what it covers —
:func:`~kyso.signing.xades.archive_input` — and trusted).

A signature whose certificate is revoked or suspended *now* is validated in the past, as
PDFs are (:mod:`kyso.signing.validation`; ETSI EN 319 102-1 §5.6.2.4): at the time its
signature time stamp proves (the stamp itself checked now), with the signature's own
``CertificateValues``/``RevocationValues`` and kyso's current revocation data read
retroactively. If the certificate was good then, the signature stays valid and the report
says when and why it was revoked; without a time stamp (B-B: no proof of existence), or
stamped after the revocation, it is not valid.

When a document carries several signatures, each is checked on a copy without the others
(an e-invoice's seller, buyer and tax authority each sign ``DLHDon``, outside the others).
The XML is read by :func:`~kyso.signing.xml_input.parse_xml` (no DTD, no entities), and an
uploaded one only ever in the sandbox's children (``validate_xml``): a signature with
thousands of references to a large element costs the verifier time in proportion, and only
a child's CPU limit bounds it.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from asn1crypto import cms, crl, ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from lxml import etree
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError, RevokedError
from signxml.exceptions import InvalidInput as SignxmlInvalid
from signxml.exceptions import InvalidSignature
from signxml.xades.xades import XAdESSignatureConfiguration, XAdESVerifier

from kyso.signing.pades import run
from kyso.signing.revinfo import Embedded, KysoTrust
from kyso.signing.validation import SignatureReport, ValidationReport
from kyso.signing.xades import NS, archive_input
from kyso.signing.xml_input import parse_xml

__all__ = ["XadesValidator", "looks_like_xml"]

_SIGNATURE = f"{{{NS['ds']}}}Signature"


def looks_like_xml(data: bytes) -> bool:
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") or data.startswith((b"\xff\xfe", b"\xfe\xff"))


class XadesValidator:
    def __init__(self, trust: KysoTrust) -> None:
        self._trust = trust

    def validate(self, data: bytes, at: datetime) -> ValidationReport:
        tree = parse_xml(data)
        count = len(list(tree.getroot().iter(_SIGNATURE)))
        reports = tuple(self._one(tree, n, at) for n in range(count))
        return ValidationReport(hashlib.sha256(data).hexdigest(), reports, ())

    def _one(self, tree: etree._ElementTree, n: int, at: datetime) -> SignatureReport:
        alone = _alone(tree, n)
        signature = next(alone.getroot().iter(_SIGNATURE))
        name = signature.get("Id") or f"Signature-{n + 1}"
        certs = _certificates(signature)
        if not certs:
            return SignatureReport(name, "unreadable", False, "unknown", False)
        leaf = certs[0]
        integrity = _integrity(alone, signature, leaf, at)
        embedded = _embedded(signature, certs[1:])
        trusted, problem, revoked = run(self._chain(leaf, embedded, self._trust.context(at)))
        stamp_time, stamp_ok = run(self._timestamp(signature, at))
        archive_ok = run(self._archives(signature, at))
        long_term = bool(signature.xpath(".//xades:RevocationValues", namespaces=NS))
        level = "B-B" if stamp_time is None else ("B-LT" if long_term else "B-T")
        if level == "B-LT" and archive_ok is not None:
            level = "B-LTA"
        valid = integrity == "intact" and trusted and stamp_ok is not False \
            and archive_ok is not False
        claimed = signature.xpath(".//xades:SigningTime/text()", namespaces=NS)
        report = SignatureReport(
            name, integrity, trusted,
            "revoked" if revoked else ("good" if trusted else "unknown"), valid,
            signer=_common_name(leaf),
            subject=leaf.subject.human_friendly, serial=format(leaf.serial_number, "x"),
            signing_time=_time(claimed), timestamp=stamp_time, timestamp_trusted=stamp_ok,
            revoked_at=revoked.revocation_dt if revoked else None,
            revocation_reason=_reason(revoked) if revoked else None,
            level=level, coverage="entire_document" if _whole(signature) else "reference",
            entire_document=_whole(signature), trust_problem=problem,
            level_reason={"B-B": "no_timestamp", "B-T": "signature_timestamp",
                          "B-LT": "certificate_and_revocation_values",
                          "B-LTA": "archive_timestamp"}[level])
        if integrity == "intact" and revoked is not None:
            proven = stamp_time if stamp_ok else None
            report = self._in_the_past(report, leaf, embedded, proven)
            if archive_ok is False:
                report = replace(report, valid=False)
        return report

    def _in_the_past(self, report: SignatureReport, leaf: asn1_x509.Certificate,
                     embedded: Embedded, proven: datetime | None) -> SignatureReport:
        """The revoked (or suspended) signature, validated at the time its signature time
        stamp proves (kyso's TSA, trusted now): valid if the certificate was good then."""
        if proven is None:  # B-B: nothing proves the signature existed before the revocation
            return replace(report, past_validation="no_proof_of_existence")
        context = self._trust.context(proven, retroactive=True, embedded=embedded)
        passed, problem, revoked = run(self._chain(leaf, embedded, context))
        past = ("passed" if passed else "revoked_before_signing" if revoked
                else problem or "failed")
        return replace(report, valid=passed, proven_at=proven, past_validation=past)

    async def _chain(self, leaf: asn1_x509.Certificate, embedded: Embedded,
                     context: ValidationContext) -> tuple[bool, str | None, RevokedError | None]:
        """Whether the chain is trusted in ``context``; the AdES subindication if not, and
        the revocation if that is why."""
        validator = CertificateValidator(leaf, intermediate_certs=list(embedded.certs),
                                         validation_context=context)
        try:
            await validator.async_validate_usage(set())  # type: ignore[no-untyped-call]  # pyhanko-certvalidator is untyped here
        except RevokedError as exc:
            return False, "REVOKED_NO_POE", exc
        except (PathBuildingError, PathValidationError) as exc:
            return False, type(exc).__name__, None
        return True, None, None

    async def _timestamp(self, signature: etree._Element,
                         at: datetime) -> tuple[datetime | None, bool | None]:
        tokens = signature.xpath(".//xades:SignatureTimeStamp/xades:EncapsulatedTimeStamp",
                                 namespaces=NS)
        if not tokens:
            return None, None
        value = signature.find(f"{{{NS['ds']}}}SignatureValue")
        c14n = etree.tostring(value, method="c14n") if value is not None else b""
        return await self._token(tokens[0], lambda: c14n, at)

    async def _archives(self, signature: etree._Element, at: datetime) -> bool | None:
        """Every ``xades141:ArchiveTimeStamp`` intact over what precedes it and trusted
        (None: there is none)."""
        stamps = signature.xpath(".//xades:UnsignedSignatureProperties/"
                                 "xades141:ArchiveTimeStamp", namespaces=NS)
        ok = None
        for stamp in stamps:
            tokens = stamp.xpath("xades:EncapsulatedTimeStamp", namespaces=NS)

            def covered(until: etree._Element = stamp) -> bytes:
                return archive_input(signature, until)

            when, trusted = (await self._token(tokens[0], covered, at)) if tokens \
                else (None, False)
            ok = trusted and when is not None and ok is not False
        return ok

    async def _token(self, encapsulated: etree._Element, data: Callable[[], bytes],
                     at: datetime) -> tuple[datetime | None, bool]:
        """A time stamp token's time, and whether it is intact over ``data`` and trusted."""
        try:
            token = cms.ContentInfo.load(base64.b64decode(encapsulated.text or ""))
            stamped = data()
            status = await validate_tst_signed_data(
                token["content"], self._trust.context(at),
                lambda algorithm: hashlib.new(algorithm, stamped).digest())
        except Exception:  # any broken token is an untrusted one, reported
            return None, False
        ok = status.get("intact") and status.get("valid") and \
            status.get("trust_problem_indic") is None
        return status["timestamp"], bool(ok)


def _alone(tree: etree._ElementTree, n: int) -> etree._ElementTree:
    """A copy of the document with signature ``n`` and no other."""
    copy = etree.ElementTree(etree.fromstring(etree.tostring(tree)))
    for i, other in enumerate(list(copy.getroot().iter(_SIGNATURE))):
        parent = other.getparent()
        if i != n and parent is not None:
            parent.remove(other)
    return copy


def _certificates(signature: etree._Element) -> list[asn1_x509.Certificate]:
    found = signature.xpath("ds:KeyInfo/ds:X509Data/ds:X509Certificate/text() | .//"
                            "xades:CertificateValues/xades:EncapsulatedX509Certificate/text()",
                            namespaces=NS)
    try:
        return [asn1_x509.Certificate.load(base64.b64decode(str(t))) for t in found]
    except ValueError:
        return []


def _integrity(tree: etree._ElementTree, signature: etree._Element,
               leaf: asn1_x509.Certificate, at: datetime) -> str:
    """The references and the signature value, by signxml — which also checks the
    certificate's dates: at ``at``, kyso's clock (its own default is the machine's now)."""
    references = len(signature.xpath("ds:SignedInfo/ds:Reference", namespaces=NS))
    cert = x509.load_der_x509_certificate(leaf.dump())
    try:
        XAdESVerifier().verify(etree.tostring(tree), x509_cert=cert,
                               expect_config=XAdESSignatureConfiguration(
                                   expect_references=references, verification_time=at))
    except InvalidSignature:
        return "tampered"
    except (SignxmlInvalid, ValueError, etree.LxmlError):
        return "unreadable"
    return "intact"


def _embedded(signature: etree._Element,
              certs: list[asn1_x509.Certificate]) -> Embedded:
    """The signature's other certificates and its ``RevocationValues`` (unreadable ones
    left out: the fresh answers decide without them)."""
    def values(path: str, load: Any) -> tuple[Any, ...]:
        found = []
        for text in signature.xpath(path, namespaces=NS):
            try:
                value = load(base64.b64decode(str(text)))
                value.native  # noqa: B018 - parse it all now, not deep in the validator
            except (ValueError, TypeError, KeyError, IndexError, OverflowError):
                continue
            found.append(value)
        return tuple(found)

    return Embedded(tuple(certs),
                    values(".//xades:CRLValues/xades:EncapsulatedCRLValue/text()",
                           crl.CertificateList.load),
                    values(".//xades:OCSPValues/xades:EncapsulatedOCSPValue/text()",
                           ocsp.OCSPResponse.load))


def _reason(revoked: RevokedError) -> str:
    return str(revoked.reason.native) if revoked.reason.native else "unspecified"


def _whole(signature: etree._Element) -> bool:
    first = signature.xpath("ds:SignedInfo/ds:Reference[1]/@URI", namespaces=NS)
    return bool(first) and first[0] == ""


def _time(found: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(found[0])) if found else None
    except ValueError:
        return None


def _common_name(cert: asn1_x509.Certificate) -> str | None:
    name = cert.subject.native.get("common_name")
    return str(name) if name else None
