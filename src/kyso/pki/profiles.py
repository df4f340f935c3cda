"""The end-entity profile for individuals: subject, extensions, serial and validity rules."""

from __future__ import annotations

from datetime import datetime, timedelta

from kyso.pki import extensions
from kyso.pki.certificates import Template
from kyso.pki.config import MAX_CERTIFICATE_DAYS, PkiConfig
from kyso.pki.errors import InvalidValidity
from kyso.pki.signer import Signer, key_identifier, second
from kyso.pki.subject import PersonSubject

__all__ = ["individual_template", "validity"]


def validity(at: datetime, days: int) -> tuple[datetime, datetime]:
    """``(notBefore, notAfter)``: from ``at`` (to the second) for ``days``, at most 3 years."""
    if not 1 <= days <= MAX_CERTIFICATE_DAYS:
        raise InvalidValidity(f"{days} days; allowed 1..{MAX_CERTIFICATE_DAYS}")
    start = second(at)
    return start, start + timedelta(days=days)


def individual_template(
    config: PkiConfig,
    issuer: str,
    signer: Signer,
    subject: PersonSubject,
    public_key: bytes,
    serial: int,
    window: tuple[datetime, datetime],
) -> Template:
    """A person's signing certificate from ``issuer`` (whose key is ``signer``)."""
    links = extensions.Links(config.ca_url(issuer), config.crl_url(issuer), config.ocsp_url)
    exts = extensions.individual(key_identifier(public_key), signer.key_identifier, links,
                                 config.policy_oid)
    return Template(subject.name(), public_key, serial, window[0], window[1], exts)
