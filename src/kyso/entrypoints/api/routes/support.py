"""The support desk: find a customer (login name, phone, email or ID number), lock and
unlock their OTP methods with a reason."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from kyso.entrypoints.api.deps import ContainerDep, CurrentCaller
from kyso.entrypoints.api.routes.smartotp import MethodLockOut
from kyso.entrypoints.api.schemas import Strict
from kyso.otp.methods import Staff
from kyso.otp.token import Method

router = APIRouter(prefix="/api/v1/support", tags=["support"])


class ReasonIn(Strict):
    reason: str = Field(min_length=3, max_length=500)


class CustomerOut(BaseModel):
    id: str
    username: str
    full_name: str
    phone: str
    email: str
    status: str
    otp_method: str
    methods: dict[str, MethodLockOut]


@router.get("/accounts", response_model=CustomerOut)
def find(caller: CurrentCaller, container: ContainerDep,
         login: str = Query(min_length=1, max_length=254)) -> CustomerOut:
    """The customer whose login name, phone, email or ID number is ``login``."""
    account, state = container.otp_methods.support_find(_staff(caller), login)
    return CustomerOut(id=account.id, username=account.username, full_name=account.full_name,
                       phone=account.phone, email=account.email, status=account.status.value,
                       otp_method=state.preferred.value, methods=MethodLockOut.all_of(state))


@router.post("/accounts/{account_id}/otp-methods/{method}/lock", status_code=204)
def lock(account_id: str, method: Method, body: ReasonIn, caller: CurrentCaller,
         container: ContainerDep) -> Response:
    container.otp_methods.support_lock(_staff(caller), account_id, method, body.reason)
    return Response(status_code=204)


@router.post("/accounts/{account_id}/otp-methods/{method}/unlock", status_code=204)
def unlock(account_id: str, method: Method, body: ReasonIn, caller: CurrentCaller,
           container: ContainerDep) -> Response:
    container.otp_methods.support_unlock(_staff(caller), account_id, method, body.reason)
    return Response(status_code=204)


def _staff(caller: CurrentCaller) -> Staff:
    return Staff(caller.account.id, caller.account.role)
