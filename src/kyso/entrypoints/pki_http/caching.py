"""HTTP caching of what ``/pki`` publishes (RFC 5019 §6 for OCSP; the same validators for
CRLs and CA certificates), and conditional GET.

- OCSP over GET, for an answer without a nonce: ``Cache-Control: max-age=<nextUpdate − now>,
  public, no-transform, must-revalidate``, ``Last-Modified`` = producedAt, ``Expires`` =
  nextUpdate, ``ETag`` = the SHA-256 of the DER response.
- CRLs: ``ETag``, ``Last-Modified`` = thisUpdate, ``Cache-Control`` with ``max-age`` up to
  :data:`CRL_MAX_AGE` (kyso signs a new CRL at once on a revocation: a cache must not keep
  the old one until its nextUpdate), never past nextUpdate.
- CA certificates: ``ETag``, ``Last-Modified`` = notBefore, a day's ``max-age``.

``If-None-Match`` (or, without it, ``If-Modified-Since``) that matches answers 304 with the
same headers and no body.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from fastapi import Request, Response

__all__ = ["CA_MAX_AGE", "CRL_MAX_AGE", "cacheable"]

CRL_MAX_AGE = 600
CA_MAX_AGE = 86400


def cacheable(request: Request, der: bytes, media_type: str, *, last_modified: datetime,
              max_age: int, expires: datetime | None = None,
              must_revalidate: bool = True) -> Response:
    """``der`` with its validators and freshness, or 304 if the client holds it already."""
    etag = f'"{hashlib.sha256(der).hexdigest()}"'
    control = f"max-age={max(0, max_age)}, public, no-transform"
    headers = {"ETag": etag, "Last-Modified": _http_date(last_modified),
               "Cache-Control": control + (", must-revalidate" if must_revalidate else "")}
    if expires is not None:
        headers["Expires"] = _http_date(expires)
    if _not_modified(request, etag, last_modified):
        return Response(status_code=304, headers=headers)
    return Response(der, media_type=media_type, headers=headers)


def _not_modified(request: Request, etag: str, last_modified: datetime) -> bool:
    match = request.headers.get("if-none-match")
    if match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in match.split(",")}
        return "*" in tags or etag in tags
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        when = parsedate_to_datetime(since)
    except (TypeError, ValueError, IndexError):
        return False
    if when.tzinfo is None:
        return False
    return last_modified.replace(microsecond=0) <= when


def _http_date(at: datetime) -> str:
    return format_datetime(at.astimezone(UTC), usegmt=True)
