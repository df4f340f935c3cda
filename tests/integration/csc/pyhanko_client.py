"""pyHanko as an independent CSC client, unchanged: its ``CSCSigner`` and
``fetch_certs_in_csc_credential``, fed by a ``CSCAuthorizationManager`` that calls
``credentials/authorize`` (with pyHanko's own v1 request format) and the SmartOTP code the
customer's device shows. Validation is pyHanko's validator against kyso's root only."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from io import BytesIO
from typing import Any

import aiohttp
from asn1crypto import algos
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationInfo,
    CSCAuthorizationManager,
    CSCCredentialInfo,
    CSCServiceSessionInfo,
    CSCSigner,
    fetch_certs_in_csc_credential,
)
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext

__all__ = ["pss_mechanism", "sign_pdfs", "small_pdf", "validate"]


class OtpAuthorization(CSCAuthorizationManager):
    """Authorizes exactly the hashes pyHanko is about to sign, with a fresh OTP."""

    def __init__(self, info: CSCServiceSessionInfo, credential: CSCCredentialInfo,
                 session: aiohttp.ClientSession, otp: Callable[[], str]) -> None:
        super().__init__(info, credential)
        self.session = session
        self.otp = otp

    async def authorize_signature(self, hash_b64s: list[str]) -> CSCAuthorizationInfo:
        body = self.format_csc_auth_request(otp=self.otp(), hash_b64s=hash_b64s)
        url = self.csc_session_info.endpoint_url("credentials/authorize")
        async with self.session.post(url, headers=self.auth_headers, json=body,
                                     raise_for_status=True) as response:
            return self.parse_csc_auth_response(await response.json())


def small_pdf(line: bytes = b"Hop dong so 2026/01") -> bytes:
    writer = PdfFileWriter()
    font = writer.add_object(generic.DictionaryObject({
        generic.pdf_name("/Type"): generic.pdf_name("/Font"),
        generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
        generic.pdf_name("/BaseFont"): generic.pdf_name("/Helvetica")}))
    content = writer.add_object(generic.StreamObject(
        stream_data=b"BT /F1 18 Tf 72 760 Td (" + line + b") Tj ET"))
    writer.insert_page(generic.DictionaryObject({
        generic.pdf_name("/Type"): generic.pdf_name("/Page"),
        generic.pdf_name("/MediaBox"): generic.ArrayObject(
            [generic.NumberObject(n) for n in (0, 0, 595, 842)]),
        generic.pdf_name("/Contents"): content,
        generic.pdf_name("/Resources"): generic.DictionaryObject({
            generic.pdf_name("/Font"): generic.DictionaryObject(
                {generic.pdf_name("/F1"): font})})}))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def pss_mechanism(digest: str = "sha256", salt: int = 32) -> algos.SignedDigestAlgorithm:
    return algos.SignedDigestAlgorithm({"algorithm": "rsassa_pss", "parameters": {
        "hash_algorithm": {"algorithm": digest},
        "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": digest}},
        "salt_length": salt}})


def sign_pdfs(base_url: str, token: str, credential_id: str, otp: Callable[[], str],
              pdfs: list[bytes], *, mechanism: algos.SignedDigestAlgorithm | None = None,
              calls: list[tuple[str, int]] | None = None,
              **signer_options: Any) -> list[bytes]:
    """Sign ``pdfs`` through the CSC API, all in one signHash batch. ``calls`` collects
    (CSC method, HTTP status) of every request pyHanko made."""
    return asyncio.run(_sign(base_url, token, credential_id, otp, pdfs, mechanism,
                             signer_options, [] if calls is None else calls))


async def _sign(base_url: str, token: str, credential_id: str, otp: Callable[[], str],
                pdfs: list[bytes], mechanism: algos.SignedDigestAlgorithm | None,
                options: dict[str, Any], calls: list[tuple[str, int]]) -> list[bytes]:
    async def answered(_session: Any, _context: Any, params: Any) -> None:
        calls.append((params.url.path.split("/csc/v2/")[-1], params.response.status))

    async def refused(_session: Any, _context: Any, params: Any) -> None:
        status = getattr(params.exception, "status", 0)  # raise_for_status: the 4xx
        calls.append((params.url.path.split("/csc/v2/")[-1], status))

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(answered)
    trace.on_request_exception.append(refused)
    # no keep-alive: a code typed (or computed by `kyso app otp`) in about 5 s meets uvicorn
    # closing the idle connection, and aiohttp does not retry a POST on a stale one
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(trace_configs=[trace], connector=connector) as session:
        info = CSCServiceSessionInfo(base_url, credential_id, oauth_token=token, api_ver="v2")
        credential = await fetch_certs_in_csc_credential(session, info)
        kind = CSCSigner if mechanism is None else _fixed(mechanism)
        signer = kind(session, OtpAuthorization(info, credential, session, otp),
                      batch_size=len(pdfs), **options)
        meta = signers.PdfSignatureMetadata(field_name="ChuKy1", reason="Ký hợp đồng")
        outputs = await asyncio.gather(*(
            signers.async_sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf)), meta, signer=signer)
            for pdf in pdfs))
        return [out.getvalue() for out in outputs]


def _fixed(mechanism: algos.SignedDigestAlgorithm) -> type[CSCSigner]:
    """A CSCSigner that always asks for ``mechanism`` (e.g. PSS with a hash-length salt)."""

    class FixedMechanism(CSCSigner):
        def get_signature_mechanism_for_digest(self, digest_algorithm: str | None,
                                               ) -> algos.SignedDigestAlgorithm:
            return mechanism

    return FixedMechanism


def validate(signed: bytes, root_der: bytes, *, moment: datetime | None = None,
             fetch: bool = False) -> PdfSignatureStatus:
    """pyHanko's verdict, trusting kyso's root only; with ``fetch``, revocation is checked
    online (hard-fail) against the OCSP responder and CRLs the certificates name."""
    context = ValidationContext(trust_roots=[asn1_x509.Certificate.load(root_der)],
                                allow_fetching=fetch, moment=moment,
                                revocation_mode="hard-fail" if fetch else "soft-fail")
    [embedded] = PdfFileReader(BytesIO(signed)).embedded_signatures
    return validate_pdf_signature(embedded, context)
