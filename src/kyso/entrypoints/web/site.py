"""The web app (``/``, customers) and the staff console (``/console``): static pages and
vanilla ES modules, no build step. They are clients of ``/api/v1`` like ``kyso app``: the
bearer session lives in the browser's ``sessionStorage`` and nothing is rendered here.

Every page and asset leaves with a strict Content-Security-Policy (no inline script or
style, ``default-src 'self'``, no framing), ``nosniff`` and ``no-referrer``.

The customer app is installable: ``/manifest.webmanifest`` and ``/sw.js``, the service worker
(``static/sw.js`` with the shell's file list and a digest of those files as its version put
in front, so any change to the shell makes a new worker that the page announces).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, Response

__all__ = ["SECURITY_HEADERS", "router"]

STATIC = (Path(__file__).parent / "static").resolve()
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
}
_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png",
          ".webmanifest": "application/manifest+json", ".ico": "image/x-icon"}
_SHELL_KINDS = (".js", ".css", ".png", ".webmanifest")

router = APIRouter(include_in_schema=False)


def _file(relative: str) -> FileResponse:
    path = (STATIC / relative).resolve()
    if not path.is_relative_to(STATIC) or not path.is_file() or path.suffix not in _TYPES:
        raise HTTPException(404, "Không tìm thấy (not found).")
    return FileResponse(path, media_type=_TYPES[path.suffix], headers=SECURITY_HEADERS)


@router.api_route("/", methods=["GET", "HEAD"])
def web_app() -> FileResponse:
    return _file("index.html")


@router.api_route("/console", methods=["GET", "HEAD"])
def console() -> FileResponse:
    return _file("console.html")


@router.api_route("/favicon.ico", methods=["GET", "HEAD"])
def favicon() -> FileResponse:
    """Browsers ask every page for it; a 404 there was noise in every log."""
    return _file("favicon.ico")


@router.api_route("/static/{relative:path}", methods=["GET", "HEAD"])
def asset(relative: str) -> FileResponse:
    return _file(relative)


@router.api_route("/manifest.webmanifest", methods=["GET", "HEAD"])
def manifest() -> FileResponse:
    return _file("manifest.webmanifest")


@cache
def _worker() -> bytes:
    files = sorted(p for p in STATIC.rglob("*") if p.suffix in _SHELL_KINDS and p.name != "sw.js")
    shell = ["/", "/manifest.webmanifest"] + [
        f"/static/{p.relative_to(STATIC).as_posix()}" for p in files]
    digest = hashlib.sha256((STATIC / "index.html").read_bytes())
    for path in [*files, STATIC / "sw.js"]:
        digest.update(path.relative_to(STATIC).as_posix().encode() + b"\0" + path.read_bytes())
    head = (f"const VERSION = {json.dumps(digest.hexdigest()[:16])};\n"
            f"const SHELL = {json.dumps(shell)};\n")
    return head.encode() + (STATIC / "sw.js").read_bytes()


@router.api_route("/sw.js", methods=["GET", "HEAD"])
def service_worker() -> Response:
    """The service worker, at the root so that its scope is the whole app."""
    return Response(_worker(), media_type=_TYPES[".js"], headers=SECURITY_HEADERS)
