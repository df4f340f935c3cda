"""A document confirmed without signatures left: a clear 409 in Vietnamese or English, the
document failed, nothing taken; once credited, the next one signs and counts one."""

from __future__ import annotations

from tests.integration.documents.conftest import World
from tests.integration.documents.pdfs import sample_pdf
from tests.quota import give_signatures


def test_a_document_needs_a_signature_left(world: World) -> None:
    customer = world.customer(signatures=0)
    uploaded = customer.upload(sample_pdf()).json()
    r = customer.confirm(uploaded["transaction"])
    assert r.status_code == 409, r.text
    assert r.json() == {"error": "out_of_signatures", "error_description":
                        "No signatures left on this certificate. Please buy a signature pack."}
    document = customer.get(f"/documents/{uploaded['id']}").json()
    assert document["status"] == "failed"

    second = customer.upload(sample_pdf()).json()
    vi = world.client.post(f"/api/v1/transactions/{second['transaction']['id']}/confirm",
                           json={"otp": customer.device.answer(second["transaction"])}
                           if customer.device else {},
                           headers={"Authorization": f"Bearer {customer.token}"})
    assert vi.status_code == 409
    assert vi.json()["error_description"] == ("Chứng thư số đã hết lượt ký. "
                                              "Vui lòng mua thêm gói lượt ký.")

    give_signatures(world.container, customer.credential.id, 1)
    customer.sign(sample_pdf())
    balance = world.container.quotas.balance(customer.credential.id)
    assert (balance.available, balance.reserved, balance.consumed) == (0, 0, 1)
