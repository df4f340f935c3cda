"""Building a CA's CRL (RFC 5280 §5): v2, numbered, with the AKI and a reason per entry."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from asn1crypto import crl

from kyso.pki.model import CrlRecord, IssuedCertificate
from kyso.pki.signer import Signer, second, x509_time

__all__ = ["build_crl"]


def build_crl(
    issuer: str,
    signer: Signer,
    number: int,
    this_update: datetime,
    next_update: datetime,
    entries: Iterable[IssuedCertificate],
) -> CrlRecord:
    """Sign the CRL listing ``entries`` (revoked or on hold) as of ``this_update``."""
    this_update, next_update = second(this_update), second(next_update)
    tbs = crl.TbsCertList({
        "version": "v2",
        "signature": signer.algorithm,
        "issuer": signer.name,
        "this_update": x509_time(this_update),
        "next_update": x509_time(next_update),
        "revoked_certificates": [_entry(e) for e in sorted(entries, key=_serial)] or None,
        "crl_extensions": [
            {"extn_id": "crl_number", "extn_value": number},
            {"extn_id": "authority_key_identifier",
             "extn_value": {"key_identifier": signer.key_identifier}},
        ],
    })
    signed = crl.CertificateList({
        "tbs_cert_list": tbs,
        "signature_algorithm": signer.algorithm,
        "signature": signer.sign(tbs.dump()),
    })
    return CrlRecord(issuer, number, this_update, next_update, signed.dump())


def _serial(entry: IssuedCertificate) -> int:
    return entry.serial


def _entry(entry: IssuedCertificate) -> crl.RevokedCertificate:
    if entry.revoked_at is None or entry.reason is None:
        raise ValueError(f"certificate {entry.serial:x} is not revoked")
    return crl.RevokedCertificate({
        "user_certificate": entry.serial,
        "revocation_date": x509_time(entry.revoked_at),
        "crl_entry_extensions": [{"extn_id": "crl_reason", "extn_value": entry.reason.asn1}],
    })
