"""Signatures for test certificates: no signature without quota, so fixtures credit it."""

from __future__ import annotations

from kyso.bootstrap import Container
from kyso.pki.model import IssuedCertificate
from kyso.signing.model import credential_id

__all__ = ["give_signatures"]


def give_signatures(container: Container, cert: IssuedCertificate | str,
                    count: int = 1000, *, source: str = "test") -> str:
    """Credit ``count`` signatures to ``cert`` (a certificate or a credential id)."""
    credential = cert if isinstance(cert, str) else credential_id(cert.issuer, cert.serial)
    with container.uow() as uow:
        container.quota.credit(uow, credential, count, source=source)
        uow.commit()
    return credential
