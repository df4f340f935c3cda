"""``info``, ``auth/login`` (HTTP Basic → a kyso session as the bearer token), ``auth/revoke``."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response

from kyso import __version__
from kyso.accounts.errors import InvalidSession
from kyso.entrypoints.api.deps import ContainerDep, CurrentCaller, client_ip
from kyso.entrypoints.api.errors import language
from kyso.entrypoints.csc.errors import CscRoute, InvalidParameter, MalformedAuthorization
from kyso.entrypoints.csc.params import sign_oids
from kyso.entrypoints.csc.schemas import LoginIn, RevokeIn
from kyso.keys.model import KeyAlgorithm
from kyso.signing.document import Level

__all__ = ["METHODS", "router"]

router = APIRouter(route_class=CscRoute)

METHODS = ["auth/login", "auth/revoke", "credentials/list", "credentials/info",
           "credentials/authorize", "credentials/extendTransaction", "credentials/sendOTP",
           "signatures/signHash", "signatures/signDoc", "signatures/timestamp"]
_ABOUT = ("Ký số từ xa với SmartOTP: khóa ký không rời máy chủ, mỗi chữ ký được xác nhận "
          "bằng SmartOTP.",
          "Remote signing with SmartOTP: keys never leave the server; every signature is "
          "authorized with the signer's SmartOTP.")


@router.post("/info")
def info(request: Request) -> dict[str, Any]:
    """What this service is and which CSC methods it implements (no authorization)."""
    lang = language(request)
    algos = dict.fromkeys(o for a in KeyAlgorithm for o in sign_oids(a))
    return {
        "specs": "2.0.0.2", "name": "kyso", "logo": "", "region": "VN",
        "lang": "en-US" if lang == "en" else "vi-VN", "description": _ABOUT[lang == "en"],
        "version": __version__, "authType": ["basic"],
        "methods": METHODS, "signAlgorithms": {"algos": list(algos)},
        "signature_formats": {"formats": ["P"], "envelope_properties": [["Revision"]]},
        "conformance_levels": [f"Ades-{level.value}" for level in Level],
    }


@router.post("/auth/login")
def login(request: Request, container: ContainerDep, body: LoginIn | None = None,
          authorization: Annotated[str | None, Header()] = None,
          user_agent: Annotated[str | None, Header()] = None) -> dict[str, Any]:
    """HTTP Basic (login name and password) → a session token to send as ``Bearer``."""
    if body is not None and body.refresh_token is not None:
        raise InvalidParameter("refresh_token", "kyso issues no refresh tokens",
                               "kyso không cấp refresh token")
    name, password = _basic(authorization)
    session, token = container.accounts.login(name, password, user_agent=user_agent,
                                              ip=client_ip(request))
    left = (session.expires_at - container.clock.now()).total_seconds()
    expires_in = int(min(left, container.settings.session_idle_seconds))
    return {"access_token": token, "token_type": "Bearer", "expires_in": expires_in}


@router.post("/auth/revoke", status_code=204)
def revoke(body: RevokeIn, caller: CurrentCaller, container: ContainerDep) -> Response:
    """Revoke one of the caller's own access tokens (RFC 7009: an unknown token is no error)."""
    try:
        account, session = container.accounts.authenticate(body.token)
    except InvalidSession:
        return Response(status_code=204)
    if account.id == caller.account.id:
        container.accounts.revoke_session(account.id, session.id)
    return Response(status_code=204)


def _basic(header: str | None) -> tuple[str, str]:
    scheme, _, encoded = (header or "").partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        raise MalformedAuthorization()
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError) as exc:
        raise MalformedAuthorization() from exc
    name, colon, password = decoded.partition(":")
    if not colon or not name or not password:
        raise InvalidParameter("Authorization", "username:password expected",
                               "cần tên_đăng_nhập:mật_khẩu")
    return name, password
