"""``/pki/…``: thin handlers over :class:`kyso.pki.publishing.PkiPublisher`.

Each answers with the exact media type its RFC names. OCSP and time-stamp requests that
cannot be parsed get the protocol's own error (``malformedRequest``, ``badDataFormat``) in a
200 response; a wrong request media type gets a 415, an unknown CA a 404 (JSON errors).
Oversized bodies never get here (``BodySizeLimit`` answers 413). What can be cached carries
RFC 5019 headers and answers conditional GETs (``caching.py``).
"""

from __future__ import annotations

import base64
import binascii

from asn1crypto import x509
from fastapi import APIRouter, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool

from kyso.entrypoints.api.deps import ContainerDep
from kyso.entrypoints.pki_http.caching import CA_MAX_AGE, CRL_MAX_AGE, cacheable

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
def ca_certificate(name: str, request: Request, container: ContainerDep) -> Response:
    """The DER certificate of a CA (``root``, or the issuing CA's name)."""
    der = container.pki_publisher.ca_certificate(name)
    issued = x509.Certificate.load(der)["tbs_certificate"]["validity"]["not_before"].native
    return cacheable(request, der, PKIX_CERT, last_modified=issued, max_age=CA_MAX_AGE,
                     must_revalidate=False)


@router.get("/crl/{name}.crl", response_class=Response)
def crl(name: str, request: Request, container: ContainerDep) -> Response:
    """The current DER CRL of a CA."""
    publisher = container.pki_publisher
    record = publisher.crl_record(name)
    left = int((record.next_update - publisher.now()).total_seconds())
    return cacheable(request, record.der, PKIX_CRL, last_modified=record.this_update,
                     max_age=min(left, CRL_MAX_AGE))


@router.post("/ocsp", response_class=Response)
async def ocsp_post(request: Request, container: ContainerDep) -> Response:
    """RFC 6960 over POST: a DER OCSPRequest body."""
    body = await _body(request, OCSP_REQUEST)
    answer = await run_in_threadpool(container.pki_publisher.ocsp, body)
    return Response(answer, media_type=OCSP_RESPONSE)


@router.get("/ocsp/{encoded:path}", response_class=Response)
def ocsp_get(encoded: str, request: Request, container: ContainerDep) -> Response:
    """RFC 6960 appendix A.1 over GET: the request's DER, base64 then URL-encoded; a
    pre-produced answer with RFC 5019 caching headers."""
    publisher = container.pki_publisher
    answer = publisher.ocsp_answer(_unbase64(encoded))
    if not answer.shared or answer.produced_at is None or answer.next_update is None:
        return Response(answer.der, media_type=OCSP_RESPONSE)
    left = int((answer.next_update - publisher.now()).total_seconds())
    return cacheable(request, answer.der, OCSP_RESPONSE, last_modified=answer.produced_at,
                     expires=answer.next_update, max_age=left)


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
