"""The tamper matrix (issue 11): someone holding the database, but not the master key nor the
checkpoint file, edits, deletes, reorders, truncates, recomputes or wipes the audit trail;
``kyso audit verify`` names the first bad record or the missing range every time. SQLite, or
PostgreSQL with KYSO_TEST_DATABASE_URL."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import Connection, delete, update

from kyso.adapters.db.repositories.audit import SqlAuditRepository
from kyso.adapters.db.tables.audit import HEAD_ID, audit_head, audit_records
from kyso.adapters.db.tables.keys import key_checks
from kyso.adapters.db.uow import SqlUnitOfWork
from kyso.audit.chain import GENESIS, UNKEYED, seal
from kyso.audit.errors import Breach, ChainBroken
from kyso.audit.model import AuditEvent, AuditRecord
from kyso.bootstrap import Container, bootstrap, init_home
from kyso.clock import ManualClock
from kyso.config import Settings
from kyso.entrypoints.cli.audit import verify_command
from tests.conftest import FAST_HASHER

EVENTS = 10


@pytest.fixture
def node(tmp_path: Path, db_url: str, clock: ManualClock) -> Iterator[Container]:
    settings = Settings(home=tmp_path / "home", database_url=db_url, pki_ca_key="ec-p256",
                        pki_responder_key="ec-p256", pki_tsa_key="ec-p256")
    init_home(settings)
    container = bootstrap(settings, clock=clock, hasher=FAST_HASHER)
    container.pki.initialize(actor="test")
    container.audit_anchor.checkpoint()  # makes the seal; its record follows
    for n in range(EVENTS):
        with container.uow() as uow:
            uow.audit.append(AuditEvent("test.event", actor="op", details={"n": n}),
                             clock.now())
            uow.commit()
        clock.advance(1)
    container.audit_anchor.checkpoint()
    yield container
    container.close()


def _records(node: Container) -> list[AuditRecord]:
    with node.uow() as uow:
        return list(uow.audit.records())


def _tamper(node: Container, change: Callable[[Connection], None]) -> None:
    with node.engine.begin() as conn:
        change(conn)


def _broken(node: Container) -> tuple[int, Breach, str]:
    with pytest.raises(ChainBroken) as info:
        node.audit_anchor.verify()
    console = Console(record=True, width=200)
    assert verify_command(node.uow, console, anchor=node.audit_anchor) == 1
    return info.value.seq, info.value.reason, console.export_text()


def test_an_untouched_trail_is_intact(node: Container) -> None:
    head, checked = node.audit_anchor.verify()
    assert head[0] == len(_records(node)) and checked == 2


def test_the_worker_writes_a_checkpoint_only_when_the_head_moved(node: Container) -> None:
    path = node.settings.audit_checkpoint_path
    before = path.read_text().count("\n")
    assert node.audit_anchor.checkpoint_if_moved() is None
    with node.uow() as uow:
        uow.audit.append(AuditEvent("test.event", actor="op"), node.clock.now())
        uow.commit()
    point = node.audit_anchor.checkpoint_if_moved()
    assert point is not None and point.seq == _records(node)[-1].seq
    assert path.read_text().count("\n") == before + 1


def test_an_edited_record(node: Container) -> None:
    target = _records(node)[-4].seq
    _tamper(node, lambda c: c.execute(update(audit_records).where(
        audit_records.c.seq == target).values(details='{"n":999}')))
    seq, reason, text = _broken(node)
    assert (seq, reason) == (target, Breach.ALTERED)
    assert f"broken at record {target}: altered" in text


def test_a_deleted_record(node: Container) -> None:
    target = _records(node)[-5].seq
    _tamper(node, lambda c: c.execute(delete(audit_records).where(
        audit_records.c.seq == target)))
    assert _broken(node)[:2] == (target, Breach.REMOVED)


def test_reordered_records(node: Container) -> None:
    first = _records(node)[-6].seq
    seq = audit_records.c.seq

    def swap(c: Connection) -> None:
        c.execute(update(audit_records).where(seq == first).values(seq=-1))
        c.execute(update(audit_records).where(seq == first + 1).values(seq=first))
        c.execute(update(audit_records).where(seq == -1).values(seq=first + 1))
    _tamper(node, swap)
    assert _broken(node)[:2] == (first, Breach.REORDERED)


def test_a_truncated_trail_with_its_head_moved_back(node: Container) -> None:
    records = _records(node)
    kept = records[-4]

    def cut(c: Connection) -> None:
        c.execute(delete(audit_records).where(audit_records.c.seq > kept.seq))
        c.execute(update(audit_head).where(audit_head.c.id == HEAD_ID)
                  .values(seq=kept.seq, hash=kept.hash))
    _tamper(node, cut)
    seq, reason, text = _broken(node)
    assert (seq, reason) == (kept.seq + 1, Breach.MISSING)
    assert f"records {kept.seq + 1}–{records[-1].seq} missing" in text


def test_an_edit_with_the_chain_recomputed_without_the_key(node: Container) -> None:
    records = _records(node)
    target = records[-6]

    def recompute(c: Connection) -> None:
        prev = records[-7].hash
        for record in records[-6:]:
            event = record.event
            if record.seq == target.seq:
                event = AuditEvent(event.action, event.outcome, "intruder", event.subject,
                                   event.details)
            forged = seal(record.seq, record.at, event, prev, UNKEYED)
            c.execute(update(audit_records).where(audit_records.c.seq == record.seq)
                      .values(actor=event.actor, prev_hash=prev, hash=forged.hash))
            prev = forged.hash
        c.execute(update(audit_head).where(audit_head.c.id == HEAD_ID).values(hash=prev))
    _tamper(node, recompute)
    assert _broken(node)[:2] == (target.seq, Breach.ALTERED)


def test_a_wiped_trail(node: Container) -> None:
    last = _records(node)[-1].seq

    def wipe(c: Connection) -> None:
        c.execute(delete(audit_records))
        c.execute(delete(audit_head))
    _tamper(node, wipe)
    seq, reason, text = _broken(node)
    assert (seq, reason) == (1, Breach.MISSING)
    assert f"records 1–{last} missing" in text


def test_a_forged_checkpoint_line(node: Container) -> None:
    path = node.settings.audit_checkpoint_path
    line = json.loads(path.read_text().splitlines()[-1])
    line["seq"] = 3
    line["signature"] = base64.b64encode(b"\x30" * 70).decode()
    with path.open("a") as out:
        out.write(json.dumps(line) + "\n")
    assert _broken(node)[1] is Breach.BAD_CHECKPOINT


def test_an_unkeyed_trail_from_before_the_key_is_keyed_once(tmp_path: Path,
                                                            db_url: str) -> None:
    settings = Settings(home=tmp_path / "home", database_url=db_url)
    init_home(settings)
    container = bootstrap(settings, hasher=FAST_HASHER)
    with container.engine.begin() as conn:  # as an older kyso left it: plain SHA-256
        conn.execute(delete(audit_records))
        conn.execute(delete(audit_head))
        conn.execute(delete(key_checks))
        old = SqlAuditRepository(conn)
        for n in range(3):
            old.append(AuditEvent("old.event", details={"n": n}), container.clock.now())
    with SqlUnitOfWork(container.engine) as uow:
        assert uow.audit.head()[1] != GENESIS
    container.close()
    init_home(settings)
    again = bootstrap(settings, hasher=FAST_HASHER)
    head, checked = again.audit_anchor.verify()
    assert (head[0], checked) == (3, 0)
    again.close()
