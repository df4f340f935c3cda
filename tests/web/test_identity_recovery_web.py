"""Both the password and the account PIN lost, in Chromium on a phone: from "Quên mật khẩu"
to "Tôi cũng quên mã PIN", the phone proven, the ID images checked in the browser and sent;
an officer in /console compares them with the approved registration, rejects (the customer
reads why), then approves a second request; the customer sets a new password and PIN."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from kyso.accounts.model import Role
from tests.integration.api.conftest import PASSWORD, last_code
from tests.integration.api.test_identity_recovery_api import approval_code, approved_registration
from tests.integration.documents.conftest import World
from tests.web.conftest import Watched, log_in, shot
from tests.web.test_console_web import staff

NEW_PASSWORD = "Khoiphuc2027"
NEW_PIN = "580314"


def photo(text: str, colour: str) -> bytes:
    """A real PNG of 480×320 with a caption (the screenshots show it)."""
    image = Image.new("RGB", (480, 320), colour)
    ImageDraw.Draw(image).text((24, 140), text, fill="black")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def choose(p: Page, images: dict[str, bytes]) -> None:
    for label, data in images.items():
        p.get_by_label(label, exact=True).set_input_files(
            {"name": "anh.png", "mimeType": "image/png", "buffer": data})
    p.get_by_role("button", name="Gửi cho cán bộ kiểm tra").click()


def send_request(p: Page, world: World, login: str, account_id: str, n: int) -> None:
    """From the forgotten-password page to a request under review."""
    p.goto("/")
    p.get_by_role("link", name="Quên mật khẩu").click()
    p.get_by_role("link", name="Tôi cũng quên mã PIN tài khoản").click()
    title = p.get_by_role("heading", name="Khôi phục tài khoản bằng giấy tờ tùy thân")
    expect(title).to_be_visible()
    if n == 1:
        shot(p, "identity-start")
    p.get_by_label("Tên đăng nhập, số điện thoại hoặc email").fill(login)
    p.get_by_role("button", name="Gửi mã xác minh").click()
    code = p.get_by_label("Mã xác minh (6 chữ số)")
    expect(code).to_be_visible()  # the request answered: only now is the code in the outbox
    code.fill(last_code(world.container, account_id, "IDENTITY_RECOVERY"))
    if n == 1:
        shot(p, "identity-phone")
    p.get_by_role("button", name="Xác minh").click()
    expect(p.locator("#identity-rules")).to_contain_text("ít nhất 300 điểm ảnh")
    front = photo(f"CCCD mat truoc {n}", "#d8e6f5")
    if n == 1:  # the same image twice: refused here, no attempt spent
        choose(p, {"Mặt trước": front, "Mặt sau": front, "Ảnh chân dung": photo("x", "#eee")})
        expect(p.get_by_role("alert")).to_contain_text("chưa tính lần thử nào")
        shot(p, "identity-images-refused-in-browser")
    choose(p, {"Mặt trước": front, "Mặt sau": photo(f"CCCD mat sau {n}", "#f5e6d8"),
               "Ảnh chân dung": photo(f"Chan dung {n}", "#e0f5d8")})
    expect(p.locator("#identity-state")).to_have_text("Chờ cán bộ kiểm tra")


def open_case(p: Page) -> None:
    p.get_by_role("link", name="Khôi phục tài khoản").click()
    p.get_by_role("button", name="Xem").first.click()
    expect(p.locator("#recovery-state")).to_have_text("Chờ cán bộ kiểm tra")


def test_both_secrets_lost_an_officer_rejects_then_approves_and_the_customer_resets(
        page: Watched, world: World) -> None:
    p, customer = page.page, world.customer("Trần Thị Khôi")
    account = world.container.accounts.get(customer.account_id)
    approved_registration(world.container, account.id, "Trần Thị Khôi", (
        photo("CCCD mat truoc (ho so)", "#d8e6f5"), photo("CCCD mat sau (ho so)", "#f5e6d8"),
        photo("Chan dung (ho so)", "#e0f5d8")), id_number="001191004242")  # the package's world
    # is shared: a number no other test registers
    officer = staff(world, "hotro_kp", Role.SUPPORT)

    send_request(p, world, account.phone, account.id, 1)
    shot(p, "identity-waiting")

    log_in(p, officer, PASSWORD, "/console")
    open_case(p)
    case = p.locator("main")
    expect(p.locator("#recovery-images img")).to_have_count(6)  # sent | registration, ×3
    for shown in ("Số giấy tờCCCD 001191004242", "Ngày sinh04/03/1991", "Giới tínhNam"):
        expect(case).to_contain_text(shown)
    shot(p, "console-recovery-case")
    p.get_by_label("Lý do từ chối").fill("Ảnh chân dung mờ, không đối chiếu được")
    p.get_by_role("button", name="Từ chối", exact=True).click()
    expect(p.get_by_role("alertdialog")).to_contain_text("Từ chối yêu cầu khôi phục của")
    p.get_by_role("button", name="Có, từ chối").click()
    expect(p.locator("#recovery-state")).to_have_text("Bị từ chối")
    p.get_by_role("button", name="Đăng xuất").click()
    expect(p.get_by_role("status")).to_have_text("Quý khách đã đăng xuất.")  # the session is gone

    p.goto("/#identity")  # the customer comes back: the request and why it was refused
    expect(p.locator("#identity-reason")).to_contain_text("Ảnh chân dung mờ")
    shot(p, "identity-rejected")

    world.clock.advance(61)  # a new SMS code may go
    send_request(p, world, account.phone, account.id, 2)
    log_in(p, officer, PASSWORD, "/console")
    open_case(p)
    p.get_by_role("button", name="Duyệt và gửi mã khôi phục").click()
    question = p.get_by_role("alertdialog")
    expect(question).to_contain_text("Mã khôi phục sẽ được gửi tới số điện thoại")
    shot(p, "console-recovery-approve-ask")
    question.get_by_role("button", name="Có, duyệt").click()
    expect(p.locator("main")).to_contain_text("Đã duyệt; mã khôi phục đã được gửi")
    p.get_by_role("button", name="Đăng xuất").click()
    expect(p.get_by_role("status")).to_have_text("Quý khách đã đăng xuất.")  # the session is gone

    p.goto("/#identity")
    expect(p.get_by_role("heading", name="Đặt mật khẩu và mã PIN mới")).to_be_visible()
    p.get_by_label("Tên đăng nhập, số điện thoại hoặc email").fill(account.phone)
    p.get_by_label("Mã khôi phục (8 chữ số)").fill("12345678")
    p.get_by_label("Mật khẩu mới", exact=True).fill(NEW_PASSWORD)
    p.get_by_label("Nhập lại mật khẩu mới").fill(NEW_PASSWORD)
    p.get_by_label("Mã PIN tài khoản mới (6 chữ số)").fill(NEW_PIN)
    p.get_by_label("Nhập lại mã PIN mới").fill(NEW_PIN)
    p.get_by_role("button", name="Đặt lại mật khẩu và mã PIN").click()
    expect(p.get_by_role("alert")).to_contain_text("Mã OTP không đúng")
    shot(p, "identity-complete-wrong-code")
    p.get_by_label("Mã khôi phục (8 chữ số)").fill(approval_code(world.container, account.id))
    p.get_by_role("button", name="Đặt lại mật khẩu và mã PIN").click()
    expect(p.locator("main")).to_contain_text("Đã đặt lại mật khẩu và mã PIN tài khoản")
    shot(p, "identity-done")
    log_in(p, account.phone, NEW_PASSWORD)
