"""signDoc carries the PDF in Base64 inside JSON: its body limit follows the configured
document size, well above the general 1 MiB, and each document is held to that size."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator

import pytest

from kyso.entrypoints.csc.documents import body_limits
from tests.integration.csc.conftest import World, make_world
from tests.integration.csc.helpers import refused
from tests.integration.csc.pyhanko_client import small_pdf
from tests.integration.csc.test_csc_sign_doc import sign_doc

DOCUMENT_MAX = 2 * 1024 * 1024  # twice the general body limit, in Base64 ~2.7 MiB


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with make_world(tmp_path_factory.mktemp("csc-size"), document_max_bytes=DOCUMENT_MAX,
                    max_body_bytes=1024 * 1024) as made:
        yield made


def pdf_of(size: int) -> bytes:
    """A valid PDF of exactly ``size`` bytes (the page's text is padded)."""
    padding = size - len(small_pdf(b""))
    while len(pdf := small_pdf(b"x" * padding)) != size:  # the /Length grows by digits
        padding += size - len(pdf)
    return pdf


def test_a_document_of_the_largest_size_signs(world: World) -> None:
    signer = world.customer()
    pdf = pdf_of(DOCUMENT_MAX)
    sad = signer.authorize([hashlib.sha256(pdf).digest()])
    r = sign_doc(signer, sad, pdf)
    assert len(r.request.content) > world.container.settings.max_body_bytes
    assert r.status_code == 200, r.text
    [signed] = r.json()["DocumentWithSignature"]
    assert base64.b64decode(signed).startswith(pdf[:1024])


def test_one_byte_more_is_refused_clearly(world: World) -> None:
    signer = world.customer()
    pdf = pdf_of(DOCUMENT_MAX + 1)
    sad = signer.authorize([hashlib.sha256(pdf).digest()])
    refused(sign_doc(signer, sad, pdf), 400, "invalid_request", str(DOCUMENT_MAX))


def test_a_body_over_the_limit_never_reaches_the_handler(world: World) -> None:
    signer = world.customer()
    [(path, limit)] = body_limits(world.container.settings).items()
    assert path == "/csc/v2/signatures/signDoc"
    pdf = pdf_of(limit * 3 // 4 + 1024)  # its Base64 alone is over the limit
    r = sign_doc(signer, "no-sad", pdf)
    assert r.status_code == 413 and r.json()["error"] == "request_too_large"
