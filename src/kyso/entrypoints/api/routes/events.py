"""Live requests: ``GET /api/v1/events``, a Server-Sent Events stream of the caller's pending
transactions (SP769 requests, document signings started elsewhere, registrations…).

The first event is the current list; another follows whenever the set of pending ids
changes (the database is read every ``POLL`` seconds, so a new request shows within a
second). The session is checked again every ``RECHECK`` seconds: a logout or an expiry ends
the stream with ``event: end``; every stream ends after ``MAX_OPEN`` seconds and the app
reconnects. No third-party push: the browser reads this with ``fetch`` and its bearer
session (EventSource cannot send the header, and a token never goes into a URL).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from kyso.bootstrap import Container
from kyso.entrypoints.api.deps import ContainerDep, CurrentCaller
from kyso.entrypoints.api.routes.transactions import TransactionOut
from kyso.errors import KysoError

router = APIRouter(prefix="/api/v1", tags=["events"])

POLL = 0.5
RECHECK = 15.0
KEEP_ALIVE = 15.0
MAX_OPEN = 600.0


def _pending_event(container: Container, account_id: str) -> tuple[tuple[str, ...], str]:
    items = [TransactionOut.of(c).model_dump(mode="json")
             for c in container.transactions.pending(account_id)]
    ids = tuple(sorted(i["id"] for i in items))
    data = json.dumps({"count": len(items), "items": items}, ensure_ascii=False)
    return ids, f"event: pending\ndata: {data}\n\n"


async def _stream(request: Request, container: Container, token: str,
                  account_id: str) -> AsyncIterator[str]:
    seen: tuple[str, ...] | None = None
    started = checked = beat = time.monotonic()
    while time.monotonic() - started < MAX_OPEN and not await request.is_disconnected():
        now = time.monotonic()
        if now - checked >= RECHECK:
            try:
                await run_in_threadpool(container.accounts.authenticate, token)
            except KysoError:
                yield "event: end\ndata: {}\n\n"
                return
            checked = now
        ids, event = await run_in_threadpool(_pending_event, container, account_id)
        if ids != seen:
            seen, beat = ids, now
            yield event
        elif now - beat >= KEEP_ALIVE:
            beat = now
            yield ": keep-alive\n\n"
        await asyncio.sleep(POLL)


@router.get("/events", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}}})
def events(request: Request, caller: CurrentCaller, container: ContainerDep) -> StreamingResponse:
    """The caller's pending transactions, live (text/event-stream)."""
    token = request.headers["authorization"].split(" ", 1)[1]
    return StreamingResponse(_stream(request, container, token, caller.account.id),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
