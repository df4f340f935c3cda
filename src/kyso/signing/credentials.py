"""Reading credentials out of the PKI: a customer's certificate, its key and its chain."""

from __future__ import annotations

from datetime import datetime

from kyso.errors import NotFound
from kyso.pki.model import ROOT
from kyso.signing.errors import CredentialUnusable
from kyso.signing.model import Credential, credential_id
from kyso.uow import UnitOfWork

__all__ = ["find_credential", "list_credentials", "usable"]


def list_credentials(uow: UnitOfWork, account_id: str) -> list[Credential]:
    """The account's certificates that have a key on the server, newest first."""
    found = []
    for cert in uow.pki.certificates(account_id=account_id):
        key = uow.pki.key(cert.key_id) if cert.key_id else None
        if key is not None:
            found.append(Credential(cert, key, _chain(uow, cert.certificate, cert.issuer)))
    return found


def find_credential(uow: UnitOfWork, account_id: str, wanted: str) -> Credential:
    """The account's credential ``wanted``; another customer's is as unknown as none."""
    for credential in list_credentials(uow, account_id):
        if credential.id == wanted:
            return credential
    raise NotFound()


def usable(credential: Credential, now: datetime) -> Credential:
    status = credential.status_at(now)
    if status.value != "active":
        raise CredentialUnusable(status=status.value)
    return credential


def _chain(uow: UnitOfWork, leaf: bytes, issuer: str | None) -> tuple[bytes, ...]:
    chain = [leaf]
    while issuer is not None:
        authority = uow.pki.authority(issuer)
        if authority is None:
            break
        chain.append(authority.certificate)
        issuer = None if authority.name == ROOT else authority.issuer
    return tuple(chain)


__all__ += ["credential_id"]
