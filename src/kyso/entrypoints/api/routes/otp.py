"""Out-of-band codes: ask for one for a purpose."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from kyso.entrypoints.api.deps import ContainerDep, CurrentCaller
from kyso.entrypoints.api.schemas import Strict
from kyso.notify.model import Channel
from kyso.otp.model import Purpose, SentCode

router = APIRouter(prefix="/api/v1", tags=["otp"])


class SendIn(Strict):
    purpose: Purpose
    channel: Channel = Channel.SMS
    pin: str | None = Field(default=None, min_length=1, max_length=64,
                            description="the account PIN, checked before anything is sent")


class SentCodeOut(BaseModel):
    purpose: str
    channel: str
    destination: str
    expires_at: datetime
    expires_in: int
    resend_after: int

    @classmethod
    def of(cls, sent: SentCode, now: datetime) -> SentCodeOut:
        return cls(purpose=sent.purpose.value, channel=sent.channel.value,
                   destination=sent.destination, expires_at=sent.expires_at,
                   expires_in=int((sent.expires_at - now).total_seconds()),
                   resend_after=max(0, int((sent.resend_at - now).total_seconds())))


@router.post("/otp/send", status_code=202, response_model=SentCodeOut)
def send_code(body: SendIn, caller: CurrentCaller, container: ContainerDep) -> SentCodeOut:
    sent = container.accounts.send_code(caller.account.id, body.purpose, body.channel,
                                      pin=body.pin)
    return SentCodeOut.of(sent, container.clock.now())
