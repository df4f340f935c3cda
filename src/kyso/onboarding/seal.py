"""kyso seals the contract it accepted with its own organisation certificate.

The seal is an authority of kyso's PKI (``PkiService.seal``: certified by the issuing CA,
key in the key store), not a customer's key: it signs directly through the key store, as the
TSA and the OCSP responder do, never through the customers' signing path.
"""

from __future__ import annotations

import uuid

from kyso.clock import Clock
from kyso.keys.model import SignatureScheme
from kyso.keys.ports import KeyStore
from kyso.pki.chains import authority_chain
from kyso.pki.hierarchy import issued_record
from kyso.pki.service import PkiService
from kyso.signing.cms import CredentialSigner
from kyso.signing.document import Level, SignOptions
from kyso.signing.model import Credential
from kyso.signing.pades import PadesEngine, PadesJob
from kyso.signing.pdf import inspect_pdf
from kyso.signing.revinfo import KysoTrust
from kyso.uow import UnitOfWorkFactory

__all__ = ["Sealer"]


class Sealer:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, pki: PkiService,
                 keystore: KeyStore, trust: KysoTrust, organization: str) -> None:
        self._uow, self._clock, self._pki, self._keystore = uow_factory, clock, pki, keystore
        self._engine, self._organization = PadesEngine(trust), organization

    def seal(self, pdf: bytes) -> bytes:
        """``pdf`` with kyso's PAdES (B-T) seal."""
        authority = self._pki.seal()
        credential = Credential(issued_record(authority), authority.key,
                                authority_chain(self._uow, authority))

        def raw_sign(digest: bytes, scheme: SignatureScheme) -> bytes:
            return self._keystore.sign_digest(authority.key, digest, scheme)

        options = SignOptions(Level.B_T, reason="Đóng dấu xác nhận hợp đồng",
                              location=self._organization[:100])
        job = PadesJob(pdf, inspect_pdf(pdf), f"Seal-kyso-{uuid.uuid4().hex[:12]}",
                       options, self._clock.now())
        return self._engine.sign(job, CredentialSigner(credential, raw_sign),
                                 self._organization)

