"""The RA console's search runs on the server: any decided case is found by a part of the
holder's name (diacritics optional) or ID number, a page at a time, past the first 100."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient

from kyso.bootstrap import Container
from kyso.clock import ManualClock
from kyso.onboarding.identity import IdDocument, IdType, Sex
from kyso.onboarding.model import Contact, Owner, Registration
from kyso.onboarding.states import State
from tests.integration.api.conftest import auth, login, sign_up
from tests.integration.onboarding.test_flow import officer

URL = "/api/v1/ra/registrations"
CASES = 130
TARGET = ("Trần Thị Bích", "079300000123")


def _decided(container: Container, clock: ManualClock, account_id: str) -> list[str]:
    """CASES rejected registrations, the TARGET first (so the oldest); their ids, in order."""
    ids = []
    with container.uow() as uow:
        for n in range(CASES):
            name, number = TARGET if n == 0 else (f"Nguyễn Văn Khách {n}", f"00109100{n:04d}")
            owner = Owner(name, date(1990, 1, 1), Sex("M"),
                          IdDocument(IdType.CCCD, number, date(2021, 1, 1), date(2040, 1, 1)))
            contact = Contact(f"k{n}@example.vn", "+84912345671", "1 Tràng Tiền", "Hà Nội",
                              "Hoàn Kiếm")
            at = clock.now() + timedelta(seconds=n)
            ids.append(f"00000000-0000-0000-0000-{n:012d}")
            uow.onboarding.add(Registration(ids[-1], account_id, owner, contact,
                                            "per-signature-1y", f"device-{n}", at, at,
                                            state=State.REJECTED))
        uow.commit()
    return ids


def test_any_decided_case_is_found_on_the_server(client: TestClient, container: Container,
                                                  clock: ManualClock) -> None:
    customer = sign_up(client)
    ids = _decided(container, clock, customer["id"])
    headers = officer(container, client)

    def found(**params: object) -> list[str]:
        r = client.get(URL, params={"state": "rejected", **params}, headers=headers)
        assert r.status_code == 200, r.text
        return [c["id"] for c in r.json()]

    first = found()
    assert len(first) == 100 and ids[0] not in first  # the oldest is past the first page
    assert first[0] == ids[-1]  # decided cases: newest first
    assert found(q=TARGET[1]) == [ids[0]]  # a whole CCCD: the indexed lookup
    assert found(q="300000123") == [ids[0]]  # a part of it
    assert found(q="tran thi bich") == found(q="Trần Thị") == [ids[0]]
    assert found(q="BÍCH") == [ids[0]]
    assert found(q="Khách 12") == [ids[n] for n in (*range(129, 119, -1), 12)]
    assert found(q="không có ai") == []
    assert found(q="%_") == first  # punctuation alone is no search (nor a wildcard)
    pages = [found(limit=50, offset=o) for o in (0, 50, 100)]
    assert [len(p) for p in pages] == [50, 50, 30]
    assert [i for p in pages for i in p] == ids[::-1]
    assert found(state="under_review") == []


def test_a_search_is_bounded_and_for_officers(client: TestClient,
                                              container: Container) -> None:
    sign_up(client)
    customer = auth(login(client))
    headers = officer(container, client)
    too_long = client.get(URL, params={"q": "x" * 65}, headers=headers | {"Accept-Language": "vi"})
    assert too_long.status_code == 400 and too_long.json()["error"] == "invalid_request"
    too_many = client.get(URL, params={"limit": 201}, headers=headers)
    assert too_many.status_code == 400
    assert client.get(URL, params={"q": "an"}, headers=customer).status_code == 403
