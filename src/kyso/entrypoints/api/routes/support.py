"""The support desk: lock and unlock a customer's OTP method, with a reason."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import Field

from kyso.entrypoints.api.deps import ContainerDep, CurrentCaller
from kyso.entrypoints.api.schemas import Strict
from kyso.otp.methods import Staff
from kyso.otp.token import Method

router = APIRouter(prefix="/api/v1/support", tags=["support"])


class ReasonIn(Strict):
    reason: str = Field(min_length=3, max_length=500)


@router.post("/accounts/{account_id}/otp-methods/{method}/lock", status_code=204)
def lock(account_id: str, method: Method, body: ReasonIn, caller: CurrentCaller,
         container: ContainerDep) -> Response:
    staff = Staff(caller.account.id, caller.account.role)
    container.otp_methods.support_lock(staff, account_id, method, body.reason)
    return Response(status_code=204)


@router.post("/accounts/{account_id}/otp-methods/{method}/unlock", status_code=204)
def unlock(account_id: str, method: Method, body: ReasonIn, caller: CurrentCaller,
           container: ContainerDep) -> Response:
    staff = Staff(caller.account.id, caller.account.role)
    container.otp_methods.support_unlock(staff, account_id, method, body.reason)
    return Response(status_code=204)
