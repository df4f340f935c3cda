"""Detached CAdES signatures (``.p7s``) over any file, at B-B or B-T (kyso's TSA).

The output is a DER ``ContentInfo`` holding a CMS SignedData without the content: the
signed attributes (content type, message digest of the file, signing time, ESS
signing-certificate-v2) signed through the kyso signer, the chain, and for B-T a signature
time stamp as an unsigned attribute. ``openssl cms -verify -binary -content FILE`` checks it.
"""

from __future__ import annotations

from datetime import datetime

from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

from kyso.signing.cms import CredentialSigner
from kyso.signing.document import Level
from kyso.signing.document_errors import LevelNotSupported
from kyso.signing.pades import run, translated
from kyso.signing.revinfo import KysoTrust

__all__ = ["CadesEngine"]


class CadesEngine:
    def __init__(self, trust: KysoTrust) -> None:
        self._trust = trust

    def sign(self, data: bytes, signer: CredentialSigner, level: Level, at: datetime) -> bytes:
        if level.long_term:
            raise LevelNotSupported()
        with translated():
            return run(self._sign(data, signer, level, at))

    async def _sign(self, data: bytes, signer: CredentialSigner, level: Level,
                    at: datetime) -> bytes:
        timestamper = self._trust.timestamper if level.timestamped else None
        signed = await signer.async_sign_general_data(
            data, "sha256", detached=True, use_cades=True, timestamper=timestamper,
            signed_attr_settings=PdfCMSSignedAttributes(signing_time=at))
        der: bytes = signed.dump()
        return der
