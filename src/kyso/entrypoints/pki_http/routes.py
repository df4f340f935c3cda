"""``/pki/…``: thin handlers over :class:`kyso.pki.publishing.PkiPublisher`.

Each answers with the exact media type its RFC names. OCSP and time-stamp requests that
cannot be parsed get the protocol's own error (``malformedRequest``, ``badDataFormat``) in a
200 response; a wrong request media type gets a 415, an unknown CA a 404 (JSON errors).
Oversized bodies never get here (``BodySizeLimit`` answers 413).
"""

from __future__ import annotations

import base64
import binascii

from fastapi import APIRouter, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool

from kyso.entrypoints.api.deps import ContainerDep

__all__ = [
    "OCSP_REQUEST",
    "OCSP_RESPONSE",
    "PKIX_CERT",
    "PKIX_CRL",
    "TIMESTAMP_QUERY",
    "TIMESTAMP_REPLY",
    "router",
]

PKIX_CERT = "application/pkix-cert"  # RFC 2585
PKIX_CRL = "application/pkix-crl"
OCSP_REQUEST = "application/ocsp-request"  # RFC 6960 appendix A
OCSP_RESPONSE = "application/ocsp-response"
TIMESTAMP_QUERY = "application/timestamp-query"  # RFC 3161 §3.4
TIMESTAMP_REPLY = "application/timestamp-reply"

router = APIRouter(prefix="/pki", tags=["pki"])


@router.get("/ca/{name}.cer", response_class=Response)
def ca_certificate(name: str, container: ContainerDep) -> Response:
    """The DER certificate of a CA (``root``, or the issuing CA's name)."""
    return Response(container.pki_publisher.ca_certificate(name), media_type=PKIX_CERT)


@router.get("/crl/{name}.crl", response_class=Response)
def crl(name: str, container: ContainerDep) -> Response:
    """The current DER CRL of a CA."""
    return Response(container.pki_publisher.crl(name), media_type=PKIX_CRL)


@router.post("/ocsp", response_class=Response)
async def ocsp_post(request: Request, container: ContainerDep) -> Response:
    """RFC 6960 over POST: a DER OCSPRequest body."""
    body = await _body(request, OCSP_REQUEST)
    answer = await run_in_threadpool(container.pki_publisher.ocsp, body)
    return Response(answer, media_type=OCSP_RESPONSE)


@router.get("/ocsp/{encoded:path}", response_class=Response)
def ocsp_get(encoded: str, container: ContainerDep) -> Response:
    """RFC 6960 appendix A.1 over GET: the request's DER, base64 then URL-encoded."""
    return Response(container.pki_publisher.ocsp(_unbase64(encoded)), media_type=OCSP_RESPONSE)


@router.post("/tsa", response_class=Response)
async def timestamp(request: Request, container: ContainerDep) -> Response:
    """RFC 3161 over HTTP: a DER TimeStampReq body."""
    body = await _body(request, TIMESTAMP_QUERY)
    answer = await run_in_threadpool(container.pki_publisher.timestamp, body)
    return Response(answer, media_type=TIMESTAMP_REPLY)


async def _body(request: Request, media_type: str) -> bytes:
    given = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if given != media_type:
        raise HTTPException(415, f"Content-Type must be {media_type}")
    return await request.body()


def _unbase64(encoded: str) -> bytes:
    """Standard or URL-safe base64, padding optional; b"" (malformed) if it is not base64."""
    text = encoded.strip().replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return b""
