"""The API documentation pages, ``/docs`` (Swagger UI) and ``/redoc``, served by kyso itself.

FastAPI's own pages load their scripts from a CDN, unpinned. These load the assets that the
``fastapi-offline`` package ships (Swagger UI and ReDoc bundles, MIT; pinned in
``requirements.lock``) from ``/docs/static/``, and a Content-Security-Policy keeps every
request on kyso's host (ReDoc's bundle would fetch its maker's logo from a CDN): the pages
work offline.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

__all__ = ["ASSETS", "CSP", "STATIC_PATH", "router", "static_files"]

ASSETS = Path(fastapi_offline.__file__).parent / "static"
STATIC_PATH = "/docs/static"
router = APIRouter(include_in_schema=False)
# the generated pages start their UI with an inline script; nothing may come from elsewhere
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' "
       "'unsafe-inline'; img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
       "font-src 'self' data:; frame-ancestors 'none'")


def _own_host_only(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = CSP
    return page


@router.get("/docs")
def swagger() -> HTMLResponse:
    return _own_host_only(get_swagger_ui_html(
        openapi_url="/openapi.json", title="kyso — API",
        swagger_js_url=f"{STATIC_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{STATIC_PATH}/swagger-ui.css",
        swagger_favicon_url=f"{STATIC_PATH}/favicon.png"))


@router.get("/redoc")
def redoc() -> HTMLResponse:
    return _own_host_only(get_redoc_html(
        openapi_url="/openapi.json", title="kyso — API",
        redoc_js_url=f"{STATIC_PATH}/redoc.standalone.js",
        redoc_favicon_url=f"{STATIC_PATH}/favicon.png", with_google_fonts=False))


def static_files() -> StaticFiles:
    return StaticFiles(directory=ASSETS)
