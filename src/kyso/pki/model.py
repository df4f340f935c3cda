"""The PKI's records: authorities (CAs and their service signers), issued certificates, CRLs.

All frozen. An :class:`IssuedCertificate` moves between states only through its own methods
(``suspend``, ``resume``, ``revoke``), each of which returns a new value or raises
:class:`~kyso.pki.errors.InvalidTransition`::

    active ──suspend──▶ suspended ──resume──▶ active
       └──────revoke──────┴──revoke──▶ revoked (final)

*expired* is never stored: :meth:`IssuedCertificate.status_at` derives it from ``not_after``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from kyso.errors import Text
from kyso.keys.model import KeyHandle
from kyso.pki.errors import InvalidTransition, WrongStatus

__all__ = [
    "OCSP_RESPONDER",
    "RECEIPTS",
    "RESERVED_NAMES",
    "ROOT",
    "SEAL",
    "TSA",
    "Authority",
    "AuthorityRole",
    "CertificateStatus",
    "CrlRecord",
    "IssuedCertificate",
    "RevocationReason",
    "check_name",
]

ROOT = "root"  # the root CA's name: its certificate is served at /pki/ca/root.cer
OCSP_RESPONDER = "ocsp"  # the issuing CA's delegated OCSP responder
TSA = "tsa"  # the time-stamping unit
SEAL = "seal"  # kyso's organisation certificate: seals the papers kyso issues (contracts)
RECEIPTS = "receipts"  # the seal of signing receipts (its own key and policy)
RESERVED_NAMES = (ROOT, OCSP_RESPONDER, TSA, SEAL, RECEIPTS)
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")


def check_name(name: str) -> str:
    """An authority name is a URL path segment: lower-case letters, digits and hyphens."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"authority name {name!r}: use 2-63 of a-z, 0-9 and '-'")
    return name


class AuthorityRole(StrEnum):
    ROOT = "root"
    ISSUING = "issuing"
    OCSP = "ocsp"  # the delegated OCSP responder of its issuer
    TSA = "tsa"  # the RFC 3161 time-stamping unit
    SEAL = "seal"  # the organisation's electronic seal (signs documents in kyso's name)
    RECEIPTS = "receipts"  # seals signing receipts only (its own certificate policy)

    @property
    def is_ca(self) -> bool:
        return self in (AuthorityRole.ROOT, AuthorityRole.ISSUING)


class CertificateStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"


class RevocationReason(StrEnum):
    """RFC 5280 CRLReason, by its ASN.1 names (``removeFromCRL`` and ``aACompromise``,
    which have no use here, are left out)."""

    UNSPECIFIED = "unspecified"
    KEY_COMPROMISE = "keyCompromise"
    CA_COMPROMISE = "cACompromise"
    AFFILIATION_CHANGED = "affiliationChanged"
    SUPERSEDED = "superseded"
    CESSATION_OF_OPERATION = "cessationOfOperation"
    CERTIFICATE_HOLD = "certificateHold"
    PRIVILEGE_WITHDRAWN = "privilegeWithdrawn"

    @property
    def asn1(self) -> str:
        """The name asn1crypto uses (``key_compromise`` …)."""
        return _ASN1_REASONS.get(self, self.value)


_ASN1_REASONS = {
    RevocationReason.KEY_COMPROMISE: "key_compromise",
    RevocationReason.CA_COMPROMISE: "ca_compromise",
    RevocationReason.AFFILIATION_CHANGED: "affiliation_changed",
    RevocationReason.CESSATION_OF_OPERATION: "cessation_of_operation",
    RevocationReason.CERTIFICATE_HOLD: "certificate_hold",
    RevocationReason.PRIVILEGE_WITHDRAWN: "privilege_withdrawn",
}


@dataclass(frozen=True)
class Authority:
    """A CA, or a service signer (OCSP responder, TSA) certified by one, with its key."""

    name: str
    role: AuthorityRole
    certificate: bytes = field(repr=False)  # DER
    serial: int
    key: KeyHandle
    created_at: datetime
    issuer: str | None = None  # the CA that certified it; None for the root

    def __post_init__(self) -> None:
        check_name(self.name)
        if (self.role is AuthorityRole.ROOT) != (self.issuer is None):
            raise ValueError("the root, and only the root, has no issuer")


@dataclass(frozen=True)
class IssuedCertificate:
    """A certificate a CA issued: to a person, or to another authority."""

    issuer: str
    serial: int
    subject: str  # the subject's common name
    certificate: bytes = field(repr=False)  # DER
    not_before: datetime
    not_after: datetime
    created_at: datetime
    uid: str | None = None  # CCCD:…, CMND:… or HC:… for persons
    account_id: str | None = None
    key_id: str | None = None
    status: CertificateStatus = CertificateStatus.ACTIVE
    revoked_at: datetime | None = None
    reason: RevocationReason | None = None
    suspended_by: str | None = None  # who put it on hold: the holder may resume only their own

    def __post_init__(self) -> None:
        if self.serial <= 0 or self.serial.bit_length() > 159:
            raise ValueError("a serial is a positive integer of at most 20 octets")
        if self.not_after <= self.not_before:
            raise ValueError("not_after must follow not_before")
        if self.status is CertificateStatus.EXPIRED:
            raise ValueError("expired is derived from not_after, never stored")
        revoked = self.status is not CertificateStatus.ACTIVE
        if revoked != (self.revoked_at is not None) or revoked != (self.reason is not None):
            raise ValueError("revoked_at and reason go with, and only with, a revocation")
        hold = self.reason is RevocationReason.CERTIFICATE_HOLD
        if hold != (self.status is CertificateStatus.SUSPENDED):
            raise ValueError("certificateHold is the reason of a suspension, and only of one")

    def status_at(self, at: datetime) -> CertificateStatus:
        if self.status is CertificateStatus.ACTIVE and at >= self.not_after:
            return CertificateStatus.EXPIRED
        return self.status

    def suspend(self, at: datetime, by: str | None = None) -> IssuedCertificate:
        self._expect(CertificateStatus.ACTIVE, at)
        return replace(self, status=CertificateStatus.SUSPENDED, revoked_at=at,
                       reason=RevocationReason.CERTIFICATE_HOLD, suspended_by=by)

    def resume(self, at: datetime) -> IssuedCertificate:
        self._expect(CertificateStatus.SUSPENDED, at)
        return replace(self, status=CertificateStatus.ACTIVE, revoked_at=None, reason=None,
                       suspended_by=None)

    def revoke(self, reason: RevocationReason, at: datetime) -> IssuedCertificate:
        """Revoke for good. A suspended certificate keeps the time it was put on hold."""
        if reason is RevocationReason.CERTIFICATE_HOLD:
            raise InvalidTransition(Text(
                "lý do certificateHold là tạm dừng: hãy tạm dừng chứng thư",
                "certificateHold is a suspension: use suspend"))
        if self.status is CertificateStatus.REVOKED:
            raise InvalidTransition(Text("chứng thư số đã bị thu hồi",
                                         "the certificate is already revoked"))
        self._expect(self.status, at)
        return replace(self, status=CertificateStatus.REVOKED, reason=reason,
                       revoked_at=self.revoked_at or at)

    def _expect(self, status: CertificateStatus, at: datetime) -> None:
        current = self.status_at(at)
        if current is CertificateStatus.EXPIRED:
            raise InvalidTransition(Text("chứng thư số đã hết hạn", "the certificate has expired"))
        if current is not status:
            raise WrongStatus(status=current.value)


@dataclass(frozen=True)
class CrlRecord:
    """The current CRL of one CA, as published."""

    issuer: str
    number: int
    this_update: datetime
    next_update: datetime
    der: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if self.number < 1 or self.next_update <= self.this_update:
            raise ValueError("a CRL has a positive number and a nextUpdate after thisUpdate")

    def is_fresh(self, at: datetime) -> bool:
        """Fresh until half of its validity has passed; then it is issued again."""
        return at < self.this_update + (self.next_update - self.this_update) / 2


def short_serial(serial: int) -> str:
    """A serial as a customer compares it: its first and last hex digits (``1A2B3C…9F3C``)."""
    text = f"{serial:X}"
    return text if len(text) <= 12 else f"{text[:6]}…{text[-4:]}"

__all__ += ["short_serial"]
