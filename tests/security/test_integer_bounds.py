"""Every integer a client sends is bounded: the OpenAPI says so for each one, and 2^63, -1
and 10^30 are answered 4xx (never 500) on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kyso.bootstrap import Container
from kyso.entrypoints.api.app import create_app
from tests.integration.api.conftest import auth, login, sign_up

HOSTILE = [2**63, 2**63 - 1, -1, 10**30, -(2**63) - 1]
# a body in which the integer is the only thing wrong, per operation with an integer field
BODIES: dict[str, dict[str, Any]] = {
    "/csc/v2/credentials/authorize": {
        "credentialID": "kyso-none", "hashes": ["A" * 43 + "="],
        "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1"},
}


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), raise_server_exceptions=False) as c:
        yield c


def _integer_inputs(spec: dict[str, Any]) -> Iterator[tuple[str, str, str, str, dict[str, Any]]]:
    """(method, path, where, name, schema) of every integer parameter and body field."""
    schemas = spec.get("components", {}).get("schemas", {})

    def resolve(schema: dict[str, Any]) -> dict[str, Any]:
        ref = schema.get("$ref")
        return dict(schemas[ref.split("/")[-1]]) if ref else schema

    def integers(schema: dict[str, Any], name: str) -> Iterator[tuple[str, dict[str, Any]]]:
        schema = resolve(schema)
        for alternative in schema.get("anyOf", []) + schema.get("allOf", []):
            yield from integers(alternative, name)
        if schema.get("type") == "integer":
            yield name, schema
        for key, sub in schema.get("properties", {}).items():
            yield from integers(sub, key)
        if "items" in schema:
            yield from integers(schema["items"], name)

    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            for param in op.get("parameters", []):
                for name, schema in integers(param.get("schema", {}), param["name"]):
                    yield method, path, param["in"], name, schema
            for content in op.get("requestBody", {}).get("content", {}).values():
                for name, schema in integers(content.get("schema", {}), ""):
                    yield method, path, "body", name, schema


def _spec(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def test_every_integer_input_has_a_minimum_and_a_maximum(client: TestClient) -> None:
    found = list(_integer_inputs(_spec(client)))
    assert len(found) >= 4  # notifications limit and offset, orders limit, numSignatures
    unbounded = [(m, p, n) for m, p, _, n, s in found
                 if "minimum" not in s or "maximum" not in s or s["maximum"] > 2**31 - 1]
    assert unbounded == []


def test_hostile_integers_are_refused_everywhere(client: TestClient) -> None:
    sign_up(client)
    headers = auth(login(client)) | {"Accept-Language": "en"}
    for method, path, where, name, _ in _integer_inputs(_spec(client)):
        for value in HOSTILE:
            if where == "query":
                response = client.request(method, path, params={name: str(value)},
                                          headers=headers)
            else:
                body = BODIES.get(path, {}) | {name: value}
                response = client.request(method, path, json=body, headers=headers)
            assert 400 <= response.status_code < 500, (path, name, value, response.text)
            assert set(response.json()) >= {"error", "error_description"}


def test_the_largest_allowed_offset_is_an_empty_page(client: TestClient) -> None:
    sign_up(client)
    response = client.get("/api/v1/notifications", params={"offset": 2**31 - 1},
                          headers=auth(login(client)))
    assert response.status_code == 200 and response.json() == []
