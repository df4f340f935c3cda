"""SQL repository of the CSC API's records. Works inside the caller's transaction."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import Connection, Row, Table, insert, select, update

from kyso.adapters.db.tables.csc import (
    csc_authorizations,
    csc_redirect_uris,
    csc_responses,
    csc_tokens,
)
from kyso.relying.csc_model import (
    AsyncResponse,
    AuthStatus,
    OAuthAuthorization,
    OAuthToken,
    ResponseStatus,
)

__all__ = ["SqlCscRepository"]

_a, _t, _r, _u = csc_authorizations.c, csc_tokens.c, csc_responses.c, csc_redirect_uris.c


def _values(item: Any) -> dict[str, Any]:
    return {k: (v.value if isinstance(v, AuthStatus | ResponseStatus) else v)
            for k, v in asdict(item).items()}


def _auth(row: Row[Any] | None) -> OAuthAuthorization | None:
    if row is None:
        return None
    m = dict(row._mapping)
    return OAuthAuthorization(**m | {"status": AuthStatus(m["status"])})


def _response(row: Row[Any] | None) -> AsyncResponse | None:
    if row is None:
        return None
    m = dict(row._mapping)
    return AsyncResponse(**m | {"status": ResponseStatus(m["status"])})


class SqlCscRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def _one(self, table: Table, where: Any, for_update: bool) -> Row[Any] | None:
        query = select(table).where(where)
        return self._conn.execute(query.with_for_update() if for_update else query).first()

    def redirect_uris(self, party_id: str) -> list[str]:
        rows = self._conn.execute(select(_u.uri).where(_u.party_id == party_id))
        return [str(r.uri) for r in rows]

    def add_redirect_uri(self, party_id: str, uri: str, at: Any) -> None:
        if uri not in self.redirect_uris(party_id):
            self._conn.execute(insert(csc_redirect_uris).values(party_id=party_id, uri=uri,
                                                                created_at=at))

    def add_authorization(self, item: OAuthAuthorization) -> None:
        self._conn.execute(insert(csc_authorizations).values(**_values(item)))

    def authorization(self, item_id: str, *,
                      for_update: bool = False) -> OAuthAuthorization | None:
        return _auth(self._one(csc_authorizations, _a.id == item_id, for_update))

    def authorization_by_code(self, code_hash: str) -> OAuthAuthorization | None:
        return _auth(self._one(csc_authorizations, _a.code_hash == code_hash, True))

    def authorization_by_challenge(self, challenge_id: str) -> OAuthAuthorization | None:
        return _auth(self._one(csc_authorizations, _a.challenge_id == challenge_id, True))

    def save_authorization(self, item: OAuthAuthorization) -> None:
        self._conn.execute(update(csc_authorizations).where(_a.id == item.id)
                           .values(**_values(item)))

    def add_token(self, token: OAuthToken) -> None:
        self._conn.execute(insert(csc_tokens).values(**_values(token)))

    def token(self, token_hash: str) -> OAuthToken | None:
        row = self._one(csc_tokens, _t.token_hash == token_hash, False)
        return OAuthToken(**row._mapping) if row is not None else None

    def tokens_of(self, authorization_id: str) -> list[OAuthToken]:
        rows = self._conn.execute(select(csc_tokens)
                                  .where(_t.authorization_id == authorization_id))
        return [OAuthToken(**r._mapping) for r in rows]

    def save_token(self, token: OAuthToken) -> None:
        self._conn.execute(update(csc_tokens).where(_t.token_hash == token.token_hash)
                           .values(**_values(token)))

    def add_response(self, item: AsyncResponse) -> None:
        self._conn.execute(insert(csc_responses).values(**_values(item)))

    def response(self, item_id: str, *, for_update: bool = False) -> AsyncResponse | None:
        return _response(self._one(csc_responses, _r.id == item_id, for_update))

    def response_by_challenge(self, challenge_id: str) -> AsyncResponse | None:
        return _response(self._one(csc_responses, _r.challenge_id == challenge_id, True))

    def save_response(self, item: AsyncResponse) -> None:
        self._conn.execute(update(csc_responses).where(_r.id == item.id)
                           .values(**_values(item)))
