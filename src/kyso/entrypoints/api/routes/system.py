"""Health, readiness, metrics and server time.

``/healthz``: the process lives (no database, so a load balancer never restarts a node for
the database's outage). ``/readyz``: the node can serve — 200 with every check "ok", or 503
``service_unavailable`` naming each check's state (``adapters/db/health.py``).
``/metrics``: Prometheus's text format (``adapters/metrics.py``), to the addresses in
``KYSO_METRICS_ALLOW`` only (404 to anyone else)."""

from __future__ import annotations

import ipaddress
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import HTTPException
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from kyso import __version__
from kyso.adapters.db.health import OK
from kyso.adapters.metrics import CONTENT_TYPE_LATEST, render
from kyso.entrypoints.api.deps import ContainerDep, client_ip
from kyso.entrypoints.api.errors import unavailable

router = APIRouter(tags=["system"])


class TimeOut(BaseModel):
    time: datetime
    unix: float


@router.get("/healthz")
def health() -> dict[str, str]:
    return {"status": "ok", "version": __version__}


@router.get("/readyz", responses={503: {"description": "Not ready: a check failed."}})
async def ready(request: Request, container: ContainerDep) -> Any:
    checks = await run_in_threadpool(container.readiness)
    if all(state == OK for state in checks.values()):
        return {"status": "ready", "checks": checks}
    return unavailable(request, checks)


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, container: ContainerDep) -> Response:
    if not _allowed(client_ip(request), container.settings.metrics_allow):
        raise HTTPException(404, "Not Found")
    body = await run_in_threadpool(render, container.engine)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def _allowed(address: str | None, allow: str) -> bool:
    entries = [entry.strip() for entry in allow.split(",") if entry.strip()]
    if "*" in entries:
        return True
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(entry, strict=False) for entry in entries)


@router.get("/api/v1/time", response_model=TimeOut)
def server_time(container: ContainerDep) -> TimeOut:
    now = container.clock.now()
    return TimeOut(time=now, unix=now.timestamp())
