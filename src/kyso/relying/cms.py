"""A detached CMS over a digest the relying party computed: the signed attributes carry that
digest as messageDigest; the key signs the SHA-256 of the signed attributes.

Two steps, so that the SAD binds exactly what the key signs: :meth:`HashCms.prepare` builds
the signed attributes of every file and returns their digests; the caller authorizes and
signs those through the SAD-checked path; :meth:`HashCms.finish` packages each signature.
pyHanko builds the CMS; the raw signatures only ever come from the caller.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from datetime import datetime

from asn1crypto import cms
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

from kyso.keys.model import SignatureScheme
from kyso.signing.cms import CredentialSigner, scheme_for
from kyso.signing.model import Credential

__all__ = ["HashCms"]

DIGEST = "sha256"


class HashCms:
    def __init__(self, credential: Credential, signing_time: datetime) -> None:
        self.scheme: SignatureScheme = scheme_for(credential.key.algorithm, DIGEST)
        self._signer = CredentialSigner(credential, self._raw_signature)
        self._settings = PdfCMSSignedAttributes(signing_time=signing_time)
        self._attrs: list[cms.CMSAttributes] = []
        self._tbs: list[bytes] = []
        self._signatures: dict[bytes, bytes] = {}

    def prepare(self, digests: Sequence[bytes]) -> list[bytes]:
        """The signed attributes of each digest; returns what the key must sign for each."""
        encoded = [attrs.dump() for attrs in asyncio.run(self._signed_attrs(digests))]
        # parsed back from DER, they keep their encoding: asn1crypto re-encodes (slowly)
        # values it built, never values it parsed
        self._attrs = [cms.CMSAttributes.load(der) for der in encoded]
        self._tbs = [hashlib.sha256(der).digest() for der in encoded]
        return list(self._tbs)

    def finish(self, signatures: Sequence[bytes]) -> list[bytes]:
        """One DER ``ContentInfo`` (SignedData, detached) per prepared digest."""
        if len(signatures) != len(self._tbs):
            raise ValueError("one signature per prepared digest")
        self._signatures = dict(zip(self._tbs, signatures, strict=True))
        return asyncio.run(self._package())

    async def _signed_attrs(self, digests: Sequence[bytes]) -> list[cms.CMSAttributes]:
        return [await self._signer.signed_attrs(d, DIGEST, attr_settings=self._settings,
                                                is_pdf_sig=False) for d in digests]

    async def _package(self) -> list[bytes]:
        packaged = []
        for attrs in self._attrs:
            info = await self._signer.async_sign_prescribed_attributes(DIGEST, attrs)
            packaged.append(info.dump())
        return packaged

    def _raw_signature(self, digest: bytes, scheme: SignatureScheme) -> bytes:
        if scheme is not self.scheme or digest not in self._signatures:
            raise ValueError("no signature was made for these signed attributes")
        return self._signatures[digest]
