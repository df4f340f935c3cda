"""CSC errors, mapped once: every failure under ``/csc/v2`` leaves as
``{"error", "error_description"}`` with the status and code of the CSC API (v2 §10, v1 §10)::

    what failed                                  status  error
    malformed JSON, wrong type, missing field    400     invalid_request  "Missing (or invalid
                                                                          type) string parameter …"
    no, unknown or revoked bearer token          401     invalid_token
    expired bearer token (idle or lifetime)      401     expired_token
    malformed HTTP Basic header (auth/login)     401     invalid_request
    wrong login or password, account locked      400     authentication_error
    wrong or replayed OTP, SMS code used up      400     invalid_otp
    wrong PIN                                    400     invalid_pin
    SAD unknown, for other hashes, expired, used 400     invalid_request  (the text says which)
    credential not the caller's, or unknown      400     invalid_request  "Invalid parameter
                                                                          credentialID"
    no signatures left (OutOfSignatures)         400     invalid_request  "No signatures left
                                                                          on this certificate…"
    certificate revoked/suspended/expired, other
    rule or state (kyso's InvalidInput, Conflict,
    Gone, Locked)                                400     invalid_request
    PermissionDenied                             403     access_denied
    TooManyRequests                              429     too_many_requests (Retry-After)
    Unavailable                                  503     temporarily_unavailable
    a method of the spec kyso does not offer     501     invalid_request

Descriptions are kyso's own, in Vietnamese or English (``Accept-Language``/``?lang=en``).
The handlers raise :class:`InvalidParameter`, :class:`MissingParameter` and
:class:`MalformedAuthorization` for the spec's parameter errors.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import pydantic_core
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from kyso import errors
from kyso.accounts.errors import (
    AccountUnavailable,
    InvalidCredentials,
    InvalidSession,
    SecretLocked,
    SessionExpired,
    WrongPin,
)
from kyso.entrypoints.api.errors import desk_of, error_response, language
from kyso.otp.errors import InvalidOtp, OtpExpired
from kyso.relying.csc_oauth import OAuthError
from kyso.signing.errors import OutOfSignatures

__all__ = [
    "CscRoute",
    "InvalidParameter",
    "MalformedAuthorization",
    "MalformedBody",
    "MissingParameter",
    "NotImplementedMethod",
    "kyso_error",
    "lang_of_body",
]


class InvalidParameter(errors.InvalidInput):
    code = "invalid_request"
    vi = "Tham số {name} không hợp lệ{why_vi}."
    en = "Invalid parameter {name}{why_en}."

    def __init__(self, name: str, why_en: str = "", why_vi: str = "") -> None:
        super().__init__(name=name, why_en=f": {why_en}" if why_en else "",
                         why_vi=f": {why_vi}" if why_vi else "")


class MissingParameter(errors.InvalidInput):
    code = "invalid_request"
    vi = "Thiếu tham số {name} hoặc sai kiểu (cần {kind})."
    en = "Missing (or invalid type) {kind} parameter {name}."

    def __init__(self, name: str, kind: str) -> None:
        super().__init__(name=name, kind=kind)


class NotImplementedMethod(errors.KysoError):
    code = "invalid_request"
    vi = "kyso không cung cấp phương thức CSC {method}."
    en = "kyso does not implement the CSC method {method}."


class MalformedBody(errors.InvalidInput):
    code = "invalid_request"
    vi = "Nội dung yêu cầu phải là một đối tượng JSON hợp lệ."
    en = "The request body must be a well-formed JSON object."


class MalformedAuthorization(errors.AuthenticationFailed):
    code = "invalid_request"
    vi = "Tiêu đề Authorization không hợp lệ (cần HTTP Basic tên:mật khẩu)."
    en = "Malformed authentication parameter (HTTP Basic username:password expected)."


log = logging.getLogger("kyso.csc")
_CREDENTIAL = ("Tham số credentialID không hợp lệ.", "Invalid parameter credentialID.")

# (kind, status, CSC error or None for the error's own code, fixed (vi, en) text or None)
_RULES: list[tuple[type[errors.KysoError], int, str | None, tuple[str, str] | None]] = [
    (MalformedAuthorization, 401, None, None),
    (NotImplementedMethod, 501, None, None),
    (SessionExpired, 401, "expired_token", None),
    (InvalidSession, 401, "invalid_token", None),
    (InvalidCredentials, 400, "authentication_error", None),
    (AccountUnavailable, 400, "authentication_error", None),
    (SecretLocked, 400, "authentication_error", None),
    (WrongPin, 400, "invalid_pin", None),
    (InvalidOtp, 400, "invalid_otp", None),
    (OtpExpired, 400, "invalid_otp", None),
    (OutOfSignatures, 400, "invalid_request", None),  # CSC has no quota error of its own
    (errors.NotFound, 400, "invalid_request", _CREDENTIAL),
    (errors.InvalidInput, 400, "invalid_request", None),
    (errors.AuthenticationFailed, 400, "invalid_request", None),  # InvalidSad
    (errors.PermissionDenied, 403, "access_denied", None),
    (errors.Conflict, 400, "invalid_request", None),
    (errors.Gone, 400, "invalid_request", None),
    (errors.Locked, 400, "invalid_request", None),
    (errors.TooManyRequests, 429, "too_many_requests", None),
    (errors.Unavailable, 503, "temporarily_unavailable", None),
]

# pydantic error types that mean "absent or of the wrong JSON type", and the type's name
_TYPES = {"missing": "", "string_type": "string", "int_type": "integer",
          "int_from_float": "integer", "bool_type": "boolean", "list_type": "array",
          "model_type": "object", "model_attributes_type": "object", "dict_type": "object"}
_KINDS = {"hashes": "array", "hash": "array", "numSignatures": "integer", "authData": "array",
          "documents": "array", "documentDigests": "array"}  # the type of a missing field


def kyso_error(request: Request, exc: errors.KysoError) -> Response:
    lang = _lang(request)
    if isinstance(exc, OAuthError):
        return error_response(exc.status, exc.code, exc.describe(lang, desk_of(request)),
                              {"Cache-Control": "no-store"})
    for kind, status, code, text in _RULES:
        if isinstance(exc, kind):
            description = (exc.describe(lang, desk_of(request)) if text is None
                           else text[lang == "en"])
            headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
            if status == 401:
                headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
            return error_response(status, code or exc.code, description, headers)
    log.error("unmapped %s on %s %s", type(exc).__name__, request.method, request.url.path)
    return error_response(500, "server_error", exc.describe(lang, desk_of(request)))


def _lang(request: Request) -> str:
    given = getattr(request.state, "csc_lang", None)
    return given if given in ("vi", "en") else language(request)


async def _body_lang(request: Request) -> None:
    """CSC v2 ``lang`` (RFC 5646) in a JSON body picks the language of the answer."""
    size = request.headers.get("content-length", "")
    if "json" not in request.headers.get("content-type", "") or not size.isdigit():
        return
    if int(size) > 65536:  # a signDoc body: read by its handler only, parsed fast
        await _parse_large(request)
        return
    lang_of_body(request, await request.body())


def lang_of_body(request: Request, raw: bytes) -> None:
    """The answer's language from ``lang`` in this JSON body, if it has one."""
    if b'"lang"' not in raw:  # most bodies: no second JSON parse (a key with escapes in its
        return                # name is not a lang the spec knows either)
    try:
        body = json.loads(raw)
    except ValueError:
        return
    lang = body.get("lang") if isinstance(body, dict) else None
    if isinstance(lang, str) and lang.strip():
        request.state.csc_lang = "en" if lang.strip().lower().startswith("en") else "vi"


async def _parse_large(request: Request) -> None:
    """A large JSON body (a signDoc's Base64 documents) parsed by pydantic's Rust parser
    (0.13 ms for a 1 MiB PDF, against 0.87 ms for ``json.loads``), cached where FastAPI's
    own ``request.json()`` finds it. A body it refuses is left to ``json.loads`` (the
    same error answer as before; a lone surrogate escape, which ``json.loads`` accepts)."""
    raw = await request.body()
    with contextlib.suppress(ValueError):
        request._json = pydantic_core.from_json(raw)  # starlette's cache of request.json()


def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    first = exc.errors()[0] if exc.errors() else {}
    kind = first.get("type", "")
    where = [p for p in first.get("loc", ()) if p != "body"]
    names = [p for p in where if isinstance(p, str)]  # the innermost field, not an index
    problem: errors.KysoError
    if kind == "json_invalid" or not names:
        problem = MalformedBody()
    elif kind in _TYPES and isinstance(where[-1], str):
        problem = MissingParameter(names[-1], _TYPES[kind] or _KINDS.get(names[-1], "string"))
    else:
        problem = InvalidParameter(names[-1])
    return kyso_error(request, problem)


def _http_error(request: Request, exc: HTTPException) -> Response:
    code = {401: "invalid_token", 403: "access_denied"}.get(exc.status_code, "invalid_request")
    detail = exc.detail if isinstance(exc.detail, str) else code
    return error_response(exc.status_code, code, detail, dict(exc.headers or {}))


class CscRoute(APIRoute):
    """An APIRoute that answers every expected failure in the CSC error shape."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def csc_handler(request: Request) -> Response:
            await _body_lang(request)
            try:
                return await handler(request)
            except errors.KysoError as exc:
                return kyso_error(request, exc)
            except RequestValidationError as exc:
                return _validation_error(request, exc)
            except HTTPException as exc:
                return _http_error(request, exc)

        return csc_handler
