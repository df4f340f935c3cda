"""SQL repository of the CSC API's records. Works inside the caller's transaction."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Table,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)

from kyso.adapters.db.prepared import Prepared
from kyso.adapters.db.repositories.relying import party_of
from kyso.adapters.db.tables.csc import (
    csc_authorizations,
    csc_redirect_uris,
    csc_refresh_tokens,
    csc_responses,
    csc_tokens,
)
from kyso.adapters.db.tables.relying import relying_parties
from kyso.relying.csc_model import (
    AsyncResponse,
    AuthStatus,
    Grant,
    OAuthAuthorization,
    OAuthToken,
    RefreshToken,
    ResponseStatus,
)
from kyso.relying.model import RelyingParty

__all__ = ["SqlCscRepository"]

_a, _t, _r, _u = csc_authorizations.c, csc_tokens.c, csc_responses.c, csc_redirect_uris.c
_f = csc_refresh_tokens.c


# The bearer check of a call made with an OAuth2 access token (every CSC call of a relying
# party): the token, its authorization and its party in one statement, by position
_BEARER = Prepared(
    select(*csc_tokens.c, *csc_authorizations.c, *relying_parties.c)
    .select_from(csc_tokens
                 .outerjoin(csc_authorizations, _a.id == _t.authorization_id)
                 .outerjoin(relying_parties, relying_parties.c.id == _t.party_id))
    .where(_t.token_hash == bindparam("token_hash")))
_TOKEN_NAMES = tuple(c.name for c in csc_tokens.c)
_AUTH_NAMES = tuple(c.name for c in csc_authorizations.c)
_PARTY_NAMES = tuple(c.name for c in relying_parties.c)


def _purgeable(what: str, before: datetime) -> tuple[Table, Any, ColumnElement[bool]]:
    """The table, its key and which of its rows the clean-up may delete: past ``before``
    (expired, or revoked, that long ago); an authorization only once no token names it."""
    if what == "tokens":
        return csc_tokens, _t.token_hash, or_(_t.expires_at < before, _t.revoked_at < before)
    if what == "refresh":
        return (csc_refresh_tokens, _f.token_hash,
                or_(_f.expires_at < before, _f.revoked_at < before))
    if what == "responses":
        return csc_responses, _r.id, _r.expires_at < before
    if what == "authorizations":
        return csc_authorizations, _a.id, and_(
            _a.expires_at < before,
            or_(_a.code_expires_at.is_(None), _a.code_expires_at < before),
            or_(_a.sad_expires_at.is_(None), _a.sad_expires_at < before),
            ~exists().where(_t.authorization_id == _a.id),
            ~exists().where(_f.authorization_id == _a.id))
    raise ValueError(what)


def _values(item: Any) -> dict[str, Any]:
    return {k: (v.value if isinstance(v, AuthStatus | ResponseStatus) else v)
            for k, v in asdict(item).items()}


def _auth(row: Row[Any] | None) -> OAuthAuthorization | None:
    return None if row is None else _auth_of(dict(row._mapping))


def _auth_of(m: dict[str, Any]) -> OAuthAuthorization:
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

    def bearer(self, token_hash: str) -> tuple[OAuthToken, OAuthAuthorization | None,
                                               RelyingParty | None] | None:
        row = _BEARER.execute(self._conn, {"token_hash": token_hash}).first()
        if row is None:
            return None
        values = tuple(row)
        tokens, auths = len(_TOKEN_NAMES), len(_TOKEN_NAMES) + len(_AUTH_NAMES)
        token = OAuthToken(**dict(zip(_TOKEN_NAMES, values[:tokens], strict=True)))
        auth = dict(zip(_AUTH_NAMES, values[tokens:auths], strict=True))
        party = dict(zip(_PARTY_NAMES, values[auths:], strict=True))
        return (token, None if auth["id"] is None else _auth_of(auth),
                None if party["id"] is None else party_of(party))

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

    # -- refresh tokens ----------------------------------------------------------------
    def add_refresh(self, token: RefreshToken) -> None:
        self._conn.execute(insert(csc_refresh_tokens).values(**asdict(token)))

    def refresh(self, token_hash: str, *, for_update: bool = False) -> RefreshToken | None:
        row = self._one(csc_refresh_tokens, _f.token_hash == token_hash, for_update)
        return RefreshToken(**row._mapping) if row is not None else None

    def family(self, family_id: str) -> list[RefreshToken]:
        rows = self._conn.execute(select(csc_refresh_tokens).where(_f.family_id == family_id)
                                  .order_by(_f.created_at))
        return [RefreshToken(**r._mapping) for r in rows]

    def save_refresh(self, token: RefreshToken) -> None:
        self._conn.execute(update(csc_refresh_tokens)
                           .where(_f.token_hash == token.token_hash).values(**asdict(token)))

    def revoke_family(self, family_id: str, at: datetime) -> int:
        """Every live refresh token of the family, and (an OAuth2 family) the access tokens
        of its authorization."""
        done = self._conn.execute(update(csc_refresh_tokens).where(
            _f.family_id == family_id, _f.revoked_at.is_(None)).values(revoked_at=at))
        count = int(done.rowcount or 0)
        done = self._conn.execute(update(csc_tokens).where(
            _t.authorization_id == family_id, _t.revoked_at.is_(None)).values(revoked_at=at))
        return count + int(done.rowcount or 0)

    def revoke_party_tokens(self, account_id: str, party_id: str, at: datetime) -> int:
        count = 0
        for table, c in ((csc_refresh_tokens, _f), (csc_tokens, _t)):
            done = self._conn.execute(update(table).where(
                c.account_id == account_id, c.party_id == party_id, c.revoked_at.is_(None))
                .values(revoked_at=at))
            count += int(done.rowcount or 0)
        return count

    def grants(self, account_id: str, now: datetime) -> list[Grant]:
        """The parties holding a live access or refresh token of the account."""
        found: dict[str, Grant] = {}
        for c in (_t, _f):
            live = [c.account_id == account_id, c.party_id.is_not(None),
                    c.revoked_at.is_(None), c.expires_at > now]
            if c is _f:  # a rotated refresh token is spent: only the current one counts
                live.append(c.used_at.is_(None))
            rows = self._conn.execute(
                select(c.party_id, func.min(c.created_at).label("first"),
                       func.max(c.created_at).label("last"),
                       func.max(c.expires_at).label("until"))
                .where(*live).group_by(c.party_id))
            for r in rows:
                old = found.get(r.party_id)
                found[r.party_id] = Grant(
                    r.party_id, min(r.first, old.first_at) if old else r.first,
                    max(r.last, old.last_at) if old else r.last,
                    max(r.until, old.expires_at) if old else r.until)
        return sorted(found.values(), key=lambda g: g.last_at, reverse=True)

    # -- clean-up ------------------------------------------------------------------------
    def purge(self, what: str, before: datetime, limit: int) -> int:
        """Delete up to ``limit`` rows of ``what`` past ``before``. The rows are picked with
        ``FOR UPDATE SKIP LOCKED`` (PostgreSQL), so workers running this at once take
        different rows; the delete repeats the condition, so a row another worker already
        deleted (or a token used meanwhile) is simply not counted."""
        table, key, where = _purgeable(what, before)
        picked = self._conn.execute(select(key).where(where).limit(limit)
                                    .with_for_update(skip_locked=True)).scalars().all()
        if not picked:
            return 0
        done = self._conn.execute(delete(table).where(key.in_(picked), where))
        return int(done.rowcount or 0)
