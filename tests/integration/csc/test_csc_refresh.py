"""CSC refresh tokens against a live kyso, with an independent client (Authlib's
``OAuth2Client``): a ``service`` grant comes with a refresh token that Authlib uses; every use
rotates it; the old one presented again revokes the whole family (RFC 6819 §5.2.2.3); it is
bound to its client, never given for the ``credential`` scope, revoked by ``oauth2/revoke``
and when the customer revokes the party. ``auth/login`` with ``rememberMe`` gives one for the
login, usable in place of the password, and it dies with the login's session."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
from authlib.integrations.base_client.errors import OAuthError as AuthlibError

from kyso.bootstrap import Container
from tests.integration.api.conftest import PASSWORD, PIN
from tests.integration.csc.conftest import EN, Signer, World, basic
from tests.integration.csc.helpers import refused
from tests.integration.csc.oauth_flow import (
    Flow,
    approve,
    credential_params,
    page_id,
    rp_client,
    sha256,
    start,
)


def _csc(world: World, method: str, token: str, body: object = None) -> httpx.Response:
    return httpx.post(f"{world.url}/csc/v2/{method}", json=body or {}, timeout=60,
                      headers={"Authorization": f"Bearer {token}", **EN})


def _token(world: World, **form: str) -> httpx.Response:
    return httpx.post(f"{world.url}/csc/v2/oauth2/token", data=form, headers=EN, timeout=60)


def _actions(container: Container) -> list[str]:
    with container.uow() as uow:
        return [r.event.action for r in uow.audit.records()]


def _service_grant(world: World) -> tuple[Signer, Any, Flow, dict[str, Any]]:
    signer, rp = world.customer(), rp_client(world)
    flow = start(world.url, rp.party.sp_id, "service")
    token = flow.token(approve(world, signer, page_id(world, flow)))
    return signer, rp, flow, token


def test_authlib_refreshes_a_service_token_and_the_old_one_revokes_the_family(
        world: World) -> None:
    signer, rp, flow, first = _service_grant(world)
    assert first["refresh_token"].startswith("kcsr_")
    url = f"{world.url}/csc/v2/oauth2/token"
    second = flow.client.refresh_token(url, refresh_token=first["refresh_token"])
    assert second["access_token"] != first["access_token"] and second["scope"] == "service"
    assert second["refresh_token"] not in (first["refresh_token"], None)
    assert 0 < second["expires_in"] <= 3600
    listed = _csc(world, "credentials/list", second["access_token"])
    assert listed.status_code == 200 and listed.json()["credentialIDs"] == [signer.credential_id]
    third = flow.client.refresh_token(url, refresh_token=second["refresh_token"])
    assert _csc(world, "credentials/list", third["access_token"]).status_code == 200
    # the first refresh token again: someone kept a copy; the whole family goes
    with pytest.raises(AuthlibError) as caught:
        flow.client.refresh_token(url, refresh_token=first["refresh_token"])
    assert caught.value.error == "invalid_grant"
    for access in (first, second, third):
        refused(_csc(world, "credentials/list", access["access_token"]), 401, "invalid_token")
    refused(_token(world, grant_type="refresh_token", refresh_token=third["refresh_token"],
                   client_id=rp.party.sp_id), 400, "invalid_grant", "refresh token")
    actions = _actions(world.container)
    assert actions.count("csc.oauth_token_refreshed") >= 2
    assert "csc.refresh_token_reused" in actions


def test_a_refresh_token_is_bound_to_its_client_and_the_service_scope(world: World) -> None:
    signer, rp, _flow, first = _service_grant(world)
    other = rp_client(world, "Ngân hàng khác")
    refresh = first["refresh_token"]
    refused(_token(world, grant_type="refresh_token", refresh_token=refresh,
                   client_id=other.party.sp_id), 400, "invalid_grant")
    refused(_token(world, grant_type="refresh_token", refresh_token=refresh,
                   client_id=rp.party.sp_id, client_secret="wrong"), 401, "invalid_client")
    refused(_token(world, grant_type="refresh_token", refresh_token=refresh,
                   client_id=rp.party.sp_id, scope="credential"), 400, "invalid_scope")
    refused(_token(world, grant_type="refresh_token", client_id=rp.party.sp_id), 400,
            "invalid_grant")
    refused(_token(world, grant_type="refresh_token", refresh_token="kcsr_" + "x" * 43,
                   client_id=rp.party.sp_id), 400, "invalid_grant")
    # none of the refusals spent it: its own client (confidential, authenticated) refreshes
    r = _token(world, grant_type="refresh_token", refresh_token=refresh,
               client_id=rp.party.sp_id, client_secret=rp.sp_password)
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    # the credential scope (the signature's one-time authorization) has no refresh token
    pdf = b"%PDF-1.4 refresh"
    flow2 = start(world.url, rp.party.sp_id, "credential",
                  **credential_params(signer, [sha256(pdf)]))
    token = flow2.token(approve(world, signer, page_id(world, flow2)))
    assert token["scope"] == "credential" and "refresh_token" not in token


def test_revoking_a_refresh_token_or_the_party_ends_the_grant(world: World) -> None:
    signer, rp, flow, first = _service_grant(world)
    revoked = flow.client.revoke_token(f"{world.url}/csc/v2/oauth2/revoke",
                                       token=first["refresh_token"],
                                       token_type_hint="refresh_token")
    assert revoked.status_code == 200
    refused(_csc(world, "credentials/list", first["access_token"]), 401, "invalid_token")
    refused(_token(world, grant_type="refresh_token", refresh_token=first["refresh_token"],
                   client_id=rp.party.sp_id), 400, "invalid_grant")
    # a second grant, listed for the customer, then revoked by them in the app's API
    flow = start(world.url, rp.party.sp_id, "service")
    again = flow.token(approve(world, signer, page_id(world, flow)))
    bearer = {"Authorization": f"Bearer {signer.token}"}
    listed = world.client.get("/api/v1/csc/grants", headers=bearer)
    assert listed.status_code == 200, listed.text
    assert [g["sp_id"] for g in listed.json()] == [rp.party.sp_id]
    assert listed.json()[0]["name"] == "Cổng Dịch vụ công Quốc gia"
    gone = world.client.delete(f"/api/v1/csc/grants/{rp.party.sp_id}", headers=bearer)
    assert gone.status_code == 204
    assert world.client.get("/api/v1/csc/grants", headers=bearer).json() == []
    refused(_csc(world, "credentials/list", again["access_token"]), 401, "invalid_token")
    refused(_token(world, grant_type="refresh_token", refresh_token=again["refresh_token"],
                   client_id=rp.party.sp_id), 400, "invalid_grant")
    assert world.client.delete("/api/v1/csc/grants/sp-nobody",
                               headers=bearer).status_code == 404
    assert "csc.oauth_grant_revoked" in _actions(world.container)


def _login(world: World, signer: Signer, body: dict[str, Any] | None = None,
           **headers: str) -> httpx.Response:
    return world.client.post("/csc/v2/auth/login", json=body,
                             headers={**EN, **headers})


def test_auth_login_remember_me_gives_a_rotating_refresh_token(world: World) -> None:
    signer = world.customer()
    plain = _login(world, signer, None, **basic(signer.username, PASSWORD))
    assert plain.status_code == 200 and "refresh_token" not in plain.json()
    first = _login(world, signer, {"rememberMe": True}, **basic(signer.username, PASSWORD))
    assert first.status_code == 200, first.text
    refresh = first.json()["refresh_token"]
    assert refresh.startswith("kcsr_")
    again = _login(world, signer, {"refresh_token": refresh})  # no password
    assert again.status_code == 200, again.text
    session, rotated = again.json()["access_token"], again.json()["refresh_token"]
    assert rotated != refresh and again.json()["token_type"] == "Bearer"
    assert _csc(world, "credentials/list", session).status_code == 200
    # the spent one again ends the whole login: both its sessions and the rotated token
    refused(_login(world, signer, {"refresh_token": refresh}), 400, "invalid_grant")
    refused(_csc(world, "credentials/list", session), 401, "invalid_token")
    refused(_csc(world, "credentials/list", first.json()["access_token"]), 401,
            "invalid_token")
    refused(_login(world, signer, {"refresh_token": rotated}), 400, "invalid_grant")
    assert plain.json()["access_token"] != session  # another login lives on
    assert _csc(world, "credentials/list", plain.json()["access_token"]).status_code == 200


def test_a_login_refresh_token_dies_with_its_session_and_its_client(world: World) -> None:
    signer = world.customer()
    first = _login(world, signer, {"rememberMe": True}, **basic(signer.username, PASSWORD))
    access, refresh = first.json()["access_token"], first.json()["refresh_token"]
    # a login's refresh token is no OAuth2 client's, and a client's is no login's
    rp = rp_client(world)
    refused(_token(world, grant_type="refresh_token", refresh_token=refresh,
                   client_id=rp.party.sp_id), 400, "invalid_grant")
    # the customer logs that session out (as "log out everywhere" does to every session)
    r = _csc(world, "auth/revoke", access, {"token": access})
    assert r.status_code == 204
    refused(_login(world, signer, {"refresh_token": refresh}), 400, "invalid_grant")
    # revoked with auth/revoke by its owner only; then it is gone
    second = _login(world, signer, {"rememberMe": True}, **basic(signer.username, PASSWORD))
    stranger = world.customer()
    r = _csc(world, "auth/revoke", stranger.token, {"token": second.json()["refresh_token"],
                                                     "token_type_hint": "refresh_token"})
    assert r.status_code == 204
    assert _csc(world, "credentials/list", second.json()["access_token"]).status_code == 200
    r = _csc(world, "auth/revoke", second.json()["access_token"],
             {"token": second.json()["refresh_token"], "token_type_hint": "refresh_token"})
    assert r.status_code == 204
    refused(_csc(world, "credentials/list", second.json()["access_token"]), 401,
            "invalid_token")
    refused(_login(world, signer, {"refresh_token": second.json()["refresh_token"]}), 400,
            "invalid_grant")
    refused(_login(world, signer, {"refresh_token": 42}), 400, "invalid_request")


def test_an_unused_refresh_token_expires(world: World) -> None:
    signer, rp, _flow, first = _service_grant(world)
    world.clock.advance(30 * 86400 + 1)
    refused(_token(world, grant_type="refresh_token", refresh_token=first["refresh_token"],
                   client_id=rp.party.sp_id), 400, "invalid_grant")
    with world.container.uow() as uow:
        assert uow.csc.grants(signer.account_id, world.clock.now()) == []
    assert "refresh_token_expired" in str([r.event.details for r in _records(world)])


def _records(world: World) -> list[Any]:
    with world.container.uow() as uow:
        return list(uow.audit.records())


def test_withdrawing_the_consent_or_disabling_the_client_ends_its_tokens(world: World) -> None:
    signer, rp, _flow, first = _service_grant(world)
    bearer = {"Authorization": f"Bearer {signer.token}"}
    # the customer lets the party in (SP769 consent), then withdraws it on the same page
    assert world.client.put(f"/api/v1/consents/{rp.party.sp_id}", headers=bearer,
                            json={"pin": PIN}).status_code == 200
    assert world.client.delete(f"/api/v1/consents/{rp.party.sp_id}",
                               headers=bearer).status_code == 204
    refused(_csc(world, "credentials/list", first["access_token"]), 401, "invalid_token")
    refused(_token(world, grant_type="refresh_token", refresh_token=first["refresh_token"],
                   client_id=rp.party.sp_id), 400, "invalid_grant")
    # a new grant; the operator disables the client: its tokens stop at once
    _signer, rp2, _flow2, second = _service_grant(world)
    assert _csc(world, "credentials/list", second["access_token"]).status_code == 200
    world.container.relying_parties.disable(rp2.party.sp_id, actor="test")
    refused(_csc(world, "credentials/list", second["access_token"]), 401, "invalid_token")
    refused(_token(world, grant_type="refresh_token", refresh_token=second["refresh_token"],
                   client_id=rp2.party.sp_id), 401, "invalid_client")


def test_the_same_refresh_token_sent_twice_at_once_wins_once_then_ends_the_family(
        world: World) -> None:
    _signer, rp, _flow, first = _service_grant(world)
    form = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"],
            "client_id": rp.party.sp_id}
    answers: list[httpx.Response] = []
    start_line = threading.Barrier(2)

    def send() -> None:
        start_line.wait()
        answers.append(_token(world, **form))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(a.status_code for a in answers) == [200, 400], [a.text for a in answers]
    [won] = [a.json() for a in answers if a.status_code == 200]
    # the loser was reuse: the winner's tokens went with the family
    refused(_csc(world, "credentials/list", won["access_token"]), 401, "invalid_token")
    refused(_token(world, grant_type="refresh_token", refresh_token=won["refresh_token"],
                   client_id=rp.party.sp_id), 400, "invalid_grant")
