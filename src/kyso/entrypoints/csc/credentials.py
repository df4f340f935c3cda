"""``credentials/…``: list, info, authorize (SmartOTP or SMS code → SAD), extendTransaction,
sendOTP. Thin handlers over ``container.signing``; a caller sees only their own credentials
(another customer's is as unknown as none: "Invalid parameter credentialID")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response

from kyso.bootstrap import Container
from kyso.entrypoints.api.deps import ContainerDep
from kyso.entrypoints.csc.bearer import CscCallerDep, csc_lang
from kyso.entrypoints.csc.describe import Factors, InfoRequest, describe
from kyso.entrypoints.csc.errors import CscRoute, InvalidParameter, MissingParameter
from kyso.entrypoints.csc.params import check_lengths, decode_hashes, hash_for
from kyso.entrypoints.csc.schemas import (
    AuthorizeIn,
    ChallengeIn,
    CredentialInfoIn,
    CredentialListIn,
    CredentialRef,
    ExtendIn,
)
from kyso.otp.model import Purpose
from kyso.pki.model import CertificateStatus
from kyso.signing.service import Grant

__all__ = ["router"]

router = APIRouter(route_class=CscRoute)


@router.post("/credentials/list")
def list_credentials(request: Request, caller: CscCallerDep, container: ContainerDep,
                     body: CredentialListIn | None = None) -> dict[str, Any]:
    body = body or CredentialListIn()
    if body.user_id is not None:
        raise InvalidParameter("userID", "it must be null: the token names the user",
                               "phải là null: token đã xác định người dùng")
    now = container.clock.now()
    found = container.signing.credentials(caller.account_id)
    if body.only_valid:
        found = [c for c in found if c.status_at(now) is CertificateStatus.ACTIVE]
    out: dict[str, Any] = {"credentialIDs": [c.id for c in found]}
    if body.credential_info:
        wanted = InfoRequest(body.certificates, body.cert_info, body.auth_info)
        factors = _factors(container, caller.account_id)
        out["credentialInfos"] = [
            {"credentialID": c.id, **describe(c, now, wanted, factors, _multisign(container),
                                              csc_lang(request))} for c in found]
    if body.only_valid:
        out["onlyValid"] = True
    return out


@router.post("/credentials/info")
def credential_info(body: CredentialInfoIn, request: Request, caller: CscCallerDep,
                    container: ContainerDep) -> dict[str, Any]:
    credential = container.signing.credential(caller.account_id, body.credential_id)
    wanted = InfoRequest(body.certificates, body.cert_info, body.auth_info)
    return describe(credential, container.clock.now(), wanted,
                    _factors(container, caller.account_id), _multisign(container),
                    csc_lang(request))


@router.post("/credentials/authorize")
def authorize(body: AuthorizeIn, caller: CscCallerDep,
              container: ContainerDep) -> dict[str, Any]:
    """Explicit authorization (SCAL2): the OTP (and the PIN if configured) → a SAD bound to
    exactly these hashes."""
    if body.hashes is None:
        raise MissingParameter("hashes", "array")
    digests = decode_hashes(body.hashes)
    if body.num_signatures != len(digests):
        raise InvalidParameter("numSignatures", "it must equal the number of hashes (SCAL2)",
                               "phải bằng số giá trị băm (SCAL2)")
    hash_algo = hash_for(body.hash_algo, digests)
    otp = body.factor("OTP")
    if otp is None:
        raise MissingParameter("OTP", "string")
    if container.settings.csc_require_pin:
        _check_pin(container, caller.account_id, body.credential_id, body.factor("PIN"))
    grant = container.signing.authorize(caller.account_id, body.credential_id, digests,
                                        hash_algo, otp)
    return _sad(grant, container.clock.now())


@router.post("/credentials/extendTransaction")
def extend_transaction(body: ExtendIn, caller: CscCallerDep,
                       container: ContainerDep) -> dict[str, Any]:
    """SCAL2: ``hashes`` are required — a fresh SAD binds exactly those,
    which must be ones the current SAD authorized and has not signed; the old SAD dies. Only
    ``credentials/authorize`` (with the signer's OTP) authorizes a new hash."""
    if body.hashes is None:
        raise MissingParameter("hashes", "array")
    digests = decode_hashes(body.hashes)
    hash_algo = hash_for(body.hash_algo, digests)
    check_lengths(digests, hash_algo)
    grant = container.signing.extend(caller.account_id, body.credential_id, body.sad,
                                     digests, hash_algo)
    return _sad(grant, container.clock.now())


@router.post("/credentials/sendOTP", status_code=204)
def send_otp(body: CredentialRef, caller: CscCallerDep, container: ContainerDep) -> Response:
    """Customers on the SMS method: send the code for ``credentials/authorize``."""
    container.signing.credential(caller.account_id, body.credential_id)
    method = container.otp_methods.state(caller.account_id).preferred
    if container.factors.factor(method).offline:
        raise InvalidParameter("credentialID", "its OTP comes from the SmartOTP app (offline)",
                               "mã OTP lấy từ ứng dụng SmartOTP")
    container.accounts.send_code(caller.account_id, Purpose.SIGN)
    return Response(status_code=204)


@router.post("/credentials/getChallenge")
def get_challenge(body: ChallengeIn, request: Request, caller: CscCallerDep,
                  container: ContainerDep) -> dict[str, Any]:
    """The challenge for explicit authorization (``credentials/authorize``): customers on the
    SMS method get the code by SMS now; SmartOTP customers read it in the app (offline, no
    message is sent). Either way the answer says where the code is."""
    credential = container.signing.credential(caller.account_id, body.credential_id)
    method = container.otp_methods.state(caller.account_id).preferred
    offline = container.factors.factor(method).offline
    if not offline:
        container.accounts.send_code(caller.account_id, Purpose.SIGN)
    text = _CHALLENGE[offline][csc_lang(request) == "en"]
    return {"credentialID": credential.id, "type": "offline" if offline else "online",
            "method": method.value, "sent": not offline, "description": text}


_CHALLENGE = {
    True: ("Mở ứng dụng kyso (SmartOTP) và nhập mã 6 chữ số đang hiển thị.",
           "Open the kyso app (SmartOTP) and enter the 6-digit code it shows."),
    False: ("Mã OTP đã được gửi qua SMS đến số điện thoại đã đăng ký.",
            "The OTP was sent by SMS to the registered phone number."),
}


def _sad(grant: Grant, now: datetime) -> dict[str, Any]:
    return {"SAD": grant.sad, "expiresIn": max(0, int((grant.expires_at - now).total_seconds()))}


def _factors(container: Container, account_id: str) -> Factors:
    token, state = container.smartotp.status(account_id)
    device = token.device_id if token is not None else None
    return Factors(state.preferred, device, container.settings.csc_require_pin)


def _multisign(container: Container) -> int:
    return container.signing.policy.max_hashes


def _check_pin(container: Container, account_id: str, credential: str, pin: str | None) -> None:
    """The account PIN, in its own unit of work (a failure is counted and committed by
    ``verify_pin``), before the OTP is checked."""
    container.signing.credential(account_id, credential)
    if pin is None:
        raise MissingParameter("PIN", "string")
    with container.uow() as uow:
        container.accounts.verify_pin(uow, account_id, pin)
        uow.commit()
