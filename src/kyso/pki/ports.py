"""What the PKI needs from storage, and the revocation-info port the OCSP builder asks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from kyso.keys.model import KeyHandle
from kyso.pki.model import Authority, CrlRecord, IssuedCertificate

__all__ = ["PkiRepository", "RevocationInfo"]


class RevocationInfo(Protocol):
    """The status source of one CA's certificates (``None``: never issued by it)."""

    def certificate(self, serial: int) -> IssuedCertificate | None: ...


class PkiRepository(Protocol):
    """Keys, authorities, issued certificates and CRLs, in the caller's transaction."""

    def add_key(self, handle: KeyHandle, at: datetime) -> None: ...

    def key(self, key_id: str) -> KeyHandle | None: ...

    def add_authority(self, authority: Authority) -> None: ...

    def authority(self, name: str) -> Authority | None: ...

    def authorities(self) -> list[Authority]: ...

    def add_certificate(self, certificate: IssuedCertificate) -> None: ...

    def save_certificate(self, certificate: IssuedCertificate) -> None:
        """Write the status, revocation time and reason of a stored certificate."""
        ...

    def certificate(
        self, issuer: str, serial: int, *, for_update: bool = False
    ) -> IssuedCertificate | None: ...

    def with_serial(self, serial: int) -> Sequence[IssuedCertificate]:
        """Every certificate of this serial, whichever CA issued it."""
        ...

    def certificates(
        self, *, account_id: str | None = None, limit: int = 100
    ) -> Sequence[IssuedCertificate]:
        """Newest first."""
        ...

    def revoked(self, issuer: str, at: datetime) -> Sequence[IssuedCertificate]:
        """The issuer's revoked and suspended certificates that have not expired at ``at``."""
        ...

    def add_crl(self, record: CrlRecord) -> None: ...

    def save_crl(self, record: CrlRecord) -> None: ...

    def crl(self, issuer: str, *, for_update: bool = False) -> CrlRecord | None: ...
