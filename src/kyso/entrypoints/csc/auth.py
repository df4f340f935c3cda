"""``info``, ``auth/login`` (HTTP Basic → a kyso session as the bearer token), ``auth/revoke``."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response

from kyso import __version__
from kyso.accounts.errors import InvalidSession
from kyso.entrypoints.api.deps import ContainerDep, client_ip
from kyso.entrypoints.csc.bearer import CscCallerDep, csc_lang
from kyso.entrypoints.csc.errors import CscRoute, InvalidParameter, MalformedAuthorization
from kyso.entrypoints.csc.params import pss_params, sign_oids
from kyso.entrypoints.csc.schemas import InfoIn, LoginIn, RevokeIn
from kyso.keys.model import (
    OID_RSASSA_PSS,
    HashAlgorithm,
    KeyAlgorithm,
    KeyFamily,
    SignatureFamily,
)
from kyso.relying.csc_oauth import REFRESH_PREFIX, TOKEN_PREFIX
from kyso.signing.document import Level

__all__ = ["LOGO", "METHODS", "router", "sign_algorithms"]

router = APIRouter(route_class=CscRoute)

METHODS = ["auth/login", "auth/revoke", "oauth2/authorize", "oauth2/token", "oauth2/revoke",
           "credentials/list", "credentials/info", "credentials/authorize",
           "credentials/extendTransaction", "credentials/sendOTP", "credentials/getChallenge",
           "signatures/signHash", "signatures/signPolling", "signatures/signDoc",
           "signatures/timestamp", "info"]
_ABOUT = ("Ký số từ xa với SmartOTP: khóa ký không rời máy chủ, mỗi chữ ký được xác nhận "
          "bằng SmartOTP.",
          "Remote signing with SmartOTP: keys never leave the server; every signature is "
          "authorized with the signer's SmartOTP.")
LOGO = "/static/icons/icon-192.png"


def sign_algorithms() -> tuple[list[str], list[str]]:
    """``signAlgorithms``: every signAlgo OID with, at the same index, the exact parameters
    accepted ("" when the algorithm has none): RSASSA-PSS once per hash with a salt as long
    as the hash, and once per hash and RSA key size with the longest salt."""
    algos: list[str] = []
    params: list[str] = []
    for oid in dict.fromkeys(o for a in KeyAlgorithm for o in sign_oids(a)):
        if oid != OID_RSASSA_PSS:
            algos.append(oid)
            params.append("")
            continue
        sizes = sorted({a.key_size for a in KeyAlgorithm if a.family is KeyFamily.RSA})
        for digest in HashAlgorithm:
            salts = [digest.digest_size, *(SignatureFamily.RSA_PSS_MAX.salt_length(digest, n)
                                           for n in sizes)]
            for salt in dict.fromkeys(salts):
                algos.append(oid)
                params.append(pss_params(digest, salt))
    return algos, params


@router.post("/info")
def info(request: Request, container: ContainerDep,
         body: InfoIn | None = None) -> dict[str, Any]:
    """What this service is and which CSC methods it implements (no authorization)."""
    lang = csc_lang(request)
    algos, params = sign_algorithms()
    base = container.settings.public_base_url.rstrip("/")
    return {
        "specs": "2.0.0.2", "name": "kyso", "logo": base + LOGO, "region": "VN",
        "lang": "en-US" if lang == "en" else "vi-VN", "description": _ABOUT[lang == "en"],
        "version": __version__, "authType": ["basic", "oauth2code"],
        "oauth2": f"{base}/csc/v2/", "oauth2Issuer": base,
        "methods": METHODS, "signAlgorithms": {"algos": algos, "algoParams": params},
        "signature_formats": {"formats": ["P"], "envelope_properties": [["Revision"]]},
        "conformance_levels": [f"Ades-{level.value}" for level in Level],
        "asynchronousOperationMode": True,
    }


@router.post("/auth/login")
def login(request: Request, container: ContainerDep, body: LoginIn | None = None,
          authorization: Annotated[str | None, Header()] = None,
          user_agent: Annotated[str | None, Header()] = None) -> dict[str, Any]:
    """HTTP Basic (login name and password) → a session token to send as ``Bearer``; with
    ``rememberMe: true`` also a ``refresh_token``. A ``refresh_token`` in the body stands
    for the password (CSC v2 §11.2): a new session and the next refresh token (rotated;
    a spent one presented again ends the whole login)."""
    ip = client_ip(request)
    refresh: str | None = None
    if body is not None and body.refresh_token is not None:
        again = container.csc_oauth.relogin(body.refresh_token, user_agent=user_agent, ip=ip)
        session, token, refresh = again.session, again.access_token, again.refresh_token
    else:
        name, password = _basic(authorization)
        session, token = container.accounts.login(name, password, user_agent=user_agent, ip=ip)
        if body is not None and body.remember_me:
            refresh = container.csc_oauth.remember(session)
    left = (session.expires_at - container.clock.now()).total_seconds()
    expires_in = int(min(left, container.settings.session_idle_seconds))
    out: dict[str, Any] = {"access_token": token, "token_type": "Bearer",
                           "expires_in": expires_in}
    if refresh is not None:
        out["refresh_token"] = refresh
    return out


@router.post("/auth/revoke", status_code=204)
def revoke(body: RevokeIn, caller: CscCallerDep, container: ContainerDep) -> Response:
    """Revoke one of the caller's own tokens (RFC 7009: an unknown token is no error); a
    refresh token ends its whole login (its sessions too)."""
    if body.token.startswith((TOKEN_PREFIX, REFRESH_PREFIX)):
        container.csc_oauth.revoke(body.token, account_id=caller.account_id)
        return Response(status_code=204)
    try:
        account, session = container.accounts.authenticate(body.token)
    except InvalidSession:
        return Response(status_code=204)
    if account.id == caller.account_id:
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
