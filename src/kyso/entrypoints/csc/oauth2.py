"""``oauth2/authorize``, ``oauth2/token``, ``oauth2/revoke`` (CSC v2 §8; RFC 6749, 7636,
7009) over :class:`kyso.relying.csc_oauth.CscOAuthService`.

``authorize`` is the browser's entry: a bad ``client_id`` or ``redirect_uri`` is answered
here (JSON, never a redirect to an unchecked URI); any other error goes back to the client's
redirect URI as ``error``/``error_description``/``state``. Otherwise the browser goes on to
kyso's approval page (``/?csc=<id>#csc-authorize``). ``token`` and ``revoke`` take form
fields (RFC 6749) or JSON (CSC v2); the client authenticates with HTTP Basic or
``client_secret`` (its sp_password), or not at all as a public client (PKCE binds the code).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from kyso.entrypoints.api.deps import ContainerDep, client_ip
from kyso.entrypoints.csc.bearer import csc_lang
from kyso.entrypoints.csc.errors import CscRoute
from kyso.relying.csc_oauth import (
    AuthorizeRequest,
    InvalidScope,
    OAuthError,
    UnsupportedGrantType,
    with_query,
)

__all__ = ["router"]

router = APIRouter(route_class=CscRoute)
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
Q = Annotated[str | None, Query(max_length=8000)]
_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_BAD: dict[int | str, dict[str, Any]] = {
    400: {"description": "RFC 6749 error (invalid_request, invalid_grant, …)",
          "content": _ERROR},
    401: {"description": "invalid_client", "content": _ERROR}}


@router.get("/oauth2/authorize", responses={
    302: {"description": "to kyso's approval page, or back to the client with an error"},
    **_BAD})
def authorize(request: Request, container: ContainerDep, response_type: Q = None,
              client_id: Q = None, redirect_uri: Q = None, scope: Q = None,
              code_challenge: Q = None, code_challenge_method: Q = None, state: Q = None,
              credential_id: Annotated[str | None, Query(alias="credentialID",
                                                         max_length=200)] = None,
              num_signatures: Annotated[str | None, Query(alias="numSignatures",
                                                          max_length=4)] = None,
              hashes: Q = None, hash_v1: Annotated[str | None, Query(alias="hash",
                                                                     max_length=8000)] = None,
              hash_algo: Annotated[str | None, Query(alias="hashAlgorithmOID",
                                                     max_length=64)] = None,
              description: Annotated[str | None, Query(max_length=500)] = None,
              lang: Annotated[str | None, Query(max_length=35)] = None) -> Response:
    chosen = "en" if (lang or csc_lang(request)).lower().startswith("en") else "vi"
    count = int(num_signatures) if num_signatures and num_signatures.isdigit() else None
    wanted = AuthorizeRequest(
        response_type, client_id, redirect_uri, scope, code_challenge, code_challenge_method,
        state, credential_id, count, hashes or hash_v1, hash_algo, description, chosen)
    try:
        item = container.csc_oauth.begin(wanted)
    except OAuthError as exc:
        if not exc.redirect or redirect_uri is None:
            raise
        target = with_query(redirect_uri, error=exc.code,
                             error_description=exc.describe(chosen, container.support_desk),
                             state=state)
        return RedirectResponse(target, 302)
    return RedirectResponse(f"/?csc={quote(item.id)}&lang={chosen}#csc-authorize", 302)


@router.post("/oauth2/token", responses=_BAD)
async def token(request: Request, container: ContainerDep) -> Response:
    """``authorization_code`` (with PKCE) or ``refresh_token`` (``service`` scope only; the
    refresh token is rotated: use the new one next time)."""
    params = await _params(request)
    client_id, secret = _client(request, params)
    grant = params.get("grant_type")
    refresh: str | None
    if grant == "authorization_code":
        raw, issued, refresh = await run_in_threadpool(
            container.csc_oauth.exchange, client_id, secret, params.get("code"),
            params.get("redirect_uri"), params.get("code_verifier"), client_ip(request))
    elif grant == "refresh_token":
        if params.get("scope") not in (None, "", "service"):
            raise InvalidScope("a refresh token gives the service scope only",
                               "refresh token chỉ cấp phạm vi service")
        raw, issued, refresh = await run_in_threadpool(
            container.csc_oauth.refresh, client_id, secret, params.get("refresh_token"),
            client_ip(request))
    else:
        raise UnsupportedGrantType("grant_type must be authorization_code or refresh_token",
                                   "grant_type phải là authorization_code hoặc refresh_token")
    left = int((issued.expires_at - container.clock.now()).total_seconds())
    body: dict[str, Any] = {"access_token": raw, "token_type": "Bearer",
                            "expires_in": max(1, left), "scope": issued.scope}
    if refresh is not None:
        body["refresh_token"] = refresh
    if issued.credential_id is not None:
        body["credentialID"] = issued.credential_id
    return JSONResponse(body, 200, _NO_STORE)


@router.post("/oauth2/revoke", responses={400: _BAD[400]})
async def revoke(request: Request, container: ContainerDep) -> Response:
    """RFC 7009: 200 whether or not the token was known. A refresh token revokes its whole
    grant (every refresh and access token of it)."""
    params = await _params(request)
    given = params.get("token")
    if given:
        await run_in_threadpool(container.csc_oauth.revoke, given)
    return JSONResponse({}, 200, _NO_STORE)


async def _params(request: Request) -> dict[str, str]:
    kind = request.headers.get("content-type", "")
    if "json" in kind:
        try:
            data = json.loads(await request.body() or b"{}")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise OAuthError("the body must be a JSON object", "nội dung phải là đối tượng JSON")
        return {k: v for k, v in data.items() if isinstance(v, str)}
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _client(request: Request, params: dict[str, str]) -> tuple[str | None, str | None]:
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() == "basic" and encoded.strip():
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, ValueError) as exc:
            raise OAuthError("malformed HTTP Basic client authentication",
                             "xác thực HTTP Basic không hợp lệ") from exc
        name, _, secret = decoded.partition(":")
        return name, secret or None
    return params.get("client_id"), params.get("client_secret")
