"""The worker's "csc clean-up" chore: OAuth2 authorizations (codes, sealed SADs), access and
refresh tokens and asynchronous signHash responses go once they have been expired or revoked
for the retention period, and not before; in bounded batches; with several workers at once
every row is deleted (and counted) exactly once; each run that deleted something is audited
with its counts."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

from sqlalchemy import func, select

from kyso.adapters.db.tables.csc import (
    csc_authorizations,
    csc_refresh_tokens,
    csc_responses,
    csc_tokens,
)
from kyso.entrypoints.cli.main import _chores
from kyso.relying.csc_cleanup import CscCleanup
from kyso.relying.csc_model import AsyncResponse, ResponseStatus
from tests.integration.api.conftest import PASSWORD
from tests.integration.csc.conftest import Signer, World, basic
from tests.integration.csc.oauth_flow import approve, page_id, rp_client, start

DAY = timedelta(hours=24)  # the default KYSO_CSC_RETENTION_HOURS


def _count(world: World, table: object, where: object = None) -> int:
    query = select(func.count()).select_from(table)  # type: ignore[arg-type]
    if where is not None:
        query = query.where(where)  # type: ignore[arg-type]
    with world.container.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def _grant(world: World, signer: Signer, rp_id: str) -> str:
    """A service grant: its authorization id (an access and a refresh token name it)."""
    _relogin(world, signer)
    flow = start(world.url, rp_id, "service")
    item = page_id(world, flow)
    flow.token(approve(world, signer, item))
    return item


def _relogin(world: World, signer: Signer) -> None:
    """The customer logs in again (the clock moved past the session's life)."""
    r = world.client.post("/csc/v2/auth/login", headers=basic(signer.username, PASSWORD))
    assert r.status_code == 200, r.text
    signer.token = r.json()["access_token"]


def _responses(world: World, signer: Signer, n: int, expired_for: timedelta) -> list[str]:
    now = world.clock.now()
    ids = [str(uuid.uuid4()) for _ in range(n)]
    with world.container.uow() as uow:
        for i in ids:
            uow.csc.add_response(AsyncResponse(
                id=i, account_id=signer.account_id, credential_id=signer.credential_id,
                scheme="rsa-pkcs1v15-sha256", hashes="AAAA", created_at=now - expired_for,
                expires_at=now - expired_for, status=ResponseStatus.SIGNED, signatures="BBBB"))
        uow.commit()
    return ids


def _cleanups(world: World) -> list[dict[str, object]]:
    with world.container.uow() as uow:
        return [dict(r.event.details) for r in uow.audit.records()
                if r.event.action == "csc.cleanup"]


def test_rows_go_after_the_retention_and_not_before(world: World) -> None:
    signer, rp = world.customer(), rp_client(world)
    old = _grant(world, signer, rp.party.sp_id)  # revoked now, so gone in 24 h
    assert world.client.delete(f"/api/v1/csc/grants/{rp.party.sp_id}", headers={
        "Authorization": f"Bearer {signer.token}"}).status_code == 204
    denied = page_id(world, start(world.url, rp.party.sp_id, "service"))  # never decided
    old_responses = _responses(world, signer, 3, timedelta(0))
    world.clock.advance(DAY.total_seconds() + 700)  # the page's 10 minutes, then 24 h
    recent = _grant(world, signer, rp.party.sp_id)  # its access token expires in 1 h
    world.clock.advance(3600 + 61)
    live = _grant(world, signer, rp.party.sp_id)
    kept_response = _responses(world, signer, 1, timedelta(hours=23))

    deleted = world.container.csc_cleanup.sweep()

    a = csc_authorizations.c
    assert _count(world, csc_authorizations, a.id.in_([old, denied])) == 0
    assert _count(world, csc_tokens, csc_tokens.c.authorization_id == old) == 0
    assert _count(world, csc_refresh_tokens, csc_refresh_tokens.c.authorization_id == old) == 0
    assert _count(world, csc_responses, csc_responses.c.id.in_(old_responses)) == 0
    # the expired-an-hour-ago token, the live grant and the recent response stay
    assert _count(world, csc_tokens, csc_tokens.c.authorization_id == recent) == 1
    assert _count(world, csc_refresh_tokens,
                  csc_refresh_tokens.c.authorization_id == recent) == 1
    assert _count(world, csc_authorizations, a.id.in_([recent, live])) == 2
    assert _count(world, csc_responses, csc_responses.c.id.in_(kept_response)) == 1
    # what the run deleted is at least ours: 2 authorizations, 1 access + 1 refresh, 3
    assert deleted >= 7
    last = _cleanups(world)[-1]
    assert last["deleted"] == deleted and int(str(last["responses"])) >= 3
    assert int(str(last["authorizations"])) >= 2
    # a second run finds nothing and audits nothing
    assert world.container.csc_cleanup.sweep() == 0
    assert _cleanups(world)[-1] == last and len(_cleanups(world)) >= 1
    # and the live grant still works after all this
    grants = world.client.get("/api/v1/csc/grants", headers={
        "Authorization": f"Bearer {signer.token}"})
    assert [g["sp_id"] for g in grants.json()] == [rp.party.sp_id]


def test_a_run_is_bounded_in_batches(world: World) -> None:
    signer = world.customer()
    world.container.csc_cleanup.sweep()  # what earlier tests left
    ids = _responses(world, signer, 7, DAY + timedelta(hours=1))
    small = CscCleanup(world.container.uow, world.clock, DAY, batch=2, max_batches=2)
    assert small.sweep() == 4
    assert _count(world, csc_responses, csc_responses.c.id.in_(ids)) == 3
    assert small.sweep() == 3
    assert small.sweep() == 0
    assert _count(world, csc_responses, csc_responses.c.id.in_(ids)) == 0


def test_workers_running_at_once_delete_every_row_exactly_once(world: World) -> None:
    signer = world.customer()
    world.container.csc_cleanup.sweep()
    ids = _responses(world, signer, 120, DAY + timedelta(hours=1))
    counts: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            counts.append(CscCleanup(world.container.uow, world.clock, DAY, batch=7,
                                     max_batches=100).sweep())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    assert sum(counts) == 120 and len(counts) == 4
    assert _count(world, csc_responses, csc_responses.c.id.in_(ids)) == 0


def test_the_worker_runs_it(world: World) -> None:
    signer = world.customer()
    ids = _responses(world, signer, 2, DAY + timedelta(hours=1))
    [(every, action)] = [(e, a) for name, e, a in _chores(world.container)
                         if name == "csc clean-up"]
    assert every <= 3600 and action() >= 2
    assert _count(world, csc_responses, csc_responses.c.id.in_(ids)) == 0
