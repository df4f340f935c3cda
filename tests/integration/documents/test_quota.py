"""A document confirmed without signatures left: a clear 409 in Vietnamese or English, the
document failed, nothing taken; once credited, the next one signs and counts one."""

from __future__ import annotations

from tests.integration.documents.conftest import World
from tests.integration.documents.pdfs import sample_pdf
from tests.quota import give_signatures


def test_no_signature_left_is_said_at_the_upload(world: World) -> None:
    customer = world.customer(signatures=0)
    r = customer.upload(sample_pdf())
    assert r.status_code == 409, r.text
    assert r.json() == {"error": "out_of_signatures", "error_description":
                        "No signatures left on this certificate. Please buy a signature pack."}
    vi = world.client.post("/api/v1/documents/drafts", content=sample_pdf(),
                           headers={"Authorization": f"Bearer {customer.token}",
                                    "Content-Type": "application/pdf"})
    assert vi.status_code == 409
    assert vi.json()["error_description"] == ("Chứng thư số đã hết lượt ký. "
                                              "Vui lòng mua thêm gói lượt ký.")
    assert customer.get("/documents").json() == [] and customer.get("/transactions").json() == []


def test_a_document_confirmed_after_the_last_signature_went_fails_cleanly(world: World) -> None:
    customer = world.customer(signatures=1)
    first, second = (customer.upload(sample_pdf(f"Van ban {n}")).json() for n in (1, 2))
    assert customer.confirm(first["transaction"]).status_code == 200
    r = customer.confirm(second["transaction"])
    assert r.status_code == 409, r.text
    assert r.json()["error"] == "out_of_signatures"
    document = customer.get(f"/documents/{second['id']}").json()
    assert document["status"] == "failed"

    give_signatures(world.container, customer.credential.id, 1, source="pack-1")
    customer.sign(sample_pdf())
    balance = world.container.quotas.balance(customer.credential.id)
    assert (balance.available, balance.reserved, balance.consumed) == (0, 0, 2)
