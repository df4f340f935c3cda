"""What the PKI needs to know, parsed once (from ``Settings`` by ``bootstrap``).

Every URL a certificate carries is built here from ``base_url``. The default policy OIDs are
placeholders under ``2.25.0``, the arc of the nil UUID (X.667), which no one owns; a CA sets
OIDs registered to it. (A random ``2.25.<UUID>`` arc is 128 bits wide, and ``2.999`` has a
second arc over 39: decoders such as pkilint's refuse both, so neither is the default.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from kyso.keys.model import KeyAlgorithm
from kyso.pki.model import RESERVED_NAMES, check_name

__all__ = [
    "MAX_CERTIFICATE_DAYS",
    "PLACEHOLDER_ARC",
    "PkiConfig",
    "is_oid",
]

PLACEHOLDER_ARC = "2.25.0"
MAX_CERTIFICATE_DAYS = 3 * 365  # Vietnamese subscriber certificates: never over 3 years
_OID = re.compile(r"[0-2](\.(0|[1-9][0-9]{0,9}))+")


def is_oid(text: str) -> bool:
    """Dotted decimal that every ASN.1 decoder reads: arcs under 2**32, a second arc under 40."""
    if not _OID.fullmatch(text):
        return False
    arcs = [int(arc) for arc in text.split(".")]
    return arcs[1] < 40 and all(arc < 2**32 for arc in arcs)


@dataclass(frozen=True)
class PkiConfig:
    base_url: str = "http://127.0.0.1:8000"
    organization: str = "kyso"
    issuing_ca: str = "kyso-ca"
    ca_key: KeyAlgorithm = KeyAlgorithm.RSA_3072
    responder_key: KeyAlgorithm = KeyAlgorithm.RSA_2048
    tsa_key: KeyAlgorithm = KeyAlgorithm.RSA_2048
    subscriber_key: KeyAlgorithm = KeyAlgorithm.RSA_2048
    certificate_days: int = 365
    crl_hours: int = 24
    ocsp_minutes: int = 60
    policy_oid: str = f"{PLACEHOLDER_ARC}.1.1"  # individuals' signing certificates
    tsa_policy_oid: str = f"{PLACEHOLDER_ARC}.2.1"
    receipt_policy_oid: str = f"{PLACEHOLDER_ARC}.3.1"  # the signing-receipt seal

    def __post_init__(self) -> None:
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", self.base_url):
            raise ValueError("base_url must be an http(s) URL without query or fragment")
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))
        check_name(self.issuing_ca)
        if self.issuing_ca in RESERVED_NAMES:
            raise ValueError(f"the issuing CA cannot be called {self.issuing_ca!r}")
        if not 1 <= self.certificate_days <= MAX_CERTIFICATE_DAYS:
            raise ValueError(f"certificate_days must be 1..{MAX_CERTIFICATE_DAYS}")
        if self.crl_hours < 1 or self.ocsp_minutes < 1:
            raise ValueError("crl_hours and ocsp_minutes must be positive")
        if not (is_oid(self.policy_oid) and is_oid(self.tsa_policy_oid)
                and is_oid(self.receipt_policy_oid)):
            raise ValueError("policy OIDs must be dotted decimal")
        if not self.organization.strip():
            raise ValueError("organization must not be empty")

    @property
    def crl_validity(self) -> timedelta:
        return timedelta(hours=self.crl_hours)

    @property
    def ocsp_validity(self) -> timedelta:
        return timedelta(minutes=self.ocsp_minutes)

    def ca_url(self, name: str) -> str:
        return f"{self.base_url}/pki/ca/{name}.cer"

    def crl_url(self, name: str) -> str:
        return f"{self.base_url}/pki/crl/{name}.crl"

    @property
    def ocsp_url(self) -> str:
        return f"{self.base_url}/pki/ocsp"

    @property
    def tsa_url(self) -> str:
        return f"{self.base_url}/pki/tsa"
