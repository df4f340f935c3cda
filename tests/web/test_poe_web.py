"""Kiểm tra chữ ký after the customer suspends the certificate of a lost phone: a contract
time-stamped before the suspension is still valid and the page says when the certificate
was suspended and why the signature still holds; an unstamped (B-B) one is not, in words."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.integration.api.conftest import PASSWORD
from tests.integration.documents.conftest import World
from tests.integration.documents.pdfs import sample_pdf
from tests.web.conftest import Watched, log_in, shot
from tests.web.test_customer_web import username


def test_a_suspended_certificate_keeps_time_stamped_contracts_valid(
        page: Watched, world: World, tmp_path: Path) -> None:
    p, customer = page.page, world.customer("Phạm Thị Dung")
    stamped = tmp_path / "hopdong-bt.pdf"
    stamped.write_bytes(customer.sign(sample_pdf(), level="B-T"))
    unstamped = tmp_path / "hopdong-bb.pdf"
    unstamped.write_bytes(customer.sign(sample_pdf(), level="B-B"))
    world.clock.advance(60)  # the phone is lost a minute later
    world.container.pki.suspend(customer.credential.certificate.serial, actor="test")
    log_in(p, username(world, customer), PASSWORD)
    p.get_by_role("link", name="Ký tài liệu").click()
    check = p.locator("#validate-form")
    check.get_by_label("Tệp đã ký (PDF hoặc XML)").set_input_files(str(stamped))
    check.get_by_role("button", name="Kiểm tra").click()
    expect(check.locator("#report-verdict")).to_have_text("Tất cả chữ ký hợp lệ.")
    for shown in ("Tin cậyCó, tại thời điểm ký", "Thu hồiĐang tạm dừng",
                  "Chứng thư bị tạm dừng lúc",
                  "Hiệu lực tại thời điểm kýHợp lệ — dấu thời gian chứng minh chữ ký đã có lúc",
                  "Vì sao đạt mức nàyB-T: chữ ký có dấu thời gian chứng minh thời điểm ký"):
        expect(check).to_contain_text(shown)
    expect(check).not_to_contain_text("REVOKED")
    shot(p, "poe-suspended-bt-valid")
    check.get_by_label("Tệp đã ký (PDF hoặc XML)").set_input_files(str(unstamped))
    check.get_by_role("button", name="Kiểm tra").click()
    expect(check.locator("#report-verdict")).not_to_have_text("Tất cả chữ ký hợp lệ.")
    expect(check).to_contain_text("Không hợp lệ — không có dấu thời gian chứng minh chữ ký có "
                                  "trước khi chứng thư bị thu hồi hoặc tạm dừng")
    expect(check).not_to_contain_text("REVOKED")
    shot(p, "poe-suspended-bb-invalid")
