"""Signing credentials and signature activation data (SAD)."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from kyso.keys.model import KeyHandle
from kyso.pki.model import CertificateStatus, IssuedCertificate

__all__ = ["Credential", "SignatureActivation", "credential_id"]


def credential_id(issuer: str, serial: int) -> str:
    """A credential is named after its certificate: ``<issuing CA>-<serial in hex>``."""
    return f"{issuer}-{serial:x}"


@dataclass(frozen=True)
class Credential:
    """A customer's key with its certificate and chain (signer first, root last)."""

    certificate: IssuedCertificate
    key: KeyHandle = field(repr=False)
    chain: tuple[bytes, ...] = field(repr=False)

    @property
    def id(self) -> str:
        return credential_id(self.certificate.issuer, self.certificate.serial)

    @property
    def account_id(self) -> str | None:
        return self.certificate.account_id

    def status_at(self, at: datetime) -> CertificateStatus:
        return self.certificate.status_at(at)


@dataclass(frozen=True)
class SignatureActivation:
    """A short-lived, single-use grant to sign exactly ``hashes`` with one credential (SCAL2).

    Only the SHA-256 of the bearer token is stored. ``signed`` lists the hashes already used.
    """

    id: str
    token_hash: str
    account_id: str
    credential_id: str
    hash_algo: str
    hashes: tuple[str, ...]  # base64 of each digest, in the order authorized
    created_at: datetime
    expires_at: datetime
    signed: tuple[str, ...] = ()
    revoked_at: datetime | None = None

    def __post_init__(self) -> None:
        if not self.hashes or len(set(self.hashes)) != len(self.hashes):
            raise ValueError("a SAD binds one or more distinct hashes")

    @property
    def remaining(self) -> int:
        return len(self.hashes) - len(self.signed)

    def live(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def usable(self, now: datetime) -> bool:
        return self.live(now) and self.remaining > 0

    def delivered(self, digests: list[bytes]) -> bool:
        """Whether ``digests`` (distinct) were all signed under this SAD already."""
        return self.delivered_encoded([base64.b64encode(d).decode() for d in digests])

    def delivered_encoded(self, wanted: Sequence[str]) -> bool:
        """:meth:`delivered` for digests already in Base64, as the SAD keeps them."""
        distinct = set(wanted)
        return len(distinct) == len(wanted) and distinct <= set(self.signed)

    def covers(self, digests: list[bytes]) -> bool:
        return self.covers_encoded([base64.b64encode(d).decode() for d in digests])

    def covers_encoded(self, wanted: Sequence[str]) -> bool:
        """Whether the SAD authorized ``wanted`` (distinct, Base64) and signed none yet."""
        distinct = set(wanted)
        return (len(distinct) == len(wanted) and distinct <= set(self.hashes)
                and distinct.isdisjoint(self.signed))
