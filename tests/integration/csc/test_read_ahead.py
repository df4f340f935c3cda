"""A signHash's bearer check and signing read as one statement (``adapters/db/read_ahead.py``):
the same answers as the two reads, made once, and never across a write (issue 14)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from sqlalchemy import event

from kyso.accounts.service import session_token_hash
from kyso.relying.csc_oauth import TOKEN_PREFIX
from kyso.signing.credentials import parse_credential_id
from kyso.signing.service import sad_token_hash
from tests.integration.csc.conftest import Signer, World
from tests.integration.csc.helpers import digests, sign, sign_hash

Reads = tuple[Any, Any]


@contextmanager
def counted(world: World) -> Iterator[list[str]]:
    seen: list[str] = []

    def listen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(" ".join(statement.split()[:3]))

    event.listen(world.container.engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(world.container.engine, "before_cursor_execute", listen)


def _both(world: World, token: str, sad: str, credential: str) -> Reads:
    """The bearer check's and the signing read's answers, as the services ask for them."""
    parsed = parse_credential_id(credential)
    assert parsed is not None
    with world.container.uow(read_only=True) as uow:
        session = uow.sessions.with_account(session_token_hash(token))
    with world.container.uow(read_only=True) as uow:
        signing = uow.signing.with_certificate(sad_token_hash(sad), *parsed)
    return session, signing


def _ahead(world: World, token: str, sad: str, credential: str) -> tuple[Reads, list[str]]:
    with counted(world) as seen, \
            world.container.shared_reads(sign_hash=(token, sad, credential)):
        return _both(world, token, sad, credential), seen


def _plain(world: World, token: str, sad: str, credential: str) -> tuple[Reads, list[str]]:
    with counted(world) as seen:
        return _both(world, token, sad, credential), seen


def _granted(world: World) -> tuple[Signer, str]:
    signer = world.customer()
    return signer, signer.authorize(digests(2))


def test_read_ahead_answers_as_the_two_reads_in_one_statement(world: World) -> None:
    signer, sad = _granted(world)
    ahead, statements = _ahead(world, signer.token, sad, signer.credential_id)
    plain, two = _plain(world, signer.token, sad, signer.credential_id)
    assert ahead == plain
    session, (activation, certificate) = ahead
    assert session is not None and session[1].id == signer.account_id
    assert activation is not None and activation.credential_id == signer.credential_id
    assert certificate is not None
    assert [s.split()[0] for s in statements] == ["SELECT"]
    assert [s.split()[0] for s in two] == ["SELECT", "SELECT"]


def test_what_is_missing_is_missing_as_the_two_reads_say(world: World) -> None:
    signer, sad = _granted(world)
    other = world.customer()
    issuer, serial = parse_credential_id(signer.credential_id) or ("", 0)
    unknown_cert = f"{issuer}-{serial + 7919:x}"
    for token, sad_, credential in [
        ("no-such-session", sad, signer.credential_id),  # no session: the rest still read
        (signer.token, "no-such-sad", signer.credential_id),
        (signer.token, sad, unknown_cert),
        (other.token, sad, other.credential_id),  # another customer's bearer: as read
    ]:
        ahead, statements = _ahead(world, token, sad_, credential)
        assert ahead == _plain(world, token, sad_, credential)[0], (token, sad_, credential)
        assert len(statements) == 1
    assert _ahead(world, "no-such-session", sad, signer.credential_id)[0][0] is None


def test_a_write_between_the_reads_drops_what_was_read_ahead(world: World) -> None:
    """A session touch (or any write) ends the shared read: the signing read then reads for
    itself, and sees what the write changed."""
    signer, sad = _granted(world)
    parsed = parse_credential_id(signer.credential_id)
    assert parsed is not None
    with counted(world) as seen, \
            world.container.shared_reads(sign_hash=(signer.token, sad, signer.credential_id)):
        with world.container.uow(read_only=True) as uow:
            assert uow.sessions.with_account(session_token_hash(signer.token)) is not None
        with world.container.uow() as uow:  # revoked meanwhile
            activation = uow.signing.by_token_hash(sad_token_hash(sad))
            assert activation is not None and activation.revoked_at is None
            uow.signing.save(replace(activation, revoked_at=world.clock.now()))
            uow.commit()
        with world.container.uow(read_only=True) as uow:
            read, _ = uow.signing.with_certificate(sad_token_hash(sad), *parsed)
    assert read is not None and read.revoked_at is not None
    # the bearer check with the read ahead, the write's, then the signing read's own
    assert seen[0] == "SELECT sessions.id AS" and seen[-1] == "SELECT signature_activations.id AS"


def test_read_ahead_is_taken_once_and_only_for_its_own_keys(world: World) -> None:
    signer, sad = _granted(world)
    _, other_sad = _granted(world)
    parsed = parse_credential_id(signer.credential_id)
    assert parsed is not None
    with counted(world) as seen, \
            world.container.shared_reads(sign_hash=(signer.token, sad, signer.credential_id)), \
            world.container.uow(read_only=True) as uow:
        uow.sessions.with_account(session_token_hash(signer.token))
        assert len(seen) == 1
        # other keys: a read of its own, and the half read ahead stays for its keys
        assert uow.signing.with_certificate(sad_token_hash(other_sad), *parsed)[0]
        assert len(seen) == 2
        first = uow.signing.with_certificate(sad_token_hash(sad), *parsed)
        assert len(seen) == 2  # taken from the read ahead
        again = uow.signing.with_certificate(sad_token_hash(sad), *parsed)
        assert len(seen) == 3  # once only
        assert first == again
        # a second bearer check reads for itself
        uow.sessions.with_account(session_token_hash(signer.token))
        assert len(seen) == 4


def test_no_read_ahead_without_a_session_bearer_a_sad_or_a_credential_id(world: World) -> None:
    signer, sad = _granted(world)
    for given in [(TOKEN_PREFIX + "x", sad, signer.credential_id),  # OAuth2: its own reads
                  (signer.token, None, signer.credential_id),  # no SAD in the body
                  (signer.token, sad, "not-a-credential-id")]:
        with counted(world) as seen, world.container.shared_reads(sign_hash=given), \
                world.container.uow(read_only=True) as uow:
            uow.sessions.with_account(session_token_hash(signer.token))
        assert seen == ["SELECT sessions.id, sessions.account_id,"], given


def test_sign_hash_with_a_session_touch_due_signs_what_it_read_after(world: World) -> None:
    """Through the API: the touch is a write between the bearer check and the signing read;
    the SAD revoked by then (the SAD read after the touch) is refused, a live one signs."""
    signer, sad = _granted(world)
    world.clock.advance(61)  # the session's activity is recorded again on this request
    batch = digests(2)
    fresh = signer.authorize(batch)
    world.clock.advance(61)
    with counted(world) as seen:
        signatures = sign(signer, fresh, batch)
    assert len(signatures) == 2
    assert any(s.startswith("UPDATE sessions") for s in seen)  # the touch happened
    world.clock.advance(61)
    r = sign_hash(signer, sad, digests(2))  # hashes this SAD did not authorize
    assert r.status_code == 400
