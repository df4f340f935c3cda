"""Hostile input to the onboarding and RA endpoints: a clear 4xx in the error shape, never a
500, and nothing half-written."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kyso.adapters.db.tables.onboarding import registrations
from kyso.bootstrap import Container
from kyso.clock import ManualClock
from kyso.entrypoints.api.app import create_app
from tests.integration.api.conftest import auth, login, sign_up
from tests.integration.onboarding.test_flow import BASE, form, officer, png


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    """No CA hierarchy: nothing here gets as far as issuing."""
    with TestClient(create_app(container), raise_server_exceptions=False) as c:
        yield c


HOSTILE = [b"{not json", b"[]", b"null", b'"\xff\xfe"', b'{"full_name": 5}',
           b'{"code": ["1"]}', b'{"reason": "x", "surprise": true}']


def _error(response, status: int | None = None) -> None:  # type: ignore[no-untyped-def]
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    if status is not None:
        assert response.status_code == status, response.text
    assert set(response.json()) == {"error", "error_description"}


def _count(container: Container) -> int:
    with container.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(registrations)).scalar_one())


@pytest.mark.parametrize("path", ["", "/activation", "/payment", "/cancel"])
@pytest.mark.parametrize("body", HOSTILE)
def test_hostile_json(client: TestClient, container: Container, path: str,
                      body: bytes) -> None:
    sign_up(client)
    r = client.post(BASE + path, content=body, headers=auth(login(client))
                    | {"Content-Type": "application/json"})
    _error(r)
    assert _count(container) == 0


@pytest.mark.parametrize("changes", [
    {"birth_date": "1991-02-30"}, {"sex": "X"}, {"id_type": "GPLX"},
    {"full_name": "A" * 101}, {"full_name": "Nguyễn <b>"}, {"id_number": "0" * 21},
    {"issue_date": "2030-01-01"}, {"email": "not-an-email"}, {"phone": "+1"},
    {"device_id": ""}, {"mrz": "I<UTO"}, {"mrz": "x" * 101}, {"extra": 1},
])
def test_bad_forms_write_nothing(client: TestClient, container: Container, clock: ManualClock,
                                 changes: dict[str, object]) -> None:
    sign_up(client)
    r = client.post(BASE, json=form(clock) | changes, headers=auth(login(client)))
    _error(r, 400)
    assert _count(container) == 0


def test_bad_uploads_and_unknown_cases(client: TestClient, container: Container,
                                       clock: ManualClock) -> None:
    sign_up(client)
    headers = auth(login(client))
    assert client.post(f"{BASE}/ekyc", headers=headers).status_code == 415
    _error(client.post(f"{BASE}/ekyc", headers=headers, files={"front": ("f", png())}), 400)
    big = b"\x89PNG\r\n\x1a\n" + bytes(4 * 1024 * 1024)
    _error(client.post(f"{BASE}/ekyc", headers=headers,
                       files={n: (n, big) for n in ("front", "back", "portrait")}), 413)
    _error(client.get(BASE, headers=headers), 404)
    _error(client.get(f"{BASE}/contract", headers=headers), 404)
    ra = officer(container, client)
    _error(client.get("/api/v1/ra/registrations/nope", headers=ra), 404)
    _error(client.get("/api/v1/ra/registrations/nope/images/secret", headers=ra), 400)
    _error(client.get("/api/v1/ra/registrations?state=bogus", headers=ra), 400)
    _error(client.post("/api/v1/ra/registrations/nope/reject", headers=ra,
                       json={"reason": "x"}), 400)
    _error(client.post("/api/v1/ra/registrations/nope/approve", headers=ra), 404)
    _error(client.get(BASE), 401)
