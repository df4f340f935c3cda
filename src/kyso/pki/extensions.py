"""The extensions of each certificate profile kyso issues (RFC 5280 §4.2).

=============  =====================================================================
root CA        basicConstraints cA (critical), keyUsage keyCertSign cRLSign (critical), SKI
issuing CA     + pathLen 0, AKI, CRL distribution point and caIssuers of the root,
               certificatePolicies anyPolicy
OCSP responder keyUsage digitalSignature (critical), EKU OCSPSigning, id-pkix-ocsp-nocheck
TSA            keyUsage digitalSignature (critical), EKU timeStamping (critical), CDP, AIA
individual     basicConstraints cA false (critical), keyUsage digitalSignature
               nonRepudiation (critical), CDP, AIA (OCSP, caIssuers), certificatePolicies
=============  =====================================================================
"""

from __future__ import annotations

from dataclasses import dataclass

from asn1crypto import core, x509

__all__ = [
    "Extensions",
    "Links",
    "individual",
    "issuing_ca",
    "ocsp_responder",
    "root_ca",
    "time_stamping",
]

Extensions = tuple[x509.Extension, ...]
_ANY_POLICY = "2.5.29.32.0"


@dataclass(frozen=True)
class Links:
    """Where a relying party finds the issuer's certificate, its CRL and its OCSP responder."""

    ca_issuers: str
    crl: str
    ocsp: str | None = None


def root_ca(ski: bytes) -> Extensions:
    return (
        _ext("basic_constraints", {"ca": True}, critical=True),
        _ext("key_usage", {"key_cert_sign", "crl_sign"}, critical=True),
        _ext("key_identifier", core.OctetString(ski)),
    )


def issuing_ca(ski: bytes, aki: bytes, links: Links) -> Extensions:
    return (
        _ext("basic_constraints", {"ca": True, "path_len_constraint": 0}, critical=True),
        _ext("key_usage", {"key_cert_sign", "crl_sign"}, critical=True),
        *_identifiers(ski, aki),
        *_links(links),
        _policies(_ANY_POLICY),
    )


def ocsp_responder(ski: bytes, aki: bytes, links: Links) -> Extensions:
    return (
        _ext("key_usage", {"digital_signature"}, critical=True),
        _ext("extended_key_usage", ["ocsp_signing"]),
        _ext("ocsp_no_check", core.Null()),
        *_identifiers(ski, aki),
        _ext("authority_information_access", [_access("ca_issuers", links.ca_issuers)]),
    )


def time_stamping(ski: bytes, aki: bytes, links: Links) -> Extensions:
    return (
        _ext("key_usage", {"digital_signature"}, critical=True),
        _ext("extended_key_usage", ["time_stamping"], critical=True),
        *_identifiers(ski, aki),
        *_links(links),
    )


def individual(ski: bytes, aki: bytes, links: Links, policy_oid: str) -> Extensions:
    return (
        _ext("basic_constraints", {"ca": False}, critical=True),
        _ext("key_usage", {"digital_signature", "non_repudiation"}, critical=True),
        *_identifiers(ski, aki),
        *_links(links),
        _policies(policy_oid),
    )


def organization_seal(ski: bytes, aki: bytes, links: Links, policy_oid: str) -> Extensions:
    """The organisation's seal: like a person's signing certificate, for documents kyso
    signs in its own name (service contracts)."""
    return individual(ski, aki, links, policy_oid)


def receipt_seal(ski: bytes, aki: bytes, links: Links, policy_oid: str) -> Extensions:
    """The seal of signing receipts: digitalSignature + nonRepudiation, not a CA, and its own
    certificate policy (``receipt_policy_oid``), so a receipt is told from anything else
    kyso signs; no EKU (``openssl cms -verify -purpose any``, like the organisation seal)."""
    return individual(ski, aki, links, policy_oid)


def _ext(kind: str, value: object, *, critical: bool = False) -> x509.Extension:
    return x509.Extension({"extn_id": kind, "critical": critical, "extn_value": value})


def _identifiers(ski: bytes, aki: bytes) -> Extensions:
    return (
        _ext("key_identifier", core.OctetString(ski)),
        _ext("authority_key_identifier", {"key_identifier": aki}),
    )


def _links(links: Links) -> Extensions:
    point = {"distribution_point": {"full_name": [_uri(links.crl)]}}
    access = [_access("ocsp", links.ocsp)] if links.ocsp else []
    access.append(_access("ca_issuers", links.ca_issuers))
    return (
        _ext("crl_distribution_points", [point]),
        _ext("authority_information_access", access),
    )


def _policies(oid: str) -> x509.Extension:
    return _ext("certificate_policies", [{"policy_identifier": oid}])


def _access(method: str, url: str) -> dict[str, object]:
    return {"access_method": method, "access_location": _uri(url)}


def _uri(url: str) -> x509.GeneralName:
    return x509.GeneralName(name="uniform_resource_identifier", value=url)
