"""kyso's approval page for CSC OAuth2 (``oauth2/authorize`` sends the browser there): the
logged-in customer reads what the relying party asks and approves or denies.

``service``: approve → the redirect with the code. ``credential``: approve → a signing
transaction (relying party, number of signatures, the documents' hashes), confirmed with
the code as any signing transaction (``POST /transactions/{id}/confirm``), then ``redirect``
→ the client's redirect URI with the code (once).

``/api/v1/csc/grants``: the relying parties holding live OAuth2 tokens (access or refresh)
for the customer, and revoking all of one party's (the consents page)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from kyso.entrypoints.api.deps import ContainerDep, CurrentCaller
from kyso.entrypoints.api.errors import language
from kyso.entrypoints.api.routes.transactions import TransactionOut

_pages = APIRouter(prefix="/api/v1/csc/authorizations", tags=["csc"])
_grants = APIRouter(prefix="/api/v1/csc/grants", tags=["csc"])


class AuthorizationOut(BaseModel):
    id: str
    relying_party: str
    scope: str
    status: str
    credential_id: str | None
    num_signatures: int
    hashes: list[str]
    hash_algorithm: str | None
    description: str | None
    redirect_host: str
    expires_at: datetime
    transaction_id: str | None


class ApprovedOut(BaseModel):
    transaction: TransactionOut | None = None
    redirect: str | None = None


class RedirectOut(BaseModel):
    redirect: str


@_pages.get("/{item_id}", response_model=AuthorizationOut)
def one(item_id: str, caller: CurrentCaller, container: ContainerDep) -> AuthorizationOut:
    view = container.csc_oauth.view(caller.account.id, item_id)
    a = view.authorization
    names = {"2.16.840.1.101.3.4.2.1": "SHA-256", "2.16.840.1.101.3.4.2.2": "SHA-384",
             "2.16.840.1.101.3.4.2.3": "SHA-512"}
    host = a.redirect_uri.split("/")[2] if "//" in a.redirect_uri else a.redirect_uri
    return AuthorizationOut(
        id=a.id, relying_party=view.party_name, scope=a.scope, status=a.status.value,
        credential_id=a.credential_id, num_signatures=a.num_signatures, hashes=a.digests,
        hash_algorithm=names.get(a.hash_algo or ""), description=a.description,
        redirect_host=host, expires_at=a.expires_at, transaction_id=a.challenge_id)


@_pages.post("/{item_id}/approve", response_model=ApprovedOut)
def approve(item_id: str, request: Request, caller: CurrentCaller,
            container: ContainerDep) -> ApprovedOut:
    challenge = container.csc_oauth.approve(caller.account.id, item_id)
    if challenge is None:
        return ApprovedOut(redirect=container.csc_oauth.redirect(caller.account.id, item_id))
    return ApprovedOut(transaction=TransactionOut.of(challenge, language(request)))


@_pages.post("/{item_id}/redirect", response_model=RedirectOut)
def redirect(item_id: str, caller: CurrentCaller, container: ContainerDep) -> RedirectOut:
    return RedirectOut(redirect=container.csc_oauth.redirect(caller.account.id, item_id))


@_pages.post("/{item_id}/deny", response_model=RedirectOut)
def deny(item_id: str, caller: CurrentCaller, container: ContainerDep) -> RedirectOut:
    return RedirectOut(redirect=container.csc_oauth.deny(caller.account.id, item_id))


class GrantOut(BaseModel):
    sp_id: str
    name: str
    since: datetime
    last_issued_at: datetime
    expires_at: datetime


@_grants.get("", response_model=list[GrantOut])
def grants(caller: CurrentCaller, container: ContainerDep) -> list[GrantOut]:
    """The relying parties holding live OAuth2 tokens for me (most recent first)."""
    return [GrantOut(sp_id=p.sp_id, name=p.name, since=g.first_at, last_issued_at=g.last_at,
                     expires_at=g.expires_at)
            for g, p in container.csc_oauth.grants(caller.account.id)]


@_grants.delete("/{sp_id}", status_code=204)
def revoke_grant(sp_id: str, caller: CurrentCaller, container: ContainerDep) -> Response:
    """Revoke every OAuth2 token (access and refresh) the party holds for me."""
    container.csc_oauth.revoke_party(caller.account.id, sp_id)
    return Response(status_code=204)


router = APIRouter()
router.include_router(_pages)
router.include_router(_grants)
