"""Limits before work: a large body costs nothing until its sender has shown a live session,
and an upload is counted (and refused past its limit) while it arrives."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from kyso.bootstrap import Container
from kyso.entrypoints.api.app import create_app
from tests.integration.api.conftest import login, sign_up
from tests.integration.pki.conftest import LiveServer

MIB = 1024 * 1024
LARGE_PATHS = [("/api/v1/documents", 20 * MIB), ("/api/v1/validate", 20 * MIB),
               ("/csc/v2/signatures/signDoc", 20 * MIB),
               ("/api/v1/onboarding/registration/ekyc", 3 * MIB)]  # each under its limit


@pytest.fixture
def server(container: Container) -> Iterator[str]:
    with LiveServer().serving(create_app(container)) as url:
        yield url


def _start_upload(url: str, path: str, size: int, token: str | None = None) -> socket.socket:
    """Headers and the first 64 KiB of a ``size``-byte body; the rest is never sent."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=20)
    head = (f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            f"Content-Type: application/pdf\r\nContent-Length: {size}\r\n")
    if token:
        head += f"Authorization: Bearer {token}\r\n"
    sock.sendall(head.encode() + b"\r\n" + b"%PDF-1.7\n" + b"0" * (64 * 1024))
    return sock


def _status(sock: socket.socket) -> int:
    line = sock.recv(4096).split(b"\r\n", 1)[0]  # e.g. b"HTTP/1.1 401 Unauthorized"
    return int(line.split()[1])


@pytest.mark.parametrize(("path", "size"), LARGE_PATHS)
def test_ten_held_uploads_without_a_session_are_refused_before_their_body(
        server: str, path: str, size: int) -> None:
    held = [_start_upload(server, path, size) for _ in range(10)]
    try:  # answered while the bodies are still being "sent": nothing of them was read
        assert [_status(sock) for sock in held] == [401] * 10
    finally:
        for sock in held:
            sock.close()


def test_a_forged_token_is_no_better_than_none(server: str) -> None:
    sock = _start_upload(server, "/api/v1/documents", 20 * MIB, token="forged-token")
    try:
        assert _status(sock) == 401
    finally:
        sock.close()


def test_a_body_without_a_length_is_cut_at_the_limit(container: Container) -> None:
    """A chunked upload that never declares its size is counted as it arrives: 413."""
    limit = container.settings.document_max_bytes
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        sign_up(client)
        token = login(client)

        def chunks() -> Iterator[bytes]:
            yield b"%PDF-1.7\n"
            for _ in range(limit // MIB + 2):
                yield b"0" * MIB

        response = client.post("/api/v1/validate", content=chunks(), headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/pdf"})
    assert response.status_code == 413, response.text
    assert response.json()["error"] == "request_too_large"
