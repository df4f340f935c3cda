"""SQL repository of the relying-party area. Works inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from kyso.adapters.db.tables.accounts import accounts
from kyso.adapters.db.tables.otp import otp_challenges
from kyso.adapters.db.tables.relying import (
    relying_parties,
    rp_consents,
    sp769_files,
    sp769_requests,
)
from kyso.lockout import LockState
from kyso.relying.errors import DuplicateTransaction
from kyso.relying.model import (
    Consent,
    PartyStatus,
    RelyingParty,
    RequestStatus,
    SignFile,
    SignRequest,
)

__all__ = ["SqlRelyingRepository", "party_of"]

_p, _r, _f = relying_parties.c, sp769_requests.c, sp769_files.c
_c = rp_consents.c
_DECIDED = ("rejected", "failed", "expired")  # otp_challenges.status that end a request


def _party_values(p: RelyingParty) -> dict[str, Any]:
    return {"sp_id": p.sp_id, "name": p.name, "secret_hash": p.secret_hash,
            "public_service": p.public_service, "webhook_url": p.webhook_url,
            "sealed_webhook_secret": p.sealed_webhook_secret, "status": p.status.value,
            "failures": p.lock.failures, "lock_count": p.lock.lock_count,
            "locked_until": p.lock.locked_until, "created_at": p.created_at}


def _party(row: Row[Any]) -> RelyingParty:
    return party_of(dict(row._mapping))


def party_of(m: dict[str, Any]) -> RelyingParty:
    """A relying party from its row's values by column name (``m`` is consumed)."""
    lock = LockState(m.pop("failures"), m.pop("lock_count"), m.pop("locked_until"))
    return RelyingParty(**m | {"status": PartyStatus(m["status"]), "lock": lock})


def _request_values(r: SignRequest) -> dict[str, Any]:
    return {"status": r.status.value, "ended_at": r.ended_at, "error": r.error}


class SqlRelyingRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- relying parties -----------------------------------------------------------------
    def add_party(self, party: RelyingParty) -> None:
        self._conn.execute(insert(relying_parties).values(id=party.id, **_party_values(party)))

    def party(self, party_id: str) -> RelyingParty | None:
        row = self._conn.execute(select(relying_parties).where(_p.id == party_id)).first()
        return _party(row) if row else None

    def party_by_sp_id(self, sp_id: str, *, for_update: bool = False) -> RelyingParty | None:
        query = select(relying_parties).where(_p.sp_id == sp_id)
        row = self._conn.execute(query.with_for_update() if for_update else query).first()
        return _party(row) if row else None

    def parties(self) -> list[RelyingParty]:
        rows = self._conn.execute(select(relying_parties).order_by(_p.created_at, _p.sp_id))
        return [_party(row) for row in rows]

    def save_party(self, party: RelyingParty) -> None:
        self._conn.execute(update(relying_parties).where(_p.id == party.id)
                           .values(**_party_values(party)))

    def account_by_id_number(self, id_number: str) -> str | None:
        found = self._conn.scalar(select(accounts.c.id).where(accounts.c.id_number == id_number))
        return str(found) if found is not None else None

    # -- consents ------------------------------------------------------------------------
    def consent(self, account_id: str, party_id: str) -> Consent | None:
        row = self._conn.execute(select(rp_consents).where(
            _c.account_id == account_id, _c.party_id == party_id)).first()
        return Consent(**row._mapping) if row else None

    def consents(self, account_id: str) -> list[Consent]:
        rows = self._conn.execute(select(rp_consents).where(_c.account_id == account_id)
                                  .order_by(_c.granted_at, _c.party_id))
        return [Consent(**row._mapping) for row in rows]

    def add_consent(self, consent: Consent) -> None:
        """A consent granted twice at once stays one row (the second insert is dropped)."""
        try:
            with self._conn.begin_nested():
                self._conn.execute(insert(rp_consents).values(
                    account_id=consent.account_id, party_id=consent.party_id,
                    granted_at=consent.granted_at))
        except IntegrityError:
            pass

    def remove_consent(self, account_id: str, party_id: str) -> None:
        self._conn.execute(delete(rp_consents).where(
            _c.account_id == account_id, _c.party_id == party_id))

    # -- sign requests -------------------------------------------------------------------
    def add_request(self, request: SignRequest) -> None:
        """Raises DuplicateTransaction when a concurrent request took the same
        ``transaction_id`` (the unique constraint decides; the transaction is then void)."""
        r = request
        try:
            self._conn.execute(insert(sp769_requests).values(
                id=r.id, party_id=r.party_id, transaction_id=r.transaction_id,
                account_id=r.account_id, credential_id=r.credential_id,
                challenge_id=r.challenge_id, description=r.description,
                created_at=r.created_at, expires_at=r.expires_at, **_request_values(r)))
        except IntegrityError:
            raise DuplicateTransaction() from None
        self._conn.execute(insert(sp769_files), [
            {"request_id": r.id, "position": n, "doc_id": f.doc_id, "file_type": f.file_type,
             "digest": f.digest.hex(), "signature": f.signature}
            for n, f in enumerate(r.files)])

    def request_by_ref(self, party_id: str, ref: str, *,
                       for_update: bool = False) -> SignRequest | None:
        mine = and_(_r.party_id == party_id, or_(_r.transaction_id == ref, _r.id == ref))
        return self._request(mine, for_update)

    def request_by_challenge(self, challenge_id: str, *,
                             for_update: bool = False) -> SignRequest | None:
        return self._request(_r.challenge_id == challenge_id, for_update)

    def save_request(self, request: SignRequest) -> None:
        self._conn.execute(update(sp769_requests).where(_r.id == request.id)
                           .values(**_request_values(request)))
        for n, f in enumerate(request.files):
            self._conn.execute(update(sp769_files)
                               .where(_f.request_id == request.id, _f.position == n)
                               .values(signature=f.signature))

    def waiting(self, account_id: str, party_id: str) -> list[SignRequest]:
        query = (select(_r.id).where(_r.account_id == account_id, _r.party_id == party_id,
                                     _r.status == RequestStatus.WAITING.value)
                 .order_by(_r.created_at).with_for_update())
        ids = list(self._conn.scalars(query))
        return [r for i in ids if (r := self._request(_r.id == i, False)) is not None]

    def any_unsettled(self, now: datetime, stale_before: datetime) -> bool:
        query = _unsettled(now, stale_before).limit(1)
        return self._conn.scalars(query).first() is not None

    def unsettled(self, now: datetime, stale_before: datetime, limit: int) -> list[SignRequest]:
        query = (_unsettled(now, stale_before).order_by(_r.expires_at).limit(limit)
                 .with_for_update(of=sp769_requests, skip_locked=True))
        ids = list(self._conn.scalars(query))
        return [r for i in ids if (r := self._request(_r.id == i, False)) is not None]

    def _request(self, where: Any, for_update: bool) -> SignRequest | None:
        query = select(sp769_requests).where(where)
        row = self._conn.execute(query.with_for_update() if for_update else query).first()
        if row is None:
            return None
        files = self._conn.execute(select(sp769_files).where(_f.request_id == row.id)
                                   .order_by(_f.position))
        m = dict(row._mapping)
        return SignRequest(**m | {"status": RequestStatus(m["status"]), "files": tuple(
            SignFile(f.doc_id, f.file_type, bytes.fromhex(f.digest), f.signature)
            for f in files)})


def _unsettled(now: datetime, stale_before: datetime) -> Select[tuple[str]]:
    """Ids of the requests to settle (``unsettled``)."""
    waiting = and_(_r.status == RequestStatus.WAITING.value,
                   or_(_r.expires_at <= now, otp_challenges.c.status.in_(_DECIDED)))
    stuck = and_(_r.status.in_([RequestStatus.CONFIRMED.value, RequestStatus.SIGNING.value]),
                 _r.expires_at <= stale_before)
    return (select(_r.id).join(otp_challenges, otp_challenges.c.id == _r.challenge_id)
            .where(or_(waiting, stuck)))
