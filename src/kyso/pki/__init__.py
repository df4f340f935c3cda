"""kyso as a certificate authority: the hierarchy, certificate profiles, CRL, OCSP, time stamps.

Builders (``certificates``, ``crl``, ``ocsp``, ``tsa``) are pure: they take the time and,
for OCSP, a revocation-info port, and sign through the ``KeyStore``. ``service`` runs the CA
(issue, revoke, suspend, resume); ``publishing`` answers relying parties.
"""

from kyso.pki.config import PkiConfig
from kyso.pki.errors import (
    CertificateNotFound,
    InvalidSubject,
    InvalidTransition,
    InvalidValidity,
    NotInitialized,
    PkiError,
    UnknownAuthority,
)
from kyso.pki.model import (
    Authority,
    AuthorityRole,
    CertificateStatus,
    CrlRecord,
    IssuedCertificate,
    RevocationReason,
)
from kyso.pki.subject import IdentityDocument, IdKind, PersonSubject

__all__ = [
    "Authority",
    "AuthorityRole",
    "CertificateNotFound",
    "CertificateStatus",
    "CrlRecord",
    "IdKind",
    "IdentityDocument",
    "InvalidSubject",
    "InvalidTransition",
    "InvalidValidity",
    "IssuedCertificate",
    "NotInitialized",
    "PersonSubject",
    "PkiConfig",
    "PkiError",
    "RevocationReason",
    "UnknownAuthority",
]
