"""CSC OAuth2 (authorization code + PKCE) with an independent client, Authlib's
``OAuth2Client``, against a live kyso: the service-scope token calls the API as the
customer; the credential-scope token — the customer approved exactly these documents with
the SmartOTP code — signs a PDF with ``signatures/signDoc`` and pyHanko (trusting kyso's
root, revocation checked online) and pdfsig validate it. Then every refusal the RFCs ask for:
wrong verifier, reused code (which also revokes its token), wrong or unregistered
redirect_uri, expired code, scope errors, unknown client, denial, revocation."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import httpx
import pytest
from authlib.integrations.base_client.errors import OAuthError as AuthlibError

from tests.integration.csc.conftest import World
from tests.integration.csc.helpers import digests, refused
from tests.integration.csc.oauth_flow import (
    REDIRECT,
    approve,
    credential_params,
    page_id,
    query,
    rp_client,
    sha256,
    start,
)
from tests.integration.csc.pyhanko_client import small_pdf, validate


def _csc(world: World, method: str, token: str, body: object) -> httpx.Response:
    return httpx.post(f"{world.url}/csc/v2/{method}", json=body, timeout=60,
                      headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"})


def test_authlib_service_token_calls_the_api_as_the_customer(world: World) -> None:
    signer, rp = world.customer(), rp_client(world)
    flow = start(world.url, rp.party.sp_id, "service")
    back = approve(world, signer, page_id(world, flow))
    assert back.startswith(REDIRECT + "?") and query(back)["state"] == flow.state
    token = flow.token(back)
    assert token["token_type"].lower() == "bearer" and token["scope"] == "service"
    assert token["access_token"].startswith("kcsc_") and 0 < token["expires_in"] <= 3600
    listed = _csc(world, "credentials/list", token["access_token"], {})
    assert listed.status_code == 200 and listed.json()["credentialIDs"] == [signer.credential_id]
    revoked = flow.client.revoke_token(f"{world.url}/csc/v2/oauth2/revoke",
                                       token=token["access_token"])
    assert revoked.status_code == 200
    refused(_csc(world, "credentials/list", token["access_token"], {}), 401, "invalid_token")


def test_authlib_credential_token_signs_a_pdf_that_pyhanko_and_pdfsig_accept(
        world: World, tmp_path: Path) -> None:
    signer, rp = world.customer(), rp_client(world)
    pdf = small_pdf(b"Hop dong OAuth2 so 2026/07")
    flow = start(world.url, rp.party.sp_id, "credential",
                 **credential_params(signer, [sha256(pdf)], description="Hợp đồng 2026/07"))
    item = page_id(world, flow)
    bearer = {"Authorization": f"Bearer {signer.token}", "Accept-Language": "vi"}
    shown = world.client.get(f"/api/v1/csc/authorizations/{item}", headers=bearer).json()
    assert shown["relying_party"] == "Cổng Dịch vụ công Quốc gia"
    assert shown["num_signatures"] == 1 and shown["hash_algorithm"] == "SHA-256"
    assert shown["hashes"] == [base64.b64encode(sha256(pdf)).decode()]
    token = flow.token(approve(world, signer, item))
    assert token["scope"] == "credential" and token["credentialID"] == signer.credential_id
    assert 0 < token["expires_in"] <= 300  # the SAD's life
    access = token["access_token"]
    refused(_csc(world, "credentials/list", access, {}), 403, "access_denied", "credential")
    signed = _csc(world, "signatures/signDoc", access, {
        "credentialID": signer.credential_id,
        "documents": [{"document": base64.b64encode(pdf).decode(), "signature_format": "P",
                       "signAlgo": "1.2.840.113549.1.1.11", "conformance_level": "Ades-B-T"}]})
    assert signed.status_code == 200, signed.text
    [out] = [base64.b64decode(d) for d in signed.json()["DocumentWithSignature"]]
    root = world.container.pki_publisher.ca_certificate("root")
    status = validate(out, root, moment=world.clock.now(), fetch=True)
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert status.signing_cert.dump() == signer.credential.chain[0]
    (tmp_path / "signed.pdf").write_bytes(out)
    (tmp_path / "root.pem").write_bytes(_pem(root))
    nss = tmp_path / "nss"
    nss.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
    subprocess.run(["certutil", "-A", "-n", "kyso", "-t", "CT,C,C", "-i",
                    str(tmp_path / "root.pem"), "-d", f"sql:{nss}"], check=True)
    verdict = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(tmp_path / "signed.pdf")],
                             capture_output=True, text=True, timeout=60, check=False).stdout
    assert "Signature is Valid" in verdict and "Certificate is Trusted" in verdict, verdict
    again = _csc(world, "signatures/signDoc", access, {  # the SAD signed that PDF once
        "credentialID": signer.credential_id,
        "documents": [{"document": base64.b64encode(small_pdf(b"Khac")).decode(),
                       "signature_format": "P", "signAlgo": "1.2.840.113549.1.1.11"}]})
    assert again.status_code == 400, again.text


def _pem(der: bytes) -> bytes:
    body = base64.encodebytes(der).decode().replace("\n", "")
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return ("-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) +
            "\n-----END CERTIFICATE-----\n").encode()


def test_the_code_is_bound_to_the_verifier_the_redirect_uri_and_one_use(world: World) -> None:
    signer, rp = world.customer(), rp_client(world)
    flow = start(world.url, rp.party.sp_id, "service")
    back = approve(world, signer, page_id(world, flow))
    code = query(back)["code"]
    token_url = f"{world.url}/csc/v2/oauth2/token"

    def exchange(**change: str) -> httpx.Response:
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
                "client_id": rp.party.sp_id, "code_verifier": flow.verifier} | change
        return httpx.post(token_url, data=form, headers={"Accept-Language": "en"})

    refused(exchange(code_verifier="x" * 64), 400, "invalid_grant", "code_verifier")
    refused(exchange(redirect_uri=REDIRECT + "/other"), 400, "invalid_grant", "redirect_uri")
    refused(exchange(grant_type="password"), 400, "unsupported_grant_type")
    refused(exchange(client_id="sp-unknown"), 401, "invalid_client")
    refused(exchange(client_secret="wrong-secret"), 401, "invalid_client")
    other = rp_client(world, "Ngân hàng khác")
    refused(exchange(client_id=other.party.sp_id), 400, "invalid_grant")
    first = exchange(client_secret=rp.sp_password)  # a confidential client, authenticated
    assert first.status_code == 200, first.text
    assert first.headers["cache-control"] == "no-store"
    access = first.json()["access_token"]
    assert _csc(world, "credentials/list", access, {}).status_code == 200
    refused(exchange(), 400, "invalid_grant", "already used")
    # a code presented twice revokes the token it gave (RFC 6749 §4.1.2)
    refused(_csc(world, "credentials/list", access, {}), 401, "invalid_token")


def test_an_expired_code_is_refused(world: World) -> None:
    signer, rp = world.customer(), rp_client(world)
    flow = start(world.url, rp.party.sp_id, "service")
    back = approve(world, signer, page_id(world, flow))
    world.clock.advance(61)
    with pytest.raises(AuthlibError) as caught:
        flow.token(back)
    assert caught.value.error == "invalid_grant"


def test_authorize_refuses_unknown_clients_and_redirect_uris_without_redirecting(
        world: World) -> None:
    rp = rp_client(world)
    flow = start(world.url, "sp-unknown", "service")
    r = httpx.get(flow.url, follow_redirects=False, headers={"Accept-Language": "vi"})
    refused(r, 401, "invalid_client", "client_id")
    flow = start(world.url, rp.party.sp_id, "service")
    r = httpx.get(flow.url.replace("dichvucong.example.vn", "evil.example"),
                  follow_redirects=False)
    refused(r, 400, "invalid_request", "redirect_uri")


@pytest.mark.parametrize(("params", "error", "words"), [
    ({"scope": "everything"}, "invalid_scope", "scope"),
    ({"response_type": "token"}, "unsupported_response_type", "response_type"),
    ({"code_challenge_method": "plain"}, "invalid_request", "S256"),
    ({"scope": "credential"}, "invalid_request", "credentialID"),
    ({"scope": "credential", "credentialID": "x", "numSignatures": "2",
      "hashes": base64.b64encode(bytes(32)).decode()}, "invalid_request", "numSignatures"),
    ({"scope": "credential", "credentialID": "x", "numSignatures": "1",
      "hashes": "not-a-hash"}, "invalid_request", "hashes"),
], ids=["scope", "response_type", "plain-pkce", "no-credential", "count", "hashes"])
def test_other_errors_go_back_to_the_client_with_the_state(world: World, params: dict[str, str],
                                                          error: str, words: str) -> None:
    rp = rp_client(world)
    flow = start(world.url, rp.party.sp_id, "service")
    url = httpx.URL(flow.url)
    r = httpx.get(url.copy_merge_params(params), follow_redirects=False,
                  headers={"Accept-Language": "en"})
    assert r.status_code == 302, r.text
    back = r.headers["location"]
    assert back.startswith(REDIRECT + "?")
    got = query(back)
    assert got["error"] == error and got["state"] == flow.state, got
    assert words.lower() in got["error_description"].lower(), got


def test_a_denial_goes_back_as_access_denied_and_gives_no_code(world: World) -> None:
    signer, rp = world.customer(), rp_client(world)
    flow = start(world.url, rp.party.sp_id, "credential",
                 **credential_params(signer, digests(2)))
    item = page_id(world, flow)
    bearer = {"Authorization": f"Bearer {signer.token}"}
    r = world.client.post(f"/api/v1/csc/authorizations/{item}/deny", headers=bearer)
    got = query(r.json()["redirect"])
    assert got["error"] == "access_denied" and got["state"] == flow.state and "code" not in got
    r = world.client.post(f"/api/v1/csc/authorizations/{item}/redirect", headers=bearer)
    assert r.status_code == 400, r.text
    other = world.customer()  # nobody else sees (or approves) someone's authorization
    r = world.client.get(f"/api/v1/csc/authorizations/{item}",
                         headers={"Authorization": f"Bearer {other.token}"})
    assert r.status_code == 404, r.text


def test_a_credential_token_signs_only_its_own_hashes(world: World) -> None:
    signer, rp = world.customer(), rp_client(world)
    batch = digests(2)
    params = credential_params(signer, batch)
    params["hash"] = params.pop("hashes")  # the v1 name of the parameter
    flow = start(world.url, rp.party.sp_id, "credential", **params)
    token = flow.token(approve(world, signer, page_id(world, flow)))["access_token"]
    body = {"credentialID": signer.credential_id, "signAlgo": "1.2.840.113549.1.1.11",
            "hashes": [base64.b64encode(d).decode() for d in digests(1)]}
    refused(_csc(world, "signatures/signHash", token, body), 400, "invalid_request", "SAD")
    body["hashes"] = [base64.b64encode(d).decode() for d in batch]
    r = _csc(world, "signatures/signHash", token, body)
    assert r.status_code == 200 and len(r.json()["signatures"]) == 2, r.text


def test_an_asynchronous_request_with_a_service_token_names_the_relying_party(
        world: World) -> None:
    signer, rp = world.customer(), rp_client(world, "Sàn giao dịch Ví Dụ")
    flow = start(world.url, rp.party.sp_id, "service")
    access = flow.token(approve(world, signer, page_id(world, flow)))["access_token"]
    batch = digests(1)
    r = _csc(world, "signatures/signHash", access, {
        "credentialID": signer.credential_id, "signAlgo": "1.2.840.113549.1.1.11",
        "hashes": [base64.b64encode(d).decode() for d in batch], "operationMode": "A"})
    assert r.status_code == 200, r.text
    pending = world.client.get("/api/v1/transactions",
                               headers={"Authorization": f"Bearer {signer.token}"}).json()
    [tx] = [t for t in pending if t["kind"] == "csc_sign_hash"]
    assert tx["details"]["relying_party"] == "Sàn giao dịch Ví Dụ"
