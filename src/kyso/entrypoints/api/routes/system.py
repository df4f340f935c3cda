"""Health, readiness and server time.

``/healthz``: the process lives (no database, so a load balancer never restarts a node for
the database's outage). ``/readyz``: the node can serve — 200 with every check "ok", or 503
``service_unavailable`` naming each check's state (``adapters/db/health.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from kyso import __version__
from kyso.adapters.db.health import OK
from kyso.entrypoints.api.deps import ContainerDep
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


@router.get("/api/v1/time", response_model=TimeOut)
def server_time(container: ContainerDep) -> TimeOut:
    now = container.clock.now()
    return TimeOut(time=now, unix=now.timestamp())
