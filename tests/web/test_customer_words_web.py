"""What a customer reads on a small phone (360×800), in words rather than kyso's internals: a
contract's SHA-256 as a short fingerprint (the whole value behind "Xem đầy đủ", copied with one
tap), kyso's own acceptance record by its title rather than its generated file name, and a
failed payment as a sentence that says what happened, never the gateway's code."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, expect

from kyso.onboarding.states import State
from tests.integration.api.conftest import PASSWORD, PIN, auth
from tests.integration.documents.conftest import World
from tests.integration.documents.pdfs import sample_pdf
from tests.web.conftest import Watched, log_in, shot
from tests.web.test_customer_web import username
from tests.web.test_mends_web import desk
from tests.web.test_token_web import sp769
from tests.web.test_ux_web import fits, no_codes, seed_registration, small, token_account

__all__ = ["small"]  # the 360×800 phone fixture
HEX64 = re.compile(r"[0-9a-f]{64}", re.IGNORECASE)


def test_the_contract_card_shows_a_fingerprint_not_a_hash(small: Watched, world: World) -> None:
    p, (login, headers, account_id) = small.page, token_account(world)
    seed_registration(world, account_id, State.AWAITING_CONTRACT)
    p.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(p, login, PASSWORD, "/#register")
    p.get_by_role("button", name="Đồng ý và ký hợp đồng").click()
    card = p.locator("article.tx")
    expect(card).to_contain_text("Chấp thuận Hợp đồng cung cấp dịch vụ chứng thư số")
    [tx] = world.client.get("/api/v1/transactions", headers=headers).json()
    digest = tx["details"]["sha256"].upper()
    short = card.locator(".digest-short")
    expect(short).to_have_text(f"{digest[:4]} {digest[4:8]} … {digest[-8:-4]} {digest[-4:]}")
    text = p.locator("main").inner_text()
    assert not HEX64.search(text.replace(" ", "")), text  # not even the whole value, spaced
    assert "hop-dong-" not in text, text  # the description names it; no generated file name
    apart(p.get_by_role("button", name="Đồng ý và ký hợp đồng"), card)
    no_codes(p)
    fits(p)
    shot(p, "words-contract-fingerprint")
    card.get_by_text("Xem đầy đủ", exact=True).click()
    full = card.locator(".digest-full")
    expect(full).to_be_visible()
    assert full.inner_text().replace(" ", "") == digest
    card.get_by_role("button", name="Sao chép").click()
    expect(card.get_by_role("button", name="Đã sao chép")).to_be_visible()
    assert p.evaluate("navigator.clipboard.readText()") == tx["details"]["sha256"]
    fits(p)
    shot(p, "words-contract-fingerprint-details")


def test_recent_documents_name_the_acceptance_record_in_words(small: Watched,
                                                              world: World) -> None:
    p, customer = small.page, world.customer("Lê Thị Hoà")
    own = customer.upload(sample_pdf(), name="to-khai-thue.pdf")
    assert own.status_code == 201, own.text
    seed_registration(world, customer.account_id, State.APPROVED, customer.credential.id)
    record, _ = world.container.acceptance.prepare(customer.account_id)
    log_in(p, username(world, customer), PASSWORD, "/#sign")
    table = p.get_by_role("table")
    day = f"{record.created_at.astimezone():%d/%m/%Y}"
    expect(table).to_contain_text(f"Biên bản nghiệm thu chứng thư số ngày {day}")
    expect(table).to_contain_text("to-khai-thue.pdf")  # the customer's own file keeps its name
    expect(table).not_to_contain_text("bien-ban-nghiem-thu")
    fits(p)
    shot(p, "words-recent-documents")
    english = world.client.get("/api/v1/documents", headers=auth(customer.token)).json()
    titles = {d["file_name"]: d["title"] for d in english}
    assert titles == {record.file_name: "Biên bản nghiệm thu chứng thư số",
                      "to-khai-thue.pdf": None}
    english = customer.get("/documents").json()  # the customer reads English
    assert {d["title"] for d in english} == {"Certificate acceptance record", None}
    [tx] = [t for t in customer.get("/transactions").json()
            if t["kind"] == "onboarding_acceptance"]
    assert customer.confirm(tx).status_code == 200  # signed: now in the history as well
    p.goto("/#history")
    entries = p.locator("main")
    expect(entries).to_contain_text("Biên bản nghiệm thu chứng thư số (PAdES B-B)")
    expect(entries).not_to_contain_text("bien-ban-nghiem-thu")
    fits(p)
    shot(p, "words-history-acceptance")


def test_a_failed_payment_says_why_in_a_sentence(small: Watched, world: World) -> None:
    p, customer = small.page, world.customer(smartotp=False, signatures=0)
    log_in(p, username(world, customer), PASSWORD, "/#buy")
    p.locator('form.product[data-code="pack-10"]').get_by_role("button", name="Mua").click()
    p.wait_for_url(re.compile(r".*/sandbox/.*"))
    p.get_by_role("button", name="Thanh toán thất bại").click()
    p.wait_for_url(re.compile(r".*/billing/vnpay/return.*"))
    expect(p.get_by_text("Thanh toán không thành công.")).to_be_visible()
    expect(p.locator("#pay-reason")).to_have_text(
        "Tài khoản của Quý khách không đủ số dư để thực hiện giao dịch. Quý khách vui lòng nạp "
        "thêm tiền hoặc chọn phương thức thanh toán khác.")
    body = p.locator("main").inner_text()
    # the sandbox's code for it, as a word (the order's random hex id may hold the digits 51)
    assert not re.search(r"\b51\b", body) and "Mã phản hồi" not in body, body
    fits(p)
    shot(p, "words-payment-failed")
    p.locator("#pay-lang").click()
    expect(p.locator("#pay-reason")).to_have_text(
        "Your account does not hold enough money for this payment. Please top it up or choose "
        "another payment method.")


def test_where_the_desk_is_named_its_number_is_at_hand(small: Watched, world: World) -> None:
    """"Liên hệ tổng đài hỗ trợ" on a rejected application and on the lock form comes with
    the desk's own "Gọi hỗ trợ" link (the operator set it: KYSO_SUPPORT_PHONE)."""
    p, (login, _, account_id) = small.page, token_account(world)
    desk(p)
    seed_registration(world, account_id, State.REJECTED)
    log_in(p, login, PASSWORD, "/#register")
    expect(p.get_by_text("hoặc liên hệ tổng đài hỗ trợ")).to_be_visible()
    call = p.get_by_role("link", name="Gọi hỗ trợ 1900 54 54 54")
    expect(call).to_have_attribute("href", "tel:1900545454")
    fits(p)
    shot(p, "words-rejected-desk")
    p.goto("/#smartotp")
    p.get_by_role("button", name="Tạm khóa phương thức").click()
    expect(p.get_by_text("liên hệ tổng đài để mở khóa")).to_be_visible()
    expect(call).to_be_visible()
    fits(p)
    shot(p, "words-lock-form-desk")


def test_a_free_package_says_free_not_zero_dong(small: Watched, world: World) -> None:
    p, customer = small.page, world.customer(smartotp=False, signatures=0)
    log_in(p, username(world, customer), PASSWORD, "/#buy")
    free = p.locator('form.product[data-code="citizen-free-1y"]')
    expect(free.locator(".price")).to_have_text("Miễn phí")
    expect(free).not_to_contain_text("0 ₫")
    expect(p.locator('form.product[data-code="pack-10"] .price')).to_have_text("55.000 ₫")
    fits(p)


def test_a_portal_request_and_a_batch_show_fingerprints(small: Watched, world: World) -> None:
    p, customer = small.page, world.customer("Đỗ Văn Lâm")
    party = world.container.relying_parties.create("Cổng Dịch vụ công quốc gia", actor="test")
    allowed = world.client.put(f"/api/v1/consents/{party.party.sp_id}", json={"pin": PIN},
                               headers=customer.headers)
    assert allowed.status_code == 200, allowed.text
    sp769(world, customer, party, 1, "Nộp hồ sơ cấp đổi giấy phép lái xe")
    drafts = [world.client.post("/api/v1/documents/drafts", content=sample_pdf(),
                                params={"name": f"hop-dong-{n}.pdf"},
                                headers=customer.headers | {"Content-Type": "application/pdf"})
              for n in (1, 2)]
    assert all(d.status_code == 201 for d in drafts), drafts[0].text
    batch = world.client.post("/api/v1/documents/batch", headers=customer.headers, json={
        "documents": [d.json()["id"] for d in drafts], "level": "B-B", "visible": True})
    assert batch.status_code in (200, 201), batch.text
    log_in(p, username(world, customer), PASSWORD, "/#transactions")
    cards = p.locator("article.tx")
    expect(cards).to_have_count(2)
    expect(cards.locator(".digest-short")).to_have_count(3)  # the portal's files, two PDFs
    expect(p.locator(".digests .digest-file")).to_have_text(["hop-dong-1.pdf", "hop-dong-2.pdf"])
    text = p.locator("main").inner_text()
    assert not HEX64.search(text.replace(" ", "")), text
    fits(p)
    shot(p, "words-portal-and-batch-fingerprints")


def apart(above: Locator, below: Locator, gap: float = 8) -> None:
    """``below`` starts at least ``gap`` CSS pixels under ``above`` (no two boxes touching)."""
    top, bottom = above.bounding_box(), below.bounding_box()
    assert top is not None and bottom is not None
    assert bottom["y"] >= top["y"] + top["height"] + gap, (top, bottom)


def test_the_acceptance_step_keeps_its_buttons_and_card_apart(small: Watched,
                                                              world: World) -> None:
    p, customer = small.page, world.customer("Phan Thị Yến")
    seed_registration(world, customer.account_id, State.APPROVED, customer.credential.id)
    log_in(p, username(world, customer), PASSWORD, "/#register")
    read = p.get_by_role("button", name="Đọc biên bản nghiệm thu (PDF) trước khi ký")
    sign = p.get_by_role("button", name="Ký biên bản nghiệm thu")
    apart(read, sign)
    sign.click()
    card = p.locator("article.tx")
    expect(card).to_contain_text("Ký Biên bản nghiệm thu chứng thư số")
    apart(sign, card)
    text = card.inner_text()
    assert "bien-ban-nghiem-thu" not in text and not HEX64.search(text.replace(" ", "")), text
    fits(p)
    shot(p, "words-acceptance-step")


def test_a_long_name_never_breaks_the_logout_button_in_two(small: Watched, world: World) -> None:
    p, customer = small.page, world.customer("Nguyễn Thị Thu Hà")
    log_in(p, username(world, customer), PASSWORD)
    logout = p.get_by_role("button", name="Đăng xuất")
    box = logout.bounding_box()
    assert box is not None and box["height"] < 52, box  # one line (44 px tall at least)
    expect(p.locator(".tools .who")).to_have_text("Nguyễn Thị Thu Hà")
    fits(p)
    shot(p, "words-long-name-header")
