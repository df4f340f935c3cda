"""The holder suspends their own certificate at once with the account PIN (a lost phone) —
signing is refused — and resumes it; a hold the staff made is not theirs to lift."""

from __future__ import annotations

from tests.integration.api.conftest import PIN
from tests.integration.documents.conftest import Customer, World
from tests.integration.documents.pdfs import sample_pdf


def _post(customer: Customer, action: str, pin: str = PIN) -> tuple[int, dict[str, str]]:
    r = customer.world.client.post(
        f"/api/v1/certificates/{customer.credential.id}/{action}", json={"pin": pin},
        headers=customer.headers | {"Accept-Language": "vi"})
    return r.status_code, r.json()


def test_suspend_with_the_pin_then_resume(world: World) -> None:
    customer = world.customer()
    assert _post(customer, "suspend", "975310")[1]["error"] == "invalid_pin"
    assert _post(customer, "suspend") == (200, {"credential_id": customer.credential.id,
                                                 "status": "suspended"})
    uploaded = customer.upload(sample_pdf())
    assert uploaded.status_code == 409, uploaded.text  # it signs nothing now
    assert uploaded.json()["error"] == "no_credential"  # no usable certificate
    assert _post(customer, "suspend")[0] == 409  # already on hold
    assert _post(customer, "resume") == (200, {"credential_id": customer.credential.id,
                                                "status": "active"})
    assert len(customer.sign(sample_pdf())) > 0
    notes = customer.get("/notifications").text  # the customer reads English
    assert "is suspended" in notes and "is in use again" in notes
    notes = world.client.get("/api/v1/notifications",
                             headers=customer.headers | {"Accept-Language": "vi"}).text
    assert "đã được tạm dừng" in notes and "đã được tiếp tục sử dụng" in notes
    with world.container.uow() as uow:
        actions = [(r.event.action, r.event.actor) for r in uow.audit.records()]
    assert ("pki.certificate.suspended", customer.account_id) in actions


def test_a_staff_hold_stays_and_another_customers_certificate_is_unknown(world: World) -> None:
    customer, other = world.customer(), world.customer()
    serial = int(customer.credential.id.rsplit("-", 1)[1], 16)
    world.container.pki.suspend(serial, actor="ops-officer")
    status, body = _post(customer, "resume")
    assert status == 403 and body["error"] == "suspended_by_staff"
    assert "bộ phận hỗ trợ khách hàng" in body["error_description"]  # no number set
    r = world.client.post(f"/api/v1/certificates/{customer.credential.id}/suspend",
                          json={"pin": PIN}, headers=other.headers)
    assert r.status_code == 404
