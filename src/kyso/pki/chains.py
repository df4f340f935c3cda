"""The chain of one of kyso's own authorities (the organisation seal, the TSA, …): its
certificate, then each issuer's up to the root, as an embedded CMS chain wants them."""

from __future__ import annotations

from kyso.pki.model import Authority
from kyso.uow import UnitOfWorkFactory

__all__ = ["authority_chain"]


def authority_chain(uow_factory: UnitOfWorkFactory, authority: Authority) -> tuple[bytes, ...]:
    """``authority``'s certificate and its issuers' (DER), leaf first; the walk stops at an
    issuer kyso does not hold (never the case for its own hierarchy) or at the root."""
    chain, issuer, seen = [authority.certificate], authority.issuer, {authority.name}
    with uow_factory(read_only=True) as uow:
        while issuer is not None and issuer not in seen:
            parent = uow.pki.authority(issuer)
            if parent is None:
                break
            seen.add(parent.name)
            chain.append(parent.certificate)
            issuer = parent.issuer
    return tuple(chain)
