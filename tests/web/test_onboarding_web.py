"""Registration for a certificate in the browser: the form, the activation code, the eKYC
images, the contract confirmed with the token's code, the officer's approval (through the
API), the acceptance record signed with SmartOTP — to an active certificate."""

from __future__ import annotations

import uuid
from datetime import timedelta

from playwright.sync_api import expect

from kyso.accounts.model import Role
from kyso.accounts.service import NewAccount
from tests.integration.api.conftest import PASSWORD, PIN, auth, last_code
from tests.integration.api.smartotp_helpers import enrol
from tests.integration.documents.conftest import World
from tests.integration.onboarding.test_flow import png
from tests.web.conftest import Watched, log_in, nav_to


def test_register_for_a_certificate_up_to_active(page: Watched, world: World) -> None:
    n = uuid.uuid4().int % 10**6
    id_number, name = f"001091{n:06d}", f"dangky{n}"
    body = {"username": name, "password": PASSWORD, "pin": PIN, "full_name": "Phạm Thị Dung",
            "phone": f"097{n:07d}", "email": f"{name}@example.vn", "id_number": id_number}
    account = world.client.post("/api/v1/accounts", json=body).json()
    token = world.client.post("/api/v1/auth/login",
                              json={"login": name, "password": PASSWORD}).json()["access_token"]
    device = enrol(world.client, world.container, token, account["id"], world.clock,
                   device_id=f"web-device-{n}")
    p = page.page
    log_in(p, name, PASSWORD)
    nav_to(p, "Đăng ký chứng thư số")
    form = p.locator("#ob-form")
    today = world.clock.now().date()
    form.get_by_role("button", name="Gửi hồ sơ đăng ký").click()
    expect(form.get_by_role("alert")).to_have_text("Vui lòng nhập thông tin này.")
    for label, value in (("Họ và tên", "Phạm Thị Dung"), ("Ngày sinh", "31/02/1991"),
                         ("Số giấy tờ", id_number),
                         ("Ngày cấp", f"{today - timedelta(days=400):%d/%m/%Y}"),
                         ("Ngày hết hạn (nếu có)", f"{today + timedelta(days=3000):%d/%m/%Y}"),
                         ("Số điện thoại", body["phone"]), ("Email", body["email"]),
                         ("Địa chỉ", "12 Trần Duy Hưng"), ("Phường/Xã", "Cầu Giấy"),
                         ("Tỉnh/Thành phố", "Hà Nội")):
        form.get_by_label(label, exact=True).fill(value)
    form.get_by_label("Giới tính").select_option("F")
    form.get_by_label("Gói dịch vụ").select_option("citizen-free-1y")
    form.get_by_role("button", name="Gửi hồ sơ đăng ký").click()
    # a date typed as day/month/year, checked here: 31/02 is no date, said in words
    wrong = "Ngày không hợp lệ. Hãy nhập theo dạng ngày/tháng/năm, ví dụ 04/03/1991."
    expect(form.get_by_role("alert")).to_have_text(wrong)
    birth = form.get_by_label("Ngày sinh", exact=True)
    expect(birth).to_be_focused()
    expect(birth).to_have_attribute("aria-invalid", "true")
    expect(form.locator(".field-error").first).to_have_text(wrong)
    birth.fill("4/3/1991")
    expect(birth).not_to_have_attribute("aria-invalid", "true")
    form.get_by_role("button", name="Gửi hồ sơ đăng ký").click()
    # a CCCD whose sex digit says male: the API's own words, then the right sex
    expect(form.get_by_role("alert")).not_to_have_text("Vui lòng nhập thông tin này.")
    expect(form.get_by_role("alert")).to_have_text(
        "Số giấy tờ tùy thân không hợp lệ: chữ số giới tính không khớp với giới tính.")
    form.get_by_label("Giới tính").select_option("M")
    form.get_by_role("button", name="Gửi hồ sơ đăng ký").click()
    code = p.get_by_label("Mã kích hoạt")
    expect(code).to_be_visible()  # the registration is in: the code is on its way
    code.fill(last_code(world.container, account["id"], "ONBOARDING_ACTIVATION"))
    p.get_by_role("button", name="Xác nhận").click()
    expect(p.locator(".file-picker").first).to_contain_text(
        "Chọn ảnh có sẵnChụp ảnhChưa chọn tệp nào")
    # a photo at hand, or the camera: the back one for the card, the front one for the face
    for label, side in (("Mặt trước", "environment"), ("Mặt sau", "environment"),
                        ("Ảnh chân dung", "user")):
        expect(p.get_by_label(f"{label} — Chụp ảnh")).to_have_attribute("capture", side)
        expect(p.get_by_label(label, exact=True)).not_to_have_attribute("capture", side)
    for label, which in (("Mặt trước", "front"), ("Mặt sau", "back")):
        p.get_by_label(label, exact=True).set_input_files(
            {"name": f"{which}.png", "mimeType": "image/png", "buffer": png()})
        expect(p.get_by_label(label, exact=True)).to_have_accessible_description(f"{which}.png")
    p.get_by_label("Ảnh chân dung — Chụp ảnh").set_input_files(
        {"name": "camera.png", "mimeType": "image/png", "buffer": png()})
    # the photo is the field's own file: named under it, sent with the form
    expect(p.get_by_label("Ảnh chân dung", exact=True)).to_have_accessible_description(
        "camera.png")
    p.get_by_role("button", name="Gửi ảnh").click()
    p.get_by_role("button", name="Đồng ý và ký hợp đồng").click()
    expect(p.locator("article.tx")).to_contain_text("Ký hợp đồng dịch vụ")
    [tx] = world.client.get("/api/v1/transactions", headers=auth(token)).json()
    p.get_by_label("Mã OTP").fill(device.answer(tx))
    p.get_by_role("button", name="Xác nhận").click()
    expect(p.get_by_text("Hồ sơ đang được thẩm định.")).to_be_visible()
    # the officer approves (the console test drives that page)
    world.container.accounts.sign_up(NewAccount(f"ra{n}", PASSWORD, PIN, "Cán bộ RA",
                                                f"096{n:07d}", f"ra{n}@ca.vn",
                                                role=Role.RA_OFFICER))
    officer = world.client.post("/api/v1/auth/login", json={
        "login": f"ra{n}", "password": PASSWORD}).json()["access_token"]
    [case] = [c for c in world.client.get("/api/v1/ra/registrations",
                                          headers=auth(officer)).json()
              if c["account_id"] == account["id"]]
    approved = world.client.post(f"/api/v1/ra/registrations/{case['id']}/approve",
                                 headers=auth(officer))
    assert approved.status_code == 200, approved.text
    world.clock.advance(30)
    p.get_by_role("link", name="Trang chủ").click()
    nav_to(p, "Đăng ký chứng thư số")
    p.get_by_role("button", name="Ký biên bản nghiệm thu").click()
    expect(p.locator("article.tx")).to_contain_text("Biên bản nghiệm thu")
    [tx] = world.client.get("/api/v1/transactions", headers=auth(token)).json()
    assert tx["method"] == "smartotp"
    p.get_by_label("Mã OTP").fill(device.answer(tx))
    p.get_by_role("button", name="Xác nhận").click()
    expect(p.get_by_text("Chứng thư số đã được kích hoạt.")).to_be_visible()
    state = world.client.get("/api/v1/onboarding/registration", headers=auth(token)).json()
    assert state["state"] == "active"
    with p.expect_download() as download:
        p.get_by_role("button", name="Tải biên bản nghiệm thu").click()
    assert download.value.path().read_bytes().startswith(b"%PDF")
