"""The staff console in Chromium: an RA officer approves a registration made through the API
(as the onboarding tests make it); the support desk locks an OTP method; a customer is kept
out; the API's role checks stay the gate."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from kyso.accounts.model import Role
from kyso.accounts.service import NewAccount
from tests.integration.api.conftest import PASSWORD, PIN
from tests.integration.documents.conftest import World
from tests.integration.onboarding.test_flow import to_review
from tests.web.conftest import Watched, log_in, session_token, shot


def staff(world: World, username: str, role: Role) -> str:
    n = sum(map(ord, username)) % 1000
    world.container.accounts.sign_up(NewAccount(username, PASSWORD, PIN, f"Cán bộ {username}",
                                                f"0900000{n:03d}", f"{username}@ca.vn",
                                                role=role))
    return username


def test_an_officer_reviews_and_approves_a_registration(page: Watched, world: World) -> None:
    account_id, headers, _device = to_review(world.client, world.container, world.clock)
    p = page.page
    log_in(p, staff(world, "thamdinh", Role.RA_OFFICER), PASSWORD, "/console")
    expect(p.get_by_role("link", name="Hỗ trợ khách hàng")).to_have_count(0)
    row = p.locator("#cases .case-row")  # one tap target: name, ID number, state, date
    expect(row).to_have_count(1)
    expect(row.locator(".case-name")).to_have_text("Nguyễn Văn An")
    expect(row.locator(".case-id")).to_have_text("Số giấy tờ: 001091000001")
    expect(row.locator(".case-state")).to_have_text("Chờ thẩm định")
    expect(row.locator(".case-date")).to_have_text(
        re.compile(r"^Tạo lúc: \d\d/\d\d/\d{4} \d\d:\d\d$"))
    assert row.bounding_box()["height"] >= 44  # type: ignore[index]
    shot(p, "console-cases")
    p.get_by_role("button", name="Xem").click()
    expect(p.get_by_role("heading", level=1)).to_have_text("Nguyễn Văn An")
    expect(p.locator("#case-state")).to_have_text("chờ thẩm định")
    expect(p.get_by_text(account_id)).to_be_visible()
    expect(p.locator(".images img")).to_have_count(3)
    case = p.locator("main")
    expect(case).to_contain_text("Chờ cán bộ so sánh bằng mắt")  # the face check, in words
    for shown in ("Giới tínhNam", "Ngày sinh04/03/1991", "Số giấy tờCCCD 001091000001",
                  "Lần nộp ảnh1", "Mã MRZ"):
        expect(case).to_contain_text(shown)
    expect(case).not_to_contain_text("citizen-free-1y")  # the package by its name
    expect(case).not_to_contain_text("referred")
    p.get_by_role("button", name="Ảnh chân dung").click()  # zoom in
    expect(p.locator("figure.zoomed")).to_have_count(1)
    # the contract the customer accepted, read before deciding: kyso's sealed copy
    expect(case).to_contain_text("đã được đóng dấu số của tổ chức")
    with p.expect_download() as got:
        p.get_by_role("button", name="Tải hợp đồng (PDF)").click()
    contract = Path(got.value.path()).read_bytes()
    assert contract == world.client.get("/api/v1/onboarding/registration/contract",
                                        headers=headers).content
    assert contract.startswith(b"%PDF")
    shot(p, "console-case-contract")
    p.get_by_role("button", name="Phê duyệt", exact=True).click()  # asks first
    question = p.get_by_role("alertdialog")
    expect(question).to_contain_text("Phê duyệt hồ sơ của Nguyễn Văn An?")
    shot(p, "console-approve-ask")
    question.get_by_role("button", name="Không").click()
    expect(question).to_have_count(0)
    assert world.client.get("/api/v1/onboarding/registration",
                            headers=headers).json()["state"] == "under_review"
    p.get_by_role("button", name="Phê duyệt", exact=True).click()
    p.get_by_role("button", name="Có, phê duyệt").click()
    expect(p.get_by_role("status")).to_have_text("Đã phê duyệt hồ sơ.")
    assert world.client.get("/api/v1/onboarding/registration",
                            headers=headers).json()["state"] == "approved"
    p.get_by_role("link", name="Hồ sơ chờ thẩm định").click()
    expect(p.get_by_text("Không có hồ sơ nào.")).to_be_visible()
    # decided cases stay findable: by state, then by ID number
    p.get_by_label("Trạng thái hồ sơ").select_option("approved")
    p.get_by_label("Tìm theo họ tên hoặc số giấy tờ").fill("001091000001")
    expect(p.locator("#cases .case-row")).to_have_count(1)
    expect(p.locator("#cases")).to_contain_text("Nguyễn Văn An")
    shot(p, "console-decided")
    p.get_by_label("Tìm theo họ tên hoặc số giấy tờ").fill("khong-ai")
    expect(p.get_by_text("Không có hồ sơ nào.")).to_be_visible()


def test_the_support_desk_locks_a_method_and_customers_stay_out(
        page: Watched, world: World) -> None:
    p, customer = page.page, world.customer(smartotp=False, signatures=0)
    name = world.container.accounts.get(customer.account_id).username
    p.goto("/console")
    p.get_by_label("Tên đăng nhập, số điện thoại hoặc email").fill(name)
    p.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    p.get_by_role("button", name="Đăng nhập").click()
    expect(p.get_by_role("alert")).to_have_text(
        "Tài khoản này không có quyền sử dụng bảng điều khiển nghiệp vụ.")
    assert session_token(p) is None
    log_in(p, staff(world, "hotro", Role.SUPPORT), PASSWORD, "/console")
    expect(p.get_by_role("link", name="Hồ sơ chờ thẩm định")).to_have_count(0)
    search = p.get_by_label("Tìm khách hàng")
    search.fill("khong-co-ai")
    p.get_by_role("button", name="Tìm", exact=True).click()
    expect(p.get_by_role("alert")).to_be_visible()  # the API's own "not found", as it says it
    phone = customer.get("/me").json()["phone"]
    search.fill(phone)
    p.get_by_role("button", name="Tìm", exact=True).click()
    found = p.locator("#customer")
    expect(found).to_contain_text(customer.account_id)
    expect(found).to_contain_text("Đang hoạt động")  # the account's status, not "active"
    found.get_by_role("button", name="Khóa SMS OTP").click()
    expect(found.get_by_role("alert")).to_have_text("Vui lòng nhập lý do, ít nhất 3 ký tự.")
    found.get_by_label("Lý do").fill("Khách báo mất điện thoại")
    found.get_by_role("button", name="Khóa SMS OTP").click()
    expect(found.locator('[data-method="sms"]')).to_contain_text("Khách báo mất điện thoại")
    expect(found.get_by_role("status")).to_have_text("Đã khóa SMS OTP.")
    methods = customer.get("/smartotp").json()["methods"]
    assert methods["sms"]["locked"] and methods["sms"]["reason"] == "Khách báo mất điện thoại"
    # the unlock acts on the locked method, whatever was chosen before the refresh
    found.get_by_label("Lý do").fill("Khách đã tìm lại điện thoại")
    shot(p, "support-unlock")
    found.get_by_role("button", name="Mở khóa SMS OTP").click()
    expect(found.get_by_role("status")).to_have_text("Đã mở khóa SMS OTP.")
    expect(found.get_by_role("button", name="Khóa SMS OTP")).to_be_visible()
    methods = customer.get("/smartotp").json()["methods"]
    assert not methods["sms"]["locked"] and not methods["smartotp"]["locked"]
    # the API is the gate: a customer's session cannot look anyone up
    r = world.client.get("/api/v1/support/accounts", params={"login": phone},
                         headers=customer.headers)
    assert r.status_code == 403
