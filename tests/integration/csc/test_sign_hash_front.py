"""``signatures/signHash`` in front of FastAPI (``csc/front.py``): a well-formed request is
served there; every answer, served there or passed on, is the one the FastAPI route gives.

Each request goes to the whole app (the front) and to the FastAPI app alone (the route),
with a fresh SAD each where the answer spends one, and the two answers are compared.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from kyso.entrypoints.api.hot import threads_for
from kyso.entrypoints.csc import front
from tests.integration.csc.conftest import Signer, World
from tests.integration.csc.helpers import SHA256, digests, public_key, sign_hash

RSA = "1.2.840.113549.1.1.1"


def fastapi_of(app: Any) -> FastAPI:
    while not isinstance(app, FastAPI):  # Observe, SecurityHeaders, BodySizeLimit, the front
        app = app.app
    return app


@pytest.fixture(scope="module")
def route(world: World) -> TestClient:
    return TestClient(fastapi_of(world.client.app), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def shared_signer(world: World) -> Signer:
    return world.customer()


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the front served itself (its hop to a hot route's thread)."""
    seen: list[str] = []
    hop = front.run_hot

    async def counted(container: Any, func: Callable[..., Any], *args: Any) -> Any:
        seen.append(args[1].url.path)
        return await hop(container, func, *args)
    monkeypatch.setattr(front, "run_hot", counted)
    return seen


def body(signer: Signer, sad: str | None, batch: list[bytes], **extra: Any) -> dict[str, Any]:
    return {"credentialID": signer.credential_id, "SAD": sad,
            "hashes": [base64.b64encode(d).decode() for d in batch],
            "hashAlgorithmOID": SHA256, "signAlgo": RSA} | extra


def both(world: World, route: TestClient, signer: Signer,
         make: Callable[[], tuple[bytes, dict[str, str]]]) -> tuple[httpx.Response, ...]:
    """The same request (``make`` called once for each: a fresh SAD where it needs one)
    through the whole app and through the route alone."""
    answers = []
    for client in (world.client, route):
        content, headers = make()
        answers.append(client.post("/csc/v2/signatures/signHash", content=content,
                                   headers={"Authorization": f"Bearer {signer.token}",
                                            "Content-Type": "application/json"} | headers))
    return tuple(answers)


def test_a_well_formed_request_is_signed_in_front_as_by_the_route(
        world: World, route: TestClient, shared_signer: Signer, served: list[str]) -> None:
    signer = shared_signer

    def fresh() -> tuple[bytes, dict[str, str]]:
        batch = digests(1)
        return json.dumps(body(signer, signer.authorize(batch), batch)).encode(), {}
    by_front, by_route = both(world, route, signer, fresh)
    assert served == ["/csc/v2/signatures/signHash"]
    assert by_front.status_code == by_route.status_code == 200, by_front.text
    assert by_front.json().keys() == by_route.json().keys() == {"signatures", "receiptID"}
    assert by_front.headers["content-type"] == by_route.headers["content-type"]


REFUSED: list[tuple[str, Callable[[Signer, str], tuple[bytes, dict[str, str]]], bool]] = [
    # (what, the request from a signer and a live SAD, whether the front serves it itself)
    ("no JSON", lambda s, sad: (b"{not json", {}), False),
    ("not an object", lambda s, sad: (b"[1, 2]", {}), False),
    ("hashes missing", lambda s, sad: (json.dumps(
        {"credentialID": s.credential_id, "SAD": sad, "signAlgo": RSA}).encode(), {}), False),
    ("SAD of the wrong type", lambda s, sad: (json.dumps(
        body(s, None, digests(1), SAD=12)).encode(), {}), False),
    ("no bearer token", lambda s, sad: (json.dumps(body(s, sad, digests(1))).encode(),
                                        {"Authorization": ""}), False),
    ("another scheme", lambda s, sad: (json.dumps(body(s, sad, digests(1))).encode(),
                                       {"Authorization": f"Basic {s.token}"}), False),
    ("text, not JSON", lambda s, sad: (json.dumps(body(s, sad, digests(1))).encode(),
                                       {"Content-Type": "text/plain"}), False),
    ("an unknown token", lambda s, sad: (json.dumps(body(s, sad, digests(1))).encode(),
                                         {"Authorization": "Bearer nobody"}), True),
    ("an unknown credential", lambda s, sad: (json.dumps(
        body(s, sad, digests(1), credentialID="nope")).encode(), {}), True),
    ("hashes the SAD did not authorize", lambda s, sad: (json.dumps(
        body(s, sad, digests(1))).encode(), {}), True),
    ("an unknown SAD", lambda s, sad: (json.dumps(
        body(s, "x" * 43, digests(1))).encode(), {}), True),
    ("English asked in the body", lambda s, sad: (json.dumps(
        body(s, "x" * 43, digests(1), lang="en-US")).encode(), {}), True),
    ("a PSS algorithm without its parameters", lambda s, sad: (json.dumps(
        body(s, sad, digests(1), signAlgo="1.2.840.113549.1.1.10")).encode(), {}), True),
]


@pytest.mark.parametrize(("what", "make", "in_front"), REFUSED, ids=[w for w, _, _ in REFUSED])
def test_a_refusal_reads_as_the_routes(world: World, route: TestClient, shared_signer: Signer,
                                       served: list[str], what: str,
                                       make: Callable[[Signer, str], tuple[bytes,
                                                                           dict[str, str]]],
                                       in_front: bool) -> None:
    signer = shared_signer
    by_front, by_route = both(world, route, signer,
                              lambda: make(signer, signer.authorize(digests(1))))
    assert bool(served) is in_front, what
    assert by_front.status_code == by_route.status_code, what
    assert 400 <= by_front.status_code < 500, by_front.text
    assert by_front.json() == by_route.json(), what
    assert by_front.headers.get("www-authenticate") == by_route.headers.get("www-authenticate")


@pytest.mark.parametrize(("failure", "status", "error"), [
    (OperationalError("UPDATE", {}, Exception("could not connect to server")), 503,
     "service_unavailable"),
    (RuntimeError("a bug"), 500, "server_error"),
])
def test_a_failure_behind_the_front_is_answered_as_the_app_answers_it(
        world: World, route: TestClient, shared_signer: Signer, served: list[str],
        monkeypatch: pytest.MonkeyPatch, failure: Exception, status: int, error: str) -> None:
    signer = shared_signer

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise failure
    # the route's transaction, and the front's (its requests' signatures recorded together,
    # where it runs them on the event loop)
    monkeypatch.setattr(world.container.signing, "record", broken)
    monkeypatch.setattr(world.container.signing, "record_signed", broken)

    def fresh() -> tuple[bytes, dict[str, str]]:
        batch = digests(1)
        return json.dumps(body(signer, signer.authorize(batch), batch)).encode(), {}
    by_front, by_route = both(world, route, signer, fresh)
    assert served, "the front served it"
    assert by_front.status_code == by_route.status_code == status, by_front.text
    assert by_front.json() == by_route.json()
    assert by_front.json()["error"] == error


def test_the_requests_of_one_turn_record_their_signatures_together(
        world: World, shared_signer: Signer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the front runs on the event loop (SQLite, keys in process), requests that reach
    it in the same turn of the loop record their signatures in one transaction, each still
    answered with its own signatures and receipt; elsewhere each records its own."""
    signer = shared_signer
    groups: list[int] = []
    record = world.container.signing.record_signed

    def counted(batch: list[Any]) -> Any:
        groups.append(len(batch))
        return record(batch)
    monkeypatch.setattr(world.container.signing, "record_signed", counted)
    batches = [digests(1) for _ in range(4)]
    sads = [signer.authorize(batch) for batch in batches]
    headers = {"Authorization": f"Bearer {signer.token}"}

    async def main() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=world.client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kyso") as client:
            return list(await asyncio.gather(*(
                client.post("/csc/v2/signatures/signHash", json=body(signer, sad, batch),
                            headers=headers) for sad, batch in zip(sads, batches, strict=True))))

    answers = asyncio.run(main())
    assert [a.status_code for a in answers] == [200] * 4, [a.text for a in answers]
    key = public_key(signer)
    for answer, [digest] in zip(answers, batches, strict=True):
        [signature] = answer.json()["signatures"]
        key.verify(base64.b64decode(signature), digest, padding.PKCS1v15(),
                   Prehashed(hashes.SHA256()))
    assert len({a.json()["receiptID"] for a in answers}) == 4
    if threads_for(world.container) == 0:
        assert groups == [4]  # one transaction for the four
    else:
        assert groups == []  # each request's own, on the lane's threads
    for sad, batch in zip(sads, batches, strict=True):  # each SAD spent: repeated, the same
        assert sign_hash(signer, sad, batch).json()["signatures"] == \
            answers[sads.index(sad)].json()["signatures"]
