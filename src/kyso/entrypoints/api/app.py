"""The ASGI application: one FastAPI app per container, wrapped in the body-size limit."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import cast

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig
from starlette.types import ASGIApp
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from kyso import __version__
from kyso.adapters.db.engine import leave_checkpoints
from kyso.adapters.heap import keep_heap, settle_heap
from kyso.adapters.metrics import process_ended
from kyso.bootstrap import Container, bootstrap
from kyso.config import load_settings
from kyso.entrypoints.api import docs
from kyso.entrypoints.api.deps import bearer_gate
from kyso.entrypoints.api.duties import start_duties
from kyso.entrypoints.api.errors import install_error_handlers
from kyso.entrypoints.api.headers import SecurityHeaders
from kyso.entrypoints.api.limits import BodySizeLimit
from kyso.entrypoints.api.observe import Observe
from kyso.entrypoints.api.openapi import document_errors
from kyso.entrypoints.api.routes import (
    accounts,
    billing,
    consents,
    contact,
    csc_oauth,
    documents,
    events,
    history,
    holder,
    identity_recovery,
    multisign,
    notifications,
    onboarding,
    otp,
    quota,
    ra,
    receipts,
    recovery,
    signup,
    smartotp,
    support,
    system,
    transactions,
)
from kyso.entrypoints.csc import documents as csc_documents
from kyso.entrypoints.csc import router as csc_router
from kyso.entrypoints.csc.front import SignHashFront
from kyso.entrypoints.lifeline import die_with_parent
from kyso.entrypoints.logs import configure_logging
from kyso.entrypoints.pki_http import router as pki_router
from kyso.entrypoints.sp769 import router as sp769_router
from kyso.entrypoints.web import dev_inbox, payments, site, verify

__all__ = ["NO_TELEMETRY", "create_app", "create_app_from_env", "create_serving_app_from_env"]

# FastAPI's native OpenTelemetry, off: kyso's metrics are Prometheus (adapters/metrics.py) and
# its logs structlog's. Left on, FastAPI asks the three global OpenTelemetry providers whether
# they are configured on every request (8-18 µs, more than a SQL statement), to do nothing.
NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


def create_app(container: Container, *, run_worker: bool = False) -> ASGIApp:
    """Build the app. With ``run_worker`` the duties of ``kyso serve`` (the outbox, the audit
    sequencer, SQLite's checkpoints: ``api/duties.py``) run as threads while the app lives."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        threads = start_duties(container, stop) if run_worker else []
        try:
            yield
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=10)
            process_ended()

    app = FastAPI(title="kyso", version=__version__, lifespan=lifespan,
                  description="Ký số từ xa với SmartOTP — remote digital signing with SmartOTP.",
                  docs_url=None, redoc_url=None,  # served by api/docs.py, no CDN
                  telemetry=NO_TELEMETRY)
    app.state.container = container
    install_error_handlers(app)
    document_errors(app)
    # the machine-facing APIs first: routes are matched in order, and a signHash should not
    # walk past every customer route (the prefixes are disjoint, so the order changes nothing);
    # SmartOTP's code check, one exact path, goes in front of them all
    app.include_router(smartotp.hot_router)
    app.include_router(csc_router)
    app.include_router(sp769_router)
    app.include_router(pki_router)
    for module in (system, accounts, otp, smartotp, transactions, events, support,
                   notifications, consents, quota, signup, recovery, history, holder, contact):
        app.include_router(module.router)
    app.include_router(documents.router)
    app.include_router(multisign.router)
    app.include_router(receipts.router)
    app.include_router(verify.router)
    app.include_router(csc_oauth.router)
    app.include_router(onboarding.router)
    app.include_router(ra.router)
    app.include_router(identity_recovery.router)
    app.include_router(billing.router)
    app.include_router(payments.return_router)
    app.include_router(site.router)
    app.include_router(docs.router)
    app.mount(docs.STATIC_PATH, docs.static_files(), name="docs-static")
    if container.settings.payment_gateway == "sandbox":
        app.include_router(payments.sandbox_router)
    if container.settings.mode != "production":
        app.include_router(dev_inbox.router)
    limits = (documents.body_limits(container.settings)
              | csc_documents.body_limits(container.settings)
              | onboarding.body_limits(container.settings)
              | identity_recovery.body_limits() | multisign.body_limits(container.settings))
    settings = container.settings
    hsts = settings.mode == "production" and settings.public_base_url.startswith("https://")
    gate = identity_recovery.upload_gate(container, bearer_gate(container))
    front = SignHashFront(app, app, container)  # CSC signHash without FastAPI's machinery
    served: ASGIApp = Observe(SecurityHeaders(BodySizeLimit(
        front, settings.max_body_bytes, limits, gate=gate), hsts=hsts, clock=container.clock.now))
    if settings.trusted_proxies.strip():
        # the client's address (throttle, audit) and scheme from X-Forwarded-For/-Proto, only
        # when the peer is a trusted proxy; anyone else's headers are ignored
        proxied = ProxyHeadersMiddleware(served, trusted_hosts=settings.trusted_proxies)  # type: ignore[arg-type]
        served = cast(ASGIApp, proxied)
    return served


def create_app_from_env() -> ASGIApp:
    """The factory ``kyso serve`` hands to uvicorn with one worker: the app, and the duties
    as its threads."""
    return _from_env(run_worker=True)


def create_serving_app_from_env() -> ASGIApp:
    """The factory of ``kyso serve --workers N``: each worker process builds its own and
    only serves (the duties run in a process of their own, ``api/duties.py``); it ends when
    ``kyso serve`` does (``entrypoints/lifeline.py``)."""
    return _from_env(run_worker=False)


def _from_env(*, run_worker: bool) -> ASGIApp:
    die_with_parent()
    keep_heap()  # a signDoc's buffers of a few MiB: no page faults per request
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    container = bootstrap(settings)
    if not run_worker:  # the duties process checkpoints SQLite's log
        leave_checkpoints(container.engine)
    app = create_app(container, run_worker=run_worker)
    settle_heap()  # the app and its container live as long as the worker: no collection walks them
    return app
