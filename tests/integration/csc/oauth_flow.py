"""An OAuth2 client of kyso's CSC API built on Authlib (``OAuth2Client``: authorization code
+ PKCE S256, public client), and the customer's side of kyso's approval page driven through
its API (the browser test drives the same page in chromium)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client

from kyso.relying.parties import Issued
from tests.integration.csc.conftest import Signer, World

REDIRECT = "https://dichvucong.example.vn/csc/callback"


def rp_client(world: World, name: str = "Cổng Dịch vụ công Quốc gia") -> Issued:
    """A relying party registered as an OAuth2 client with one redirect URI."""
    issued = world.container.relying_parties.create(name, actor="test")
    world.container.csc_oauth.register_redirect_uri(issued.party.sp_id, REDIRECT, actor="test")
    return issued


@dataclass
class Flow:
    """One authorization: Authlib's client, its PKCE verifier, state and the request URL."""

    client: OAuth2Client
    verifier: str
    state: str
    url: str

    def token(self, redirected: str, **extra: Any) -> dict[str, Any]:
        token: dict[str, Any] = self.client.fetch_token(
            f"{_base(self.url)}/csc/v2/oauth2/token", authorization_response=redirected,
            code_verifier=self.verifier, state=self.state, **extra)
        return token


def _base(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def start(base_url: str, client_id: str, scope: str, **params: Any) -> Flow:
    client = OAuth2Client(client_id=client_id, token_endpoint_auth_method="none",
                          redirect_uri=REDIRECT, scope=scope, code_challenge_method="S256")
    verifier = generate_token(64)
    url, state = client.create_authorization_url(f"{base_url}/csc/v2/oauth2/authorize",
                                                 code_verifier=verifier, **params)
    return Flow(client, verifier, state, url)


def credential_params(signer: Signer, digests: list[bytes], **extra: Any) -> dict[str, Any]:
    return {"credentialID": signer.credential_id, "numSignatures": len(digests),
            "hashes": ",".join(base64.urlsafe_b64encode(d).decode().rstrip("=")
                               for d in digests),
            "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1"} | extra


def page_id(world: World, flow: Flow) -> str:
    """What kyso answers the browser: a redirect to its own approval page."""
    r = httpx.get(flow.url, follow_redirects=False)
    assert r.status_code == 302, r.text
    location = r.headers["location"]
    assert location.startswith("/?csc=") and location.endswith("#csc-authorize"), location
    return parse_qs(urlsplit(location).query)["csc"][0]


def approve(world: World, signer: Signer, item: str) -> str:
    """The customer approves through the page's API (credential scope: confirms the signing
    transaction with the code their SmartOTP app computes over its details)."""
    bearer = {"Authorization": f"Bearer {signer.token}"}
    r = world.client.post(f"/api/v1/csc/authorizations/{item}/approve", headers=bearer)
    assert r.status_code == 200, r.text
    if r.json()["redirect"]:
        return str(r.json()["redirect"])
    tx = r.json()["transaction"]
    assert signer.device is not None
    done = world.client.post(f"/api/v1/transactions/{tx['id']}/confirm",
                             json={"otp": signer.device.answer(tx)}, headers=bearer)
    assert done.status_code == 200, done.text
    r = world.client.post(f"/api/v1/csc/authorizations/{item}/redirect", headers=bearer)
    assert r.status_code == 200, r.text
    return str(r.json()["redirect"])


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()
