"""The in-app notification inbox, in the request's language (``Accept-Language``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from kyso.entrypoints.api.deps import ContainerDep, CurrentCaller
from kyso.entrypoints.api.errors import language
from kyso.entrypoints.bounds import Limit, Offset
from kyso.notify.model import Notification

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications"])


class NotificationOut(BaseModel):
    id: str
    title: str
    body: str
    created_at: datetime
    read: bool

    @classmethod
    def of(cls, n: Notification, lang: str) -> NotificationOut:
        return cls(id=n.id, title=n.title_in(lang), body=n.body_in(lang),
                   created_at=n.created_at, read=n.read_at is not None)


class UnreadOut(BaseModel):
    unread: int


class MarkedOut(BaseModel):
    marked: int


@router.get("", response_model=list[NotificationOut])
def inbox(
    request: Request,
    caller: CurrentCaller,
    container: ContainerDep,
    limit: Annotated[Limit, Query()] = 50,
    offset: Annotated[Offset, Query()] = 0,
) -> list[NotificationOut]:
    with container.uow() as uow:
        items = container.notifier.inbox(uow, caller.account.id, limit, offset)
    lang = language(request)
    return [NotificationOut.of(n, lang) for n in items]


@router.get("/unread-count", response_model=UnreadOut)
def unread(caller: CurrentCaller, container: ContainerDep) -> UnreadOut:
    with container.uow() as uow:
        return UnreadOut(unread=container.notifier.unread_count(uow, caller.account.id))


@router.post("/{notification_id}/read", status_code=204)
def mark_read(notification_id: str, caller: CurrentCaller, container: ContainerDep) -> Response:
    with container.uow() as uow:
        container.notifier.mark_read(uow, caller.account.id, notification_id)
        uow.commit()
    return Response(status_code=204)


@router.post("/read-all", response_model=MarkedOut)
def mark_all_read(caller: CurrentCaller, container: ContainerDep) -> MarkedOut:
    with container.uow() as uow:
        marked = container.notifier.mark_all_read(uow, caller.account.id)
        uow.commit()
    return MarkedOut(marked=marked)
