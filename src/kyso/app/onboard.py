"""Đăng ký chứng thư số: the registration guide's steps 1-6 on the command line.

Resumable: each run asks the server where the registration stands and carries it on —
the form, payment, the activation code (``r`` resends), eKYC images, the contract
(saved as a PDF, accepted with an OTP), the wait for the RA officer, then SmartOTP (if this
device has none) and the acceptance record signed with the new certificate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kyso.app import enrol
from kyso.app import transactions as tx
from kyso.app.client import KysoClient
from kyso.app.context import AppContext
from kyso.app.errors import ApiError, AppError
from kyso.app.i18n import Msg
from kyso.app.models import Onboarding

__all__ = ["register"]

# ruff: noqa: E501  (one sentence a line reads best)
STATE = Msg("Trạng thái hồ sơ: {state}", "Registration: {state}")
ASK_NAME = Msg("Họ và tên (đúng như trên giấy tờ, đúng vị trí các dấu)", "Full name (exactly as on the ID card, marks included)")
ASK_BIRTH = Msg("Ngày sinh (dd/mm/yyyy)", "Date of birth (dd/mm/yyyy)")
ASK_SEX = Msg("Giới tính (Nam/Nữ)", "Sex (Nam = male / Nữ = female)")
ASK_ID_TYPE = Msg("Loại giấy tờ (CCCD/CMND/HC)", "ID type (CCCD, CMND or HC = passport)")
ASK_ID_NUMBER = Msg("Số giấy tờ", "ID number")
ASK_ISSUED = Msg("Ngày cấp (dd/mm/yyyy)", "Issue date (dd/mm/yyyy)")
ASK_EXPIRES = Msg("Có giá trị đến (dd/mm/yyyy; để trống nếu không thời hạn)", "Valid until (dd/mm/yyyy; empty if it has none)")
ASK_MRZ = Msg("Dòng {n} vùng MRZ mặt sau thẻ gắn chip (để trống để bỏ qua)", "Line {n} of the MRZ on the back of a chip card (empty to skip)")
ASK_EMAIL = Msg("Email liên hệ (nhận mã kích hoạt)", "Contact email (receives the activation code)")
ASK_PHONE = Msg("Số điện thoại liên hệ (nhận mã kích hoạt)", "Contact phone (receives the activation code)")
ASK_ADDRESS = Msg("Địa chỉ liên hệ (số nhà, đường, phường/xã)", "Contact address (number, street, ward)")
ASK_LOCALITY = Msg("Quận/huyện", "District")
ASK_PROVINCE = Msg("Tỉnh/thành phố", "Province or city")
ASK_PACKAGE = Msg("Gói chứng thư số [{default}]", "Certificate package [{default}]")
PAYMENT_WAIT = Msg("Đơn hàng {order} chưa được thanh toán. Thanh toán (Ví điện tử/Thẻ tín dụng/Thẻ ATM) tại: {url} rồi chạy lại: kyso app register", "Order {order} is not paid yet. Pay (e-wallet, card, ATM) at {url}, then run again: kyso app register")
ASK_CODE = Msg("Nhập mã kích hoạt đã gửi qua SMS và email (còn {seconds} giây; r = gửi lại)", "Enter the activation code sent by SMS and email ({seconds} s left; r = resend)")
ASK_FRONT = Msg("Đường dẫn ảnh mặt trước giấy tờ (JPEG/PNG)", "Path of the ID card's front (JPEG/PNG)")
ASK_BACK = Msg("Đường dẫn ảnh mặt sau giấy tờ (JPEG/PNG)", "Path of the ID card's back (JPEG/PNG)")
ASK_PORTRAIT = Msg("Đường dẫn ảnh chân dung (JPEG/PNG)", "Path of the portrait (JPEG/PNG)")
NO_FILE = Msg("Không đọc được tệp {path}.", "Cannot read the file {path}.")
CONTRACT_SAVED = Msg("Hợp đồng dịch vụ đã được lưu tại {path}. Hãy đọc kỹ trước khi đồng ý.", "The service contract was saved to {path}. Read it before you accept.")
ASK_ACCEPT = Msg("Quý khách đồng ý với Hợp đồng và xác nhận bằng mã OTP? (c/k)", "Do you accept the contract, confirmed with an OTP? (c = yes / k = no)")
REVIEW_WAIT = Msg("Hồ sơ đang chờ thẩm định. Quý khách có thể thoát và chạy lại lệnh này khi nhận được thông báo.", "The registration awaits appraisal. You may leave and run this command again when notified.")
APPROVED = Msg("Yêu cầu cấp chứng thư số đã được duyệt. Hãy ký Biên bản nghiệm thu bằng SmartOTP.", "The certificate request was approved. Sign the acceptance record with SmartOTP.")
NEED_SMARTOTP = Msg("Thiết bị chưa có SmartOTP: hãy đăng ký SmartOTP trước khi ký Biên bản nghiệm thu.", "This device has no SmartOTP: register it before signing the acceptance record.")
REJECTED = Msg("Hồ sơ bị từ chối. Lý do: {reason}", "The registration was rejected. Reason: {reason}")
ASK_RESUBMIT = Msg("Quý khách muốn bổ sung và gửi lại hồ sơ? (c/k)", "Correct and resubmit? (c/k)")
ACTIVE = Msg("Chứng thư số {credential} đã được kích hoạt. Biên bản nghiệm thu đã ký: {path}", "Certificate {credential} is active. The signed acceptance record: {path}")
ENDED = Msg("Hồ sơ {state}. Chạy lại lệnh để đăng ký mới.", "The registration is {state}. Run the command again to register anew.")
BAD_DATE = Msg("Ngày không hợp lệ: {text} (dd/mm/yyyy).", "Not a date: {text} (dd/mm/yyyy).")

FREE_PACKAGE = "citizen-free-1y"
SAID = Msg("{text}", "{text}")


@dataclass(frozen=True)
class Run:
    out_dir: Path
    device_name: str


Step = Callable[[AppContext, KysoClient, Onboarding, Run], Onboarding | None]


def register(ctx: AppContext, out_dir: Path, device_name: str) -> None:
    with ctx.client() as api:
        current = api.onboarding()
        if current is None or current.state in ("cancelled", "expired"):
            current = api.onboarding_start(_form(ctx))
        while current is not None:
            ctx.ui.say(STATE, state=current.state_vi)
            step = _STEPS.get(current.state)
            if step is None:
                ctx.ui.result(ENDED, state=current.state_vi)
                return
            current = step(ctx, api, current, Run(out_dir, device_name))


def _form(ctx: AppContext) -> dict[str, Any]:
    ask = ctx.ui.ask
    form: dict[str, Any] = {"full_name": ask(ASK_NAME), "birth_date": _date(ctx, ASK_BIRTH),
                            "sex": "F" if ask(ASK_SEX).strip().lower() in ("nữ", "nu", "f")
                            else "M",
                            "id_type": ask(ASK_ID_TYPE).strip().upper() or "CCCD",
                            "id_number": ask(ASK_ID_NUMBER), "issue_date": _date(ctx, ASK_ISSUED),
                            "expiry_date": _date(ctx, ASK_EXPIRES, optional=True)}
    first = ask(ASK_MRZ, n=1).strip()
    form["mrz"] = "\n".join([first, ask(ASK_MRZ, n=2), ask(ASK_MRZ, n=3)]) if first else None
    form |= {"email": ask(ASK_EMAIL), "phone": ask(ASK_PHONE), "address": ask(ASK_ADDRESS),
             "locality": ask(ASK_LOCALITY), "province": ask(ASK_PROVINCE),
             "package": ask(ASK_PACKAGE, default=FREE_PACKAGE).strip() or FREE_PACKAGE,
             "device_id": ctx.state.device_id}
    return form


def _date(ctx: AppContext, msg: Msg, *, optional: bool = False) -> str | None:
    text = ctx.ui.ask(msg).strip()
    if optional and not text:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    raise AppError(BAD_DATE, text=text)


def _payment(ctx: AppContext, api: KysoClient, r: Onboarding, run: Run) -> Onboarding | None:
    after = api.onboarding_step("payment/order")  # a new order after a failed payment
    if after.state == r.state:
        assert after.order_id is not None
        ctx.ui.result(PAYMENT_WAIT, order=after.order_id, url=api.payment_url(after.order_id))
        return None
    return after


def _activation(ctx: AppContext, api: KysoClient, r: Onboarding, run: Run) -> Onboarding | None:
    left = 0
    if r.activation_expires_at is not None:
        left = max(0, int((r.activation_expires_at - datetime.now(UTC)).total_seconds()))
    answer = ctx.ui.ask(ASK_CODE, seconds=left).strip()
    try:
        if answer.lower() in enrol.RESEND:
            return api.onboarding_step("activation/resend")
        return api.onboarding_step("activation", {"code": answer.replace(" ", "")})
    except ApiError as exc:
        if exc.status not in (400, 410, 423, 429):
            raise
        ctx.ui.say(SAID, text=exc.message)
        return api.onboarding()


def ask_images(ctx: AppContext) -> dict[str, tuple[str, bytes, str]]:
    """The card's front and back and a portrait, asked as paths and read (eKYC, and the
    identity re-check of ``kyso app recover-identity``)."""
    files = {}
    for name, msg in (("front", ASK_FRONT), ("back", ASK_BACK), ("portrait", ASK_PORTRAIT)):
        path = Path(ctx.ui.ask(msg).strip()).expanduser()
        try:
            data = path.read_bytes()
        except OSError:
            raise AppError(NO_FILE, path=str(path)) from None
        kind = "image/png" if path.suffix.lower() == ".png" else "image/jpeg"
        files[name] = (path.name, data, kind)
    return files


def _ekyc(ctx: AppContext, api: KysoClient, r: Onboarding, run: Run) -> Onboarding | None:
    files = ask_images(ctx)
    try:
        return api.onboarding_ekyc(files)
    except ApiError as exc:
        if exc.status not in (400, 423):
            raise
        ctx.ui.say(SAID, text=exc.message)
        return api.onboarding()


def _contract(ctx: AppContext, api: KysoClient, r: Onboarding, run: Run) -> Onboarding | None:
    path = run.out_dir / f"hop-dong-{r.id[:8]}.pdf"
    path.write_bytes(api.onboarding_pdf("contract"))
    ctx.ui.say(CONTRACT_SAVED, path=str(path))
    if not ctx.ui.confirm(ASK_ACCEPT):
        return None
    tx.confirm_open(ctx, api, api.onboarding_contract())
    return api.onboarding()


def _review(ctx: AppContext, api: KysoClient, r: Onboarding, run: Run) -> Onboarding | None:
    ctx.ui.result(REVIEW_WAIT)
    return None


def _approved(ctx: AppContext, api: KysoClient, r: Onboarding, run: Run) -> Onboarding | None:
    ctx.ui.say(APPROVED)
    if ctx.state.token is None:
        ctx.ui.say(NEED_SMARTOTP)
        enrol.register(ctx, device_name=run.device_name)
    acceptance = api.onboarding_acceptance()
    tx.confirm_open(ctx, api, acceptance.transaction)
    return api.onboarding()


def _rejected(ctx: AppContext, api: KysoClient, r: Onboarding, run: Run) -> Onboarding | None:
    ctx.ui.say(REJECTED, reason=r.review_reason or "eKYC")
    if r.resubmittable and ctx.ui.confirm(ASK_RESUBMIT):
        return api.onboarding_step("resubmit")
    return None


def _active(ctx: AppContext, api: KysoClient, r: Onboarding, run: Run) -> Onboarding | None:
    path = run.out_dir / f"bien-ban-nghiem-thu-{r.id[:8]}.pdf"
    path.write_bytes(api.onboarding_pdf("acceptance"))
    ctx.ui.result(ACTIVE, credential=r.credential_id, path=str(path))
    return None


_STEPS: dict[str, Step] = {
    "awaiting_payment": _payment, "awaiting_activation": _activation, "awaiting_ekyc": _ekyc,
    "awaiting_contract": _contract, "under_review": _review, "approved": _approved,
    "rejected": _rejected, "active": _active,
}
