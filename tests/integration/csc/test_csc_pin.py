"""With ``csc_require_pin``, ``credentials/authorize`` asks for the account PIN as well as
the OTP (``PIN AND OTP``), in the v1 field or the v2 ``authData``; a wrong PIN spends no
OTP and is counted like any wrong PIN."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.api.conftest import PIN
from tests.integration.csc.conftest import World, make_world
from tests.integration.csc.helpers import authorize, b64, digests, refused, sign


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with make_world(tmp_path_factory.mktemp("csc-pin"), csc_require_pin=True) as made:
        yield made


def test_info_asks_for_pin_and_otp(world: World) -> None:
    signer = world.customer()
    info = signer.post("credentials/info", {"credentialID": signer.credential_id,
                                            "authInfo": True}).json()
    assert info["PIN"]["presence"] == "true" and info["OTP"]["presence"] == "true"
    assert info["auth"]["expression"] == "PIN AND OTP"
    assert [o["id"] for o in info["auth"]["objects"]] == ["PIN", "OTP"]


def test_pin_and_otp_in_either_spelling(world: World) -> None:
    signer = world.customer()
    batch = digests(1)
    r = authorize(signer, batch, signer.otp(), PIN=PIN)
    assert r.status_code == 200, r.text
    assert len(sign(signer, r.json()["SAD"], batch)) == 1
    batch = digests(1)
    r = signer.post("credentials/authorize", {
        "credentialID": signer.credential_id, "numSignatures": 1, "hashes": b64(batch),
        "authData": [{"id": "PIN", "value": PIN}, {"id": "OTP", "value": signer.otp()}]})
    assert r.status_code == 200, r.text


def test_missing_or_wrong_pin_spends_no_otp(world: World) -> None:
    signer = world.customer()
    code = signer.otp()
    refused(authorize(signer, digests(1), code), 400, "invalid_request", "PIN")
    refused(authorize(signer, digests(1), code, PIN="999999"), 400, "invalid_pin")
    assert authorize(signer, digests(1), code, PIN=PIN).status_code == 200


def test_the_pin_locks_after_repeated_failures(world: World) -> None:
    signer = world.customer()
    for _ in range(world.container.settings.lockout_max_failures - 1):
        refused(authorize(signer, digests(1), signer.otp(), PIN="999999"), 400, "invalid_pin")
    last = authorize(signer, digests(1), signer.otp(), PIN="999999")
    assert last.status_code == 400  # this failure locks the PIN
    r = authorize(signer, digests(1), signer.otp(), PIN=PIN)
    refused(r, 400, "authentication_error", "locked")
    assert int(r.headers["Retry-After"]) > 0
