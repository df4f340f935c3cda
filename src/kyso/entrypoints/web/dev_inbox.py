"""The development inbox: every SMS and email the local delivery back end received.

Mounted only outside production; it shows message bodies (one-time codes) on purpose.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates

from kyso.entrypoints.api.deps import ContainerDep

router = APIRouter(prefix="/dev", include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def _messages(container: ContainerDep) -> list[dict[str, str | None]]:
    with container.uow() as uow:
        recent = uow.outbox.recent(100)
    out = []
    for m in recent:
        body = container.notifier.open_body(m) if m.delivered_locally else None
        out.append({
            "id": m.id, "channel": m.channel.value, "to": m.recipient, "status": m.status.value,
            "created_at": m.created_at.isoformat(), "purpose": m.purpose,
            "subject": body.subject if body else None, "text": body.text if body else None,
        })
    return out


@router.get("/inbox", response_class=HTMLResponse)
def inbox_page(request: Request, container: ContainerDep) -> HTMLResponse:
    return templates.TemplateResponse(request, "dev_inbox.html",
                                      {"messages": _messages(container)})


@router.get("/inbox.json")
def inbox_json(container: ContainerDep) -> JSONResponse:
    return JSONResponse(_messages(container))
