"""Redeeming signature activation data for a whole document (CSC ``signatures/signDoc``).

There the signer authorizes the SHA-256 of the document itself (``credentials/authorize``
with ``hash = SHA-256(PDF)``), but the key signs the digest of the CMS signed attributes,
which only exists once the signature is being built. So, in the same unit of work that
grants the internal SAD for that digest, the document's SAD is checked exactly as
:class:`~kyso.signing.service.SigningService` checks it (owner, credential, lifetime, the
hash still open) and its hash is marked used: one authorization, one signature.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import replace
from datetime import datetime

from kyso.audit.model import AuditEvent
from kyso.keys.model import HashAlgorithm
from kyso.signing.errors import InvalidSad, SadExpired
from kyso.signing.model import SignatureActivation
from kyso.uow import UnitOfWork

__all__ = ["redeem"]


def redeem(uow: UnitOfWork, at: datetime, account_id: str, credential_id: str, sad: str,
           digest: bytes, *, consume: bool = True) -> SignatureActivation:
    """Check that ``sad`` authorizes ``digest`` (SHA-256) for this signer and credential;
    with ``consume``, mark it used (the caller commits). InvalidSad or SadExpired otherwise."""
    token_hash = hashlib.sha256(sad.encode()).hexdigest()
    activation = uow.signing.by_token_hash(token_hash, for_update=consume)
    if (activation is None or activation.account_id != account_id
            or activation.credential_id != credential_id):
        raise InvalidSad()
    if not activation.usable(at):
        raise SadExpired()
    if activation.hash_algo != HashAlgorithm.SHA256.value or not activation.covers([digest]):
        raise InvalidSad("the SAD does not authorize this document's SHA-256")
    if consume:
        used = replace(activation, signed=(*activation.signed, base64.b64encode(digest).decode()))
        uow.signing.save(used)
        uow.audit.append(AuditEvent("signing.document_authorized", actor=account_id,
                                    subject=credential_id,
                                    details={"sad": activation.id}), at)
        return used
    return activation
