"""The customer's history through the API: signatures, confirmations, rejections, expiries
and signature-count changes, newest first, filtered, as CSV; the owner's only; the words
for every code from /vocabulary."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from tests.integration.documents.conftest import Customer, World
from tests.integration.documents.pdfs import sample_pdf


def history(customer: Customer, lang: str = "vi", **params: str) -> Any:
    r = customer.world.client.get("/api/v1/history", params=params,
                                  headers=customer.headers | {"Accept-Language": lang})
    assert r.status_code == 200, r.text
    return r


def test_everything_the_customer_did_newest_first(world: World) -> None:
    customer = world.customer("Vũ Hồng Nhung", signatures=5)
    signed = customer.upload(sample_pdf(), name="hopdong.pdf").json()
    assert customer.confirm(signed["transaction"]).status_code == 200
    refused = customer.upload(sample_pdf("Van ban khac"), name="khac.pdf").json()
    world.client.post(f"/api/v1/transactions/{refused['transaction']['id']}/reject",
                      headers=customer.headers)
    late = customer.upload(sample_pdf("Van ban tre"), name="tre.pdf").json()
    world.clock.advance(6 * 60)  # past the 5-minute transaction lifetime

    entries = history(customer).json()
    assert [e["at"] for e in entries] == sorted((e["at"] for e in entries), reverse=True)
    told = {(e["category"], e["status"], e["reference"]) for e in entries}
    assert ("transaction", "confirmed", signed["transaction"]["id"]) in told
    assert ("transaction", "rejected", refused["transaction"]["id"]) in told
    assert ("transaction", "expired", late["transaction"]["id"]) in told
    assert ("signature", "signed", signed["id"]) in told
    quota = [e for e in entries if e["category"] == "quota"]
    assert {(e["status"], e["count"]) for e in quota} == {("credit", 5), ("consume", -1)}
    words = {e["status"]: e["description"] for e in quota}  # plain words, not the certificate
    assert words == {"credit": "Cộng 5 lượt ký", "consume": "Ký 1 tài liệu: hopdong.pdf"}
    rejected = next(e for e in entries if e["status"] == "rejected")
    assert (rejected["label"], rejected["outcome"]) == ("Ký tài liệu", "Đã từ chối")
    assert "khac.pdf" in rejected["description"]
    english = history(customer, "en").json()
    assert {e["outcome"] for e in english} >= {"Rejected", "Expired", "Signed"}
    assert "Signed 1 document(s): hopdong.pdf" in {e["description"] for e in english}

    only = history(customer, category="quota").json()
    assert {e["category"] for e in only} == {"quota"} and len(only) == 2
    later = history(customer, since=entries[0]["at"]).json()
    assert later and all(e["at"] >= entries[0]["at"] for e in later)
    bad = world.client.get("/api/v1/history", params={"category": "everything"},
                           headers=customer.headers)
    assert bad.status_code == 400


def test_the_csv_is_for_a_spreadsheet_in_vietnamese(world: World) -> None:
    customer = world.customer("Hoàng Văn Tư", signatures=3)
    assert customer.sign(sample_pdf(), name="=cmd.pdf")
    r = history(customer, format="csv")
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Thời gian (GMT+7)", "Nhóm", "Loại", "Kết quả"]
    assert len(rows) == 1 + len(history(customer).json())
    assert any(row[3] == "Đã ký" for row in rows[1:])
    day, time = rows[1][0].split(" ")
    assert len(day) == 10 and day[2] == "/" and day[5] == "/" and len(time) == 5
    assert all(not row[4].startswith("=") for row in rows[1:])  # no formula injection


def test_a_customer_sees_only_their_own(world: World) -> None:
    owner, other = world.customer("Chủ Sở Hữu"), world.customer("Người Khác", signatures=0)
    owner.sign(sample_pdf(), name="rieng.pdf")
    theirs = {e["reference"] for e in history(owner).json()}
    mine = {e["reference"] for e in history(other).json()}
    assert theirs and not theirs & mine
    assert world.client.get("/api/v1/history").status_code == 401


def test_the_vocabulary_names_every_code_the_clients_show(world: World) -> None:
    vi = world.client.get("/api/v1/vocabulary").json()
    en = world.client.get("/api/v1/vocabulary", headers={"Accept-Language": "en"}).json()
    assert vi["transaction_kinds"]["sign_document"] == "Ký tài liệu"
    assert en["transaction_kinds"]["sign_document"] == "Document signature"
    assert vi["certificate_statuses"]["active"] == "Đang hoạt động"
    assert vi.keys() == en.keys()
    for group, words in vi.items():
        assert words.keys() == en[group].keys(), group
        assert all(label and label != code for code, label in words.items()), group


def test_a_free_signature_takes_nothing_in_the_history(world: World) -> None:
    customer = world.customer("Đỗ Thị Lan", signatures=2)
    end = world.clock.now() + timedelta(days=30)
    world.container.quotas.grant_unlimited(customer.credential.id, end, actor="test")
    signed = customer.upload(sample_pdf(), name="giaytrang.pdf").json()
    assert customer.confirm(signed["transaction"]).status_code == 200

    [used] = [e for e in history(customer).json() if e["status"] == "consume"]
    assert used["count"] is None  # not "-1": the customer's 2 signatures are still 2
    assert used["description"] == ("Ký 1 tài liệu: giaytrang.pdf · trong thời hạn ký không "
                                   "giới hạn, không trừ lượt ký")
    [english] = [e for e in history(customer, "en").json() if e["status"] == "consume"]
    assert english["description"].endswith("within the unlimited term: no signature counted")
    assert world.container.quotas.balance(customer.credential.id).available == 2
