"""Every error leaves as ``{"error": ..., "error_description": ...}``; kinds map to status codes
here, once."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from kyso import errors
from kyso.adapters.db.health import is_outage
from kyso.entrypoints.api.validation_text import describe
from kyso.support import SupportDesk

__all__ = ["desk_of", "error_response", "install_error_handlers", "language"]

log = logging.getLogger("kyso.api")

STATUS: list[tuple[type[errors.KysoError], int]] = [
    (errors.InvalidInput, 400),
    (errors.AuthenticationFailed, 401),
    (errors.PermissionDenied, 403),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.Gone, 410),
    (errors.Locked, 423),
    (errors.TooManyRequests, 429),
    (errors.Unavailable, 503),
]

_HTTP_CODES = {400: "invalid_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "request_too_large", 415: "unsupported_media_type"}


def language(request: Request) -> str:
    """``?lang=en``, or an ``Accept-Language`` that starts with English, gives English."""
    lang = request.query_params.get("lang") or request.headers.get("accept-language", "vi")
    return "en" if lang.strip().lower().startswith("en") else "vi"


def desk_of(request: Request) -> SupportDesk | None:
    """The support desk an error description names (the app's container's)."""
    container = getattr(request.app.state, "container", None)
    return container.support_desk if container is not None else None


def error_response(status: int, code: str, description: str,
                   headers: dict[str, str] | None = None, *,
                   attempts_remaining: int | None = None) -> JSONResponse:
    """The error body; ``attempts_remaining`` only where a wrong secret has a hard limit (an
    OTP, the account PIN), so that an app can say "còn N lần thử"."""
    body: dict[str, Any] = {"error": code, "error_description": description}
    if attempts_remaining is not None:
        body["attempts_remaining"] = attempts_remaining
    return JSONResponse(body, status, headers)


def status_of(exc: errors.KysoError) -> int:
    return next((status for kind, status in STATUS if isinstance(exc, kind)), 500)


async def _kyso_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.KysoError)
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
    status = status_of(exc)
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    remaining = exc.params.get("attempts_remaining")
    return error_response(status, exc.code, exc.describe(language(request), desk_of(request)),
                          headers,
                          attempts_remaining=int(remaining) if remaining is not None else None)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(400, "invalid_request", describe(exc.errors(), language(request)))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "invalid_request")
    detail = exc.detail if isinstance(exc.detail, str) else code
    return error_response(exc.status_code, code, detail, dict(exc.headers or {}))


UNAVAILABLE = errors.Text(
    "Hệ thống tạm thời gián đoạn. "
    "Vui lòng thử lại sau ít phút.",
    "The service is temporarily interrupted. "
    "Please try again in a few minutes.")
RETRY_AFTER_SECONDS = 5


def unavailable(request: Request, checks: dict[str, str] | None = None) -> JSONResponse:
    """503 ``service_unavailable``: the database is away (the node recovers by itself);
    ``/readyz`` adds the state of each of its ``checks``."""
    body: dict[str, Any] = {"error": "service_unavailable",
                            "error_description": UNAVAILABLE.vi if language(request) == "vi"
                            else UNAVAILABLE.en}
    if checks is not None:
        body["checks"] = checks
    return JSONResponse(body, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)})


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    if is_outage(exc):
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path,
                    type(exc).__name__)
        return unavailable(request)
    return await _unexpected(request, exc)


UNEXPECTED = errors.Text(
    "Đã có lỗi hệ thống. Vui lòng thử lại sau ít phút; "
    "nếu vẫn không được, hãy gọi bộ phận hỗ trợ.",
    "Something went wrong on our side. Please try again in a few minutes; "
    "if it still fails, call support.")


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(500, "server_error",
                          UNEXPECTED.vi if language(request) == "vi" else UNEXPECTED.en)


def install_error_handlers(app: FastAPI) -> None:
    handlers: dict[Any, Any] = {
        errors.KysoError: _kyso_error,
        RequestValidationError: _validation_error,
        StarletteHTTPException: _http_error,
        DBAPIError: _database_error,
        Exception: _unexpected,
    }
    for kind, handler in handlers.items():
        app.add_exception_handler(kind, handler)
