"""Health and server time."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from kyso import __version__
from kyso.entrypoints.api.deps import ContainerDep

router = APIRouter(tags=["system"])


class TimeOut(BaseModel):
    time: datetime
    unix: float


@router.get("/healthz")
def health() -> dict[str, str]:
    return {"status": "ok", "version": __version__}


@router.get("/api/v1/time", response_model=TimeOut)
def server_time(container: ContainerDep) -> TimeOut:
    now = container.clock.now()
    return TimeOut(time=now, unix=now.timestamp())
